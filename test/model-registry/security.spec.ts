import { App, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { addModelRegistryExample } from '../fixtures/stacks/model-registry';
import { MetricComparison, MlopsFoundation, ModelPackageGroup } from '../../lib/core';
import { ApprovalPolicy, ModelRegistryApproval, ModelRegistryApprovalProps } from '../../lib/model-registry';

const ENV = { account: '123456789012', region: 'us-east-2' };
const MSE = { metricJsonPath: 'regression_metrics.mse.value', comparison: MetricComparison.LESS_THAN, value: 5 };

function bucket(stack: Stack): s3.IBucket {
  return s3.Bucket.fromBucketName(stack, 'Metrics', 'metrics-bucket');
}

/** The configurations the registry is made in: manual (rules only), handler, foundation, the example. */
const CONFIGURATIONS: Array<[string, (app: App) => Stack]> = [
  ['manual', (app) => {
    const stack = new Stack(app, 'Manual', { env: ENV });
    new ModelRegistryApproval(stack, 'Registry', { notificationEmails: ['ml@example.com'] });
    return stack;
  }],
  ['metric thresholds', (app) => {
    const stack = new Stack(app, 'Metric', { env: ENV });
    new ModelRegistryApproval(stack, 'Registry', { approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS, metricThresholds: [MSE], artifactBucket: bucket(stack) });
    return stack;
  }],
  ['manual with metrics on a foundation', (app) => {
    const stack = new Stack(app, 'Foundation', { env: ENV });
    new ModelRegistryApproval(stack, 'Registry', { foundation: new MlopsFoundation(stack, 'Foundation'), metricThresholds: [MSE] });
    return stack;
  }],
  ['the example', (app) => addModelRegistryExample(app)],
];

/** Flatten a `Fn::Join` (the rendering of a policy document with tokens) into text; tokens become `<ref>`. */
function text(value: unknown): string {
  if (typeof value === 'string') { return value; }
  if (value && typeof value === 'object' && 'Fn::Join' in (value as any)) {
    const [sep, parts] = (value as any)['Fn::Join'];
    return (parts as unknown[]).map((p) => (typeof p === 'string' ? p : '<ref>')).join(sep);
  }
  return JSON.stringify(value);
}

/** Every statement of every resource policy in the template: key policies, topic policies, log group resource policies. */
function resourcePolicyStatements(template: any): Array<{ where: string; statement: any }> {
  const out: Array<{ where: string; statement: any }> = [];
  for (const [id, r] of Object.entries(template.Resources as Record<string, any>)) {
    let doc: any;
    if (r.Type === 'AWS::KMS::Key') { doc = r.Properties.KeyPolicy; }
    if (r.Type === 'AWS::SNS::TopicPolicy') { doc = r.Properties.PolicyDocument; }
    if (r.Type === 'AWS::Logs::ResourcePolicy') { doc = JSON.parse(text(r.Properties.PolicyDocument)); }
    for (const statement of doc?.Statement ?? []) { out.push({ where: `${r.Type} ${id}`, statement }); }
  }
  return out;
}

function services(statement: any): string[] {
  const service = statement.Principal?.Service;
  return service === undefined ? [] : [].concat(service).map((s: unknown) => text(s));
}

describe('no service principal without a condition (issue 10, item 3)', () => {
  test.each(CONFIGURATIONS)('%s: every service-principal statement of the key policy, the topic policy and the log group policy has a condition', (_name, make) => {
    const template = Template.fromStack(make(new App())).toJSON();
    const statements = resourcePolicyStatements(template).filter((s) => services(s.statement).length > 0);
    expect(statements.length).toBeGreaterThan(0);
    for (const { where, statement } of statements) {
      const condition = statement.Condition === undefined ? 'none' : Object.keys(statement.Condition);
      expect({ where, services: services(statement), condition }).toEqual({ where, services: services(statement), condition: expect.any(Array) });
    }
  });

  test.each(CONFIGURATIONS)('%s: the topic policy names no EventBridge principal; the rules publish with a role only this account\'s rules assume', (_name, make) => {
    const stack = make(new App());
    const template = Template.fromStack(stack).toJSON();
    const topicStatements = resourcePolicyStatements(template).filter((s) => s.where.startsWith('AWS::SNS::TopicPolicy'));
    expect(topicStatements.flatMap((s) => services(s.statement))).not.toContain('events.amazonaws.com');
    const topics = Object.keys(template.Resources).filter((id) => template.Resources[id].Type === 'AWS::SNS::Topic');
    const snsTargets = Object.values(template.Resources as Record<string, any>)
      .filter((r) => r.Type === 'AWS::Events::Rule')
      .flatMap((r) => r.Properties.Targets as any[])
      .filter((t) => topics.includes(t.Arn?.Ref));
    expect(snsTargets.length).toBeGreaterThan(0);
    for (const target of snsTargets) {
      const roleId = target.RoleArn?.['Fn::GetAtt']?.[0];
      expect(roleId).toBeDefined();
      expect(template.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([{
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': stack.account === ENV.account ? ENV.account : { Ref: 'AWS::AccountId' } } },
      }]);
    }
  });

  test('the failure alarm may publish to the topic it names, limited to that alarm and this account', () => {
    const stack = new Stack(new App(), 'Metric', { env: ENV });
    new ModelRegistryApproval(stack, 'Registry', { approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS, metricThresholds: [MSE], artifactBucket: bucket(stack) });
    const template = Template.fromStack(stack);
    const alarmId = Object.keys(template.findResources('AWS::CloudWatch::Alarm'))[0];
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: Match.stringLikeRegexp('^RegistryNotifications') },
          Condition: {
            ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [alarmId, 'Arn'] } },
            StringEquals: { 'aws:SourceAccount': '123456789012' },
          },
        })]),
      },
    });
  });

  test('a topic of another stack gets a statement for this account\'s alarms of this region (no reference back, no cycle)', () => {
    const app = new App();
    const topicStack = new Stack(app, 'Topics', { env: ENV });
    const topic = new sns.Topic(topicStack, 'Team', { enforceSSL: true, masterKey: new kms.Key(topicStack, 'K') });
    const stack = new Stack(app, 'Metric', { env: ENV });
    new ModelRegistryApproval(stack, 'Registry', {
      approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS, metricThresholds: [MSE], artifactBucket: bucket(stack), notificationTopic: topic,
    });
    expect(() => app.synth()).not.toThrow();
    Template.fromStack(topicStack).hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Condition: {
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:us-east-2:123456789012:alarm:*']] } },
            StringEquals: { 'aws:SourceAccount': '123456789012' },
          },
        })]),
      },
    });
    // The publisher role may use the topic's key (grantPublish through the target).
    const policies = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).toContain('sns:Publish');
    expect(policies).toContain('kms:GenerateDataKey*');
  });
});

