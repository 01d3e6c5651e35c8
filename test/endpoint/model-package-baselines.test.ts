import { DescribeModelPackageCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ArtifactBucket } from '../../lib/core';
import { EndpointStageParameters, EndpointWithMonitor, ModelPackageBaselines, ModelSource, ProblemType } from '../../lib/endpoint';
import { handler, respondTo } from '../../lib/endpoint/handlers/model-package-baselines';
import { compliantApp, formatFindings, unacknowledgedFindings } from '../helpers/compliance';
import { ACCOUNT, PACKAGE_ARN, REGION } from './util';

describe('monitors with the baselines of the model package version', () => {
  let template: Template;
  let app: App;
  let stack: Stack;
  beforeAll(() => {
    app = compliantApp();
    stack = new Stack(app, 'Baselines', { env: { account: ACCOUNT, region: REGION } });
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    const params = new EndpointStageParameters(stack, 'Stage');
    const baselines = new ModelPackageBaselines(stack, 'ModelPackageBaselines', {
      modelPackageArn: params.modelPackageArn, encryptionKey: artifacts.encryptionKey, artifactBucket: artifacts.bucket, baselinesKeyPrefix: 'baselines/churn',
    });
    new EndpointWithMonitor(stack, 'Endpoint', {
      model: ModelSource.fromModelPackageArn(params.modelPackageArn, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models/churn' }),
      endpointName: params.endpointName('churn'),
      stageParameters: params,
      instanceType: params.instanceType,
      initialInstanceCount: params.instanceCount,
      autoscaling: { maxCapacity: params.maxCapacity },
      encryptionKey: artifacts.encryptionKey,
      artifactBucket: artifacts.bucket,
      dataCapture: { samplingPercentage: params.samplingPercentage },
      dataQualityMonitor: { baseline: baselines.dataQuality },
      modelQualityMonitor: { baseline: baselines.modelQuality, problemType: ProblemType.REGRESSION, groundTruthBucket: artifacts.bucket },
    });
    template = Template.fromStack(stack);
  });

  test('a custom resource reads the version\'s drift-check baselines, requiring exactly the ones in use', () => {
    template.hasResourceProperties('Custom::ModelPackageBaselines', {
      ModelPackageArn: { Ref: 'ModelPackageArn' },
      Required: ['DataQualityConstraints', 'DataQualityStatistics', 'ModelQualityConstraints'],
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('ModelPackageBaselinesReaderFunction'), 'Arn'] },
    });
  });

  test('the job definitions use its attributes', () => {
    const reader = Object.keys(template.findResources('Custom::ModelPackageBaselines'))[0];
    template.hasResourceProperties('AWS::SageMaker::DataQualityJobDefinition', {
      DataQualityBaselineConfig: {
        ConstraintsResource: { S3Uri: { 'Fn::GetAtt': [reader, 'DataQualityConstraints'] } },
        StatisticsResource: { S3Uri: { 'Fn::GetAtt': [reader, 'DataQualityStatistics'] } },
      },
    });
    template.hasResourceProperties('AWS::SageMaker::ModelQualityJobDefinition', {
      ModelQualityBaselineConfig: { ConstraintsResource: { S3Uri: { 'Fn::GetAtt': [reader, 'ModelQualityConstraints'] } } },
    });
  });

  test('the reader may describe that model package only', () => {
    const policy = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .find((p: any) => /ModelPackageBaselines\/Reader/.test(p.Properties.Description)) as any;
    expect(policy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 'sagemaker:DescribeModelPackage', Resource: { Ref: 'ModelPackageArn' } },
    ]));
  });

  test('no unacknowledged compliance finding', () => {
    expect(formatFindings(unacknowledgedFindings(stack))).toBe('');
  });
});

