import { Duration, Size } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { InstanceType } from '../../lib/core';
import { CapacitySize, EndpointWithMonitor, TrafficRouting } from '../../lib/endpoint';
import { build, make, onlyResource } from './util';

function deploymentConfig(template: Template): any {
  return onlyResource(template, 'AWS::SageMaker::Endpoint').Properties.DeploymentConfig;
}

describe('default deployment: blue/green all at once with the default rollback alarms', () => {
  let template: Template;
  let endpoint: EndpointWithMonitor;
  beforeAll(() => {
    ({ template, endpoint } = build());
  });

  test('all at once, 5 minutes watched, 5 minutes bake, timeout above the waits', () => {
    expect(deploymentConfig(template).BlueGreenUpdatePolicy).toEqual({
      TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 300 },
      TerminationWaitInSeconds: 300,
      MaximumExecutionTimeoutInSeconds: 2400,
    });
  });

  test('rolls back on the 5XX and the model latency alarms', () => {
    expect(deploymentConfig(template).AutoRollbackConfiguration).toEqual({
      Alarms: [
        { AlarmName: { Ref: expect.stringMatching(/^EndpointErrorAlarm/) } },
        { AlarmName: { Ref: expect.stringMatching(/^EndpointLatencyAlarm/) } },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocation5XXErrors',
      Namespace: 'AWS/SageMaker',
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'EndpointName', Value: endpoint.endpointName }, { Name: 'VariantName', Value: 'AllTraffic' }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ModelLatency',
      ExtendedStatistic: 'p99',
      Threshold: 1000000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test('no retention of variant properties without autoscaling', () => {
    const ep = onlyResource(template, 'AWS::SageMaker::Endpoint').Properties;
    expect(ep.RetainAllVariantProperties).toBeUndefined();
    expect(ep.ExcludeRetainedVariantProperties).toBeUndefined();
  });
});

describe('canary and linear traffic shifting', () => {
  test('canary: 10 percent, 10 minutes, the user\'s alarm added to the defaults', () => {
    const { template } = build((_a, stack) => ({
      deployment: {
        trafficRouting: TrafficRouting.canary({ canarySize: CapacitySize.percent(10), waitInterval: Duration.minutes(10) }),
        bakeTime: Duration.minutes(15),
        rollbackAlarms: [cloudwatch.Alarm.fromAlarmName(stack, 'Biz', 'business-kpi-drop')],
      },
    }));
    expect(deploymentConfig(template)).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: { Type: 'CANARY', WaitIntervalInSeconds: 600, CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 } },
        TerminationWaitInSeconds: 900,
        MaximumExecutionTimeoutInSeconds: 600 + 900 + 1800,
      },
      AutoRollbackConfiguration: {
        Alarms: [
          { AlarmName: { Ref: expect.stringMatching(/^EndpointErrorAlarm/) } },
          { AlarmName: { Ref: expect.stringMatching(/^EndpointLatencyAlarm/) } },
          { AlarmName: 'business-kpi-drop' },
        ],
      },
    });
  });

  test('linear: one instance per step of four, each watched 5 minutes; timeout given', () => {
    const { template } = build(() => ({
      initialInstanceCount: 4,
      deployment: {
        trafficRouting: TrafficRouting.linear({ stepSize: CapacitySize.instances(1) }),
        maximumExecutionTimeout: Duration.hours(2),
        defaultRollbackAlarms: false,
      },
    }));
    expect(deploymentConfig(template)).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: { Type: 'LINEAR', WaitIntervalInSeconds: 300, LinearStepSize: { Type: 'INSTANCE_COUNT', Value: 1 } },
        TerminationWaitInSeconds: 300,
        MaximumExecutionTimeoutInSeconds: 7200,
      },
    });
  });

  test('addRollbackAlarm adds an alarm after construction', () => {
    const { stack, endpoint } = make();
    endpoint.addRollbackAlarm(cloudwatch.Alarm.fromAlarmName(stack, 'Late', 'late-alarm'));
    expect(deploymentConfig(Template.fromStack(stack)).AutoRollbackConfiguration.Alarms).toHaveLength(3);
  });

  test('an Inf1 endpoint with canary shifting warns that SageMaker falls back to all at once', () => {
    const { stack } = build(() => ({
      instanceType: InstanceType.ML_INF1_XLARGE,
      deployment: { trafficRouting: TrafficRouting.canary({ canarySize: CapacitySize.instances(1) }) },
    }));
    Annotations.fromStack(stack).hasWarning('/Stack/Endpoint', Match.stringLikeRegexp('falls back to all at once'));
  });
});

