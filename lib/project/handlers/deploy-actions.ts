/**
 * The actions of MlopsProject's deploy pipeline that CodePipeline runs as Lambda invoke actions,
 * and the clean-up of ephemeral staging stacks after an execution fails.
 *
 * Pipeline actions (UserParameters `{"action": ...}`), each on the release archive of its input
 * artifact (read with the job's artifact credentials):
 * - `test-staging`: the staging endpoint is InService and serves the release's model package;
 *   every sample payload gets the expected answer; the latency percentile is under the threshold.
 *   Writes a JSON report to the artifact bucket and returns its location as output variables.
 * - `check-release`: before prod, the version is still Approved and not older than what prod
 *   serves (a rollback release may be older).
 * - `verify-prod`: the prod endpoint is InService, serves the endpoint config the stack deployed
 *   (a SageMaker rollback of the update is caught here) and the release's model package.
 * - `bake-prod` (prod in another account): prod's error and latency alarms stay out of ALARM for
 *   the bake time (CodePipeline's alarm rule reads only the pipeline account's alarms).
 * - `record`: the deployment record of prod gets this release (what a later rejection rolls back from).
 * A stage in another account is described, invoked, watched and deleted with the test role its
 * MlopsTargetAccount stack creates there (STS AssumeRole); releases, reports and records stay in
 * the project's bucket.
 * Every job is answered with PutJobSuccessResult or PutJobFailureResult, also when something
 * throws or time runs out, so the pipeline never waits for an action that will not answer. The
 * job event carries temporary credentials and is never logged.
 *
 * EventBridge (CodePipeline Pipeline Execution State Change, FAILED / STOPPED / SUPERSEDED): the
 * ephemeral staging stack of that execution is deleted.
 *
 * Environment: DEPLOY_CONFIG (JSON DeployActionsConfig).
 */
import { CloudFormationClient, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CodePipelineClient, GetPipelineStateCommand, PutJobFailureResultCommand, PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand, DescribeModelPackageCommand, SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Invocation, runTest, samplesFrom } from './_staging-test';
import { readZip } from './_zip';
import { createLogger } from '../../core/handlers/_logger';
import { DeploymentRecord, RELEASE_FILES, RELEASE_KEYS, ReleaseManifest } from '../private/release-contract';

const sagemaker = new SageMakerClient({});
const s3 = new S3Client({});
const codepipeline = new CodePipelineClient({});
const sts = new STSClient({});

/** The clients that act on a stage's resources: in its account. */
interface StageClients {
  readonly sagemaker: SageMakerClient;
  readonly runtime: SageMakerRuntimeClient;
  readonly cloudformation: CloudFormationClient;
  readonly cloudwatch: CloudWatchClient;
}

const localClients: StageClients = {
  sagemaker, runtime: new SageMakerRuntimeClient({}), cloudformation: new CloudFormationClient({}), cloudwatch: new CloudWatchClient({}),
};
const assumedClients = new Map<string, StageClients>();

/**
 * The clients of a stage: this account's, or, for a stage in another account, clients whose
 * credentials come from its test role (assumed when first used, renewed a minute before they expire).
 */
export function stageClients(config: DeployActionsConfig, stage: string): StageClients {
  const roleArn = config.stageRoles?.[stage];
  if (!roleArn) { return localClients; }
  const cached = assumedClients.get(roleArn);
  if (cached) { return cached; }
  let current: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date } | undefined;
  const credentials = async () => {
    if (current && (!current.expiration || current.expiration.getTime() - Date.now() > 60_000)) { return current; }
    const assumed = await sts.send(new AssumeRoleCommand({
      RoleArn: roleArn, RoleSessionName: `${config.project}-deploy-actions`.slice(0, 64), DurationSeconds: 900,
    }));
    const c = assumed.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) { throw new Error(`AssumeRole of ${roleArn} returned no credentials`); }
    current = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    return current;
  };
  const clients: StageClients = {
    sagemaker: new SageMakerClient({ credentials }),
    runtime: new SageMakerRuntimeClient({ credentials }),
    cloudformation: new CloudFormationClient({ credentials }),
    cloudwatch: new CloudWatchClient({ credentials }),
  };
  assumedClients.set(roleArn, clients);
  return clients;
}

