import { Annotations, App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  ApprovalPolicy, CapacitySize, EndpointWithMonitor, FeatureStore, FeatureType, InstanceType, MetricComparison, MlopsFoundation,
  ModelPackageBaselines, ModelRegistryApproval, ModelSource, MonitoringFrequency, StandardTrainingPipeline, TrafficRouting,
} from '../lib';

/**
 * What the company's platform team gives every ML stack (replace with yours; nothing is looked up).
 * The key's policy must let the services use it as a ProjectKey's does: CloudWatch Logs of this
 * account and region (the constructs' log groups are encrypted with it) and EventBridge and
 * CloudWatch alarms of this account (they publish to the encrypted topics); the constructs cannot
 * add statements to an imported key's policy.
 */
export const PLATFORM = {
  account: '123456789012',
  region: 'eu-west-1',
  keyArn: 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555',
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  privateSubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
  privateSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f60718', 'rtb-0f1e2d3c4b5a69788'],
  securityGroupId: 'sg-0a1b2c3d4e5f60718',
};

/**
 * The constructs without MlopsProject, as a company IaC repository composes them: an existing VPC
 * and KMS key (imported, offline: no lookup), a feature store, the standard training pipeline on
 * its offline store, a model package group approved on metric thresholds then by a person, and
 * the prod endpoint of the version the repository pins (a promotion is a reviewed change of
 * `servedVersion`), updated with a canary, autoscaled, captured and monitored against the
 * baselines registered with that version. Jobs and the endpoint run in the VPC's private subnets.
 */
export function addComposeItYourselfExample(app: App): Stack {
  const p = PLATFORM;
  const stack = new Stack(app, 'PricingStack', { env: { account: p.account, region: p.region } });
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: p.vpcId, availabilityZones: p.availabilityZones,
    privateSubnetIds: p.privateSubnetIds, privateSubnetRouteTableIds: p.privateSubnetRouteTableIds,
  });
  const key = kms.Key.fromKeyArn(stack, 'PlatformKey', p.keyArn);
  const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'MlSecurityGroup', p.securityGroupId, { mutable: false });
  const foundation = new MlopsFoundation(stack, 'Foundation', {
    encryptionKey: key, vpc, vpcSubnets: { subnets: vpc.privateSubnets }, securityGroups: [securityGroup],
  });

  const store = new FeatureStore(stack, 'Features', { foundation });
  const quotes = store.addFeatureGroup('Quotes', {
    description: 'Price quotes, one record per quote id',
    features: [
      { name: 'quote_id', type: FeatureType.STRING },
      { name: 'event_time', type: FeatureType.FRACTIONAL },
      { name: 'product_id', type: FeatureType.INTEGRAL },
      { name: 'list_price', type: FeatureType.FRACTIONAL },
      { name: 'accepted', type: FeatureType.INTEGRAL },
    ],
    recordIdentifierFeatureName: 'quote_id',
    eventTimeFeatureName: 'event_time',
  });

  const mape = 'regression_metrics.mape.value';
  const registry = new ModelRegistryApproval(stack, 'Registry', {
    foundation,
    modelPackageGroupProps: { modelPackageGroupName: 'pricing' },
    approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS_THEN_MANUAL,
    metricThresholds: [{ metricJsonPath: mape, comparison: MetricComparison.LESS_THAN_OR_EQUAL_TO, value: 0.12 }],
    notificationEmails: ['pricing-reviewers@example.com'],
  });
  Annotations.of(registry).acknowledgeWarning('cdk-sagemaker-mlops:model-registry:group-replacement',
    'The group is named once, before any version is registered; the name is part of the served version\'s ARN below.');

  const training = new StandardTrainingPipeline(stack, 'Training', {
    pipelineName: 'pricing-training',
    foundation,
    modelPackageGroup: registry.modelPackageGroup,
    inputDataUri: quotes.offlineStoreS3Uri!,
    preprocessingScript: { s3Uri: 's3://pricing-code-123456789012/pipeline/preprocess.py' },
    evaluationScript: { s3Uri: 's3://pricing-code-123456789012/pipeline/evaluate.py' },
    metricJsonPath: mape,
    metricThreshold: 0.12,
    metricComparison: MetricComparison.LESS_THAN_OR_EQUAL_TO,
  });
  quotes.grantReadOfflineStore(training.jobRole);
  training.addScheduleTrigger('Weekly', { schedule: events.Schedule.cron({ weekDay: 'MON', hour: '3', minute: '0' }) });

  // The version prod serves: an approved version of the group, changed by a reviewed commit.
  const servedVersion = `arn:aws:sagemaker:${p.region}:${p.account}:model-package/pricing/4`;
  const baselines = new ModelPackageBaselines(stack, 'Baselines', {
    foundation, modelPackageArn: servedVersion, modelPackageGroup: registry.modelPackageGroup,
  });
  const endpoint = new EndpointWithMonitor(stack, 'Endpoint', {
    foundation,
    model: ModelSource.fromModelPackageArn(servedVersion, { modelPackageGroup: registry.modelPackageGroup }),
    endpointName: 'pricing-prod',
    instanceType: InstanceType.ML_M5_XLARGE,
    initialInstanceCount: 2,
    deployment: {
      trafficRouting: TrafficRouting.canary({ canarySize: CapacitySize.percent(10), waitInterval: Duration.minutes(10) }),
      bakeTime: Duration.minutes(10),
    },
    autoscaling: { maxCapacity: 6, targetInvocationsPerInstance: 200 },
    dataCapture: { samplingPercentage: 20 },
    dataQualityMonitor: { baseline: baselines.dataQuality, frequency: MonitoringFrequency.HOURLY },
    alarms: { alarmNamePrefix: 'pricing-prod', topic: registry.notificationTopic },
    tags: { project: 'pricing', stage: 'prod' },
  });
  training.addAlarmTrigger('RetrainOnDrift', { alarm: endpoint.violationAlarms[0] });
  return stack;
}
