/**
 * The pipeline-definition custom resource of TrainingPipeline.
 *
 * A definition too large to go inline in the template is uploaded as an asset with markers
 * (`<<mlops-token:N>>`) where the template has deploy-time values (role ARNs, bucket names, the
 * region). This handler copies it to the artifact bucket with the markers replaced by the values
 * CloudFormation resolved, and returns where it wrote it, for `PipelineDefinitionS3Location`.
 *
 * Resource properties: SourceBucket, SourceKey (the asset), TargetBucket, TargetKey, Substitutions
 * (marker -> value). Attributes: Bucket, Key, VersionId, ETag. Delete removes the copy it wrote.
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

/** Work out the response to one event (S3 calls only). */
export async function respondTo(event: CloudFormationCustomResourceEvent, log: Logger): Promise<CustomResourceResponse> {
  const p = event.ResourceProperties;
  const base = {
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  if (event.RequestType === 'Delete') {
    const [bucket, ...key] = event.PhysicalResourceId.split('/');
    try {
      if (bucket && key.length > 0) {
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key.join('/') }));
      }
    } catch (e: any) {
      // The bucket is versioned and retained: a copy left behind harms nothing.
      log.warn('delete failed', { bucket, key: key.join('/'), error: e });
    }
    return { ...base, PhysicalResourceId: event.PhysicalResourceId, Status: 'SUCCESS' };
  }
  const target = `${p.TargetBucket}/${p.TargetKey}`;
  try {
    const source = await s3.send(new GetObjectCommand({ Bucket: String(p.SourceBucket), Key: String(p.SourceKey) }));
    const text = await source.Body!.transformToString('utf-8');
    const body = substitute(text, p.Substitutions ?? {});
    JSON.parse(body); // never hand SageMaker a broken definition
    const put = await s3.send(new PutObjectCommand({
      Bucket: String(p.TargetBucket), Key: String(p.TargetKey), Body: body, ContentType: 'application/json',
    }));
    log.info('definition written', { target, bytes: Buffer.byteLength(body), versionId: put.VersionId });
    return {
      ...base,
      PhysicalResourceId: target,
      Status: 'SUCCESS',
      Data: { Bucket: String(p.TargetBucket), Key: String(p.TargetKey), VersionId: put.VersionId ?? '', ETag: (put.ETag ?? '').replace(/"/g, '') },
    };
  } catch (e: any) {
    log.error('copy failed', { target, error: e });
    return {
      ...base,
      PhysicalResourceId: event.RequestType === 'Update' ? event.PhysicalResourceId : target,
      Status: 'FAILED',
      Reason: `Writing the pipeline definition to s3://${target} failed: ${e?.name ?? 'Error'}: ${e?.message ?? e}`.slice(0, 1000),
    };
  }
}

export const handler = customResourceHandler('pipeline-definition', respondTo);