/** The configuration the construct gives the function. */
export interface DeployActionsConfig {
  readonly project: string;
  readonly pipelineName: string;
  readonly bucket: string;
  readonly prefix: string;
  /** The staging stack, deleted after each release (ephemeral staging). */
  readonly ephemeralStagingStack?: string;
  /** The role CloudFormation deploys (and deletes) the staging stack with. */
  readonly deploymentRoleArn?: string;
  /** The test role of each stage in another account (`staging`, `prod`). */
  readonly stageRoles?: { readonly [stage: string]: string };
  /** Prod's alarms that must stay quiet for the bake time (prod in another account). */
  readonly prodAlarmNames?: string[];
  /** Seconds between two reads of prod's alarms while baking. @default 30 */
  readonly bakePollSeconds?: number;
  readonly test: {
    readonly samplesBucket: string;
    readonly samplesKey: string;
    readonly contentType: string;
    readonly accept: string;
    readonly invocationsPerSample: number;
    readonly latencyPercentile: number;
    readonly latencyThresholdMs: number;
  };
}

/** The parameters of one action. */
interface ActionParameters {
  readonly action: 'test-staging' | 'check-release' | 'verify-prod' | 'bake-prod' | 'record';
  readonly endpointConfigName?: string;
  readonly executionId?: string;
  /** `bake-prod`: how long prod's alarms must stay quiet. */
  readonly minutes?: string;
}

/** What an action reports on success. */
interface ActionOutcome {
  readonly summary: string;
  readonly outputVariables?: { [name: string]: string };
}

/** Time kept back to answer CodePipeline before the function's own timeout. */
const ANSWER_MARGIN_MS = 20_000;
const MAX_MESSAGE = 4900;

export async function handler(event: any, context?: { getRemainingTimeInMillis?: () => number }): Promise<unknown> {
  const config: DeployActionsConfig = JSON.parse(process.env.DEPLOY_CONFIG ?? '{}');
  if (event && typeof event === 'object' && event['CodePipeline.job']) {
    const remaining = context?.getRemainingTimeInMillis?.() ?? 300_000;
    return runJob(config, event['CodePipeline.job'], Date.now() + remaining - ANSWER_MARGIN_MS);
  }
  return cleanUp(config, event);
}

async function runJob(config: DeployActionsConfig, job: any, deadline: number): Promise<void> {
  const jobId: string = job?.id;
  const log = createLogger('deploy-actions', { project: config.project, jobId });
  let params: ActionParameters | undefined;
  try {
    params = JSON.parse(job.data?.actionConfiguration?.configuration?.UserParameters ?? '{}');
    const manifest = await readManifest(job.data);
    const outcome = await act(config, params!, manifest, deadline);
    log.info('Action succeeded', { action: params!.action, releaseId: manifest.releaseId, summary: outcome.summary });
    await codepipeline.send(new PutJobSuccessResultCommand({
      jobId,
      outputVariables: outcome.outputVariables,
      executionDetails: { summary: outcome.summary.slice(0, 2048), externalExecutionId: manifest.releaseId },
    }));
  } catch (e: any) {
    const message = String(e?.message ?? e).slice(0, MAX_MESSAGE);
    log.error('Action failed', { action: params?.action, message });
    await codepipeline.send(new PutJobFailureResultCommand({ jobId, failureDetails: { type: 'JobFailed', message } }));
  }
}

async function act(config: DeployActionsConfig, params: ActionParameters, manifest: ReleaseManifest, deadline: number): Promise<ActionOutcome> {
  switch (params.action) {
    case 'test-staging': return testStaging(config, manifest, deadline);
    case 'check-release': return checkRelease(config, manifest);
    case 'verify-prod': return verifyProd(config, manifest, params);
    case 'bake-prod': return bakeProd(config, params, deadline);
    case 'record': return record(config, manifest, params);
    default: throw new Error(`Unknown action ${JSON.stringify((params as any)?.action)} in the action's UserParameters`);
  }
}

