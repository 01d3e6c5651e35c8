/**
 * The approval-policy handler of ModelRegistryApproval.
 *
 * Triggered by an EventBridge rule on "SageMaker Model Package State Change" events of one model
 * package group with ModelApprovalStatus = PendingManualApproval. It reads the version's
 * model-quality metrics document from S3, compares it with the thresholds, and
 * - METRIC_THRESHOLDS: approves when every threshold passes, rejects when one fails;
 * - METRIC_THRESHOLDS_THEN_MANUAL: rejects when one fails, leaves the version for a person otherwise;
 * - NOTIFY_ONLY (manual policy with a metrics bucket): never changes the version.
 * It never approves when the metrics are missing or unreadable, nor when SageMaker's description
 * of the version omits the group or names another one (it does not rely on IAM alone to keep it to
 * its group): the version stays pending and a person is notified. It reads at most
 * MAX_METRICS_BYTES of the metrics document, whether or not S3 reports the object's size.
 *
 * Idempotent: the current status is read with DescribeModelPackage first, and a version that is
 * no longer pending is left alone, so a re-delivered event changes nothing twice.
 *
 * Its return value travels (Lambda destination -> EventBridge -> SNS) as the notification; only
 * results with `notify: true` are sent.
 *
 * Environment: GROUP_NAME, POLICY, THRESHOLDS (JSON), METRICS_BUCKET, METRICS_KEY_PREFIX, RESULT_SOURCE.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeModelPackageCommand, SageMakerClient, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { createLogger, Logger } from '../../core/handlers/_logger';
import { describeResult, evaluateThresholds, metricPathProblem, ThresholdResult, ThresholdSpec } from '../private/thresholds';

const sagemaker = new SageMakerClient({});
const s3 = new S3Client({});

/** The most bytes of a metrics document read. */
const MAX_METRICS_BYTES = 1024 * 1024;
/** ApprovalDescription is limited to 1024 characters by SageMaker. */
const MAX_DESCRIPTION = 1024;
/** The largest metrics document copied into a notification. */
const MAX_METRICS_IN_RESULT = 8 * 1024;

type Policy = 'METRIC_THRESHOLDS' | 'METRIC_THRESHOLDS_THEN_MANUAL' | 'NOTIFY_ONLY';

/** What happened to one event. */
export type Outcome = 'APPROVED' | 'REJECTED' | 'LEFT_PENDING' | 'ALREADY_DECIDED' | 'IGNORED';

/** The handler's result: the notification when `notify` is true. */
export interface ApprovalResult {
  readonly source: string;
  readonly notify: boolean;
  readonly outcome: Outcome;
  readonly summary: string;
  readonly modelPackageGroupName?: string;
  readonly modelPackageVersion?: number;
  readonly modelPackageArn?: string;
  readonly metricsS3Uri?: string;
  readonly thresholds?: string[];
  readonly metrics?: unknown;
  readonly consoleUrl?: string;
}

interface Config {
  readonly groupName: string;
  readonly policy: Policy;
  readonly thresholds: ThresholdSpec[];
  readonly metricsBucket: string;
  readonly metricsKeyPrefix: string;
  readonly resultSource: string;
}

interface VersionRef {
  readonly groupName: string;
  readonly arn: string;
  readonly version?: number;
  readonly region: string;
}

export async function handler(event: unknown): Promise<ApprovalResult> {
  const config = readConfig();
  const log = createLogger('approval-policy', { groupName: config.groupName, policy: config.policy });
  const ref = parseEvent(event);
  if (typeof ref === 'string') {
    log.warn('Ignored a malformed event', { reason: ref });
    return result(config, 'IGNORED', false, `Ignored a malformed event: ${ref}`);
  }
  const base = { modelPackageGroupName: ref.groupName, modelPackageArn: ref.arn, modelPackageVersion: ref.version };
  if (ref.groupName.toLowerCase() !== config.groupName.toLowerCase()) {
    log.info('Ignored an event of another model package group', { eventGroup: ref.groupName });
    return result(config, 'IGNORED', false, `The event is about group ${ref.groupName}, not ${config.groupName}`, base);
  }
  return decide(config, ref, log);
}

