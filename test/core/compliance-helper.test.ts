import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ArtifactBucket, MlopsProject } from '../../lib';
import { compliantApp, expectCompliant, guardRulesFor, unacknowledgedFindings } from '../helpers/compliance';
import { ENV, PROJECT_TRAINING } from '../project/util';

describe('compliance helper', () => {
  test('catches a deliberately non-compliant bucket in every pack and in Guard', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Bad');
    new s3.Bucket(stack, 'Plain', { removalPolicy: RemovalPolicy.DESTROY });

    const findings = unacknowledgedFindings(stack);
    const plugins = new Set(findings.map((f) => f.plugin));
    expect([...plugins].sort()).toEqual(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'cdk-validator-cfnguard']);
    const rules = findings.map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining([
      'AwsSolutions-S1', 'AwsSolutions-S10',
      'HIPAA.Security-S3BucketLoggingEnabled',
      'NIST.800.53.R5-S3DefaultEncryptionKMS',
      'PCI.DSS.321-S3BucketSSLRequestsOnly',
    ]));
    expect(findings.every((f) => f.path.startsWith('Bad/Plain'))).toBe(true);
    expect(() => expectCompliant(stack)).toThrow(/unacknowledged compliance finding\(s\):\nBad\/Plain\/Resource: \[/);
  });

  test("counts aws-cdk-lib's CloudFormation validation (off in the other synths of the tests) as findings", () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Invalid');
    new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue', properties: { KmsMasterKeyId: 'alias/aws/sqs', VisibilityTimeout: 'soon', Colour: 'red' } });
    const findings = unacknowledgedFindings(stack).filter((f) => f.plugin === 'CloudFormation Validate');
    expect(findings.map((f) => `${f.path} ${f.rule} ${f.description}`).sort()).toEqual([
      "Invalid/Queue F3002 Colour: Additional properties are not allowed ('Colour' was unexpected)",
      "Invalid/Queue F3012 VisibilityTimeout: 'soon' is not of type 'integer'",
    ]);
    expect(process.env.CDK_VALIDATION).toBe('false');
  });

  test('reports a plugin that failed as a finding, not as a pass', () => {
    const app = compliantApp();
    Validations.of(app).addPlugins({ name: 'Broken', validate: () => { throw new Error('no rules found'); } });
    const stack = new Stack(app, 'Any');
    new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
    expect(unacknowledgedFindings(stack)).toContainEqual({
      plugin: 'Broken', rule: 'plugin-failed', path: '(the whole app)', description: "Validation plugin 'Broken' failed: no rules found",
    });
  });

  test('passes a stack whose findings are all acknowledged', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Good');
    new ArtifactBucket(stack, 'Artifacts');
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  test('the guard rules the tests run per template find exactly what all the rules find', () => {
    // A project (most of the library's resource types) beside resources that break guard rules.
    const app = new App();
    const stack = new Stack(app, 'Mixed', { env: ENV });
    new MlopsProject(stack, 'Project', { projectName: 'churn', training: PROJECT_TRAINING });
    new s3.Bucket(stack, 'Plain', { removalPolicy: RemovalPolicy.DESTROY });
    new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.UNENCRYPTED, retentionPeriod: Duration.days(1) });
    new iam.ManagedPolicy(stack, 'Broad', { statements: [new iam.PolicyStatement({ actions: ['*'], resources: ['*'] })] });
    new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
    new ec2.SecurityGroup(stack, 'Open', { vpc }).addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    const templatePath = path.join(app.synth().directory, stack.templateFile);
    const template = JSON.parse(fs.readFileSync(templatePath, 'utf-8'));

    const rules = guardRulesFor(template);
    const violations = (plugin: CfnGuardValidator) => plugin.validate({ templatePaths: [templatePath], appConstruct: app }).violations
      .map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.resourceLogicalId).sort().join(',')}`).sort();
    const all = violations(new CfnGuardValidator());
    expect(rules.length).toBeGreaterThan(20);
    expect(rules.length).toBeLessThan(new CfnGuardValidator().ruleIds!.length / 2);
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(violations(new CfnGuardValidator({ controlTowerRulesEnabled: false, rules }))).toEqual(all);
  });
});
