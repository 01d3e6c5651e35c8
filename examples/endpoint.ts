import { App, Duration, Stack } from 'aws-cdk-lib';
import {
  CapacitySize, EndpointWithMonitor, InstanceType, MlopsFoundation, ModelPackageGroup, ModelSource, MonitoringBaseline,
  MonitoringFrequency, TrafficRouting,
} from '../lib';

/**
 * The deploy-and-monitor part of the flow: an endpoint serving an approved model package version,
 * updated blue/green with a 10% canary rolled back on alarms, autoscaled on invocations per
 * instance, capturing 20% of the traffic, and watched hourly by a data quality monitor against the
 * baselines that travelled with the model version. The project foundation gives the key, the
 * artifact bucket and the prefixes: the model artifacts are read under `models/churn`, the
 * traffic is captured under `data-capture/churn-prod` and the reports written under
 * `monitoring/churn-prod`.
 */
export function addEndpointExample(app: App): Stack {
  const stack = new Stack(app, 'MlopsEndpointExample', {
    env: { account: '123456789012', region: 'eu-west-1' },
    description: 'cdk-sagemaker-mlops example: a guarded endpoint with autoscaling, data capture and Model Monitor',
  });
  const foundation = new MlopsFoundation(stack, 'Foundation', { encryptionKeyProps: { alias: 'mlops/endpoint-example' } });
  const churnModels = ModelPackageGroup.fromModelPackageGroupName(stack, 'ChurnModels', 'churn');

  new EndpointWithMonitor(stack, 'ChurnEndpoint', {
    foundation,
    model: ModelSource.fromModelPackageArn('arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3', {
      modelPackageGroup: churnModels,
    }),
    endpointName: 'churn-prod',
    instanceType: InstanceType.ML_M5_XLARGE,
    initialInstanceCount: 2,
    deployment: {
      trafficRouting: TrafficRouting.canary({ canarySize: CapacitySize.percent(10), waitInterval: Duration.minutes(10) }),
      bakeTime: Duration.minutes(10),
    },
    autoscaling: { maxCapacity: 6, targetInvocationsPerInstance: 200 },
    dataCapture: { samplingPercentage: 20 },
    dataQualityMonitor: {
      baseline: MonitoringBaseline.fromS3Uris({
        statisticsUri: 's3://churn-baselines-123456789012/churn/3/statistics.json',
        constraintsUri: 's3://churn-baselines-123456789012/churn/3/constraints.json',
      }),
      frequency: MonitoringFrequency.HOURLY,
    },
    tags: { project: 'churn', stage: 'prod' },
  });
  return stack;
}
