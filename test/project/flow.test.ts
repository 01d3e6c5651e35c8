import * as fs from 'fs';
import * as path from 'path';
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand, DescribeModelPackageCommand, SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { createZip, readZip } from '../../lib/project/handlers/_zip';
import { handler as deployActions } from '../../lib/project/handlers/deploy-actions';
import { handler as release } from '../../lib/project/handlers/release';
import { loadEvent } from '../helpers/fixtures';
import { buildProject, BuiltProject, environmentWith, ENV, SAMPLES } from './util';

const sagemaker = mockClient(SageMakerClient);
const runtime = mockClient(SageMakerRuntimeClient);
const s3 = mockClient(S3Client);
const codepipeline = mockClient(CodePipelineClient);

const GROUP = 'churn-models';
const arnOf = (v: number) => `arn:aws:sagemaker:${ENV.region}:${ENV.account}:model-package/${GROUP}/${v}`;
const JOB = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'codepipeline', 'lambda-invoke-job.json'), 'utf-8'));

/** An in-memory S3: versioned objects, write-once (IfNoneMatch) and listing. */
class FakeS3 {
  public readonly objects = new Map<string, { body: Buffer; versions: string[] }>();
  private version = 0;

  put(bucket: string, key: string, body: Buffer | string, ifNoneMatch?: string): { VersionId: string } {
    const k = `${bucket}/${key}`;
    if (ifNoneMatch === '*' && this.objects.has(k)) {
      throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    }
    const versionId = `v-${++this.version}`;
    const previous = this.objects.get(k)?.versions ?? [];
    this.objects.set(k, { body: Buffer.from(body), versions: [...previous, versionId] });
    return { VersionId: versionId };
  }

  get(bucket: string, key: string): Buffer {
    const o = this.objects.get(`${bucket}/${key}`);
    if (!o) { throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }); }
    return o.body;
  }

  list(bucket: string, prefix: string): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(`${bucket}/${prefix}`)).map((k) => k.slice(bucket.length + 1));
  }
}

function body(data: Buffer): any {
  return { transformToString: async () => data.toString('utf-8'), transformToByteArray: async () => new Uint8Array(data) };
}

function packageOf(version: number, status: string): any {
  return {
    ModelPackageGroupName: GROUP, ModelPackageVersion: version, ModelPackageArn: arnOf(version), ModelPackageStatus: 'Completed',
    ModelApprovalStatus: status, CreationTime: new Date('2024-05-01T00:00:00Z'), LastModifiedTime: new Date(Date.UTC(2024, 4, 1, version)),
    InferenceSpecification: { Containers: [{ Image: '257758044811.dkr.ecr.us-east-2.amazonaws.com/sagemaker-xgboost:1.7-1', ImageDigest: 'sha256:ab', ModelDataUrl: `s3://bucket/models/${GROUP}/m${version}.tar.gz` }] },
    DriftCheckBaselines: { ModelDataQuality: {
      Statistics: { S3Uri: `s3://bucket/baselines/${GROUP}/e${version}/statistics.json` },
      Constraints: { S3Uri: `s3://bucket/baselines/${GROUP}/e${version}/constraints.json` },
    } },
  };
}

function approvalEvent(version: number, status: 'Approved' | 'Rejected'): any {
  const e = loadEvent('sagemaker-model-package-state-change.approved.derived');
  e.id = `event-${version}-${status}`;
  e.detail = { ...e.detail, ModelPackageGroupName: GROUP, ModelPackageVersion: version, ModelPackageArn: arnOf(version), ModelApprovalStatus: status };
  e.resources = [arnOf(version)];
  return e;
}

