import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from './nag';

/**
 * Explicit, narrow grants. aws-cdk-lib's `grantRead`/`grantPut` use wildcard actions
 * (`s3:GetObject*`, `s3:List*`, `kms:GenerateDataKey*`); these name each action, and acknowledge
 * the AwsSolutions-IAM5 finding of each wildcard resource (an object prefix) with its reason.
 */

/** Add `statement` to the grantee's policy and acknowledge its wildcard resources with `reason`. */
export function grantStatement(grantee: iam.IGrantable, statement: iam.PolicyStatement, reason: string): void {
  iam.Grant.addToPrincipal({
    grantee,
    actions: statement.actions,
    resourceArns: statement.resources,
    conditions: statement.conditions,
  });
  acknowledgeWildcards(grantee.grantPrincipal, statement, reason);
}

/** s3:GetObject on `bucket/<pattern>`, and decryption with the bucket key. */
export function grantReadObjects(grantee: iam.IGrantable, bucket: s3.IBucket, pattern: string, reason: string): void {
  grantStatement(grantee, new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects(pattern)] }), reason);
  if (bucket.encryptionKey) { grantKey(grantee, bucket.encryptionKey, ['kms:Decrypt']); }
}

/** s3:PutObject on `bucket/<pattern>`, and encryption with the bucket key. */
export function grantWriteObjects(grantee: iam.IGrantable, bucket: s3.IBucket, pattern: string, reason: string): void {
  grantStatement(grantee, new iam.PolicyStatement({
    actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
    resources: [bucket.arnForObjects(pattern)],
  }), reason);
  if (bucket.encryptionKey) { grantKey(grantee, bucket.encryptionKey, ['kms:GenerateDataKey', 'kms:Decrypt']); }
}

/** s3:ListBucket limited to a prefix. */
export function grantListPrefix(grantee: iam.IGrantable, bucket: s3.IBucket, prefix: string): void {
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:ListBucket'],
    resourceArns: [bucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': [prefix, `${prefix}/*`] } },
  });
}

/** Named KMS actions on one key. */
export function grantKey(grantee: iam.IGrantable, key: kms.IKey, actions: string[]): void {
  iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [key.keyArn] });
}

/**
 * Acknowledge the AwsSolutions-IAM5 findings of the wildcard resources of `statement` on
 * `principal` (a role of this stack; its policies are children).
 */
export function acknowledgeWildcards(principal: unknown, statement: iam.PolicyStatement, reason: string): void {
  if (!Construct.isConstruct(principal)) { return; }
  acknowledgeWildcardResources(principal, [statement], reason);
}

/** ECR pull rights on one repository; `ecr:GetAuthorizationToken` has no resource-level permissions. */
export function grantPull(grantee: iam.IGrantable, repository: { grantPull(g: iam.IGrantable): iam.Grant }): void {
  repository.grantPull(grantee);
  acknowledgeWildcards(grantee.grantPrincipal, new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    'ecr:GetAuthorizationToken supports no resource-level permissions (it returns a registry login token); image pulls are limited to the named repositories.');
}

/** ECR pull rights on one repository by ARN (the same actions as `IRepository.grantPull`). */
export function grantPullFromRepository(grantee: iam.IGrantable, repositoryArn: string): void {
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
    resourceArns: [repositoryArn],
  });
  grantStatement(grantee, new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    'ecr:GetAuthorizationToken supports no resource-level permissions (it returns a registry login token); image pulls are limited to the named repositories.');
}