/** The manifest of the release archive in the job's first input artifact. */
async function readManifest(data: any): Promise<ReleaseManifest> {
  const artifact = data?.inputArtifacts?.[0]?.location?.s3Location;
  const creds = data?.artifactCredentials;
  if (!artifact || !creds) { throw new Error('The action has no input artifact: it needs the release archive of the Source stage'); }
  const client = new S3Client({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken },
  });
  const object = await client.send(new GetObjectCommand({ Bucket: artifact.bucketName, Key: artifact.objectKey }));
  const files = readZip(Buffer.from(await object.Body!.transformToByteArray()));
  const manifest = files.get(RELEASE_FILES.manifest);
  if (!manifest) { throw new Error(`The input artifact has no ${RELEASE_FILES.manifest}: it is not a release archive`); }
  return JSON.parse(manifest.toString('utf-8'));
}

function stageOf(manifest: ReleaseManifest, name: string) {
  const stage = manifest.stages.find((s) => s.name === name);
  if (!stage) { throw new Error(`The release has no ${name} stage`); }
  return stage;
}

/** InService, and the model package the endpoint serves; throws with the reason otherwise. */
async function servedPackage(clients: StageClients, endpointName: string): Promise<{ endpointConfigName: string; modelPackageArn?: string }> {
  const { sagemaker } = clients;
  const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
  if (endpoint.EndpointStatus !== 'InService') {
    throw new Error(`Endpoint ${endpointName} is ${endpoint.EndpointStatus}${endpoint.FailureReason ? `: ${endpoint.FailureReason}` : ''}`);
  }
  const config = await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }));
  const modelName = config.ProductionVariants?.[0]?.ModelName;
  if (!modelName) { throw new Error(`Endpoint config ${endpoint.EndpointConfigName} has no production variant model`); }
  const model = await sagemaker.send(new DescribeModelCommand({ ModelName: modelName }));
  const container = model.PrimaryContainer ?? model.Containers?.[0];
  return { endpointConfigName: endpoint.EndpointConfigName!, modelPackageArn: container?.ModelPackageName };
}

