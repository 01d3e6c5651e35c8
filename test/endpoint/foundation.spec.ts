import { App, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ContainerImage, MlopsFoundation, ModelPackageGroup, StorageLayout } from '../../lib/core';
import { EndpointWithMonitor, EndpointWithMonitorProps, ModelSource, MonitoringBaseline, ProblemType } from '../../lib/endpoint';
import { compliantApp, formatFindings, unacknowledgedFindings } from '../helpers/compliance';
import { ACCOUNT, onlyResource, PACKAGE_ARN, policyStatements, REGION, statementsOfPolicies } from './util';

const LAYOUT = StorageLayout.of({
  models: 'artifacts', dataCapture: 'capture', monitoringReports: 'reports', groundTruth: 'labels', asyncInference: 'async',
});

const baseline = () => MonitoringBaseline.fromS3Uris({
  statisticsUri: 's3://baselines-123/churn/3/statistics.json',
  constraintsUri: 's3://baselines-123/churn/3/constraints.json',
});

/** A stack with a foundation (its own key and bucket) and an endpoint on it. */
function onFoundation(extra: (stack: Stack, foundation: MlopsFoundation) => Partial<EndpointWithMonitorProps> = () => ({}),
  app: App = new App()) {
  const stack = new Stack(app, 'Stack', { env: { account: ACCOUNT, region: REGION } });
  const foundation = new MlopsFoundation(stack, 'Foundation', { storageLayout: LAYOUT });
  const group = ModelPackageGroup.fromModelPackageGroupName(stack, 'Group', 'churn');
  const endpoint = new EndpointWithMonitor(stack, 'Endpoint', {
    foundation,
    endpointName: 'churn-prod',
    model: ModelSource.fromModelPackageArn(PACKAGE_ARN, { modelPackageGroup: group }),
    ...extra(stack, foundation),
  });
  return { stack, foundation, endpoint, template: Template.fromStack(stack) };
}

const statements = statementsOfPolicies;

const objects = (bucketId: RegExp, suffix: string) =>
  ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(bucketId), 'Arn'] }, suffix]] });

describe('an endpoint on a foundation, with every monitor kind and asynchronous results', () => {
  let template: Template;
  let stack: Stack;
  let endpoint: EndpointWithMonitor;
  let foundation: MlopsFoundation;
  beforeAll(() => {
    ({ template, stack, endpoint, foundation } = onFoundation(() => ({
      dataCapture: {},
      asyncInference: {},
      dataQualityMonitor: { baseline: baseline() },
      modelQualityMonitor: {
        problemType: ProblemType.REGRESSION,
        baseline: MonitoringBaseline.fromS3Uris({ constraintsUri: 's3://baselines-123/churn/3/mq.json' }),
      },
    })));
  });

  test('one key and one artifact bucket (plus its access-log bucket): the endpoint creates none of its own', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    expect(endpoint.node.tryFindChild('Key')).toBeUndefined();
    expect(endpoint.node.tryFindChild('Data')).toBeUndefined();
    expect(endpoint.encryptionKey).toBe(foundation.encryptionKey);
    expect(endpoint.artifactBucket).toBe(foundation.artifactBucket);
  });

  test('the capture, monitoring, ground truth and async URIs follow the foundation\'s layout', () => {
    const bucketRef = { Ref: expect.stringMatching(/^FoundationArtifactsBucket/) };
    const config = onlyResource(template, 'AWS::SageMaker::EndpointConfig').Properties;
    expect(config.DataCaptureConfig.DestinationS3Uri).toEqual({ 'Fn::Join': ['', ['s3://', bucketRef, '/capture/churn-prod']] });
    expect(config.DataCaptureConfig.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FoundationKey/), 'Arn'] });
    expect(config.AsyncInferenceConfig.OutputConfig.S3OutputPath).toEqual({ 'Fn::Join': ['', ['s3://', bucketRef, '/async/churn-prod/output']] });
    expect(config.AsyncInferenceConfig.OutputConfig.S3FailurePath).toEqual({ 'Fn::Join': ['', ['s3://', bucketRef, '/async/churn-prod/failure']] });
    expect(endpoint.dataCaptureUri && stack.resolve(endpoint.dataCaptureUri)).toEqual(config.DataCaptureConfig.DestinationS3Uri);
    const dq = onlyResource(template, 'AWS::SageMaker::DataQualityJobDefinition').Properties;
    expect(dq.DataQualityJobOutputConfig.MonitoringOutputs[0].S3Output.S3Uri)
      .toEqual({ 'Fn::Join': ['', ['s3://', bucketRef, '/reports/churn-prod/data-quality']] });
    const mq = onlyResource(template, 'AWS::SageMaker::ModelQualityJobDefinition').Properties;
    expect(mq.ModelQualityJobInput.GroundTruthS3Input.S3Uri).toEqual({ 'Fn::Join': ['', ['s3://', bucketRef, '/labels/churn-prod']] });
  });

  test('the execution role reads the group\'s model prefix and writes the capture and async prefixes of the layout', () => {
    const bucket = /^FoundationArtifactsBucket/;
    expect(statements(template, /ExecutionRole/)).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects(bucket, '/artifacts/churn/*') },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: objects(bucket, '/capture/churn-prod/*') },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: objects(bucket, '/async/churn-prod/output/*') },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: objects(bucket, '/async/churn-prod/failure/*') },
    ]));
  });

  test('the monitoring role reads the capture and ground truth prefixes and writes the reports prefix of the layout', () => {
    const bucket = /^FoundationArtifactsBucket/;
    expect(statements(template, /MonitoringRole/)).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects(bucket, '/capture/churn-prod/*') },
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['capture/churn-prod', 'capture/churn-prod/*'] } } }),
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: objects(bucket, '/reports/churn-prod/*') },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects(bucket, '/labels/churn-prod/*') },
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['labels/churn-prod', 'labels/churn-prod/*'] } } }),
    ]));
  });
});

