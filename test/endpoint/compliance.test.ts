import { Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { addEndpointExample } from '../fixtures/stacks/endpoint';
import { ArtifactBucket, ContainerImage, InstanceType } from '../../lib/core';
import { CapacitySize, EndpointStageParameters, EndpointWithMonitor, ModelData, ModelSource, MonitoringBaseline, ProblemType, TrafficRouting } from '../../lib/endpoint';
import { compliantApp, formatFindings, unacknowledgedFindings } from '../helpers/compliance';
import { ACCOUNT, PACKAGE_ARN, REGION } from './util';

// Each configuration is synthesized once with the four cdk-nag packs, the Guard rules and strict
// CloudFormation validation; none may leave a finding unacknowledged.
describe('compliance of the main configurations', () => {
  test('the example: canary, autoscaling, capture and a data quality monitor', () => {
    const app = compliantApp();
    const stack = addEndpointExample(app);
    expect(formatFindings(unacknowledgedFindings(stack))).toBe('');
  });

  test('an image model in a VPC with a GPU (NVMe) instance type, a shadow variant and all four monitors', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Gpu', { env: { account: ACCOUNT, region: REGION } });
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    const repo = ecr.Repository.fromRepositoryName(stack, 'Repo', 'inference');
    // The company's VPC (flow logs and a closed default group are its owner's business).
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidrBlock: '10.0.0.0/16',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      isolatedSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    });
    const endpoint = new EndpointWithMonitor(stack, 'Endpoint', {
      model: ModelSource.fromImage(ContainerImage.fromEcrRepository(repo, '1.0'), { modelData: ModelData.fromBucket(artifacts.bucket, 'models/m.tar.gz') }),
      instanceType: InstanceType.ML_G5_XLARGE,
      vpc, // only isolated subnets: chosen without vpcSubnets
      encryptionKey: artifacts.encryptionKey,
      artifactBucket: artifacts.bucket,
      shadowVariant: { instanceType: InstanceType.ML_G4DN_XLARGE, samplingPercentage: 20 },
      deployment: { trafficRouting: TrafficRouting.linear({ stepSize: CapacitySize.percent(50) }) },
      autoscaling: { maxCapacity: 4 },
      dataCapture: {},
      dataQualityMonitor: { baseline: MonitoringBaseline.fromS3Uris({ bucket: artifacts.bucket, statisticsUri: 's3://b-123/s.json', constraintsUri: 's3://b-123/c.json' }) },
      modelQualityMonitor: {
        problemType: ProblemType.REGRESSION,
        baseline: MonitoringBaseline.fromS3Uris({ constraintsUri: 's3://b-123/mq.json' }),
        groundTruthBucket: artifacts.bucket,
        instanceType: InstanceType.ML_G4DN_XLARGE,
      },
      modelBiasMonitor: {
        baseline: MonitoringBaseline.fromS3Uris({ constraintsUri: 's3://b-123/bias.json', analysisConfigUri: 's3://b-123/analysis.json' }),
        groundTruthBucket: artifacts.bucket,
      },
      modelExplainabilityMonitor: {
        baseline: MonitoringBaseline.fromS3Uris({ constraintsUri: 's3://b-123/xai.json', analysisConfigUri: 's3://b-123/analysis.json' }),
      },
    });
    expect(formatFindings(unacknowledgedFindings(stack))).toBe('');
    expect(stack.resolve(endpoint.cfnEndpointConfig.kmsKeyId)).toBeUndefined();
    expect(stack.resolve(endpoint.cfnModel.vpcConfig)).toEqual({
      subnets: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      securityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^EndpointSecurityGroup/), 'GroupId'] }],
    });
  });

  test('a serverless endpoint and a parameterized template', () => {
    const app = compliantApp();
    const serverless = new Stack(app, 'Serverless', { env: { account: ACCOUNT, region: REGION } });
    const a1 = new ArtifactBucket(serverless, 'Artifacts');
    new EndpointWithMonitor(serverless, 'Endpoint', {
      model: ModelSource.fromModelPackageArn(PACKAGE_ARN, { artifactBucket: a1.bucket, modelDataKeyPrefix: 'models/churn' }),
      serverless: { memorySize: Size.gibibytes(2), provisionedConcurrency: 1 },
      autoscaling: { maxCapacity: 5 },
      alarms: { modelLatencyThreshold: Duration.millis(500) },
    });
    const parameterized = new Stack(app, 'Template');
    const a2 = new ArtifactBucket(parameterized, 'Artifacts');
    const params = new EndpointStageParameters(parameterized, 'Stage');
    new EndpointWithMonitor(parameterized, 'Endpoint', {
      model: ModelSource.fromModelPackageArn(params.modelPackageArn, { artifactBucket: a2.bucket, modelDataKeyPrefix: 'models/churn' }),
      endpointName: params.endpointName('churn'),
      stageParameters: params,
      instanceType: params.instanceType,
      initialInstanceCount: params.instanceCount,
      autoscaling: { maxCapacity: params.maxCapacity },
      artifactBucket: a2.bucket,
      encryptionKey: a2.encryptionKey,
      dataCapture: { samplingPercentage: params.samplingPercentage },
      dataQualityMonitor: {
        baseline: MonitoringBaseline.fromS3Uris({ bucket: a2.bucket, statisticsUri: params.baselineStatisticsUri, constraintsUri: params.baselineConstraintsUri }),
      },
    });
    // The findings cover the whole app: both stacks.
    expect(formatFindings(unacknowledgedFindings(serverless))).toBe('');
    expect(app.synth().stacks.map((s) => s.stackName).sort()).toEqual(['Serverless', 'Template']);
  });
});
