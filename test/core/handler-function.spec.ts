import * as path from 'path';
import { CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ProjectKey } from '../../lib/core';
import { HandlerFunction, handlerAssetPath } from '../../lib/private/handler-function';
import { compliantApp, expectCompliant } from '../helpers/compliance';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'handler');

describe('HandlerFunction', () => {
  let template: Template;
  beforeAll(() => {
    const app = compliantApp();
    const stack = new Stack(app, 'Handlers');
    const key = new ProjectKey(stack, 'Key');
    new HandlerFunction(stack, 'Approve', {
      handler: 'fixture', codeDirectory: FIXTURE, description: 'test handler', encryptionKey: key,
      environment: { GROUP: 'g' },
    });
    expectCompliant(stack);
    template = Template.fromStack(stack);
  });

  test('runs on the newest Node.js runtime, on arm64, with JSON logs to its own encrypted log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      Environment: { Variables: { GROUP: 'g' } },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^ApproveLogs') } },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApproveDeadLetters'), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue(), MessageRetentionPeriod: 1209600 });
  });

  test('has no inline policy and no AWS managed policy', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
  });

  test('may write only to its own log group, decrypt with the key and send to its dead-letter queue', () => {
    const policy = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0];
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [
          { 'Fn::GetAtt': [expect.stringMatching(/^ApproveLogs/), 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ApproveLogs/), 'Arn'] }, ':log-stream:*']] },
        ],
      }),
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'] }),
      expect.objectContaining({ Action: 'sqs:SendMessage' }),
    ]));
    const actions = statements.flatMap((s: any) => [].concat(s.Action));
    expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
  });

  test('inside a VPC it runs in private subnets and stays compliant', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'InVpc');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    });
    const key = new ProjectKey(stack, 'Key');
    new HandlerFunction(stack, 'Fn', { handler: 'fixture', codeDirectory: FIXTURE, description: 'in vpc', encryptionKey: key, vpc });
    expectCompliant(stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], SecurityGroupIds: [Match.anyValue()] },
    });
  });

  test('the dead-letter queue is retained: its messages are the only record of an unhandled event (issue 10, item 11)', () => {
    template.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('the function waits for its role\'s policies, not for the role it already references by GetAtt (cfn-lint W3005)', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function')) as any[];
    const roleId = Object.keys(template.findResources('AWS::IAM::Role'))[0];
    const policyIds = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(fn.DependsOn).toEqual(expect.arrayContaining(policyIds));
    expect(fn.DependsOn).not.toContain(roleId);
  });

  test('a dependency on the role is a dependency on its policies, whenever they are added', () => {
    const stack = new Stack(undefined, 'Later');
    const key = new ProjectKey(stack, 'Key');
    const handler = new HandlerFunction(stack, 'Fn', { handler: 'fixture', codeDirectory: FIXTURE, description: 'd', encryptionKey: key });
    const other = new CfnResource(stack, 'Other', { type: 'Custom::Thing' });
    other.node.addDependency(handler.role);
    handler.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }));
    const t = Template.fromStack(stack);
    const roleId = Object.keys(t.findResources('AWS::IAM::Role'))[0];
    const policies = Object.keys(t.findResources('AWS::IAM::ManagedPolicy'));
    expect(t.toJSON().Resources.Other.DependsOn).toEqual(policies);
    expect(t.toJSON().Resources.Other.DependsOn).not.toContain(roleId);
  });

  test('the trust policy names Lambda only: AWS documents no aws:SourceArn condition for execution roles', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      },
    });
  });

  test('a missing bundle is a clear error that says how to build it', () => {
    expect(() => handlerAssetPath('no-such-handler')).toThrow(/The Lambda handler bundle "no-such-handler" is missing .* run `npm run bundle`/);
  });
});