describe('the whole deploy flow, offline: approval -> release -> staging test -> prod check -> verify -> record -> rejection -> rollback', () => {
  let built: BuiltProject;
  let releaseEnv: Record<string, string>;
  let actionsEnv: Record<string, string>;
  let store: FakeS3;
  const packages = new Map<string, any>();
  /** What each endpoint serves: its config and the model package of its model. */
  const endpoints = new Map<string, { config: string; arn: string }>();

  beforeAll(() => {
    built = buildProject({
      endpoint: { dataQualityMonitor: true },
      stagingTest: { samplesDirectory: SAMPLES },
    }, { compliance: false });
    releaseEnv = environmentWith(built.json, 'STAGES');
    actionsEnv = environmentWith(built.json, 'DEPLOY_CONFIG');
  });

  beforeEach(() => {
    for (const m of [sagemaker, runtime, s3, codepipeline]) { m.reset(); }
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    store = new FakeS3();
    // The stage template asset, as `cdk deploy` of the project stack publishes it.
    store.put(releaseEnv.TEMPLATE_BUCKET, releaseEnv.TEMPLATE_KEY, JSON.stringify(built.stageTemplate));
    // The staging test's samples asset (a zip of the samples folder, as CDK packs it).
    const config = JSON.parse(actionsEnv.DEPLOY_CONFIG);
    store.put(config.test.samplesBucket, config.test.samplesKey, createZip(fs.readdirSync(SAMPLES).map((name) => ({ name, data: fs.readFileSync(path.join(SAMPLES, name)) }))));
    s3.on(PutObjectCommand).callsFake((i) => store.put(i.Bucket, i.Key, i.Body, i.IfNoneMatch));
    s3.on(GetObjectCommand).callsFake((i) => ({ Body: body(store.get(i.Bucket, i.Key)) }));
    s3.on(HeadObjectCommand).callsFake((i) => { store.get(i.Bucket, i.Key); return { LastModified: new Date() }; });
    s3.on(ListObjectsV2Command).callsFake((i) => ({ Contents: store.list(i.Bucket, i.Prefix).map((Key) => ({ Key })) }));
    sagemaker.on(DescribeModelPackageCommand).callsFake((i) => packages.get(i.ModelPackageName));
    sagemaker.on(DescribeEndpointCommand).callsFake((i) => {
      const e = endpoints.get(i.EndpointName);
      return e ? { EndpointStatus: 'InService', EndpointConfigName: e.config } : { EndpointStatus: 'Creating' };
    });
    sagemaker.on(DescribeEndpointConfigCommand).callsFake((i) => ({ ProductionVariants: [{ ModelName: `${i.EndpointConfigName}-model` }] }));
    sagemaker.on(DescribeModelCommand).callsFake((i) => {
      const e = [...endpoints.values()].find((x) => `${x.config}-model` === i.ModelName)!;
      return { PrimaryContainer: { ModelPackageName: e.arn } };
    });
    runtime.on(InvokeEndpointCommand).resolves({ Body: new Uint8Array(Buffer.from('0.7')) } as any);
    codepipeline.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec' });
    codepipeline.on(PutJobSuccessResultCommand).resolves({});
    codepipeline.on(PutJobFailureResultCommand).resolves({});
  });

  afterEach(() => jest.restoreAllMocks());

  /** Run the release handler on an event, with the project's environment. */
  async function releaseOn(event: any) {
    Object.assign(process.env, releaseEnv, { AWS_REGION: ENV.region });
    return release(event);
  }

  /** The release archive of the last started execution (what CodePipeline's source stage hands on). */
  function lastRelease(): { archive: Buffer; files: Map<string, Buffer>; versionId: string } {
    const start = codepipeline.commandCalls(StartPipelineExecutionCommand).slice(-1)[0].args[0].input;
    const versionId = start.sourceRevisions![0].revisionValue!;
    const source = store.objects.get(`${releaseEnv.ARTIFACT_BUCKET}/releases/churn/release.zip`)!;
    expect(source.versions).toContain(versionId);
    const archive = source.body;
    return { archive, files: readZip(archive), versionId };
  }

  /** Run one pipeline action on the release archive, as CodePipeline would. */
  async function action(archive: Buffer, params: Record<string, string>): Promise<{ ok: boolean; message?: string; variables?: any }> {
    Object.assign(process.env, actionsEnv, { AWS_REGION: ENV.region });
    const job = JSON.parse(JSON.stringify(JOB));
    const location = job['CodePipeline.job'].data.inputArtifacts[0].location.s3Location;
    store.put(location.bucketName, location.objectKey, archive);
    job['CodePipeline.job'].data.actionConfiguration.configuration.UserParameters = JSON.stringify(params);
    codepipeline.resetHistory();
    await deployActions(job, { getRemainingTimeInMillis: () => 300_000 });
    const success = codepipeline.commandCalls(PutJobSuccessResultCommand);
    const failure = codepipeline.commandCalls(PutJobFailureResultCommand);
    expect(success.length + failure.length).toBe(1);
    return success.length === 1
      ? { ok: true, variables: success[0].args[0].input.outputVariables }
      : { ok: false, message: failure[0].args[0].input.failureDetails!.message };
  }

  /** CloudFormation deploying a stage: check the stage's configuration against the template as CloudFormation would. */
  function deployStage(files: Map<string, Buffer>, stage: 'staging' | 'prod', configName: string): void {
    const template = JSON.parse(files.get('stage.template.json')!.toString());
    const { Parameters: given } = JSON.parse(files.get(`${stage}.json`)!.toString());
    for (const [name, declaration] of Object.entries(template.Parameters as Record<string, any>)) {
      const value = given[name] ?? declaration.Default;
      expect([stage, name, value === undefined ? 'missing' : 'given']).toEqual([stage, name, 'given']);
      if (declaration.AllowedPattern) { expect([name, new RegExp(declaration.AllowedPattern).test(String(value))]).toEqual([name, true]); }
      if (declaration.AllowedValues) { expect(declaration.AllowedValues).toContain(String(value)); }
    }
    for (const name of Object.keys(given)) { expect(Object.keys(template.Parameters)).toContain(name); }
    endpoints.set(given.EndpointName, { config: configName, arn: given.ModelPackageArn });
  }

  test('two approvals, then a rejection of the version prod serves: prod returns to the last verified approved version', async () => {
    // 1. Version 3 is approved: exactly that version is released, pinned to an object version.
    packages.set(arnOf(3), packageOf(3, 'Approved'));
    const first = await releaseOn(approvalEvent(3, 'Approved'));
    expect(first).toMatchObject({ outcome: 'RELEASED', modelPackageArn: arnOf(3) });
    const r3 = lastRelease();
    const manifest3 = JSON.parse(r3.files.get('manifest.json')!.toString());
    expect(manifest3).toMatchObject({ kind: 'promote', modelPackageArn: arnOf(3), deploymentId: 'v3' });
    // The same event delivered again starts nothing.
    expect((await releaseOn(approvalEvent(3, 'Approved'))).outcome).toBe('DUPLICATE');
    expect(codepipeline.commandCalls(StartPipelineExecutionCommand)).toHaveLength(1);

    // 2. Staging: CloudFormation accepts the staging configuration; the test invokes the endpoint for real.
    deployStage(r3.files, 'staging', 'churn-staging-config-v3');
    const test = await action(r3.archive, { action: 'test-staging' });
    expect(test).toMatchObject({ ok: true, variables: { REPORT_URI: expect.stringContaining('/releases/churn/reports/') } });
    expect(runtime.commandCalls(InvokeEndpointCommand).every((c) => c.args[0].input.EndpointName === 'churn-staging')).toBe(true);

    // 3. After the approval, the version is checked to be still approved; prod is deployed and verified; the record written.
    expect((await action(r3.archive, { action: 'check-release' })).ok).toBe(true);
    deployStage(r3.files, 'prod', 'churn-prod-config-v3');
    expect((await action(r3.archive, { action: 'verify-prod', endpointConfigName: 'churn-prod-config-v3' })).ok).toBe(true);
    expect((await action(r3.archive, { action: 'record', endpointConfigName: 'churn-prod-config-v3', executionId: 'exec-3' })).ok).toBe(true);

    // 4. Version 4 is approved and goes the same way; a version rejected while waiting would stop at the check.
    packages.set(arnOf(4), packageOf(4, 'Approved'));
    await releaseOn(approvalEvent(4, 'Approved'));
    const r4 = lastRelease();
    deployStage(r4.files, 'staging', 'churn-staging-config-v4');
    expect((await action(r4.archive, { action: 'test-staging' })).ok).toBe(true);
    packages.set(arnOf(4), packageOf(4, 'Rejected'));
    expect(await action(r4.archive, { action: 'check-release' })).toMatchObject({ ok: false, message: expect.stringContaining('is Rejected now') });
    packages.set(arnOf(4), packageOf(4, 'Approved'));
    expect((await action(r4.archive, { action: 'check-release' })).ok).toBe(true);
    deployStage(r4.files, 'prod', 'churn-prod-config-v4');
    // A SageMaker rollback of the update leaves prod on the old config: verification catches it...
    endpoints.set('churn-prod', { config: 'churn-prod-config-v3', arn: arnOf(3) });
    expect(await action(r4.archive, { action: 'verify-prod', endpointConfigName: 'churn-prod-config-v4' }))
      .toMatchObject({ ok: false, message: expect.stringContaining('SageMaker rolled the update back') });
    // ...and once prod really serves version 4, it is verified and recorded.
    endpoints.set('churn-prod', { config: 'churn-prod-config-v4', arn: arnOf(4) });
    expect((await action(r4.archive, { action: 'verify-prod', endpointConfigName: 'churn-prod-config-v4' })).ok).toBe(true);
    expect((await action(r4.archive, { action: 'record', endpointConfigName: 'churn-prod-config-v4', executionId: 'exec-4' })).ok).toBe(true);

    // 5. Version 4 (served by prod) is rejected: a rollback release of version 3, which passed prod verification and is still approved.
    packages.set(arnOf(4), packageOf(4, 'Rejected'));
    const rollback = await releaseOn(approvalEvent(4, 'Rejected'));
    expect(rollback).toMatchObject({ outcome: 'ROLLBACK_RELEASED', modelPackageArn: arnOf(3), notify: true });
    const r3again = lastRelease();
    expect(r3again.versionId).not.toBe(r3.versionId);
    const manifest = JSON.parse(r3again.files.get('manifest.json')!.toString());
    expect(manifest).toMatchObject({ kind: 'rollback', modelPackageArn: arnOf(3), replaces: arnOf(4) });
    // The rollback release deploys like any other: its configuration is valid for the template, and an older version passes the check.
    deployStage(r3again.files, 'prod', 'churn-prod-config-v3b');
    expect((await action(r3again.archive, { action: 'check-release' })).ok).toBe(true);
  });
});