describe('precedence: explicit prop > foundation > default', () => {
  test('an explicit artifactBucket beats the foundation\'s', () => {
    const { template } = onFoundation((stack) => ({
      artifactBucket: s3.Bucket.fromBucketName(stack, 'Other', 'other-bucket-123'),
      dataCapture: {},
    }));
    const capture = onlyResource(template, 'AWS::SageMaker::EndpointConfig').Properties.DataCaptureConfig;
    expect(capture.DestinationS3Uri).toBe('s3://other-bucket-123/capture/churn-prod');
    // The model package's artifacts default to the endpoint's bucket too.
    expect(JSON.stringify(policyStatements(template)))
      .toContain(':s3:::other-bucket-123/artifacts/churn/*');
  });

  test('an explicit encryptionKey beats the foundation\'s', () => {
    const { template } = onFoundation((stack) => ({ encryptionKey: new kms.Key(stack, 'Own', { enableKeyRotation: true }) }));
    expect(onlyResource(template, 'AWS::SageMaker::EndpointConfig').Properties.KmsKeyId)
      .toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Own/), 'Arn'] });
  });

  test('the bucket of the model source\'s options beats the endpoint\'s', () => {
    const { template } = onFoundation((stack) => ({
      model: ModelSource.fromModelPackageArn(PACKAGE_ARN, {
        modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(stack, 'G2', 'churn'),
        artifactBucket: s3.Bucket.fromBucketName(stack, 'Models', 'models-bucket-123'),
        modelDataKeyPrefix: 'registry/churn/',
      }),
    }));
    expect(JSON.stringify(policyStatements(template)))
      .toContain(':s3:::models-bucket-123/registry/churn/*');
  });

  test('explicit prefixes beat the layout', () => {
    const { template } = onFoundation(() => ({ dataCapture: { prefix: 'my/capture/' } }));
    expect(onlyResource(template, 'AWS::SageMaker::EndpointConfig').Properties.DataCaptureConfig.DestinationS3Uri)
      .toEqual({ 'Fn::Join': ['', ['s3://', expect.anything(), '/my/capture']] });
  });

  test('without a foundation, no bucket is created when nothing needs one', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: REGION } });
    new EndpointWithMonitor(stack, 'Endpoint', { model: ModelSource.fromImage(ContainerImage.xgboost()) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('without a foundation or a bucket, capture creates the endpoint\'s own bucket and key', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: REGION } });
    const endpoint = new EndpointWithMonitor(stack, 'Endpoint', { model: ModelSource.fromImage(ContainerImage.xgboost()), dataCapture: {} });
    expect(endpoint.node.tryFindChild('Data')).toBeDefined();
    expect(endpoint.node.tryFindChild('Key')).toBeDefined();
    expect(onlyResource(Template.fromStack(stack), 'AWS::SageMaker::EndpointConfig').Properties.DataCaptureConfig.DestinationS3Uri)
      .toEqual({ 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^EndpointDataBucket/) }, `/data-capture/${endpoint.endpointName}`]] });
  });

  test('a model package source is refused when no bucket is known: the endpoint\'s own output bucket cannot hold the artifacts', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: REGION } });
    const group = ModelPackageGroup.fromModelPackageGroupName(stack, 'Group', 'churn');
    expect(() => new EndpointWithMonitor(stack, 'Endpoint', {
      model: ModelSource.fromModelPackageArn(PACKAGE_ARN, { modelPackageGroup: group }),
      dataCapture: {},
    })).toThrow(/\[Stack\/Endpoint\] Invalid prop `artifactBucket`: received undefined. A model package source needs the bucket of its artifacts/);
  });
});

