import { CodePipelineClient, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeModelPackageCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { readZip } from '../../lib/project/handlers/_zip';
import { handler } from '../../lib/project/handlers/release';
import { loadEvent } from '../helpers/fixtures';

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const codepipeline = mockClient(CodePipelineClient);

/** The group, account and version of the documented sample events (test/fixtures/events). */
const GROUP = 'versionedmp-p-idy6c3e1fiqj';
const ACCOUNT = '123456789012';
const arnOf = (v: number, group = GROUP) => `arn:aws:sagemaker:us-east-2:${ACCOUNT}:model-package/${group}/${v}`;
const PREFIX = 'releases/churn';
const SOURCE_KEY = `${PREFIX}/release.zip`;

const TEMPLATE = {
  Parameters: {
    ModelPackageArn: { Type: 'String' },
    DeploymentId: { Type: 'String' },
    StageName: { Type: 'String' },
    EndpointName: { Type: 'String' },
    InstanceType: { Type: 'String', Default: 'ml.m5.large' },
    EncryptionKeyArn: { Type: 'String' },
  },
  Resources: {},
};
const MONITORED_TEMPLATE = {
  ...TEMPLATE,
  Parameters: { ...TEMPLATE.Parameters, BaselineStatisticsUri: { Type: 'String' }, BaselineConstraintsUri: { Type: 'String' } },
};
const KEY_ARN = 'arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const STAGES = [
  { name: 'staging', stackName: 'churn-staging', endpointName: 'churn-staging',
    parameters: { StageName: 'staging', EndpointName: 'churn-staging', EncryptionKeyArn: KEY_ARN } },
  { name: 'prod', stackName: 'churn-prod', endpointName: 'churn-prod',
    parameters: { StageName: 'prod', EndpointName: 'churn-prod', InstanceType: 'ml.m5.xlarge', EncryptionKeyArn: KEY_ARN },
    tags: { stage: 'prod' } },
];

function environment(overrides: Record<string, string> = {}) {
  Object.assign(process.env, {
    PROJECT_NAME: 'churn', PIPELINE_NAME: 'churn-deploy', GROUP_NAME: GROUP, GROUP_ACCOUNT: ACCOUNT,
    ARTIFACT_BUCKET: 'artifacts', RELEASE_PREFIX: PREFIX, TEMPLATE_BUCKET: 'cdk-assets', TEMPLATE_KEY: 'abc123.json',
    STAGES: JSON.stringify(STAGES), ROLLBACK_ON_REJECTION: 'true', RESULT_SOURCE: 'cdk-sagemaker-mlops/release', AWS_REGION: 'us-east-2',
    ...overrides,
  });
}

function described(version: number, overrides: Record<string, unknown> = {}): any {
  return {
    ModelPackageGroupName: GROUP,
    ModelPackageVersion: version,
    ModelPackageArn: arnOf(version),
    ModelPackageStatus: 'Completed',
    ModelApprovalStatus: 'Approved',
    CreationTime: new Date('2021-02-24T17:00:14Z'),
    LastModifiedTime: new Date(Date.UTC(2021, 1, 24, 18, version)),
    LastModifiedBy: { IamIdentity: { Arn: 'arn:aws:sts::123456789012:assumed-role/Approver/alice' } },
    ApprovalDescription: 'metrics look good',
    InferenceSpecification: { Containers: [{ Image: '257758044811.dkr.ecr.us-east-2.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3', ImageDigest: 'sha256:4dc8', ModelDataUrl: 's3://artifacts/models/g/model.tar.gz' }] },
    ModelMetrics: { ModelQuality: { Statistics: { S3Uri: 's3://artifacts/evaluation-reports/g/e1/evaluation.json' } } },
    DriftCheckBaselines: { ModelDataQuality: {
      Statistics: { S3Uri: 's3://artifacts/baselines/g/e1/statistics.json' }, Constraints: { S3Uri: 's3://artifacts/baselines/g/e1/constraints.json' },
    } },
    ...overrides,
  };
}

function body(value: unknown): any {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return { transformToString: async () => text };
}