describe('the registry\'s own rules over a group of another account or region (issue 10, item 5)', () => {
  const OTHER = 'arn:aws:sagemaker:us-east-2:111122223333:model-package-group/shared';

  test.each<[string, (s: Stack) => ModelRegistryApprovalProps]>([
    ['manual (registration notice and audit)', () => ({})],
    ['metric thresholds (approval handler trigger)', (s) => ({ approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS, metricThresholds: [MSE], artifactBucket: bucket(s) })],
  ])('%s: warned at synth, as the group\'s own rules are', (_what, props) => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const group = ModelPackageGroup.fromModelPackageGroupArn(stack, 'Shared', OTHER);
    new ModelRegistryApproval(stack, 'Registry', { ...props(stack), modelPackageGroup: group });
    Annotations.fromStack(stack).hasWarning('/S/Shared',
      Match.stringLikeRegexp('account 111122223333, this stack in 123456789012.*approval handler, notifications, audit'));
  });

  test('a group of another region is warned about too', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const group = ModelPackageGroup.fromModelPackageGroupArn(stack, 'Shared', 'arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/shared');
    new ModelRegistryApproval(stack, 'Registry', { modelPackageGroup: group });
    Annotations.fromStack(stack).hasWarning('/S/Shared', Match.stringLikeRegexp('region eu-west-1, this stack in us-east-2'));
  });

  test('the group\'s account filters every rule of the registry', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const group = ModelPackageGroup.fromModelPackageGroupArn(stack, 'Shared', OTHER);
    new ModelRegistryApproval(stack, 'Registry', { modelPackageGroup: group });
    const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
    expect(Object.values(rules).map((r: any) => r.Properties.EventPattern.account)).toEqual([['111122223333'], ['111122223333']]);
  });
});

