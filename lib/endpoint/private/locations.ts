import { Token } from 'aws-cdk-lib';
import { check, Where } from '../../private/errors';

/*
 * The rules on the S3 locations the endpoint's props name: S3 URIs of objects (model data,
 * baseline files) and key prefixes in a bucket (capture, asynchronous results, ground truth, model
 * artifacts, baselines). Each problem gets its own message, so an S3 URI whose bucket name breaks
 * the bucket naming rule is not reported as "not an S3 URI".
 */

/** S3 bucket names: 3 to 63 lower-case letters, digits, dots and dashes, starting and ending with a letter or digit. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The rule a literal key prefix breaks, or undefined when it is a good one. */
export function keyPrefixProblem(prefix: string): string | undefined {
  if (prefix.length === 0) {
    return 'It is empty: give a key prefix such as "data-capture/churn", or leave the prop out for the default';
  }
  if (/^s3:\/\//i.test(prefix)) {
    return 'It must be a key prefix in the bucket, not an S3 URI: the bucket is given on its own (`artifactBucket`, or the bucket prop ' +
      'beside this one), so write only the part after "s3://<bucket>/"';
  }
  if (prefix.startsWith('/')) {
    return 'It must be a key prefix in the bucket without a leading slash (S3 keys do not start with one)';
  }
  if (/[*?]/.test(prefix)) {
    return 'It must be a key prefix in the bucket without `*` or `?`: IAM reads them as wildcards in the role\'s grants on `<prefix>/*`, ' +
      'which would widen them to other prefixes';
  }
  return undefined;
}

/** The rule a literal object key breaks, or undefined when it is a good one. */
export function objectKeyProblem(key: string): string | undefined {
  if (key.length === 0) { return 'It is empty: give the object key, such as "models/churn/model.tar.gz"'; }
  if (/^s3:\/\//i.test(key)) { return 'It must be an object key in the bucket, not an S3 URI (ModelData.fromS3Uri takes a URI)'; }
  if (key.startsWith('/')) { return 'It must be an object key without a leading slash (S3 keys do not start with one)'; }
  if (/[*?]/.test(key)) { return 'It must be an object key without `*` or `?`: IAM reads them as wildcards in the role\'s grant'; }
  return undefined;
}

/** Check a key prefix prop (tokens are not checked) and return it without trailing slashes. */
export function checkKeyPrefix(scope: Where, prop: string, prefix: string): string {
  if (!Token.isUnresolved(prefix)) {
    const problem = typeof prefix === 'string' ? keyPrefixProblem(prefix) : 'It must be a string: a key prefix in the bucket';
    check(problem === undefined, scope, prop, prefix, problem ?? '');
  }
  return prefix.replace(/\/+$/, '');
}

/** A literal `s3://bucket/key` URI of an object split into its parts, with a message that names the problem otherwise. */
export function parseObjectUri(scope: Where, prop: string, uri: string): { bucket: string; key: string } {
  check(typeof uri === 'string', scope, prop, uri, 'It must be the S3 URI of an object, "s3://<bucket>/<key>"');
  check(uri.length > 0, scope, prop, uri, 'It is empty: give the S3 URI of the object, "s3://<bucket>/<key>"');
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(uri);
  check(m !== null, scope, prop, uri, 'It must be an S3 URI such as "s3://my-bucket/path/to/object"');
  const [, bucket, key] = m!;
  check(BUCKET_NAME.test(bucket), scope, prop, uri, `The bucket name ${JSON.stringify(bucket)} breaks the S3 bucket naming rule: ` +
    '3 to 63 lower-case letters, digits, dots and dashes, starting and ending with a letter or digit');
  check(key !== undefined && key.length > 0, scope, prop, uri, 'It must name an object after the bucket: "s3://<bucket>/<key>"');
  return { bucket, key };
}