function sameArn(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

async function testStaging(config: DeployActionsConfig, manifest: ReleaseManifest, deadline: number): Promise<ActionOutcome> {
  const stage = stageOf(manifest, 'staging');
  const clients = stageClients(config, 'staging');
  const served = await servedPackage(clients, stage.endpointName);
  if (!sameArn(served.modelPackageArn, manifest.modelPackageArn)) {
    throw new Error(`Endpoint ${stage.endpointName} serves ${served.modelPackageArn ?? 'no model package'}, not the release's ${manifest.modelPackageArn}`);
  }
  const samplesObject = await s3.send(new GetObjectCommand({ Bucket: config.test.samplesBucket, Key: config.test.samplesKey }));
  const samples = samplesFrom(readZip(Buffer.from(await samplesObject.Body!.transformToByteArray())));
  const report = await runTest(samples, { ...config.test, deadline }, (body, contentType, accept) => invoke(clients, stage.endpointName, body, contentType, accept));
  const key = RELEASE_KEYS.report(config.prefix, manifest.releaseId);
  await s3.send(new PutObjectCommand({
    Bucket: config.bucket, Key: key, ContentType: 'application/json',
    Body: JSON.stringify({ releaseId: manifest.releaseId, modelPackageArn: manifest.modelPackageArn, endpointName: stage.endpointName,
      endpointConfigName: served.endpointConfigName, testedAt: new Date().toISOString(), ...report }, undefined, 2),
  }));
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const reportUri = `s3://${config.bucket}/${key}`;
  const reportUrl = `https://${region}.console.aws.amazon.com/s3/object/${config.bucket}?region=${region}&prefix=${encodeURIComponent(key)}`;
  if (!report.passed) { throw new Error(`${report.summary} Report: ${reportUri}`); }
  return { summary: report.summary, outputVariables: { REPORT_URI: reportUri, REPORT_URL: reportUrl, SUMMARY: report.summary.slice(0, 900) } };
}

async function invoke(clients: StageClients, endpointName: string, body: Buffer, contentType: string, accept: string): Promise<Invocation> {
  const started = Date.now();
  try {
    const answer = await clients.runtime.send(new InvokeEndpointCommand({ EndpointName: endpointName, Body: body, ContentType: contentType, Accept: accept }));
    return { status: 200, body: Buffer.from(answer.Body ?? new Uint8Array()).toString('utf-8'), latencyMs: Date.now() - started };
  } catch (e: any) {
    // ModelError carries the container's own status; others (validation, throttling) their HTTP status.
    const status = e?.OriginalStatusCode ?? e?.$metadata?.httpStatusCode ?? 500;
    return { status, body: String(e?.OriginalMessage ?? ''), latencyMs: Date.now() - started, error: `${e?.name ?? 'Error'}: ${e?.message ?? e}` };
  }
}

/** The deployment records of a stage, newest first. */
async function records(config: DeployActionsConfig, stage: string): Promise<DeploymentRecord[]> {
  const list = await s3.send(new ListObjectsV2Command({ Bucket: config.bucket, Prefix: RELEASE_KEYS.deployments(config.prefix, stage) }));
  const keys = (list.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('.json')).sort().reverse();
  if (keys.length === 0) { return []; }
  const newest = await s3.send(new GetObjectCommand({ Bucket: config.bucket, Key: keys[0] }));
  return [JSON.parse(await newest.Body!.transformToString())];
}

async function checkRelease(config: DeployActionsConfig, manifest: ReleaseManifest): Promise<ActionOutcome> {
  const d = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: manifest.modelPackageArn }));
  if (d.ModelApprovalStatus !== 'Approved') {
    throw new Error(`Version ${manifest.modelPackageVersion} is ${d.ModelApprovalStatus} now, not Approved: it does not go to prod`);
  }
  const [prod] = await records(config, 'prod');
  if (prod && manifest.kind === 'promote' && prod.modelPackageVersion > manifest.modelPackageVersion) {
    throw new Error(`Version ${manifest.modelPackageVersion} is older than version ${prod.modelPackageVersion}, which prod serves: ` +
      'an older version reaches prod only through a rollback');
  }
  return { summary: `Version ${manifest.modelPackageVersion} is still approved${prod ? ` (prod serves version ${prod.modelPackageVersion})` : ' (prod serves none yet)'}` };
}

async function verifyProd(config: DeployActionsConfig, manifest: ReleaseManifest, params: ActionParameters): Promise<ActionOutcome> {
  const stage = stageOf(manifest, 'prod');
  const served = await servedPackage(stageClients(config, 'prod'), stage.endpointName);
  if (params.endpointConfigName && served.endpointConfigName !== params.endpointConfigName) {
    throw new Error(`Endpoint ${stage.endpointName} serves endpoint config ${served.endpointConfigName}, not ${params.endpointConfigName}, ` +
      'which the stack deployed: SageMaker rolled the update back (see the endpoint\'s events and the rollback alarms)');
  }
  if (!sameArn(served.modelPackageArn, manifest.modelPackageArn)) {
    throw new Error(`Endpoint ${stage.endpointName} serves ${served.modelPackageArn ?? 'no model package'}, not the release's ${manifest.modelPackageArn}`);
  }
  return {
    summary: `Prod serves version ${manifest.modelPackageVersion} (endpoint config ${served.endpointConfigName})`,
    outputVariables: { ENDPOINT_CONFIG_NAME: served.endpointConfigName },
  };
}

/**
 * Prod's alarms stay out of ALARM for the bake time (read in prod's account every
 * `bakePollSeconds`); an alarm that fires fails the action, and the stage rolls back.
 */
