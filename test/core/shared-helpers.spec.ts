import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ManagedPolicyRole, ProjectKey } from '../../lib';
import { policiesOf } from '../../lib/private/dependencies';
import { snsTarget } from '../../lib/private/event-targets';
import { registerPhysicalName } from '../../lib/private/unique-names';

describe('policiesOf', () => {
  test('a resource depends on the role\'s policies (also those added later), not on the role its reference already orders', () => {
    const stack = new Stack();
    const role = new ManagedPolicyRole(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const resource = new CfnResource(stack, 'Model', { type: 'AWS::SageMaker::Model', properties: { ExecutionRoleArn: role.roleArn } });
    resource.node.addDependency(policiesOf(role));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/k'] }));
    const model = Template.fromStack(stack).toJSON().Resources.Model;
    expect(model.DependsOn).toEqual([expect.stringMatching(/^RolePermissions/)]);
  });
});

describe('registerPhysicalName', () => {
  class Named extends Construct {
    constructor(scope: Construct, id: string, name: string) {
      super(scope, id);
      registerPhysicalName(this, 'endpoint', 'endpointName', name);
    }
  }
  const env = { account: '123456789012', region: 'eu-west-1' };

  test('two constructs of the app giving one kind the same name in one account and region are refused at synth', () => {
    const app = new App();
    new Named(new Stack(app, 'A', { env }), 'E', 'churn');
    new Named(new Stack(app, 'B', { env }), 'E', 'Churn');
    expect(() => app.synth()).toThrow(/Invalid prop `endpointName`: received "Churn". Another endpoint of this app has the same name in the same account and region \(A\/E\)/);
  });

  test('another region, another name or a token is fine', () => {
    const app = new App();
    new Named(new Stack(app, 'A', { env }), 'E', 'churn');
    new Named(new Stack(app, 'B', { env: { ...env, region: 'us-east-1' } }), 'E', 'churn');
    new Named(new Stack(app, 'C', { env }), 'E', 'other');
    const d = new Stack(app, 'D', { env });
    new Named(d, 'E', d.stackName.length > 0 ? `${d.artifactId}` : 'x');
    expect(() => app.synth()).not.toThrow();
  });
});

describe('snsTarget', () => {
  test('EventBridge publishes with a role of this account\'s rules: no unconditioned topic policy', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    const topic = new sns.Topic(stack, 'Topic', { masterKey: new ProjectKey(stack, 'Key') });
    const owner = new Construct(stack, 'Owner');
    for (const id of ['A', 'B']) {
      new events.Rule(owner, id, { schedule: events.Schedule.cron({ minute: '0' }), targets: [snsTarget(owner, 'ToTopic', topic)] });
    }
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    t.resourceCountIs('AWS::IAM::Role', 1);
    t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [{
      Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    }] } });
    const rules = Object.values(t.findResources('AWS::Events::Rule'));
    expect(rules.map((r) => r.Properties.Targets[0].RoleArn)).toEqual([expect.anything(), expect.anything()]);
    const policy = Object.values(t.findResources('AWS::IAM::ManagedPolicy'))[0].Properties.PolicyDocument.Statement;
    expect(policy.map((s: any) => s.Action)).toEqual(['sns:Publish', ['kms:Decrypt', 'kms:GenerateDataKey*']]);
  });

  test('a topic the app does not create gets the plain target: no role, no policy (its owner allows EventBridge)', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    const topic = sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:123456789012:project');
    new events.Rule(stack, 'R', { schedule: events.Schedule.cron({ minute: '0' }), targets: [snsTarget(stack, 'ToTopic', topic)] });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::IAM::Role', 0);
    t.resourceCountIs('AWS::SNS::TopicPolicy', 0);
    expect(Object.values(t.findResources('AWS::Events::Rule'))[0].Properties.Targets[0].Arn).toBe('arn:aws:sns:eu-west-1:123456789012:project');
  });
});
