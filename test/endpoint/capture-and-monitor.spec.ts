import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ArtifactBucket, InstanceType } from '../../lib/core';
import { EndpointWithMonitor, ModelSource, MonitoringBaseline, MonitoringFrequency, ProblemType } from '../../lib/endpoint';
import { matchesEventPattern } from '../helpers/event-pattern';
import { build, onlyResource, PACKAGE_ARN, statementsOfPolicies } from './util';

const baseline = () => MonitoringBaseline.fromS3Uris({
  statisticsUri: 's3://baselines-123/churn/3/statistics.json',
  constraintsUri: 's3://baselines-123/churn/3/constraints.json',
});

describe('data capture and the data quality monitor, in a VPC', () => {
  let template: Template;
  let endpoint: EndpointWithMonitor;
  beforeAll(() => {
    ({ template, endpoint } = build((_a, stack) => ({
      vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }),
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      dataCapture: { samplingPercentage: 30, captureResponse: false, jsonContentTypes: ['application/json'] },
      dataQualityMonitor: { baseline: baseline(), frequency: MonitoringFrequency.everyHours(6), maxRuntime: Duration.minutes(45) },
      tags: { team: 'churn', 'cost-center': '42' },
    })));
  });

  test('capture: requests only, 30 percent, KMS-encrypted, under the endpoint prefix', () => {
    const capture = onlyResource(template, 'AWS::SageMaker::EndpointConfig').Properties.DataCaptureConfig;
    expect(capture).toEqual({
      EnableCapture: true,
      InitialSamplingPercentage: 30,
      DestinationS3Uri: { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^ArtifactsBucket/) }, `/data-capture/${endpoint.endpointName}`]] },
      KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsKey/), 'Arn'] },
      CaptureOptions: [{ CaptureMode: 'Input' }],
      CaptureContentTypeHeader: { JsonContentTypes: ['application/json'] },
    });
  });

  test('the job definition: regional analyzer image, baselines, encrypted output and volume, isolated in the VPC', () => {
    const job = onlyResource(template, 'AWS::SageMaker::DataQualityJobDefinition');
    expect(job.Properties).toEqual(expect.objectContaining({
      DataQualityAppSpecification: {
        ImageUri: '468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer',
        Environment: { publish_cloudwatch_metrics: 'Enabled' },
      },
      DataQualityBaselineConfig: {
        ConstraintsResource: { S3Uri: 's3://baselines-123/churn/3/constraints.json' },
        StatisticsResource: { S3Uri: 's3://baselines-123/churn/3/statistics.json' },
      },
      DataQualityJobInput: { EndpointInput: expect.objectContaining({ EndpointName: { 'Fn::GetAtt': [expect.stringMatching(/^Endpoint[0-9A-F]{8}$/), 'EndpointName'] } }) },
      JobResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 20, VolumeKmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsKey/), 'Arn'] } } },
      StoppingCondition: { MaxRuntimeInSeconds: 2700 },
      JobDefinitionName: expect.stringMatching(/^Stack-Endpoint-[0-9a-f]{8}-dq-[0-9a-f]{8}$/),
      Tags: [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'churn' }],
    }));
    expect(job.Properties.DataQualityJobOutputConfig.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsKey/), 'Arn'] });
    expect(job.Properties.NetworkConfig).toEqual({
      EnableInterContainerTrafficEncryption: true,
      EnableNetworkIsolation: true,
      VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^EndpointSecurityGroup/), 'GroupId'] }], Subnets: [expect.anything(), expect.anything()] },
    });
  });

  test('the schedule: every 6 hours, created after the endpoint (by its GetAtt) and its job definition, tagged explicitly', () => {
    const schedule = onlyResource(template, 'AWS::SageMaker::MonitoringSchedule');
    const jobName = onlyResource(template, 'AWS::SageMaker::DataQualityJobDefinition').Properties.JobDefinitionName;
    expect(schedule.Properties).toEqual({
      MonitoringScheduleName: expect.stringMatching(/^Stack-Endpoint-[0-9a-f]{8}-dq-schedule-[0-9a-f]{8}$/),
      EndpointName: { 'Fn::GetAtt': [expect.stringMatching(/^Endpoint[0-9A-F]{8}$/), 'EndpointName'] },
      MonitoringScheduleConfig: {
        MonitoringJobDefinitionName: jobName,
        MonitoringType: 'DataQuality',
        ScheduleConfig: { ScheduleExpression: 'cron(0 */6 ? * * *)' },
      },
      Tags: [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'churn' }],
    });
    // The job definition is named by a literal: the schedule depends on it. The endpoint is
    // referenced by GetAtt: no DependsOn on it (cfn-lint W3005).
    expect(schedule.DependsOn).toEqual([expect.stringMatching(/^EndpointDataQualityJobDefinition/)]);
  });

  test('the model and the capture are in the VPC too, with an HTTPS-only security group', () => {
    template.hasResourceProperties('AWS::SageMaker::Model', {
      VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^EndpointSecurityGroup'), 'GroupId'] }], Subnets: Match.anyValue() },
      EnableNetworkIsolation: true,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: Match.anyValue() }],
    });
  });

  test('the monitoring role reads the capture prefix and the baselines, writes its reports, and nothing more', () => {
    const statements = statementsOfPolicies(template, /MonitoringRole/);
    expect(statements).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [expect.anything(), `/data-capture/${endpoint.endpointName}/*`]] } },
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': [`data-capture/${endpoint.endpointName}`, `data-capture/${endpoint.endpointName}/*`] } } }),
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: { 'Fn::Join': ['', [expect.anything(), `/monitoring/${endpoint.endpointName}/*`]] } },
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::baselines-123/churn/3/constraints.json']] },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::baselines-123/churn/3/statistics.json']] },
        ],
      },
      {
        Effect: 'Allow',
        Action: 'kms:CreateGrant',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsKey/), 'Arn'] },
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
    ]));
    for (const s of statements) {
      for (const a of [s.Action].flat()) { expect(a).not.toMatch(/\*/); }
    }
  });

  test('violations notify the alarm topic: the rule matches a monitoring run that ended with violations', () => {
    const rule = onlyResource(template, 'AWS::Events::Rule').Properties;
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { Ref: expect.stringMatching(/^EndpointAlarmTopic/) } })]);
    const scheduleArn = 'arn:aws:sagemaker:eu-west-1:123456789012:monitoring-schedule/x';
    const pattern = { ...rule.EventPattern, detail: { ...rule.EventPattern.detail, MonitoringScheduleArn: [scheduleArn] } };
    const event = (exit: string) => ({
      'version': '0', 'id': '1', 'source': 'aws.sagemaker', 'detail-type': 'SageMaker Processing Job State Change',
      'account': '123456789012', 'time': '2026-01-01T00:00:00Z', 'region': 'eu-west-1', 'resources': [],
      'detail': { ProcessingJobStatus: 'Completed', ExitMessage: exit, MonitoringScheduleArn: scheduleArn },
    });
    expect(matchesEventPattern(pattern, event('CompletedWithViolations: Job completed successfully with 3 violations.'))).toBe(true);
    expect(matchesEventPattern(pattern, event('Completed: Job completed successfully with no violations.'))).toBe(false);
  });

  test('a CloudWatch alarm on the violation rule keeps the state over one run interval', () => {
    const ruleId = Object.keys(template.findResources('AWS::Events::Rule'))[0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Events',
      MetricName: 'TriggeredRules',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: ruleId } }],
      Period: 6 * 3600,
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^EndpointAlarmTopic') }],
    });
    expect(endpoint.violationAlarms).toHaveLength(1);
  });
});

