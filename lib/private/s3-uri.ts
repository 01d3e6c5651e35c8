import { Construct } from 'constructs';
import { check } from './errors';

/** `s3://bucket/key` split into its parts; a clear error otherwise. */
export function parseS3Uri(scope: Construct | string, prop: string, uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*)$/.exec(uri);
  if (!m) {
    check(false, scope, prop, uri, 'It must be an S3 URI such as "s3://my-bucket/path/to/object"');
  }
  return { bucket: m![1], key: m![2] };
}
