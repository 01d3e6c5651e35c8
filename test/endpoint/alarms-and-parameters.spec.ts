import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ArtifactBucket, InstanceType } from '../../lib/core';
import { EndpointStageParameters, EndpointWithMonitor, ModelSource, MonitoringBaseline } from '../../lib/endpoint';
import { build, onlyResource } from './util';

describe('alarms, dashboard, metrics and grants', () => {
  let template: Template;
  let endpoint: EndpointWithMonitor;
  let stack: Stack;
  beforeAll(() => {
    ({ template, endpoint, stack } = build(() => ({ alarms: { modelLatencyThreshold: Duration.millis(250), invocationErrorThreshold: 5, evaluationPeriods: 3 } })));
  });

  test('the alarms notify a topic encrypted with the endpoint key, on alarm and on recovery', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ArtifactsKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a: any) => a.Properties);
    expect(alarms).toHaveLength(2);
    for (const a of alarms) {
      expect(a.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^EndpointAlarmTopic/) }]);
      expect(a.OKActions).toEqual([{ Ref: expect.stringMatching(/^EndpointAlarmTopic/) }]);
      expect(a.EvaluationPeriods).toBe(3);
      expect(a.TreatMissingData).toBe('notBreaching');
    }
    expect(alarms.map((a) => a.Threshold).sort((x, y) => x - y)).toEqual([5, 250000]);
  });

  test('a dashboard shows invocations, errors, latency, utilization and the alarms', () => {
    const body = JSON.stringify(stack.resolve(onlyResource(template, 'AWS::CloudWatch::Dashboard').Properties.DashboardBody));
    for (const metric of ['Invocations', 'Invocation5XXErrors', 'ModelLatency', 'CPUUtilization', 'GPUUtilization', 'alarm']) {
      expect(body).toContain(metric);
    }
  });

  test('metric methods name the endpoint and the variant', () => {
    const m = endpoint.metricGpuMemoryUtilization({ variantName: 'Shadow' });
    expect(m.namespace).toBe('/aws/sagemaker/Endpoints');
    expect(m.dimensions).toEqual({ EndpointName: endpoint.endpointName, VariantName: 'Shadow' });
    expect(endpoint.metricModelLatency().statistic).toBe('p99');
    expect(endpoint.metricInvocations().statistic).toBe('Sum');
    expect(endpoint.metricInvocations().period.toMinutes()).toBe(5);
    expect(endpoint.metricCpuUtilization({ period: Duration.minutes(1) }).period.toMinutes()).toBe(1);
    expect(endpoint.metricMemoryUtilization().metricName).toBe('MemoryUtilization');
    expect(endpoint.metric('InvocationsPerCopy').dimensions).toEqual({ EndpointName: endpoint.endpointName, VariantName: 'AllTraffic' });
  });

  test('grantInvoke allows invoking this endpoint only', () => {
    const app = new App();
    const s = new Stack(app, 'G', { env: { account: '123456789012', region: 'eu-west-1' } });
    const artifacts = new ArtifactBucket(s, 'Artifacts');
    const ep = new EndpointWithMonitor(s, 'Endpoint', {
      model: ModelSource.fromModelPackageArn('arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3', { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models/churn' }),
      alarms: { topic: new sns.Topic(s, 'Given', { enforceSSL: true }) },
      dashboard: false,
    });
    const caller = new iam.Role(s, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    ep.grantInvoke(caller);
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Caller') }],
      PolicyDocument: { Statement: [{
        Effect: 'Allow',
        Action: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync', 'sagemaker:InvokeEndpointWithResponseStream'],
        Resource: { Ref: Match.stringLikeRegexp('^Endpoint[0-9A-F]{8}$') },
      }] },
    });
    // The given topic is used; no topic and no dashboard are created.
    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('^Given') }] });
  });
});