async function decide(config: Config, ref: VersionRef, log: Logger): Promise<ApprovalResult> {
  const base = {
    modelPackageGroupName: ref.groupName,
    modelPackageArn: ref.arn,
    modelPackageVersion: ref.version,
    consoleUrl: consoleUrl(ref.region, ref.groupName),
  };
  let described;
  try {
    described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: ref.arn }));
  } catch (e) {
    if (errorName(e) === 'ValidationException' || errorName(e) === 'ResourceNotFound') {
      log.warn('The model package no longer exists', { modelPackageArn: ref.arn, error: e });
      return result(config, 'IGNORED', false, 'The model package no longer exists', base);
    }
    throw e;
  }
  const version = described.ModelPackageVersion ?? ref.version;
  const withVersion = { ...base, modelPackageVersion: version };
  const describedGroup = described.ModelPackageGroupName;
  if (!describedGroup || describedGroup.toLowerCase() !== config.groupName.toLowerCase()) {
    // The event named this group, SageMaker's description does not: never decide on it.
    const what = describedGroup ? `belongs to group ${describedGroup}, not ${config.groupName}` : 'names no model package group';
    log.warn('Left the version pending: its description does not name this group', { modelPackageArn: ref.arn, describedGroup });
    return result(config, 'LEFT_PENDING', true,
      `Version ${version} of ${ref.groupName} stays pending: DescribeModelPackage says the model package ${what}. ` +
      'It was not approved or rejected; check it in the console.', withVersion);
  }
  const packageStatus = described.ModelPackageStatus;
  if (packageStatus === 'Pending' || packageStatus === 'InProgress') {
    // Thrown so that Lambda retries the event once SageMaker has finished creating the version.
    throw new Error(`The model package ${ref.arn} is still ${packageStatus}; retrying later`);
  }
  if (packageStatus === 'Failed' || packageStatus === 'Deleting') {
    log.warn('The model package cannot be approved', { modelPackageArn: ref.arn, modelPackageStatus: packageStatus });
    return result(config, 'IGNORED', false, `The model package is ${packageStatus}`, withVersion);
  }
  if (described.ModelApprovalStatus !== 'PendingManualApproval') {
    log.info('The version is no longer pending: nothing to do', { modelPackageArn: ref.arn, status: described.ModelApprovalStatus });
    return result(config, 'ALREADY_DECIDED', false, `The version is already ${described.ModelApprovalStatus}`, withVersion);
  }

  const s3Uri = described.ModelMetrics?.ModelQuality?.Statistics?.S3Uri;
  const metrics = await readMetrics(config, s3Uri, log);
  const withMetrics = { ...withVersion, metricsS3Uri: s3Uri };
  if (!metrics.ok) {
    log.warn('Left the version pending: its metrics cannot be used', { modelPackageArn: ref.arn, reason: metrics.reason, metricsS3Uri: s3Uri });
    return result(config, 'LEFT_PENDING', true,
      `Version ${version} of ${ref.groupName} stays pending: ${metrics.reason}. It was not approved; check the metrics and decide in the console.`,
      withMetrics);
  }

  const results = evaluateThresholds(metrics.doc, config.thresholds);
  const lines = results.map(describeResult);
  const shown = { ...withMetrics, thresholds: lines, metrics: smallEnough(metrics.doc) };
  const failed = results.filter((r) => r.status === 'FAILED');
  const missing = results.filter((r) => r.status === 'MISSING');
  log.info('Evaluated the thresholds', { modelPackageArn: ref.arn, thresholds: lines });

  if (config.policy === 'NOTIFY_ONLY') {
    return result(config, 'LEFT_PENDING', true,
      `Version ${version} of ${ref.groupName} is waiting for approval (${summarize(results)}).`, shown);
  }
  if (failed.length > 0) {
    await update(ref.arn, 'Rejected', describeDecision('Rejected', results));
    log.info('Rejected the version', { modelPackageArn: ref.arn, failed: failed.map(describeResult) });
    return result(config, 'REJECTED', true,
      `Version ${version} of ${ref.groupName} was rejected: ${failed.length} threshold(s) failed.`, shown);
  }
  if (missing.length > 0) {
    log.warn('Left the version pending: metrics are missing from the document', { modelPackageArn: ref.arn, missing: missing.map(describeResult) });
    return result(config, 'LEFT_PENDING', true,
      `Version ${version} of ${ref.groupName} stays pending: ${missing.length} metric(s) are missing from its metrics document. ` +
      'It was not approved; decide in the console.', shown);
  }
  if (config.policy === 'METRIC_THRESHOLDS_THEN_MANUAL') {
    return result(config, 'LEFT_PENDING', true,
      `Version ${version} of ${ref.groupName} passed every threshold and is waiting for a person to approve it.`, shown);
  }
  await update(ref.arn, 'Approved', describeDecision('Approved', results));
  log.info('Approved the version', { modelPackageArn: ref.arn });
  return result(config, 'APPROVED', true,
    `Version ${version} of ${ref.groupName} was approved: every threshold passed.`, shown);
}

