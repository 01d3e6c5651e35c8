import { DescribeModelPackageCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ArtifactBucket, MlopsFoundation, ModelPackageGroup, StorageLayout } from '../../lib/core';
import { EndpointStageParameters, EndpointWithMonitor, ModelPackageBaselines, ModelSource, ProblemType } from '../../lib/endpoint';
import { handler, respondTo } from '../../lib/endpoint/handlers/model-package-baselines';
import { compliantApp, formatFindings, unacknowledgedFindings } from '../helpers/compliance';
import { ACCOUNT, PACKAGE_ARN, REGION, statementsOfPolicies } from './util';

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
    expect(statementsOfPolicies(template, /ModelPackageBaselines\/Reader/)).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 'sagemaker:DescribeModelPackage', Resource: { Ref: 'ModelPackageArn' } },
    ]));
  });

  test('no unacknowledged compliance finding', () => {
    expect(formatFindings(unacknowledgedFindings(stack))).toBe('');
  });
});

describe('ModelPackageBaselines on a foundation, with the group', () => {
  let template: Template;
  let stack: Stack;
  let baselines: ModelPackageBaselines;
  beforeAll(() => {
    stack = new Stack(compliantApp(), 'OnFoundation', { env: { account: ACCOUNT, region: REGION } });
    const foundation = new MlopsFoundation(stack, 'Foundation', { storageLayout: StorageLayout.of({ baselines: 'drift' }) });
    const group = ModelPackageGroup.fromModelPackageGroupName(stack, 'Group', 'churn');
    baselines = new ModelPackageBaselines(stack, 'Baselines', { foundation, modelPackageArn: PACKAGE_ARN, modelPackageGroup: group });
    new EndpointWithMonitor(stack, 'Endpoint', {
      foundation,
      model: ModelSource.fromModelPackageArn(PACKAGE_ARN, { modelPackageGroup: group }),
      dataCapture: {},
      dataQualityMonitor: { baseline: baselines.dataQuality },
      modelExplainabilityMonitor: { baseline: baselines.explainability },
    });
    template = Template.fromStack(stack);
  });

  test('one key in the stack: the reader function uses the foundation\'s (no key reached through the scope)', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(baselines.encryptionKey).toBe((stack.node.findChild('Foundation') as MlopsFoundation).encryptionKey);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('drift-check baselines'),
      KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FoundationKey'), 'Arn'] },
    });
  });

  test('the reader is a child of the construct, not of the endpoint', () => {
    expect(baselines.node.tryFindChild('Reader')).toBeDefined();
    const readers = template.findResources('Custom::ModelPackageBaselines');
    expect(Object.keys(readers)).toEqual([expect.stringMatching(/^Baselines[0-9A-F]{8}$/)]);
    expect(Object.values(readers)[0]).toEqual(expect.objectContaining({
      Properties: expect.objectContaining({ ModelPackageArn: PACKAGE_ARN, Required: ['DataQualityConstraints', 'DataQualityStatistics', 'ExplainabilityConfig', 'ExplainabilityConstraints'] }),
    }));
  });

  test('the monitoring role reads the group\'s baseline prefix of the layout only', () => {
    const reads = statementsOfPolicies(template, /MonitoringRole/).filter((s: any) => s.Action === 's3:GetObject').map((s: any) => s.Resource);
    expect(reads).toEqual(expect.arrayContaining([
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^FoundationArtifactsBucket/), 'Arn'] }, '/drift/churn/*']] },
    ]));
    expect(JSON.stringify(reads)).not.toMatch(/"\/\*"/);
    expect(baselines.baselinesKeyPrefix).toBe('drift/churn');
  });

  test('no unacknowledged compliance finding', () => {
    expect(formatFindings(unacknowledgedFindings(stack))).toBe('');
  });
});

