import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { acknowledgeWildcardResources } from '../../private/nag';

/** What the offline store role needs: write under a prefix, keep Glue tables current, encrypt. */
export interface OfflineAccess {
  readonly bucket: s3.IBucket;
  /** Key prefix without trailing slash. */
  readonly prefix: string;
  /** Glue catalog, database and table (or tables) ARNs. */
  readonly glueArns: string[];
  readonly keys: kms.IKey[];
  /**
   * Whether the statements carry Sids. Only for a role the caller owns: Sids must be unique in a
   * policy, and several groups may add statements to one shared role.
   */
  readonly sids: boolean;
}

/**
 * The statements of AmazonSageMakerFeatureStoreAccess, scoped to one prefix, one database and
 * the store's keys (SageMaker writes objects and reads its manifests; Iceberg commits update
 * the Glue table).
 */
export function offlineStoreStatements(access: OfflineAccess): iam.PolicyStatement[] {
  const sid = (name: string): string | undefined => access.sids ? name : undefined;
  const statements = [
    new iam.PolicyStatement({
      sid: sid('WriteOfflineStore'),
      actions: ['s3:PutObject', 's3:PutObjectAcl', 's3:GetObject'],
      resources: [access.bucket.arnForObjects(`${access.prefix}/*`)],
    }),
    new iam.PolicyStatement({ sid: sid('CheckBucketOwnership'), actions: ['s3:GetBucketAcl'], resources: [access.bucket.bucketArn] }),
    new iam.PolicyStatement({ sid: sid('KeepGlueTableCurrent'), actions: ['glue:GetTable', 'glue:UpdateTable'], resources: access.glueArns }),
  ];
  const keys = [...new Set(access.keys)];
  if (keys.length > 0) {
    statements.push(new iam.PolicyStatement({
      sid: sid('EncryptOfflineStore'),
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: keys.map((k) => k.keyArn),
    }));
  }
  return statements;
}

/**
 * Give `role` the statements (a ManagedPolicyRole keeps them in customer managed policies) and
 * acknowledge their wildcard resources on that role only.
 */
export function attachToRole(role: iam.IRole, statements: iam.PolicyStatement[], wildcardReason: string): void {
  for (const s of statements) { role.addToPrincipalPolicy(s); }
  if (role instanceof iam.Role) {
    acknowledgeWildcards(role, statements, wildcardReason);
  }
}

/** Acknowledge exactly the AwsSolutions-IAM5 findings of the wildcard resources in `statements`, on `policy` only. */
export function acknowledgeWildcards(policy: IConstruct, statements: iam.PolicyStatement[], reason: string): void {
  acknowledgeWildcardResources(policy, statements, reason);
}