type MetricsRead = { ok: true; doc: unknown } | { ok: false; reason: string };

async function readMetrics(config: Config, s3Uri: string | undefined, log: Logger): Promise<MetricsRead> {
  if (!s3Uri) {
    return { ok: false, reason: 'it has no model-quality metrics (ModelMetrics.ModelQuality.Statistics.S3Uri)' };
  }
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(s3Uri);
  if (!m) {
    return { ok: false, reason: `its metrics location ${s3Uri} is not an s3:// URI` };
  }
  const [, bucket, key] = m;
  if (bucket !== config.metricsBucket || !key.startsWith(config.metricsKeyPrefix)) {
    return {
      ok: false,
      reason: `its metrics document ${s3Uri} is outside the allowed location s3://${config.metricsBucket}/${config.metricsKeyPrefix}`,
    };
  }
  const tooLarge: MetricsRead = { ok: false, reason: `its metrics document is larger than ${MAX_METRICS_BYTES} bytes` };
  let text: string;
  try {
    // One byte more than the limit: S3 sends at most that much, so a larger document is recognised
    // without reading it whole, even when the response carries no ContentLength.
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${MAX_METRICS_BYTES}` }));
    if (totalSize(out.ContentRange) > MAX_METRICS_BYTES || (out.ContentLength ?? 0) > MAX_METRICS_BYTES) { return tooLarge; }
    const read = await readAtMost(out.Body, MAX_METRICS_BYTES);
    if (read === undefined) { return tooLarge; }
    text = read;
  } catch (e) {
    if (errorName(e) === 'InvalidRange' || (e as any)?.$metadata?.httpStatusCode === 416) {
      // S3 answers a range request on an empty object with 416.
      return { ok: false, reason: 'its metrics document is empty' };
    }
    if (isPermanentS3Error(e)) {
      log.warn('Could not read the metrics document', { metricsS3Uri: s3Uri, error: e });
      return { ok: false, reason: `its metrics document could not be read (${errorName(e)}: ${errorMessage(e)})` };
    }
    throw e;
  }
  try {
    const doc = JSON.parse(text);
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      return { ok: false, reason: 'its metrics document is not a JSON object' };
    }
    return { ok: true, doc };
  } catch (e) {
    return { ok: false, reason: `its metrics document is not valid JSON (${errorMessage(e)})` };
  }
}

/** The object's whole size from a `Content-Range: bytes 0-N/TOTAL` header, or 0 when unknown. */
function totalSize(contentRange: string | undefined): number {
  const m = /\/(\d+)\s*$/.exec(contentRange ?? '');
  return m ? Number(m[1]) : 0;
}

/** What an S3 GetObject body offers: a Node.js stream (async iterable) with the SDK's helpers. */
interface MetricsBody {
  transformToString?(encoding?: string): Promise<string>;
  [Symbol.asyncIterator]?(): AsyncIterator<Uint8Array | string>;
  destroy?(): void;
}

/**
 * The body as UTF-8 text, or undefined when it has more than `limit` bytes. A stream is read chunk
 * by chunk and abandoned as soon as the count passes the limit.
 */
export async function readAtMost(body: unknown, limit: number): Promise<string | undefined> {
  if (body === undefined || body === null) { return ''; }
  if (typeof body === 'string') { return Buffer.byteLength(body, 'utf-8') > limit ? undefined : body; }
  const b = body as MetricsBody;
  if (typeof b[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of b as AsyncIterable<Uint8Array | string>) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf-8') : Buffer.from(chunk);
      size += buf.length;
      if (size > limit) {
        b.destroy?.();
        return undefined;
      }
      chunks.push(buf);
    }
    return Buffer.concat(chunks).toString('utf-8');
  }
  if (typeof b.transformToString === 'function') {
    const text = await b.transformToString('utf-8');
    return Buffer.byteLength(text, 'utf-8') > limit ? undefined : text;
  }
  throw new Error('The S3 response body is neither a stream nor an SDK body');
}

async function update(arn: string, status: 'Approved' | 'Rejected', description: string): Promise<void> {
  await sagemaker.send(new UpdateModelPackageCommand({
    ModelPackageArn: arn,
    ModelApprovalStatus: status,
    ApprovalDescription: description,
  }));
}

/** The ApprovalDescription: which thresholds passed or failed (at most 1024 characters). */
export function describeDecision(status: 'Approved' | 'Rejected', results: ThresholdResult[]): string {
  const text = `${status} by the metric-threshold policy (cdk-sagemaker-mlops): ${results.map(describeResult).join('; ')}`;
  return text.length <= MAX_DESCRIPTION ? text : text.slice(0, MAX_DESCRIPTION - 3) + '...';
}

function summarize(results: ThresholdResult[]): string {
  if (results.length === 0) { return 'no thresholds configured'; }
  const count = (s: string) => results.filter((r) => r.status === s).length;
  return `thresholds: ${count('PASSED')} passed, ${count('FAILED')} failed, ${count('MISSING')} missing`;
}

function parseEvent(event: unknown): VersionRef | string {
  if (!isObject(event)) { return 'the event is not an object'; }
  if (event.source !== 'aws.sagemaker') { return `unexpected source ${JSON.stringify(event.source)}`; }
  if (event['detail-type'] !== 'SageMaker Model Package State Change') {
    return `unexpected detail-type ${JSON.stringify(event['detail-type'])}`;
  }
  const detail = event.detail;
  if (!isObject(detail)) { return 'the event has no detail object'; }
  const groupName = detail.ModelPackageGroupName;
  const arn = detail.ModelPackageArn;
  if (typeof groupName !== 'string' || groupName.length === 0) { return 'detail.ModelPackageGroupName is missing'; }
  if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/.+/.test(arn)) {
    return 'detail.ModelPackageArn is missing or not a model package ARN';
  }
  const version = typeof detail.ModelPackageVersion === 'number' ? detail.ModelPackageVersion : undefined;
  const region = typeof event.region === 'string' ? event.region : (process.env.AWS_REGION ?? 'us-east-1');
  return { groupName, arn, version, region };
}

function readConfig(): Config {
  const env = process.env;
  const policy = env.POLICY as Policy;
  if (!['METRIC_THRESHOLDS', 'METRIC_THRESHOLDS_THEN_MANUAL', 'NOTIFY_ONLY'].includes(policy)) {
    throw new Error(`POLICY must be METRIC_THRESHOLDS, METRIC_THRESHOLDS_THEN_MANUAL or NOTIFY_ONLY, got ${JSON.stringify(policy)}`);
  }
  if (!env.GROUP_NAME || !env.METRICS_BUCKET) {
    throw new Error('GROUP_NAME and METRICS_BUCKET must be set');
  }
  const thresholds = JSON.parse(env.THRESHOLDS ?? '[]') as ThresholdSpec[];
  if (!Array.isArray(thresholds) || thresholds.some((t) => metricPathProblem(t.metricJsonPath) !== undefined || !Number.isFinite(t.value))) {
    throw new Error(`THRESHOLDS is not a valid list of thresholds: ${env.THRESHOLDS}`);
  }
  if (policy !== 'NOTIFY_ONLY' && thresholds.length === 0) {
    throw new Error(`The ${policy} policy needs thresholds`);
  }
  return {
    groupName: env.GROUP_NAME,
    policy,
    thresholds,
    metricsBucket: env.METRICS_BUCKET,
    metricsKeyPrefix: env.METRICS_KEY_PREFIX ?? '',
    resultSource: env.RESULT_SOURCE ?? 'cdk-sagemaker-mlops/approval-policy',
  };
}

function result(config: Config, outcome: Outcome, notify: boolean, summary: string, fields: Partial<ApprovalResult> = {}): ApprovalResult {
  return {
    source: config.resultSource,
    notify,
    outcome,
    summary,
    ...fields,
  };
}

function consoleUrl(region: string, group: string): string {
  return `https://${region}.console.aws.amazon.com/sagemaker/home?region=${region}#/model-registry/${encodeURIComponent(group)}`;
}

function smallEnough(doc: unknown): unknown {
  const json = JSON.stringify(doc);
  return json.length <= MAX_METRICS_IN_RESULT ? doc : undefined;
}

function isPermanentS3Error(e: unknown): boolean {
  const name = errorName(e);
  const status = (e as any)?.$metadata?.httpStatusCode;
  return ['AccessDenied', 'NoSuchKey', 'NoSuchBucket', 'InvalidObjectState', 'KMS.DisabledException',
    'KMS.NotFoundException', 'KMS.AccessDeniedException'].includes(name) || status === 403 || status === 404;
}

function errorName(e: unknown): string {
  return (e as any)?.name ?? 'Error';
}

function errorMessage(e: unknown): string {
  return String((e as any)?.message ?? e);
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