describe('bad ModelPackageBaselines input', () => {
  const fresh = () => {
    const s = new Stack(new App(), 'Bad', { env: { account: ACCOUNT, region: REGION } });
    return { s, artifacts: new ArtifactBucket(s, 'Artifacts') };
  };

  test('neither a group nor a prefix: the whole bucket is refused', () => {
    const { s, artifacts } = fresh();
    expect(() => new ModelPackageBaselines(s, 'Baselines', { modelPackageArn: PACKAGE_ARN, artifactBucket: artifacts.bucket }))
      .toThrow(/\[Bad\/Baselines\] Invalid prop `baselinesKeyPrefix`: received undefined. Give the model package group \(`modelPackageGroup`.*never the whole bucket/);
  });

  test('no bucket and no foundation', () => {
    const { s } = fresh();
    expect(() => new ModelPackageBaselines(s, 'Baselines', { modelPackageArn: PACKAGE_ARN, baselinesKeyPrefix: 'baselines/churn' }))
      .toThrow(/\[Bad\/Baselines\] Invalid prop `artifactBucket`: received undefined. The baseline files are in a bucket the training pipeline wrote/);
  });

  test('a literal ARN of another group', () => {
    const { s, artifacts } = fresh();
    const group = ModelPackageGroup.fromModelPackageGroupName(s, 'Group', 'fraud');
    expect(() => new ModelPackageBaselines(s, 'Baselines', { modelPackageArn: PACKAGE_ARN, artifactBucket: artifacts.bucket, modelPackageGroup: group }))
      .toThrow(/\[Bad\/Baselines\] Invalid prop `modelPackageArn`: received ".*model-package\/churn\/3". It must be a version of the model package group `modelPackageGroup` \(fraud\)/);
  });

  test('an ARN that is not a version', () => {
    const { s, artifacts } = fresh();
    expect(() => new ModelPackageBaselines(s, 'Baselines', {
      modelPackageArn: 'arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/churn', artifactBucket: artifacts.bucket, baselinesKeyPrefix: 'b',
    })).toThrow(/\[Bad\/Baselines\] Invalid prop `modelPackageArn`: received ".*model-package-group\/churn". It must be the ARN of a versioned model package/);
  });

  test('no props (JavaScript callers can omit them)', () => {
    const { s } = fresh();
    expect(() => new (ModelPackageBaselines as any)(s, 'Baselines'))
      .toThrow(/\[Bad\/Baselines\] Invalid prop `modelPackageArn`: received undefined. It is required/);
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
      ModelApprovalStatus: 'Approved',
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
    sagemaker.on(DescribeModelPackageCommand).resolves({ ModelPackageArn: PACKAGE_ARN, ModelApprovalStatus: 'Approved' });
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

  test('fails for a Rejected version: an endpoint deploys approved versions only', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves({
      ModelPackageArn: PACKAGE_ARN,
      ModelApprovalStatus: 'Rejected',
      DriftCheckBaselines: { ModelQuality: { Constraints: { ContentType: 'application/json', S3Uri: 's3://b/churn/3/mq.json' } } },
    });
    const r = await respondTo(event('Create', ['ModelQualityConstraints']), log);
    expect(r.Status).toBe('FAILED');
    expect(r.Reason).toMatch(/The model package arn:aws:sagemaker:eu-west-1:123456789012:model-package\/churn\/3 is Rejected, not Approved: an endpoint deploys approved model package versions only/);
    expect(r.Data).toBeUndefined();
  });

  test.each([
    ['PendingManualApproval', /is PendingManualApproval, not Approved/],
    [undefined, /is without an approval status/],
  ])('fails for a version whose status is %s', async (status, reason) => {
    sagemaker.on(DescribeModelPackageCommand).resolves({ ModelPackageArn: PACKAGE_ARN, ModelApprovalStatus: status as any });
    const r = await respondTo(event('Update', []), log);
    expect(r).toEqual(expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(reason), PhysicalResourceId: `baselines:${PACKAGE_ARN}` }));
  });

  test.each([
    ['a string', 'DataQualityStatistics'],
    ['an object', { 0: 'DataQualityStatistics' }],
    ['a list with a number', ['DataQualityStatistics', 3]],
  ])('fails when Required is %s, instead of requiring nothing', async (_what, required) => {
    sagemaker.on(DescribeModelPackageCommand).resolves({ ModelPackageArn: PACKAGE_ARN, ModelApprovalStatus: 'Approved' });
    const r = await respondTo(event('Create', required as any), log);
    expect(r.Status).toBe('FAILED');
    expect(r.Reason).toMatch(/^The resource property Required must be a list of attribute names, received /);
    expect(sagemaker.calls()).toHaveLength(0);
  });

  test('fails when Required names an attribute that does not exist', async () => {
    const r = await respondTo(event('Create', ['DataQualityStatistics', 'constructor']), log);
    expect(r).toEqual(expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(/names unknown attributes \(constructor\)/) }));
    expect(sagemaker.calls()).toHaveLength(0);
  });

  test('fails, without throwing, when the resource properties are missing', async () => {
    const e = { ...event('Create', []), ResourceProperties: undefined } as any;
    const r = await respondTo(e, log);
    expect(r).toEqual(expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(/ModelPackageArn is missing or empty/) }));
    expect(sagemaker.calls()).toHaveLength(0);
  });

  test('delete succeeds without calling SageMaker', async () => {
    const r = await respondTo(event('Delete', ['DataQualityStatistics']), log);
    expect(r).toEqual(expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: `baselines:${PACKAGE_ARN}` }));
    expect(sagemaker.calls()).toHaveLength(0);
  });

  test('the handler PUTs the response to the pre-signed URL', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves({ ModelPackageArn: PACKAGE_ARN, ModelApprovalStatus: 'Approved' });
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