describe('the approval handler\'s resources', () => {
  let template: Template;
  beforeAll(() => {
    const stack = new Stack(new App(), 'Metric', { env: ENV });
    new ModelRegistryApproval(stack, 'Registry', { approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS, metricThresholds: [MSE], artifactBucket: bucket(stack) });
    template = Template.fromStack(stack);
  });

  test('the dead-letter queue is retained: its messages are the only record of a version never evaluated (issue 10, item 11)', () => {
    template.hasResource('AWS::SQS::Queue', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('the function depends on its role\'s policies, not on the role it references by GetAtt (cfn-lint W3005)', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function')) as any[];
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    expect(fn.DependsOn).not.toContain(roleId);
    const policies = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
      .filter(([, p]: [string, any]) => p.Properties.Roles.some((r: any) => r.Ref === roleId)).map(([id]) => id);
    expect(policies.length).toBeGreaterThan(0);
    expect(fn.DependsOn).toEqual(expect.arrayContaining(policies));
  });
});

describe('bad props the registry finds at synth', () => {
  test('two registries of the app with the same group name in one account and region', () => {
    const app = new App();
    new ModelRegistryApproval(new Stack(app, 'A', { env: ENV }), 'Registry', { modelPackageGroupProps: { modelPackageGroupName: 'churn' } });
    new ModelRegistryApproval(new Stack(app, 'B', { env: ENV }), 'Registry', { modelPackageGroupProps: { modelPackageGroupName: 'churn' } });
    expect(() => app.synth()).toThrow(/\[A\/Registry\/Group\] Invalid prop `modelPackageGroupName`: received "churn"\. Another model package group of this app has the same name in the same account and region \(B\/Registry\/Group\)/);
  });

  test('a registry and a group of the app with the same group name', () => {
    const app = new App();
    const stack = new Stack(app, 'A', { env: ENV });
    new ModelRegistryApproval(stack, 'Registry', { modelPackageGroupProps: { modelPackageGroupName: 'churn' } });
    new ModelPackageGroup(stack, 'Churn', { modelPackageGroupName: 'churn' });
    expect(() => app.synth()).toThrow(/Another model package group of this app has the same name/);
  });

  test('an empty tag key on the registry\'s resources, reported once for the registry and once for its group', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    new ModelRegistryApproval(stack, 'Registry');
    Tags.of(stack).add('', 'ml');
    let message = '';
    try { app.synth(); } catch (e: any) { message = e.message; }
    expect(message).toMatch(/\[S\/Registry\] Invalid prop `tags`: received ""\. A tag key has 1 to 128 characters and is not blank \(a tag set with Tags\.of\(\.\.\.\)\.add, found on [1-9]\d* resource\(s\)/);
    expect(message).toMatch(/\[S\/Registry\/Group\] Invalid prop `tags`: received ""/);
    expect(message.match(/Invalid prop `tags`/g)).toHaveLength(2);
  });

  test('a tag key with the reserved aws: prefix on the registry\'s topic', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const registry = new ModelRegistryApproval(stack, 'Registry');
    Tags.of(registry.notificationTopic).add('aws:cost-center', 'ml');
    expect(() => app.synth()).toThrow(/\[S\/Registry\] Invalid prop `tags`: received "aws:cost-center"\. Tag keys starting with "aws:" are reserved for AWS \(.*S\/Registry\/Notifications\/Resource\)/);
  });
});
