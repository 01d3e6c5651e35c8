import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { OfflineQueryGrantOptions } from '../offline-store';
import { OfflineStore } from './offline-store';
import { acknowledgeWildcards } from './offline-role';
import { checkPrefix } from './rules';

/**
 * Read access to one group's offline store: its Glue catalog, database and table, the objects
 * under its prefix (the only wildcard: SageMaker names the objects; acknowledged on a grantee role
 * of this app for that resource only), a listing limited to the prefix, and decryption.
 * `s3:GetBucketLocation` is added for Athena queries.
 */
export function grantOfflineRead(scope: IConstruct, store: OfflineStore, grantee: iam.IGrantable, bucketLocation: boolean): iam.Grant {
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
    resourceArns: store.glueArns(),
  });
  const objects = store.bucket.arnForObjects(`${store.prefix}/*`);
  grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [objects] }));
  const principal = grantee.grantPrincipal;
  if (principal instanceof iam.Role) {
    acknowledgeWildcards(principal, [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] })],
      `SageMaker names the offline store objects (account, region, group name, time); the read grant is limited to the ` +
      `offline store prefix "${store.prefix}/" of the feature group ${scope.node.path}.`);
  }
  grant.combine(iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:ListBucket'],
    resourceArns: [store.bucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': [store.prefix, `${store.prefix}/*`] } },
  }));
  if (bucketLocation) {
    grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetBucketLocation'], resourceArns: [store.bucket.bucketArn] }));
  }
  grant.combine(store.key.grant(grantee, 'kms:Decrypt'));
  const bucketKey = store.bucket.encryptionKey;
  if (bucketKey && bucketKey !== store.key) {
    grant.combine(bucketKey.grant(grantee, 'kms:Decrypt'));
  }
  return grant;
}

/** Athena queries in one workgroup, the offline store read, and read and write of a query results prefix. */
export function grantOfflineQueryAccess(scope: IConstruct, store: OfflineStore, grantee: iam.IGrantable,
  options: OfflineQueryGrantOptions): iam.Grant {
  if (options.queryResultsBucket) {
    checkPrefix(scope, 'queryResultsPrefix', options.queryResultsPrefix ?? 'athena-results/');
  }
  const stack = Stack.of(scope);
  const workGroup = options.athenaWorkGroup ?? 'primary';
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions: ['athena:StartQueryExecution', 'athena:StopQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:GetWorkGroup'],
    resourceArns: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: workGroup })],
  });
  grant.combine(grantOfflineRead(scope, store, grantee, true));
  if (options.queryResultsBucket) {
    grant.combine(grantQueryResults(grantee, options));
  }
  return grant;
}

function grantQueryResults(grantee: iam.IGrantable, options: OfflineQueryGrantOptions): iam.Grant {
  const results = options.queryResultsBucket!;
  const prefix = options.queryResultsPrefix ?? 'athena-results/';
  const resultObjects = results.arnForObjects(`${prefix}*`);
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
    resourceArns: [resultObjects],
  });
  grant.combine(iam.Grant.addToPrincipal({
    grantee, actions: ['s3:ListBucket'], resourceArns: [results.bucketArn],
    conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
  }));
  grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetBucketLocation'], resourceArns: [results.bucketArn] }));
  if (results.encryptionKey) { grant.combine(results.encryptionKey.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt')); }
  const principal = grantee.grantPrincipal;
  if (principal instanceof iam.Role) {
    acknowledgeWildcards(principal, [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [resultObjects] })],
      `Athena names each query's result objects; the grant is limited to the results prefix "${prefix}".`);
  }
  return grant;
}
