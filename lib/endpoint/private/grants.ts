import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';

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
 * `principal` (a role of this stack; its policies are children). The finding ids name resources
 * the way cdk-nag renders them (`<Logical.Arn>/prefix/*`), known only once logical ids are final,
 * so the acknowledgment is recorded at synth.
 */
export function acknowledgeWildcards(principal: unknown, statement: iam.PolicyStatement, reason: string): void {
  if (!Construct.isConstruct(principal)) { return; }
  const target: IConstruct = principal;
  target.node.addValidation({
    validate: () => {
      const stack = Stack.of(target);
      const json = stack.resolve(statement.toStatementJson());
      const ids = new Set<string>();
      for (const r of asArray(json.Resource)) {
        const rendered = renderForNag(r);
        if (rendered.includes('*')) { ids.add(`AwsSolutions-IAM5[Resource::${rendered}]`); }
      }
      if (ids.size > 0) {
        Validations.of(target).acknowledge(...[...ids].map((id) => ({ id, reason })));
      }
      return [];
    },
  });
}

function asArray(v: unknown): unknown[] {
  if (v === undefined) { return []; }
  return Array.isArray(v) ? v : [v];
}

/** Render a resolved CloudFormation value the way cdk-nag names it in finding ids. */
export function renderForNag(v: unknown): string {
  if (typeof v === 'string') { return v; }
  if (v && typeof v === 'object') {
    const o = v as any;
    if (typeof o.Ref === 'string') { return `<${o.Ref}>`; }
    if (Array.isArray(o['Fn::GetAtt'])) { return `<${o['Fn::GetAtt'].join('.')}>`; }
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, parts] = o['Fn::Join'];
      return (parts as unknown[]).map(renderForNag).join(sep);
    }
  }
  return JSON.stringify(v);
}

/** ECR pull rights on one repository; `ecr:GetAuthorizationToken` has no resource-level permissions. */
export function grantPull(grantee: iam.IGrantable, repository: { grantPull(g: iam.IGrantable): iam.Grant }): void {
  repository.grantPull(grantee);
  acknowledgeWildcards(grantee.grantPrincipal, new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
    'ecr:GetAuthorizationToken supports no resource-level permissions (it returns a registry login token); image pulls are limited to the named repositories.');
}
