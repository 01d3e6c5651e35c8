import { CfnResource, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ArtifactBucket } from '../../lib';
import { compliantApp, expectCompliant, unacknowledgedFindings } from '../helpers/compliance';

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
});
