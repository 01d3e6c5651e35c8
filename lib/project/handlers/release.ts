/**
 * The release handler of MlopsProject: turns an approval (or a rejection of what prod serves) into
 * exactly one execution of the deploy pipeline, pinned to an immutable release.
 *
 * Triggered by an EventBridge rule on "SageMaker Model Package State Change" events of the
 * project's model package group, in the project's account, with ModelApprovalStatus Approved or
 * Rejected. For each event it
 * 1. re-reads the version (DescribeModelPackage) and acts only on what is true now: an Approved
 *    event only when the version is still Approved and Completed; a Rejected event only when the
 *    version is still Rejected and prod serves it (then the release is a rollback to the newest
 *    version that passed prod verification and is still approved);
 * 2. claims the release id (derived from the version, the kind and the version's last change)
 *    with a write-once object, so re-delivered events start nothing twice;
 * 3. writes the release archive (manifest, stage template, one CloudFormation template
 *    configuration file per stage) as a new version of the pipeline's source object;
 * 4. starts the deploy pipeline pinned to that object version (S3_OBJECT_VERSION_ID), with the
 *    release's pipeline variables; the release id is the client request token.
 * There is no "latest approved" query anywhere.
 *
 * Its return value travels (Lambda destination -> EventBridge -> SNS) as the notification; only
 * results with `notify: true` are sent.
 *
 * Environment: PROJECT_NAME, PIPELINE_NAME, GROUP_NAME, GROUP_ACCOUNT, ARTIFACT_BUCKET,
 * RELEASE_PREFIX, TEMPLATE_BUCKET, TEMPLATE_KEY, STAGES (JSON StageSettings[]),
 * ROLLBACK_ON_REJECTION ("true"/"false"), RESULT_SOURCE.
 */
