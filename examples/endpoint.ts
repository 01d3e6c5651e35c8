import { App, Duration, Stack } from 'aws-cdk-lib';
import { ArtifactBucket, ProjectKey } from '../lib/core';
import {
  CapacitySize, EndpointWithMonitor, InstanceType, ModelSource, MonitoringBaseline, MonitoringFrequency, TrafficRouting,
} from '../lib';

/**
 * The deploy-and-monitor part of the flow: an endpoint serving an approved model package version,
 * updated blue/green with a 10% canary rolled back on alarms, autoscaled on invocations per
 * instance, capturing 20% of the traffic, and watched hourly by a data quality monitor against the
 * baselines that travelled with the model version.
 */
export function addEndpointExample(app: App): Stack {
  const stack = new Stack(app, 'MlopsEndpointExample', {
    env: { account: '123456789012', region: 'eu-west-1' },
    description: 'cdk-sagemaker-mlops example: a guarded endpoint with autoscaling, data capture and Model Monitor',
  });
  const key = new ProjectKey(stack, 'ProjectKey', { alias: 'mlops/endpoint-example' });
  const artifacts = new ArtifactBucket(stack, 'Artifacts', { encryptionKey: key });

  new EndpointWithMonitor(stack, 'ChurnEndpoint', {
    model: ModelSource.fromModelPackageArn('arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3', {
      modelDataBucket: artifacts.bucket,
      modelDataKeyPrefix: 'models/churn',
    }),
    endpointName: 'churn-prod',
    instanceType: InstanceType.ML_M5_XLARGE,
    initialInstanceCount: 2,
    encryptionKey: key,
    dataBucket: artifacts.bucket,
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