describe('parameterized template (one template, every stage)', () => {
  let template: Template;
  let params: EndpointStageParameters;
  beforeAll(() => {
    const app = new App();
    const stack = new Stack(app, 'EndpointTemplate', { env: { account: '123456789012', region: 'eu-west-1' } });
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    params = new EndpointStageParameters(stack, 'Stage');
    new EndpointWithMonitor(stack, 'Endpoint', {
      model: ModelSource.fromModelPackageArn(params.modelPackageArn, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models/churn' }),
      endpointName: params.endpointName('churn'),
      stageParameters: params,
      instanceType: params.instanceType,
      initialInstanceCount: params.instanceCount,
      autoscaling: { minCapacity: params.instanceCount, maxCapacity: params.maxCapacity },
      encryptionKey: artifacts.encryptionKey,
      artifactBucket: artifacts.bucket,
      dataCapture: { samplingPercentage: params.samplingPercentage },
      dataQualityMonitor: {
        baseline: MonitoringBaseline.fromS3Uris({
          statisticsUri: params.baselineStatisticsUri, constraintsUri: params.baselineConstraintsUri, bucket: artifacts.bucket,
        }),
      },
    });
    template = Template.fromStack(stack);
  });

  test('the template has readable parameters with their rules', () => {
    const p = template.toJSON().Parameters;
    expect(Object.keys(p)).toEqual(expect.arrayContaining(['ModelPackageArn', 'StageName', 'DeploymentId', 'InstanceType', 'InstanceCount',
      'MaxCapacity', 'SamplingPercentage', 'BaselineStatisticsUri', 'BaselineConstraintsUri']));
    expect(p.InstanceType.AllowedValues).toContain('ml.g5.xlarge');
    expect(p.StageName.MaxLength).toBe(16);
    expect(params.parameterNames).toHaveLength(9);
  });

  test('the model serves the package of the parameter; names carry the deployment id', () => {
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: { ModelPackageName: { Ref: 'ModelPackageArn' } },
      ModelName: { 'Fn::Join': ['', [{ Ref: 'StageName' }, Match.stringLikeRegexp('^-churn-model-[0-9a-f]{8}-$'), { Ref: 'DeploymentId' }]] },
    });
    const config = onlyResource(template, 'AWS::SageMaker::EndpointConfig').Properties;
    expect(config.EndpointConfigName).toEqual({ 'Fn::Join': ['', [{ Ref: 'StageName' }, expect.stringMatching(/^-churn-config-[0-9a-f]{8}-$/), { Ref: 'DeploymentId' }]] });
    template.hasResourceProperties('AWS::SageMaker::DataQualityJobDefinition', {
      JobDefinitionName: { 'Fn::Join': ['', [{ Ref: 'StageName' }, Match.stringLikeRegexp('-dq-[0-9a-f]{8}-$'), { Ref: 'DeploymentId' }]] },
      DataQualityBaselineConfig: { StatisticsResource: { S3Uri: { Ref: 'BaselineStatisticsUri' } } },
    });
  });

  test('the endpoint name is the stage plus a fixed part; the stage settings come from parameters', () => {
    template.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: { 'Fn::Join': ['', [{ Ref: 'StageName' }, '-churn']] } });
    const variant = onlyResource(template, 'AWS::SageMaker::EndpointConfig').Properties.ProductionVariants[0];
    expect(variant.InstanceType).toEqual({ Ref: 'InstanceType' });
    expect(variant.InitialInstanceCount).toEqual({ Ref: 'InstanceCount' });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: { Ref: 'InstanceCount' }, MaxCapacity: { Ref: 'MaxCapacity' } });
  });

  test('the volume key is left out by a condition when the chosen type has NVMe instance storage', () => {
    const config = onlyResource(template, 'AWS::SageMaker::EndpointConfig').Properties;
    expect(config.KmsKeyId).toEqual({ 'Fn::If': [expect.stringMatching(/HasInstanceStorage/), { Ref: 'AWS::NoValue' }, { 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsKey/), 'Arn'] }] });
    const conditions = template.toJSON().Conditions;
    const condition = Object.entries(conditions).find(([k]) => /HasInstanceStorage/.test(k))![1] as any;
    expect(condition).toEqual({ 'Fn::Or': [
      { 'Fn::Equals': [{ Ref: 'InstanceType' }, 'ml.g4dn.xlarge'] },
      { 'Fn::Equals': [{ Ref: 'InstanceType' }, 'ml.g5.xlarge'] },
    ] });
  });

  test('parameterValues gives a deploy pipeline its overrides', () => {
    expect(params.parameterValues({
      modelPackageArn: 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/7',
      stageName: 'prod', deploymentId: 'v7', instanceType: InstanceType.ML_C5_XLARGE, instanceCount: 3,
    })).toEqual({
      ModelPackageArn: 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/7',
      StageName: 'prod', DeploymentId: 'v7', InstanceType: 'ml.c5.xlarge', InstanceCount: '3',
    });
  });
});