import { createHash } from 'crypto';
import { CodePipelineClient, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import {
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { DescribeModelPackageCommand, DescribeModelPackageCommandOutput, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createZip } from './_zip';
import { createLogger, Logger } from '../../core/handlers/_logger';
import {
  deploymentIdOf, DeploymentRecord, RELEASE_FILES, RELEASE_KEYS, RELEASE_PARAMETERS, ReleaseBaselines, ReleaseKind,
  ReleaseManifest, SOURCE_ACTION_NAME, StageSettings,
} from '../private/release-contract';

const sagemaker = new SageMakerClient({});
const s3 = new S3Client({});
const codepipeline = new CodePipelineClient({});

/** A claim without a started execution is taken over after this long (the invocation that made it died). */
const CLAIM_TIMEOUT_MS = 15 * 60 * 1000;

/** What happened to one event. */
export type ReleaseOutcome = 'RELEASED' | 'ROLLBACK_RELEASED' | 'DUPLICATE' | 'IN_PROGRESS' | 'NOTHING_TO_ROLL_BACK'
  | 'REFUSED' | 'IGNORED';

/** The handler's result: the notification when `notify` is true. */
export interface ReleaseResult {
  readonly source: string;
  readonly notify: boolean;
  readonly outcome: ReleaseOutcome;
  readonly summary: string;
  readonly releaseId?: string;
  readonly modelPackageArn?: string;
  readonly pipelineExecutionId?: string;
  readonly pipelineUrl?: string;
}

interface Config {
  readonly project: string;
  readonly pipelineName: string;
  readonly groupName: string;
  readonly groupAccount: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly templateBucket: string;
  readonly templateKey: string;
  readonly stages: StageSettings[];
  readonly rollbackOnRejection: boolean;
  readonly resultSource: string;
  readonly region: string;
}

interface VersionEvent {
  readonly arn: string;
  readonly status: 'Approved' | 'Rejected';
  readonly id?: string;
  readonly time?: string;
}

export async function handler(event: unknown): Promise<ReleaseResult> {
  const config = readConfig();
  const log = createLogger('release', { project: config.project, pipeline: config.pipelineName });
  const parsed = parseEvent(event, config);
  if (typeof parsed === 'string') {
    log.info('Ignored an event', { reason: parsed });
    return result(config, 'IGNORED', false, parsed);
  }
  const described = await describe(parsed.arn);
  const stale = staleness(parsed, described, config);
  if (stale) {
    log.info('Ignored a stale event', { modelPackageArn: parsed.arn, reason: stale });
    return result(config, 'IGNORED', false, stale, { modelPackageArn: parsed.arn });
  }

  let kind: ReleaseKind = 'promote';
  let target = described;
  let reason = `Version ${described.ModelPackageVersion} of ${config.groupName} was approved`;
  if (parsed.status === 'Rejected') {
    if (!config.rollbackOnRejection) {
      return result(config, 'IGNORED', false, 'Rollback on rejection is off', { modelPackageArn: parsed.arn });
    }
    const served = (await deploymentRecords(config, 'prod'))[0];
    if (!served || served.modelPackageArn !== parsed.arn) {
      const summary = `Version ${described.ModelPackageVersion} was rejected; prod does not serve it${served ? ` (it serves version ${served.modelPackageVersion})` : ''}, so nothing is rolled back`;
      log.info(summary, { modelPackageArn: parsed.arn });
      return result(config, 'IGNORED', false, summary, { modelPackageArn: parsed.arn });
    }
    const good = await lastGood(config, parsed.arn, log);
    if (!good) {
      const summary = `Version ${described.ModelPackageVersion}, served by prod, was rejected, and no earlier version passed prod ` +
        'verification and is still approved: nothing was changed. Approve a version to deploy it, or remove the prod endpoint.';
      log.warn(summary, { modelPackageArn: parsed.arn });
      return result(config, 'NOTHING_TO_ROLL_BACK', true, summary, { modelPackageArn: parsed.arn });
    }
    kind = 'rollback';
    target = good;
    reason = `Version ${described.ModelPackageVersion}, served by prod, was rejected: prod returns to version ${good.ModelPackageVersion}, ` +
      'the newest version that passed prod verification and is still approved';
  }

  const releaseId = releaseIdOf(target, kind);
  const base = { releaseId, modelPackageArn: target.ModelPackageArn! };
  const claim = await claimRelease(config, releaseId, log);
  if (claim !== 'CLAIMED') {
    return result(config, claim, false, claim === 'DUPLICATE'
      ? `Release ${releaseId} was already started (a re-delivered event)`
      : `Release ${releaseId} is being started by another invocation`, base);
  }

  const template = await readTemplate(config);
  const baselines = baselinesOf(target);
  const deploymentId = deploymentIdOf(target.ModelPackageVersion!);
  const stages = config.stages;
  const stageFiles: Array<{ name: string; data: Buffer }> = [];
  for (const stage of stages) {
    const configuration = stageConfiguration(stage, template, target, baselines);
    if (typeof configuration === 'string') {
      log.error('Refused a release', { releaseId, stage: stage.name, reason: configuration });
      return result(config, 'REFUSED', true, `Release ${releaseId} was not deployed: ${configuration}`, base);
    }
    stageFiles.push({ name: RELEASE_FILES.stageConfiguration(stage.name), data: json(configuration) });
  }
  const manifest = manifestOf(config, stages, releaseId, kind, reason, target, baselines, parsed, kind === 'rollback' ? parsed.arn : undefined);
  const archive = createZip([
    { name: RELEASE_FILES.manifest, data: json(manifest) },
    { name: RELEASE_FILES.template, data: Buffer.from(template.text, 'utf-8') },
    ...stageFiles,
  ]);
  const put = await s3.send(new PutObjectCommand({
    Bucket: config.bucket,
    Key: RELEASE_KEYS.source(config.prefix),
    Body: archive,
    ContentType: 'application/zip',
    Metadata: { 'release-id': releaseId, 'model-package-arn': target.ModelPackageArn! },
  }));
  if (!put.VersionId) {
    throw new Error(`The artifact bucket ${config.bucket} returned no object version: it must be versioned`);
  }
  const started = await codepipeline.send(new StartPipelineExecutionCommand({
    name: config.pipelineName,
    clientRequestToken: releaseId,
    sourceRevisions: [{ actionName: SOURCE_ACTION_NAME, revisionType: 'S3_OBJECT_VERSION_ID', revisionValue: put.VersionId }],
    variables: [
      { name: 'RELEASE_ID', value: releaseId },
      { name: 'RELEASE_KIND', value: kind },
      { name: 'MODEL_PACKAGE_ARN', value: target.ModelPackageArn! },
      { name: 'MODEL_PACKAGE_VERSION', value: String(target.ModelPackageVersion) },
      { name: 'DEPLOYMENT_ID', value: deploymentId },
    ],
  }));
  await s3.send(new PutObjectCommand({
    Bucket: config.bucket,
    Key: RELEASE_KEYS.started(config.prefix, releaseId),
    Body: json({ releaseId, pipelineExecutionId: started.pipelineExecutionId, sourceVersionId: put.VersionId, startedAt: new Date().toISOString() }),
    ContentType: 'application/json',
  }));
  log.info('Started the deploy pipeline', { releaseId, kind, pipelineExecutionId: started.pipelineExecutionId, sourceVersionId: put.VersionId });
  return result(config, kind === 'rollback' ? 'ROLLBACK_RELEASED' : 'RELEASED', true,
    `${reason}. Release ${releaseId} started deploy pipeline ${config.pipelineName} (execution ${started.pipelineExecutionId}).`,
    { ...base, pipelineExecutionId: started.pipelineExecutionId });
}

function readConfig(): Config {
  const env = process.env;
  const required = ['PROJECT_NAME', 'PIPELINE_NAME', 'GROUP_NAME', 'GROUP_ACCOUNT', 'ARTIFACT_BUCKET', 'RELEASE_PREFIX',
    'TEMPLATE_BUCKET', 'TEMPLATE_KEY', 'STAGES', 'RESULT_SOURCE'];
  const missing = required.filter((k) => !env[k]);
  if (missing.length > 0) { throw new Error(`The release handler is missing its environment: ${missing.join(', ')}`); }
  return {
    project: env.PROJECT_NAME!,
    pipelineName: env.PIPELINE_NAME!,
    groupName: env.GROUP_NAME!,
    groupAccount: env.GROUP_ACCOUNT!,
    bucket: env.ARTIFACT_BUCKET!,
    prefix: env.RELEASE_PREFIX!.replace(/\/+$/, ''),
    templateBucket: env.TEMPLATE_BUCKET!,
    templateKey: env.TEMPLATE_KEY!,
    stages: JSON.parse(env.STAGES!),
    rollbackOnRejection: env.ROLLBACK_ON_REJECTION !== 'false',
    resultSource: env.RESULT_SOURCE!,
    region: env.AWS_REGION ?? 'us-east-1',
  };
}

/** The version and status an event is about, or why it is ignored. */
function parseEvent(event: unknown, config: Config): VersionEvent | string {
  const e = event as any;
  if (!e || typeof e !== 'object' || e['detail-type'] !== 'SageMaker Model Package State Change' || typeof e.detail !== 'object') {
    return 'Not a SageMaker Model Package State Change event';
  }
  if (e.account !== config.groupAccount) {
    return `The event comes from account ${e.account}, not the project's account ${config.groupAccount}`;
  }
  const d = e.detail;
  if (typeof d.ModelPackageGroupName !== 'string' || d.ModelPackageGroupName.toLowerCase() !== config.groupName.toLowerCase()) {
    return `The event is about model package group ${d.ModelPackageGroupName}, not ${config.groupName}`;
  }
  if (d.ModelApprovalStatus !== 'Approved' && d.ModelApprovalStatus !== 'Rejected') {
    return `The event's approval status is ${d.ModelApprovalStatus}: only approvals and rejections are released`;
  }
  const arn = typeof d.ModelPackageArn === 'string' ? d.ModelPackageArn : Array.isArray(e.resources) ? e.resources[0] : undefined;
  if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/[^/]+\/\d+$/.test(arn)) {
    return 'The event names no versioned model package ARN';
  }
  return { arn, status: d.ModelApprovalStatus, id: typeof e.id === 'string' ? e.id : undefined, time: typeof e.time === 'string' ? e.time : undefined };
}

async function describe(arn: string): Promise<DescribeModelPackageCommandOutput> {
  return sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
}

/** Why the event no longer holds (the version changed since), or undefined. */
function staleness(event: VersionEvent, d: DescribeModelPackageCommandOutput, config: Config): string | undefined {
  if ((d.ModelPackageGroupName ?? '').toLowerCase() !== config.groupName.toLowerCase()) {
    return `The version belongs to model package group ${d.ModelPackageGroupName ?? '(none)'}, not ${config.groupName}`;
  }
  if (d.ModelApprovalStatus !== event.status) {
    return `The event says ${event.status}, but the version is now ${d.ModelApprovalStatus}`;
  }
  if (event.status === 'Approved' && d.ModelPackageStatus !== 'Completed') {
    return `The version is approved but its status is ${d.ModelPackageStatus}, not Completed`;
  }
  return undefined;
}

/** The deployment records of a stage, newest first. */
async function deploymentRecords(config: Config, stage: string): Promise<DeploymentRecord[]> {
  const prefix = RELEASE_KEYS.deployments(config.prefix, stage);
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: config.bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('.json')));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  keys.sort().reverse();
  const records: DeploymentRecord[] = [];
  for (const key of keys.slice(0, 50)) {
    const body = await s3.send(new GetObjectCommand({ Bucket: config.bucket, Key: key }));
    records.push(JSON.parse(await body.Body!.transformToString()));
  }
  return records;
}

