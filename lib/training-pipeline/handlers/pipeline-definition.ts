/**
 * The pipeline-definition custom resource of TrainingPipeline.
 *
 * A definition too large to go inline in the template is uploaded as an asset with markers
 * (`<<mlops-token:N>>`) where the template has deploy-time values (role ARNs, bucket names, the
 * region). This handler copies it to the artifact bucket with the markers replaced by the values
 * CloudFormation resolved, and returns where it wrote it, for `PipelineDefinitionS3Location`.
 *
 * Resource properties: SourceBucket, SourceKey (the asset), TargetBucket, TargetKey, Substitutions
 * (marker -> value). Attributes: Bucket, Key, VersionId, ETag. Delete removes the copy it wrote
 * (named by the physical id of a successful Create or Update), and nothing after a failed Create.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { CustomResourceResponse, customResourceHandler } from '../../core/handlers/_cfn-response';
import { Logger } from '../../core/handlers/_logger';

const s3 = new S3Client({});

const MARKER = /<<mlops-token:\d+>>/g;

/** The definition with every marker replaced; throws on a marker without a value. */
export function substitute(text: string, substitutions: { [marker: string]: string }): string {
  return text.replace(MARKER, (m) => {
    const value = substitutions[m];
    if (value === undefined) { throw new Error(`No value for ${m} in the substitutions`); }
    // Values land inside JSON strings: escape them as JSON does.
    return JSON.stringify(String(value)).slice(1, -1);
  });
}

/** The resource properties, each a non-empty string (Substitutions a map of strings). */
interface DefinitionProperties {
  readonly SourceBucket: string;
  readonly SourceKey: string;
  readonly TargetBucket: string;
  readonly TargetKey: string;
  readonly Substitutions: { [marker: string]: string };
}

/** The properties of a Create or Update, or what is wrong with them. */
function readProperties(p: any): DefinitionProperties | string {
  if (!p || typeof p !== 'object') { return 'The resource has no properties'; }
  const missing = ['SourceBucket', 'SourceKey', 'TargetBucket', 'TargetKey'].filter((k) => typeof p[k] !== 'string' || p[k].length === 0);
  if (missing.length > 0) { return `The resource properties ${missing.join(', ')} must be non-empty strings`; }
  const subs = p.Substitutions ?? {};
  if (typeof subs !== 'object' || Array.isArray(subs) || Object.values(subs).some((v) => typeof v !== 'string')) {
    return 'The resource property Substitutions must be a map of markers to strings';
  }
  return { SourceBucket: p.SourceBucket, SourceKey: p.SourceKey, TargetBucket: p.TargetBucket, TargetKey: p.TargetKey, Substitutions: subs };
}

/**
 * The object a physical id names, when this handler wrote it: `<bucket>/<key>` with an S3 bucket
 * name. The id of a failed Create (`failed:<request id>`) names none, so the Delete that follows
 * a failed Create removes nothing (the target key may hold a copy another deployment wrote).
 */
function writtenObject(physicalResourceId: string | undefined): { bucket: string; key: string } | undefined {
  const m = /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(physicalResourceId ?? '');
  return m ? { bucket: m[1], key: m[2] } : undefined;
}

/** Work out the response to one event (S3 calls only). */
export async function respondTo(event: CloudFormationCustomResourceEvent, log: Logger): Promise<CustomResourceResponse> {
  const base = {
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  if (event.RequestType === 'Delete') {
    const written = writtenObject(event.PhysicalResourceId);
    if (!written) {
      log.info('nothing to delete', { physicalResourceId: event.PhysicalResourceId });
      return { ...base, PhysicalResourceId: event.PhysicalResourceId, Status: 'SUCCESS' };
    }
    try {
      await s3.send(new DeleteObjectCommand({ Bucket: written.bucket, Key: written.key }));
    } catch (e: any) {
      // The bucket is versioned and retained: a copy left behind harms nothing.
      log.warn('delete failed', { ...written, error: e });
    }
    return { ...base, PhysicalResourceId: event.PhysicalResourceId, Status: 'SUCCESS' };
  }
  // A failed Create names no object; a failed Update keeps the definition CloudFormation has.
  const failedId = event.RequestType === 'Update' ? event.PhysicalResourceId : `failed:${event.RequestId}`;
  let target = 'the artifact bucket';
  try {
    const p = readProperties(event.ResourceProperties);
    if (typeof p === 'string') {
      log.error('bad properties', { problem: p });
      return { ...base, PhysicalResourceId: failedId, Status: 'FAILED', Reason: `${p}; nothing was written` };
    }
    target = `s3://${p.TargetBucket}/${p.TargetKey}`;
    const source = await s3.send(new GetObjectCommand({ Bucket: p.SourceBucket, Key: p.SourceKey }));
    if (!source.Body) { throw new Error(`s3://${p.SourceBucket}/${p.SourceKey} has no body`); }
    const text = await source.Body.transformToString('utf-8');
    const body = substitute(text, p.Substitutions);
    JSON.parse(body); // never hand SageMaker a broken definition
    const put = await s3.send(new PutObjectCommand({
      Bucket: p.TargetBucket, Key: p.TargetKey, Body: body, ContentType: 'application/json',
    }));
    log.info('definition written', { target, bytes: Buffer.byteLength(body), versionId: put.VersionId });
    return {
      ...base,
      PhysicalResourceId: `${p.TargetBucket}/${p.TargetKey}`,
      Status: 'SUCCESS',
      Data: { Bucket: p.TargetBucket, Key: p.TargetKey, VersionId: put.VersionId ?? '', ETag: (put.ETag ?? '').replace(/"/g, '') },
    };
  } catch (e: any) {
    log.error('copy failed', { target, error: e });
    return {
      ...base,
      PhysicalResourceId: failedId,
      Status: 'FAILED',
      Reason: `Writing the pipeline definition to ${target} failed: ${e?.name ?? 'Error'}: ${e?.message ?? e}`.slice(0, 1000),
    };
  }
}

export const handler = customResourceHandler('pipeline-definition', respondTo);