function s3Error(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

/** S3 with the template, an empty deployment record and a versioned bucket. */
function s3World(options: { template?: unknown; prodRecords?: Array<{ arn: string; version: number }> } = {}) {
  s3.on(GetObjectCommand, { Bucket: 'cdk-assets', Key: 'abc123.json' }).resolves({ Body: body(options.template ?? TEMPLATE) });
  const records = options.prodRecords ?? [];
  s3.on(ListObjectsV2Command, { Prefix: `${PREFIX}/deployments/prod/` }).resolves({
    Contents: records.map((_r, i) => ({ Key: `${PREFIX}/deployments/prod/2024-01-0${i + 1}T00-00-00-000Z_r${i}.json` })),
  });
  records.forEach((r, i) => {
    s3.on(GetObjectCommand, { Key: `${PREFIX}/deployments/prod/2024-01-0${i + 1}T00-00-00-000Z_r${i}.json` })
      .resolves({ Body: body({ stage: 'prod', modelPackageArn: r.arn, modelPackageVersion: r.version }) });
  });
  s3.on(PutObjectCommand).resolves({});
  s3.on(PutObjectCommand, { Key: SOURCE_KEY }).resolves({ VersionId: 'version-1' });
}

function putsTo(key: string): any[] {
  return s3.commandCalls(PutObjectCommand).filter((c) => c.args[0].input.Key === key).map((c) => c.args[0].input);
}

function releaseArchive(): Map<string, Buffer> {
  const [put] = putsTo(SOURCE_KEY);
  return readZip(put.Body as Buffer);
}

const approved = () => loadEvent('sagemaker-model-package-state-change.approved.derived');
const rejected = () => loadEvent('sagemaker-model-package-state-change.rejected');

beforeEach(() => {
  sagemaker.reset();
  s3.reset();
  codepipeline.reset();
  environment();
  codepipeline.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-1' });
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => jest.restoreAllMocks());

describe('an approval', () => {
  test('releases exactly the approved version: manifest, template and stage configurations, pinned to the object version', async () => {
    sagemaker.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(2) }).resolves(described(2));
    s3World();
    const result = await handler(approved());

    expect(result).toMatchObject({ outcome: 'RELEASED', notify: true, modelPackageArn: arnOf(2), pipelineExecutionId: 'exec-1' });
    const start = codepipeline.commandCalls(StartPipelineExecutionCommand)[0].args[0].input;
    expect(start.name).toBe('churn-deploy');
    expect(start.sourceRevisions).toEqual([{ actionName: 'Release', revisionType: 'S3_OBJECT_VERSION_ID', revisionValue: 'version-1' }]);
    expect(start.clientRequestToken).toBe(result.releaseId);
    expect(start.variables).toEqual(expect.arrayContaining([
      { name: 'RELEASE_KIND', value: 'promote' }, { name: 'MODEL_PACKAGE_ARN', value: arnOf(2) },
      { name: 'MODEL_PACKAGE_VERSION', value: '2' }, { name: 'DEPLOYMENT_ID', value: 'v2' }, { name: 'RELEASE_ID', value: result.releaseId },
    ]));
    expect(result.releaseId).toMatch(/^promote-v2-[0-9a-f]{12}$/);

    const files = releaseArchive();
    expect([...files.keys()].sort()).toEqual(['manifest.json', 'prod.json', 'stage.template.json', 'staging.json']);
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    expect(manifest).toMatchObject({
      releaseId: result.releaseId, kind: 'promote', modelPackageArn: arnOf(2), modelPackageVersion: 2, deploymentId: 'v2',
      image: expect.stringContaining('sagemaker-xgboost'), imageDigest: 'sha256:4dc8', modelDataUrl: 's3://artifacts/models/g/model.tar.gz',
      approval: { status: 'Approved', approvedBy: 'arn:aws:sts::123456789012:assumed-role/Approver/alice', description: 'metrics look good' },
      triggeringEvent: { id: approved().id },
      driftCheckBaselines: { dataQualityStatistics: 's3://artifacts/baselines/g/e1/statistics.json' },
    });
    expect(manifest.stages.map((s: any) => [s.name, s.stackName, s.endpointName])).toEqual([
      ['staging', 'churn-staging', 'churn-staging'], ['prod', 'churn-prod', 'churn-prod'],
    ]);
    expect(JSON.parse(files.get('staging.json')!.toString())).toEqual({ Parameters: {
      ModelPackageArn: arnOf(2), DeploymentId: 'v2', StageName: 'staging', EndpointName: 'churn-staging', EncryptionKeyArn: KEY_ARN,
    } });
    expect(JSON.parse(files.get('prod.json')!.toString())).toEqual({
      Parameters: { ModelPackageArn: arnOf(2), DeploymentId: 'v2', StageName: 'prod', EndpointName: 'churn-prod', InstanceType: 'ml.m5.xlarge', EncryptionKeyArn: KEY_ARN },
      Tags: { stage: 'prod' },
    });
    expect(JSON.parse(files.get('stage.template.json')!.toString())).toEqual(TEMPLATE);
  });

  test('claims the release write-once before anything else, and records the started execution', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(described(2));
    s3World();
    const result = await handler(approved());
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Key)).toEqual([`${PREFIX}/claims/${result.releaseId}.json`, SOURCE_KEY, `${PREFIX}/started/${result.releaseId}.json`]);
    expect(puts[0].IfNoneMatch).toBe('*');
    expect(JSON.parse(String(puts[2].Body))).toMatchObject({ pipelineExecutionId: 'exec-1', sourceVersionId: 'version-1' });
  });

  test('the drift sample (another group and region, CreationTime in epoch ms) is released for its own project', async () => {
    const event = loadEvent('sagemaker-model-package-state-change.approved.drift-sample');
    environment({ GROUP_NAME: 'drift-example' });
    const arn = event.detail.ModelPackageArn;
    sagemaker.on(DescribeModelPackageCommand, { ModelPackageName: arn })
      .resolves(described(26, { ModelPackageGroupName: 'drift-example', ModelPackageArn: arn }));
    s3World();
    const result = await handler(event);
    expect(result.outcome).toBe('RELEASED');
    expect(JSON.parse(releaseArchive().get('manifest.json')!.toString()).modelPackageArn).toBe(arn);
  });

  test('a re-delivered event starts nothing twice', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(described(2));
    s3World();
    const first = await handler(approved());
    s3.on(PutObjectCommand, { Key: `${PREFIX}/claims/${first.releaseId}.json` }).rejects(s3Error('PreconditionFailed', 412));
    s3.on(HeadObjectCommand, { Key: `${PREFIX}/started/${first.releaseId}.json` }).resolves({});
    const again = await handler({ ...approved(), id: 'another-delivery' });
    expect(again).toMatchObject({ outcome: 'DUPLICATE', notify: false, releaseId: first.releaseId });
    expect(codepipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(1);
    expect(putsTo(SOURCE_KEY)).toHaveLength(1);
  });

  test('a duplicate that arrives while the first invocation runs waits for it; a claim abandoned for 15 minutes is taken over', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(described(2));
    s3World();
    s3.on(PutObjectCommand, { IfNoneMatch: '*' }).rejects(s3Error('PreconditionFailed', 412));
    s3.on(HeadObjectCommand).callsFake((input) => {
      if (input.Key.includes('/started/')) { throw s3Error('NotFound', 404); }
      return { LastModified: new Date() };
    });
    expect((await handler(approved())).outcome).toBe('IN_PROGRESS');
    expect(codepipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);

    s3.on(HeadObjectCommand).callsFake((input) => {
      if (input.Key.includes('/started/')) { throw s3Error('NotFound', 404); }
      return { LastModified: new Date(Date.now() - 16 * 60 * 1000) };
    });
    expect((await handler(approved())).outcome).toBe('RELEASED');
    expect(codepipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(1);
  });

  test.each([
    ['another group', (e: any) => { e.detail.ModelPackageGroupName = 'someone-elses'; }, /model package group someone-elses/],
    ['another account', (e: any) => { e.account = '999999999999'; }, /account 999999999999/],
    ['a registration', (e: any) => { e.detail.ModelApprovalStatus = 'PendingManualApproval'; }, /PendingManualApproval/],
    ['another kind of event', (e: any) => { e['detail-type'] = 'SageMaker Endpoint State Change'; }, /Not a SageMaker Model Package/],
  ])('%s is ignored without reading anything', async (_name, change, reason) => {
    const event = approved();
    change(event);
    const result = await handler(event);
    expect(result).toMatchObject({ outcome: 'IGNORED', notify: false });
    expect(result.summary).toMatch(reason);
    expect(sagemaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  test.each([
    ['still being created', { ModelPackageStatus: 'InProgress' }, /status is InProgress, not Completed/],
    ['no longer approved', { ModelApprovalStatus: 'Rejected' }, /the version is now Rejected/],
    ['of another group than the event says', { ModelPackageGroupName: 'other' }, /belongs to model package group other/],
  ])('a version %s is not released', async (_name, overrides, reason) => {
    sagemaker.on(DescribeModelPackageCommand).resolves(described(2, overrides));
    s3World();
    const result = await handler(approved());
    expect(result).toMatchObject({ outcome: 'IGNORED', notify: false });
    expect(result.summary).toMatch(reason);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(codepipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
  });

  test('a version without the drift-check baseline a monitor needs is refused before any deployment', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(described(2, { DriftCheckBaselines: undefined }));
    s3World({ template: MONITORED_TEMPLATE });
    const result = await handler(approved());
    expect(result).toMatchObject({ outcome: 'REFUSED', notify: true });
    expect(result.summary).toMatch(/version 2 has no data quality drift-check baseline, which the staging stage's monitor needs/);
    expect(putsTo(SOURCE_KEY)).toHaveLength(0);
    expect(codepipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
  });

  test('with the baseline, the monitored template gets the baseline URIs of the version', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(described(2));
    s3World({ template: MONITORED_TEMPLATE });
    await handler(approved());
    expect(JSON.parse(releaseArchive().get('prod.json')!.toString()).Parameters).toMatchObject({
      BaselineStatisticsUri: 's3://artifacts/baselines/g/e1/statistics.json',
      BaselineConstraintsUri: 's3://artifacts/baselines/g/e1/constraints.json',
    });
  });

  test('a bucket without versioning is an error (the pipeline could not be pinned)', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(described(2));
    s3World();
    s3.on(PutObjectCommand, { Key: SOURCE_KEY }).resolves({});
    await expect(handler(approved())).rejects.toThrow(/returned no object version: it must be versioned/);
    expect(codepipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
  });

  test('a missing environment is named', async () => {
    delete process.env.PIPELINE_NAME;
    await expect(handler(approved())).rejects.toThrow(/missing its environment: PIPELINE_NAME/);
  });
});

describe('a rejection', () => {
  test('of the version prod serves releases a rollback to the newest verified version that is still approved', async () => {
    // Prod verified v1 (approved, then nothing), then v3 (now rejected, the sample's version 2 stands for it here).
    sagemaker.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(2) }).resolves(described(2, { ModelApprovalStatus: 'Rejected' }));
    sagemaker.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(1) }).resolves(described(1));
    s3World({ prodRecords: [{ arn: arnOf(1), version: 1 }, { arn: arnOf(2), version: 2 }] });
    const result = await handler(rejected());
    expect(result).toMatchObject({ outcome: 'ROLLBACK_RELEASED', notify: true, modelPackageArn: arnOf(1) });
    const manifest = JSON.parse(releaseArchive().get('manifest.json')!.toString());
    expect(manifest).toMatchObject({ kind: 'rollback', modelPackageArn: arnOf(1), modelPackageVersion: 1, replaces: arnOf(2), deploymentId: 'v1' });
    expect(manifest.reason).toMatch(/Version 2, served by prod, was rejected: prod returns to version 1/);
    const start = codepipeline.commandCalls(StartPipelineExecutionCommand)[0].args[0].input;
    expect(start.variables).toEqual(expect.arrayContaining([{ name: 'RELEASE_KIND', value: 'rollback' }, { name: 'MODEL_PACKAGE_ARN', value: arnOf(1) }]));
  });

  test('skips earlier versions that were rejected too', async () => {
    sagemaker.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(3) }).resolves(described(3, { ModelApprovalStatus: 'Rejected' }));
    sagemaker.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(2) }).resolves(described(2, { ModelApprovalStatus: 'Rejected' }));
    sagemaker.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(1) }).resolves(described(1));
    s3World({ prodRecords: [{ arn: arnOf(1), version: 1 }, { arn: arnOf(2), version: 2 }, { arn: arnOf(3), version: 3 }] });
    const event = rejected();
    event.detail.ModelPackageArn = arnOf(3);
    const result = await handler(event);
    expect(result).toMatchObject({ outcome: 'ROLLBACK_RELEASED', modelPackageArn: arnOf(1) });
  });

  test('of a version prod does not serve changes nothing', async () => {
    sagemaker.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(2) }).resolves(described(2, { ModelApprovalStatus: 'Rejected' }));
    s3World({ prodRecords: [{ arn: arnOf(1), version: 1 }] });
    const result = await handler(rejected());
    expect(result).toMatchObject({ outcome: 'IGNORED', notify: false });
    expect(result.summary).toMatch(/prod does not serve it \(it serves version 1\)/);
    expect(codepipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
  });

  test('with nothing to roll back to, it notifies and changes nothing', async () => {
    sagemaker.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(2) }).resolves(described(2, { ModelApprovalStatus: 'Rejected' }));
    sagemaker.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(1) }).resolves(described(1, { ModelApprovalStatus: 'Rejected' }));
    s3World({ prodRecords: [{ arn: arnOf(1), version: 1 }, { arn: arnOf(2), version: 2 }] });
    const result = await handler(rejected());
    expect(result).toMatchObject({ outcome: 'NOTHING_TO_ROLL_BACK', notify: true });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(codepipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(0);
  });

  test('that was approved again since is not acted on', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(described(2));
    const result = await handler(rejected());
    expect(result).toMatchObject({ outcome: 'IGNORED' });
    expect(result.summary).toMatch(/says Rejected, but the version is now Approved/);
  });

  test('with rollback turned off changes nothing', async () => {
    environment({ ROLLBACK_ON_REJECTION: 'false' });
    sagemaker.on(DescribeModelPackageCommand).resolves(described(2, { ModelApprovalStatus: 'Rejected' }));
    s3World({ prodRecords: [{ arn: arnOf(1), version: 1 }, { arn: arnOf(2), version: 2 }] });
    const result = await handler(rejected());
    expect(result).toMatchObject({ outcome: 'IGNORED', summary: 'Rollback on rejection is off' });
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });
});