describe('timing and size validation', () => {
  test.each([
    ['a timeout under 600 seconds', { maximumExecutionTimeout: Duration.minutes(9) },
      /Invalid prop `deployment.maximumExecutionTimeout \(seconds\)`: received 540. It must be an integer from 600 to 28800/],
    ['a timeout over 28800 seconds', { maximumExecutionTimeout: Duration.hours(9) },
      /Invalid prop `deployment.maximumExecutionTimeout \(seconds\)`: received 32400. It must be an integer from 600 to 28800/],
    ['a timeout not above the waits and the bake time', {
      trafficRouting: TrafficRouting.canary({ canarySize: CapacitySize.percent(10), waitInterval: Duration.minutes(30) }),
      bakeTime: Duration.minutes(30),
      maximumExecutionTimeout: Duration.minutes(60),
    }, /Invalid prop `deployment.maximumExecutionTimeout`: received 1 hour. It must be longer than all waits plus the bake time \(3600 seconds: 1800 s wait per step and 1800 s bake time\)/],
    ['linear steps whose waits exceed the timeout', {
      trafficRouting: TrafficRouting.linear({ stepSize: CapacitySize.percent(10), waitInterval: Duration.minutes(50) }),
      maximumExecutionTimeout: Duration.hours(8),
    }, /must be longer than all waits plus the bake time \(30300 seconds/],
    ['a wait interval over an hour', { trafficRouting: TrafficRouting.allAtOnce({ waitInterval: Duration.minutes(61) }) },
      /Invalid prop `deployment.trafficRouting.waitInterval \(seconds\)`: received 3660. It must be an integer from 0 to 3600/],
    ['a bake time over an hour', { bakeTime: Duration.hours(2) },
      /Invalid prop `deployment.bakeTime \(seconds\)`: received 7200. It must be an integer from 0 to 3600/],
    ['a canary over half the fleet (percent)', { trafficRouting: TrafficRouting.canary({ canarySize: CapacitySize.percent(60) }) },
      /Invalid prop `deployment.trafficRouting.canarySize \(percent\)`: received 60. It must be an integer from 1 to 50/],
    ['a canary over half the fleet (instances)', { trafficRouting: TrafficRouting.canary({ canarySize: CapacitySize.instances(2) }) },
      /Invalid prop `deployment.trafficRouting.canarySize \(instances\)`: received 2. It must be at most half of the variant's 2 instance\(s\)/],
    ['a linear step under 10 percent', { trafficRouting: TrafficRouting.linear({ stepSize: CapacitySize.percent(5) }) },
      /Invalid prop `deployment.trafficRouting.stepSize \(percent\)`: received 5. It must be an integer from 10 to 50/],
  ])('%s', (_label, deployment, message) => {
    expect(() => build(() => ({ deployment: deployment as any }))).toThrow(message as RegExp);
  });

  test('more than 10 rollback alarms are reported at synth', () => {
    expect(() => build((_a, stack) => ({
      deployment: { rollbackAlarms: Array.from({ length: 9 }, (_, i) => cloudwatch.Alarm.fromAlarmName(stack, `A${i}`, `alarm-${i}`)) },
    }))).toThrow(/Invalid prop `deployment.rollbackAlarms`: received "11 alarms". SageMaker accepts at most 10 rollback alarms/);
  });

  test('canary shifting is refused for a serverless variant', () => {
    expect(() => build(() => ({
      serverless: { memorySize: Size.gibibytes(2) },
      deployment: { trafficRouting: TrafficRouting.canary({ canarySize: CapacitySize.percent(10) }) },
    }))).toThrow(/Invalid prop `deployment.trafficRouting`: received "CANARY". A serverless variant shifts traffic all at once/);
  });
});