/** The newest version prod verified that is not `rejected` and is still approved. */
async function lastGood(config: Config, rejected: string, log: Logger): Promise<DescribeModelPackageCommandOutput | undefined> {
  const seen = new Set<string>([rejected]);
  for (const record of await deploymentRecords(config, 'prod')) {
    if (seen.has(record.modelPackageArn)) { continue; }
    seen.add(record.modelPackageArn);
    const d = await describe(record.modelPackageArn).catch((e) => {
      log.warn('A recorded version could not be read', { modelPackageArn: record.modelPackageArn, error: e });
      return undefined;
    });
    if (d && d.ModelApprovalStatus === 'Approved' && d.ModelPackageStatus === 'Completed') { return d; }
  }
  return undefined;
}

/** The id of a release: the same version, kind and last change always give the same id. */
function releaseIdOf(d: DescribeModelPackageCommandOutput, kind: ReleaseKind): string {
  const changed = isoOf(d.LastModifiedTime) ?? isoOf(d.CreationTime) ?? '';
  const hash = createHash('sha256').update(`${d.ModelPackageArn}\n${kind}\n${changed}`).digest('hex').slice(0, 12);
  return `${kind}-v${d.ModelPackageVersion}-${hash}`;
}

/** Claim the release with a write-once object: CLAIMED, or why not. */
async function claimRelease(config: Config, releaseId: string, log: Logger): Promise<'CLAIMED' | 'DUPLICATE' | 'IN_PROGRESS'> {
  const claimKey = RELEASE_KEYS.claim(config.prefix, releaseId);
  try {
    await s3.send(new PutObjectCommand({
      Bucket: config.bucket, Key: claimKey, IfNoneMatch: '*', ContentType: 'application/json',
      Body: json({ releaseId, claimedAt: new Date().toISOString() }),
    }));
    return 'CLAIMED';
  } catch (e: any) {
    if (!isConditionFailure(e)) { throw e; }
  }
  if (await exists(config.bucket, RELEASE_KEYS.started(config.prefix, releaseId))) { return 'DUPLICATE'; }
  const head = await s3.send(new HeadObjectCommand({ Bucket: config.bucket, Key: claimKey }));
  const age = Date.now() - (head.LastModified?.getTime() ?? Date.now());
  if (age < CLAIM_TIMEOUT_MS) { return 'IN_PROGRESS'; }
  log.warn('Taking over a release whose claim is older than the timeout and was never started', { releaseId, ageMs: age });
  return 'CLAIMED';
}