describe('the model-package-baselines handler', () => {
  const sagemaker = mockClient(SageMakerClient);
  const logs: string[] = [];
  const log = { debug: () => undefined, info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
  const event = (requestType: 'Create' | 'Update' | 'Delete', required: string[]): CloudFormationCustomResourceEvent => ({
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:reader',
    ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x?sig=1',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1',
    RequestId: 'r-1',
    LogicalResourceId: 'Reader',
    ResourceType: 'Custom::ModelPackageBaselines',
    ResourceProperties: { ServiceToken: 'x', ModelPackageArn: PACKAGE_ARN, Required: required },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: `baselines:${PACKAGE_ARN}`, OldResourceProperties: {} }),
  } as any);
  beforeEach(() => { sagemaker.reset(); logs.length = 0; });

  test('returns the baseline URIs of the version', async () => {
    sagemaker.on(DescribeModelPackageCommand, { ModelPackageName: PACKAGE_ARN }).resolves({
      ModelPackageArn: PACKAGE_ARN,
      DriftCheckBaselines: {
        ModelDataQuality: {
          Statistics: { ContentType: 'application/json', S3Uri: 's3://b/churn/3/statistics.json' },
          Constraints: { ContentType: 'application/json', S3Uri: 's3://b/churn/3/constraints.json' },
        },
        Bias: { ConfigFile: { S3Uri: 's3://b/churn/3/analysis_config.json' }, PostTrainingConstraints: { ContentType: 'application/json', S3Uri: 's3://b/churn/3/bias.json' } },
      },
    });
    const r = await respondTo(event('Create', ['DataQualityStatistics', 'DataQualityConstraints', 'BiasConfig']), log);
    expect(r.Status).toBe('SUCCESS');
    expect(r.PhysicalResourceId).toBe(`baselines:${PACKAGE_ARN}`);
    expect(r.Data).toEqual({
      DataQualityStatistics: 's3://b/churn/3/statistics.json',
      DataQualityConstraints: 's3://b/churn/3/constraints.json',
      ModelQualityConstraints: '',
      BiasConstraints: 's3://b/churn/3/bias.json',
      BiasConfig: 's3://b/churn/3/analysis_config.json',
      ExplainabilityConstraints: '',
      ExplainabilityConfig: '',
    });
  });

  test('fails with a clear reason when a required baseline is missing', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves({ ModelPackageArn: PACKAGE_ARN });
    const r = await respondTo(event('Update', ['ModelQualityConstraints']), log);
    expect(r.Status).toBe('FAILED');
    expect(r.Reason).toMatch(/carries no drift-check baseline for ModelQualityConstraints/);
    expect(r.PhysicalResourceId).toBe(`baselines:${PACKAGE_ARN}`);
  });

  test('fails with the SDK error when the package cannot be described', async () => {
    sagemaker.on(DescribeModelPackageCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const r = await respondTo(event('Create', []), log);
    expect(r).toEqual(expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(/AccessDeniedException: not authorized/) }));
  });

  test('delete succeeds without calling SageMaker', async () => {
    const r = await respondTo(event('Delete', ['DataQualityStatistics']), log);
    expect(r).toEqual(expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: `baselines:${PACKAGE_ARN}` }));
    expect(sagemaker.calls()).toHaveLength(0);
  });

  test('the handler PUTs the response to the pre-signed URL', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves({ ModelPackageArn: PACKAGE_ARN });
    const calls: any[] = [];
    const original = global.fetch;
    global.fetch = (async (url: string, init: any) => { calls.push({ url, init }); return { ok: true, status: 200 }; }) as any;
    const write = process.stdout.write;
    process.stdout.write = (() => true) as any;
    try {
      await handler(event('Create', []));
    } finally {
      global.fetch = original;
      process.stdout.write = write;
    }
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toMatch(/^https:\/\/cloudformation-custom-resource-response/);
    expect(calls[0].init.method).toBe('PUT');
    expect(JSON.parse(calls[0].init.body)).toEqual(expect.objectContaining({ Status: 'SUCCESS', RequestId: 'r-1', LogicalResourceId: 'Reader' }));
  });
});