describe('the network of the foundation', () => {
  const vpcOf = (stack: Stack) => ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0', vpcCidrBlock: '10.0.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    isolatedSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  });

  test('the model and the monitoring jobs run in the foundation\'s VPC', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: REGION } });
    const foundation = new MlopsFoundation(stack, 'Foundation', { vpc: vpcOf(stack) });
    new EndpointWithMonitor(stack, 'Endpoint', {
      foundation,
      model: ModelSource.fromImage(ContainerImage.xgboost()),
      dataCapture: {},
      dataQualityMonitor: { baseline: baseline() },
    });
    const template = Template.fromStack(stack);
    const vpcConfig = {
      Subnets: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^EndpointSecurityGroup'), 'GroupId'] }],
    };
    template.hasResourceProperties('AWS::SageMaker::Model', { VpcConfig: vpcConfig });
    template.hasResourceProperties('AWS::SageMaker::DataQualityJobDefinition', { NetworkConfig: Match.objectLike({ VpcConfig: vpcConfig }) });
    // The monitoring role may create network interfaces in those subnets and security groups only.
    const eni = statements(template, /MonitoringRole/).find((s) => Array.isArray(s.Action) && s.Action.includes('ec2:CreateNetworkInterface'));
    const scopes = JSON.stringify(eni.Resource);
    expect(scopes).toContain(':subnet/subnet-0123456789abcdef0');
    expect(scopes).toContain(':security-group/');
    expect(scopes).not.toContain('"*"');
  });

  test('a serverless endpoint does not use the foundation\'s VPC, and says so', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: REGION } });
    const foundation = new MlopsFoundation(stack, 'Foundation', { vpc: vpcOf(stack) });
    new EndpointWithMonitor(stack, 'Endpoint', {
      foundation, model: ModelSource.fromImage(ContainerImage.xgboost()), serverless: { memorySize: Size.gibibytes(2) },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::SageMaker::Model', { VpcConfig: Match.absent() });
    Annotations.fromStack(stack).hasWarning('/Stack/Endpoint', Match.stringLikeRegexp('serverless variant cannot run in one'));
  });

  test('subnets without a VPC, here or in the foundation, are refused', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: REGION } });
    const foundation = new MlopsFoundation(stack, 'Foundation');
    expect(() => new EndpointWithMonitor(stack, 'Endpoint', {
      foundation, model: ModelSource.fromImage(ContainerImage.xgboost()), vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    })).toThrow(/\[Stack\/Endpoint\] Invalid prop `vpcSubnets`: received "a subnet selection". It needs `vpc` \(or a foundation with a VPC\)/);
  });
});

test('an endpoint on a foundation leaves no compliance finding unacknowledged', () => {
  const app = compliantApp();
  const { stack } = onFoundation(() => ({ dataCapture: {}, dataQualityMonitor: { baseline: baseline() } }), app);
  expect(formatFindings(unacknowledgedFindings(stack))).toBe('');
});