describe('the model quality monitor, in an environment-agnostic stack', () => {
  let template: Template;
  beforeAll(() => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    new EndpointWithMonitor(stack, 'Endpoint', {
      model: ModelSource.fromModelPackageArn(PACKAGE_ARN, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models/churn' }),
      artifactBucket: artifacts.bucket,
      dataCapture: { samplingPercentage: 100 },
      modelQualityMonitor: {
        problemType: ProblemType.BINARY_CLASSIFICATION,
        baseline: MonitoringBaseline.fromS3Uris({ constraintsUri: 's3://baselines-123/mq/constraints.json' }),
        groundTruthBucket: artifacts.bucket,
        inferenceAttribute: '0',
        probabilityThresholdAttribute: 0.5,
        frequency: MonitoringFrequency.DAILY,
        instanceType: InstanceType.ML_G4DN_XLARGE,
      },
    });
    template = Template.fromStack(stack);
  });

  test('the analyzer image is looked up by region with Fn::FindInMap', () => {
    const job = onlyResource(template, 'AWS::SageMaker::ModelQualityJobDefinition').Properties;
    expect(job.ModelQualityAppSpecification).toEqual({
      ImageUri: { 'Fn::Join': ['', [
        { 'Fn::FindInMap': ['ModelMonitorAnalyzerRegistries', { Ref: 'AWS::Region' }, 'account'] },
        '.dkr.ecr.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/sagemaker-model-monitor-analyzer',
      ]] },
      ProblemType: 'BinaryClassification',
    });
    expect(template.toJSON().Mappings.ModelMonitorAnalyzerRegistries['us-east-1']).toEqual({ account: '156813124566' });
  });

  test('ground truth, attributes and the daily schedule; no volume key on an NVMe instance type', () => {
    const job = onlyResource(template, 'AWS::SageMaker::ModelQualityJobDefinition').Properties;
    expect(job.ModelQualityJobInput.GroundTruthS3Input.S3Uri).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^ArtifactsBucket/) }, expect.stringMatching(/^\/ground-truth\//)]] });
    expect(job.ModelQualityJobInput.EndpointInput).toEqual(expect.objectContaining({ InferenceAttribute: '0', ProbabilityThresholdAttribute: 0.5 }));
    expect(job.JobResources.ClusterConfig).toEqual({ InstanceCount: 1, InstanceType: 'ml.g4dn.xlarge', VolumeSizeInGB: 20 });
    template.hasResourceProperties('AWS::SageMaker::MonitoringSchedule', {
      MonitoringScheduleConfig: { MonitoringType: 'ModelQuality', ScheduleConfig: { ScheduleExpression: 'cron(0 0 ? * * *)' } },
    });
  });
});

