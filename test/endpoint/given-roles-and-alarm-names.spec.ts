import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MonitoringBaseline } from '../../lib';
import { build } from './util';

const baseline = () => MonitoringBaseline.fromS3Uris({
  statisticsUri: 's3://baselines-123/churn/3/statistics.json',
  constraintsUri: 's3://baselines-123/churn/3/constraints.json',
});

describe('roles given from outside (a stage template whose roles live in the project stack)', () => {
  test('the given monitoring role runs the jobs; no monitoring role and no policy of the endpoint is created', () => {
    const { template } = build((_a, stack) => ({
      role: iam.Role.fromRoleArn(stack, 'ModelRole', 'arn:aws:iam::123456789012:role/model', { mutable: false }),
      monitoringRole: iam.Role.fromRoleArn(stack, 'MonitorRole', 'arn:aws:iam::123456789012:role/monitor', { mutable: false }),
      // The topic of the project stack: its policy lets this account's rules publish (no role needed here).
      alarms: { topic: sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:123456789012:alarms') },
      dataCapture: { samplingPercentage: 20 },
      dataQualityMonitor: { baseline: baseline() },
    }));
    template.resourceCountIs('AWS::IAM::Role', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::SageMaker::DataQualityJobDefinition', { RoleArn: 'arn:aws:iam::123456789012:role/monitor' });
    template.hasResourceProperties('AWS::SageMaker::Model', { ExecutionRoleArn: 'arn:aws:iam::123456789012:role/model' });
    // The violation rule targets the imported topic without a role, and no topic policy is written.
    template.hasResourceProperties('AWS::Events::Rule', { Targets: [{ Arn: 'arn:aws:sns:eu-west-1:123456789012:alarms', Id: 'Target0' }] });
    template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
  });
});

describe('alarm names', () => {
  test('with a prefix, every alarm has a name other stacks can refer to', () => {
    const { template } = build(() => ({
      alarms: { alarmNamePrefix: 'churn-prod' },
      dataCapture: {},
      dataQualityMonitor: { baseline: baseline() },
    }));
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName).sort();
    expect(names).toEqual(['churn-prod-data-quality-violations', 'churn-prod-errors', 'churn-prod-latency']);
  });

  test('without one, CloudFormation names them (no name collision between two endpoints)', () => {
    const { template } = build();
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmName).toBeUndefined();
    }
  });
});