async function bakeProd(config: DeployActionsConfig, params: ActionParameters, deadline: number): Promise<ActionOutcome> {
  const names = config.prodAlarmNames ?? [];
  if (names.length === 0) { throw new Error('No prod alarms to watch: the construct gives prodAlarmNames for prod in another account'); }
  const minutes = Number(params.minutes);
  if (!Number.isFinite(minutes) || minutes <= 0) { throw new Error(`The bake time must be a positive number of minutes, not ${JSON.stringify(params.minutes)}`); }
  const until = Date.now() + minutes * 60_000;
  if (until > deadline) {
    throw new Error(`A bake time of ${minutes} minutes does not fit in the function's remaining time: give at most 12 minutes`);
  }
  const { cloudwatch } = stageClients(config, 'prod');
  const poll = (config.bakePollSeconds ?? 30) * 1000;
  for (;;) {
    const d = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
    const alarms = d.MetricAlarms ?? [];
    const missing = names.filter((n) => !alarms.some((a) => a.AlarmName === n));
    if (missing.length > 0) { throw new Error(`Prod's alarm(s) ${missing.join(', ')} do not exist: the prod stack did not create them`); }
    const firing = alarms.filter((a) => a.StateValue === 'ALARM');
    if (firing.length > 0) {
      throw new Error(`Prod's alarm ${firing.map((a) => `${a.AlarmName} (${a.StateReason ?? 'ALARM'})`).join(', ')} fired during the bake time: ` +
        'the stage rolls back');
    }
    const left = until - Date.now();
    if (left <= 0) { break; }
    await new Promise((resolve) => setTimeout(resolve, Math.min(poll, left)));
  }
  return { summary: `Prod's alarms ${names.join(', ')} stayed quiet for ${minutes} minute(s)` };
}

async function record(config: DeployActionsConfig, manifest: ReleaseManifest, params: ActionParameters): Promise<ActionOutcome> {
  const stage = stageOf(manifest, 'prod');
  const recordedAt = new Date().toISOString();
  const entry: DeploymentRecord = {
    stage: 'prod', releaseId: manifest.releaseId, kind: manifest.kind, modelPackageArn: manifest.modelPackageArn,
    modelPackageVersion: manifest.modelPackageVersion, endpointName: stage.endpointName, endpointConfigName: params.endpointConfigName,
    pipelineExecutionId: params.executionId, recordedAt,
  };
  await s3.send(new PutObjectCommand({
    Bucket: config.bucket, Key: RELEASE_KEYS.deployment(config.prefix, 'prod', recordedAt, manifest.releaseId),
    ContentType: 'application/json', Body: JSON.stringify(entry, undefined, 2),
  }));
  return { summary: `Recorded version ${manifest.modelPackageVersion} as served by prod` };
}

/**
 * Delete the ephemeral staging stack after an execution ended without reaching its own clean-up
 * (rejected, failed, stopped), unless another execution uses staging now (QUEUED: the next
 * release may already be in the Staging stage; it deletes staging at its own end).
 */
async function cleanUp(config: DeployActionsConfig, event: any): Promise<{ deleted?: string; reason: string }> {
  const log = createLogger('deploy-actions', { project: config.project });
  const d = event?.detail;
  if (event?.['detail-type'] !== 'CodePipeline Pipeline Execution State Change' || d?.pipeline !== config.pipelineName) {
    return { reason: 'not an execution of this pipeline' };
  }
  if (!config.ephemeralStagingStack) { return { reason: 'staging is not ephemeral' }; }
  const state = await codepipeline.send(new GetPipelineStateCommand({ name: config.pipelineName }));
  const staging = state.stageStates?.find((s) => s.stageName === 'Staging')?.latestExecution;
  if (staging?.status === 'InProgress' && staging.pipelineExecutionId !== d['execution-id']) {
    return { reason: `execution ${staging.pipelineExecutionId} uses staging now` };
  }
  const stackName = config.ephemeralStagingStack;
  await stageClients(config, 'staging').cloudformation.send(new DeleteStackCommand({ StackName: stackName, RoleARN: config.deploymentRoleArn }));
  log.info('Deleted the ephemeral staging stack after an execution ended', { stackName, state: d.state, executionId: d['execution-id'] });
  return { deleted: stackName, reason: `execution ${d['execution-id']} ended ${d.state}` };
}