describe('bad capture and monitor input', () => {
  test('a monitor without data capture', () => {
    expect(() => build(() => ({ dataQualityMonitor: { baseline: baseline() } })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `dataQualityMonitor`: received a DataQualityMonitorOptions with `baseline`. A monitor analyses captured traffic: turn data capture on/);
  });

  test('a monitor with data capture turned off', () => {
    expect(() => build(() => ({ dataCapture: { enabled: false }, dataQualityMonitor: { baseline: baseline() } })))
      .toThrow(/A monitor analyses captured traffic/);
  });

  test('a data quality monitor without captured requests', () => {
    expect(() => build(() => ({ dataCapture: { captureRequest: false }, dataQualityMonitor: { baseline: baseline() } })))
      .toThrow(/Invalid prop `dataCapture.captureRequest`: received false. The dataQualityMonitor reads the captured requests/);
  });

  test('a sampling percentage over 100', () => {
    expect(() => build(() => ({ dataCapture: { samplingPercentage: 101 } })))
      .toThrow(/Invalid prop `dataCapture.samplingPercentage`: received 101. It must be an integer from 0 to 100/);
  });

  test('capturing neither requests nor responses', () => {
    expect(() => build(() => ({ dataCapture: { captureRequest: false, captureResponse: false } })))
      .toThrow(/At least one of `captureRequest` and `captureResponse` must stay on/);
  });

  test('a data quality baseline without statistics', () => {
    expect(() => build(() => ({
      dataCapture: {},
      dataQualityMonitor: { baseline: MonitoringBaseline.fromS3Uris({ constraintsUri: 's3://b-123/c.json' }) },
    }))).toThrow(/Invalid prop `dataQualityMonitor.baseline.statisticsUri`: received undefined/);
  });

  test('a baseline URI that is not an S3 URI', () => {
    expect(() => build(() => ({
      dataCapture: {},
      dataQualityMonitor: { baseline: MonitoringBaseline.fromS3Uris({ constraintsUri: 'baselines/c.json', statisticsUri: 's3://b-123/s.json' }) },
    }))).toThrow(/\[Stack\/Endpoint\] Invalid prop `baseline.constraintsUri`: received "baselines\/c.json". It must be an S3 URI/);
  });

  test('a run longer than the interval between runs', () => {
    expect(() => build(() => ({ dataCapture: {}, dataQualityMonitor: { baseline: baseline(), maxRuntime: Duration.hours(2) } })))
      .toThrow(/Invalid prop `dataQualityMonitor.maxRuntime`: received 2 hours. It must fit in the interval between runs \(1 hour\(s\)\)/);
  });

  test('a monitoring frequency that does not divide a day', () => {
    expect(() => MonitoringFrequency.everyHours(5)).toThrow(/Invalid prop `hours`: received 5. It must be 1, 2, 3, 4, 6, 8, 12 or 24/);
  });

  test('a region whose analyzer image is unknown', () => {
    const app = new App();
    const stack = new Stack(app, 'Far', { env: { account: '123456789012', region: 'xx-nowhere-1' } });
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    expect(() => new EndpointWithMonitor(stack, 'Endpoint', {
      model: ModelSource.fromModelPackageArn(PACKAGE_ARN, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models/churn' }),
      dataCapture: {},
      dataQualityMonitor: { baseline: baseline() },
    })).toThrow(/Invalid prop `analyzerImageUri`: received undefined. The Model Monitor analyzer image of region xx-nowhere-1 is not known/);
  });

  test('a probability threshold for a regression model', () => {
    expect(() => build((a) => ({
      dataCapture: {},
      modelQualityMonitor: { problemType: ProblemType.REGRESSION, baseline: baseline(), groundTruthBucket: a.bucket, probabilityThresholdAttribute: 0.5 },
    }))).toThrow(/Invalid prop `modelQualityMonitor.probabilityThresholdAttribute`: received 0.5. It applies to binary classification only/);
  });
});