test('the template holds only the parameters in use (CloudFormation warns about unused ones)', () => {
  const stack = new Stack(new App(), 'Few', { env: { account: '123456789012', region: 'eu-west-1' } });
  const artifacts = new ArtifactBucket(stack, 'Artifacts');
  const params = new EndpointStageParameters(stack, 'Stage');
  new EndpointWithMonitor(stack, 'Endpoint', {
    model: ModelSource.fromModelPackageArn(params.modelPackageArn, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models/churn' }),
    endpointName: params.endpointName('churn'),
    stageParameters: params,
  });
  expect(Object.keys(Template.fromStack(stack).toJSON().Parameters).sort()).toEqual(['BootstrapVersion', 'DeploymentId', 'ModelPackageArn', 'StageName']);
  expect(params.parameterNames.sort()).toEqual(['DeploymentId', 'ModelPackageArn', 'StageName']);
});

describe('bad parameter and alarm input', () => {
  test('a burstable allowed type with autoscaling is refused even as a parameter', () => {
    const app = new App();
    const stack = new Stack(app, 'T');
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    const params = new EndpointStageParameters(stack, 'Stage', { allowedInstanceTypes: [InstanceType.ML_M5_LARGE, InstanceType.ML_T2_MEDIUM] });
    expect(() => new EndpointWithMonitor(stack, 'Endpoint', {
      model: ModelSource.fromModelPackageArn(params.modelPackageArn, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models/churn' }),
      instanceType: params.instanceType,
      autoscaling: { maxCapacity: params.maxCapacity },
    })).toThrow(/Invalid prop `instanceType`: received "ml.t2.medium". Burstable instance types/);
  });

  test('a default instance type that is not allowed', () => {
    const stack = new Stack(new App(), 'T');
    expect(() => new EndpointStageParameters(stack, 'Stage', { allowedInstanceTypes: [InstanceType.ML_M5_LARGE], defaultInstanceType: InstanceType.ML_C5_LARGE }))
      .toThrow(/\[T\/Stage\] Invalid prop `defaultInstanceType`: received "ml.c5.large". It must be one of `allowedInstanceTypes`/);
  });

  test('a stage endpoint name base that is too long', () => {
    const stack = new Stack(new App(), 'T');
    const params = new EndpointStageParameters(stack, 'Stage');
    expect(() => params.endpointName('x'.repeat(47))).toThrow(/Invalid prop `base`.*It must be 1 to 46 letters/);
  });

  test('baseline URIs as parameters without their bucket', () => {
    const stack = new Stack(new App(), 'T', { env: { account: '123456789012', region: 'eu-west-1' } });
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    const params = new EndpointStageParameters(stack, 'Stage');
    expect(() => new EndpointWithMonitor(stack, 'Endpoint', {
      model: ModelSource.fromModelPackageArn(params.modelPackageArn, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models/churn' }),
      dataCapture: {},
      dataQualityMonitor: { baseline: MonitoringBaseline.fromS3Uris({ statisticsUri: params.baselineStatisticsUri, constraintsUri: params.baselineConstraintsUri }) },
    })).toThrow(/Invalid prop `baseline.bucket`: received undefined. Baseline URIs that are tokens/);
  });

  test('an override for a parameter the template does not have', () => {
    const stack = new Stack(new App(), 'T');
    const params = new EndpointStageParameters(stack, 'Stage');
    void params.modelPackageArn;
    expect(() => params.parameterValues({ modelPackageArn: 'arn', stageName: 'prod', deploymentId: 'v1', maxCapacity: 4 }))
      .toThrow(/\[T\/Stage\] Invalid prop `MaxCapacity`: received "4". The template has no such parameter/);
  });

  test('a latency threshold of zero', () => {
    expect(() => build(() => ({ alarms: { modelLatencyThreshold: Duration.seconds(0) } })))
      .toThrow(/Invalid prop `alarms.modelLatencyThreshold`: received 0 seconds. It must be longer than zero/);
  });
});