function isConditionFailure(e: any): boolean {
  const status = e?.$metadata?.httpStatusCode;
  return status === 412 || status === 409 || e?.name === 'PreconditionFailed' || e?.name === 'ConditionalRequestConflict';
}

async function exists(bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e: any) {
    if (e?.$metadata?.httpStatusCode === 404 || e?.name === 'NotFound' || e?.name === 'NoSuchKey') { return false; }
    throw e;
  }
}

interface StageTemplate {
  readonly text: string;
  readonly parameters: { [name: string]: { Default?: unknown } };
}

async function readTemplate(config: Config): Promise<StageTemplate> {
  const object = await s3.send(new GetObjectCommand({ Bucket: config.templateBucket, Key: config.templateKey }));
  const text = await object.Body!.transformToString();
  const parsed = JSON.parse(text);
  return { text, parameters: parsed.Parameters ?? {} };
}

function baselinesOf(d: DescribeModelPackageCommandOutput): ReleaseBaselines {
  const b = d.DriftCheckBaselines;
  return {
    dataQualityStatistics: b?.ModelDataQuality?.Statistics?.S3Uri,
    dataQualityConstraints: b?.ModelDataQuality?.Constraints?.S3Uri,
    modelQualityStatistics: b?.ModelQuality?.Statistics?.S3Uri,
    modelQualityConstraints: b?.ModelQuality?.Constraints?.S3Uri,
    biasConfig: b?.Bias?.ConfigFile?.S3Uri,
    biasPreTrainingConstraints: b?.Bias?.PreTrainingConstraints?.S3Uri,
    biasPostTrainingConstraints: b?.Bias?.PostTrainingConstraints?.S3Uri,
    explainabilityConfig: b?.Explainability?.ConfigFile?.S3Uri,
    explainabilityConstraints: b?.Explainability?.Constraints?.S3Uri,
  };
}

/**
 * The template configuration file of a stage: the stage's own values plus the release's, for
 * exactly the parameters the template declares; or why the release cannot be deployed.
 */
function stageConfiguration(stage: StageSettings, template: StageTemplate, d: DescribeModelPackageCommandOutput,
  baselines: ReleaseBaselines): { Parameters: { [name: string]: string }; Tags?: { [key: string]: string } } | string {
  const release: { [name: string]: string | undefined } = {
    [RELEASE_PARAMETERS.modelPackageArn]: d.ModelPackageArn,
    [RELEASE_PARAMETERS.deploymentId]: deploymentIdOf(d.ModelPackageVersion!),
    [RELEASE_PARAMETERS.baselineStatisticsUri]: baselines.dataQualityStatistics,
    [RELEASE_PARAMETERS.baselineConstraintsUri]: baselines.dataQualityConstraints,
  };
  const parameters: { [name: string]: string } = {};
  for (const [name, declaration] of Object.entries(template.parameters)) {
    const value = stage.parameters[name] ?? release[name];
    if (value !== undefined) {
      parameters[name] = value;
    } else if (declaration.Default === undefined) {
      return name === RELEASE_PARAMETERS.baselineStatisticsUri || name === RELEASE_PARAMETERS.baselineConstraintsUri
        ? `version ${d.ModelPackageVersion} has no data quality drift-check baseline, which the ${stage.name} stage's monitor needs ` +
          '(register versions with DriftCheckBaselines, as the standard training pipeline does)'
        : `the ${stage.name} stage gives no value for the stage template's parameter ${name}`;
    }
  }
  return { Parameters: parameters, ...(stage.tags ? { Tags: stage.tags } : {}) };
}

function manifestOf(config: Config, stages: StageSettings[], releaseId: string, kind: ReleaseKind, reason: string, d: DescribeModelPackageCommandOutput,
  baselines: ReleaseBaselines, event: VersionEvent, replaces?: string): ReleaseManifest {
  const container = d.InferenceSpecification?.Containers?.[0];
  const by = d.LastModifiedBy;
  return {
    schemaVersion: 1,
    releaseId,
    kind,
    reason,
    project: config.project,
    modelPackageGroupName: d.ModelPackageGroupName!,
    modelPackageArn: d.ModelPackageArn!,
    modelPackageVersion: d.ModelPackageVersion!,
    deploymentId: deploymentIdOf(d.ModelPackageVersion!),
    image: container?.Image,
    imageDigest: container?.ImageDigest,
    modelDataUrl: container?.ModelDataUrl,
    modelQualityMetricsUri: d.ModelMetrics?.ModelQuality?.Statistics?.S3Uri,
    driftCheckBaselines: baselines,
    approval: {
      status: d.ModelApprovalStatus!,
      description: d.ApprovalDescription,
      approvedBy: by?.IamIdentity?.Arn ?? by?.UserProfileName,
      modifiedTime: isoOf(d.LastModifiedTime),
    },
    replaces,
    triggeringEvent: { id: event.id, time: event.time },
    createdAt: new Date().toISOString(),
    stages: stages.map((s) => ({
      name: s.name, stackName: s.stackName, endpointName: s.endpointName, account: s.account, region: s.region,
      configurationFile: RELEASE_FILES.stageConfiguration(s.name),
    })),
  };
}

/** An ISO timestamp of a date the SDK returned, or undefined when there is none (or it is not a valid date). */
function isoOf(date: Date | undefined): string | undefined {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, undefined, 2), 'utf-8');
}

function result(config: Config, outcome: ReleaseOutcome, notify: boolean, summary: string,
  extra: Partial<ReleaseResult> = {}): ReleaseResult {
  return {
    source: config.resultSource,
    notify,
    outcome,
    summary,
    pipelineUrl: `https://${config.region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${config.pipelineName}/view?region=${config.region}`,
    ...extra,
  };
}
