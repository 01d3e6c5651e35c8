import { Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FoundationOptions } from '../../core/foundation';
import { ManagedPolicyRole } from '../../core/managed-policy-role';
import { StorageLayout } from '../../core/storage-layout';
import { resolveBucket } from '../../private/resources';
import { IFeatureStore } from '../interfaces';
import { OfflineStoreOptions, OfflineStoreTableFormat } from '../offline-store';
import { attachToRole, offlineStoreStatements } from './offline-role';
import { adoptCreated } from './own-resources';
import { glueName, prefixSegment, retained } from './rules';

/** The OfflineStoreConfig of a group, as CloudFormation receives it (the lock records it as rendered). */
export interface OfflineStoreConfig {
  readonly S3StorageConfig: { readonly S3Uri: string; readonly KmsKeyId: string };
  readonly DisableGlueTableCreation: false;
  readonly DataCatalogConfig: { readonly Catalog: string; readonly Database: string; readonly TableName?: string };
  readonly TableFormat: string;
}

/** What the offline store of a group is made from. */
export interface OfflineStoreInput {
  /** The group's construct id (its default prefix segment and Glue database name). */
  readonly id: string;
  readonly options: OfflineStoreOptions;
  /** The group's key and bucket options (see `storageOptions`). */
  readonly storage: FoundationOptions;
  readonly layout: StorageLayout;
  readonly store?: IFeatureStore;
  /** The group's key: the objects' key unless `options.encryptionKey` names another. */
  readonly groupKey: kms.IKey;
  readonly removalPolicy?: RemovalPolicy;
  /** The group's physical name once final (at synth): the default table name follows it. */
  readonly physicalName: () => string;
}

/**
 * The offline store of one group, created in the group's scope: the bucket (the given one, the
 * store's, the foundation's or a new one), the prefix, the Glue database and table, the role
 * SageMaker writes with, and the role's statements.
 */
export class OfflineStore {
  public readonly key: kms.IKey;
  public readonly bucket: s3.IBucket;
  /** Key prefix without a trailing slash. */
  public readonly prefix: string;
  public readonly s3Uri: string;
  public readonly glueDatabaseName: string;
  public readonly glueTableName: string;
  public readonly role: iam.IRole;
  public readonly config: OfflineStoreConfig;

  private readonly ownRole: boolean;

  constructor(private readonly scope: Construct, private readonly input: OfflineStoreInput) {
    const { id, options, store } = input;
    const stack = Stack.of(scope);
    this.key = options.encryptionKey ?? input.groupKey;
    this.bucket = resolveBucket(scope, 'OfflineStore', this.key, input.storage);
    adoptCreated(scope, 'OfflineStore', { removalPolicy: input.removalPolicy });
    this.prefix = (options.prefix ?? `${store ? store.offlineStorePrefix : input.layout.featureStore}/${prefixSegment(id)}`)
      .replace(/\/+$/, '');
    this.s3Uri = `s3://${this.bucket.bucketName}/${this.prefix}`;
    this.glueDatabaseName = options.glueDatabaseName ?? store?.glueDatabaseName ?? retained(new glue.CfnDatabase(scope, 'GlueDatabase', {
      catalogId: stack.account,
      databaseInput: {
        name: glueName(`${Token.isUnresolved(stack.stackName) ? 'stack' : stack.stackName}-${id}-features`, 255),
        description: `Offline store of the SageMaker feature group ${scope.node.path}`,
      },
    }), input.removalPolicy).ref;
    this.glueTableName = options.glueTableName ?? Lazy.string({ produce: () => glueName(input.physicalName(), 255) });
    this.ownRole = options.role === undefined && store === undefined;
    // The trust names the principal only: AWS documents no aws:SourceArn form for Feature Store
    // (see the FeatureStore's role).
    this.role = options.role ?? store?.offlineStoreRole ?? new ManagedPolicyRole(scope, 'OfflineStoreRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `SageMaker Feature Store writes the offline store of ${scope.node.path}`,
    });
    this.config = {
      S3StorageConfig: { S3Uri: this.s3Uri, KmsKeyId: this.key.keyArn },
      DisableGlueTableCreation: false,
      DataCatalogConfig: { Catalog: 'AwsDataCatalog', Database: this.glueDatabaseName, TableName: this.glueTableName },
      TableFormat: options.tableFormat ?? OfflineStoreTableFormat.ICEBERG,
    };
  }

  /** The configuration as the lock compares it: a derived table name follows the group name, which is compared on its own. */
  public get replacingConfig(): OfflineStoreConfig {
    if (this.input.options.glueTableName !== undefined) { return this.config; }
    return { ...this.config, DataCatalogConfig: { ...this.config.DataCatalogConfig, TableName: undefined } };
  }

  /** The configuration the derived name stands for: only a given table name (a derived one follows the name). */
  public get nameConfig(): OfflineStoreConfig {
    return { ...this.config, DataCatalogConfig: { ...this.config.DataCatalogConfig, TableName: this.input.options.glueTableName } };
  }

  /** The keys objects of the store are encrypted with: the store's key and the bucket's. */
  public get keys(): kms.IKey[] {
    return [this.key, ...(this.bucket.encryptionKey ? [this.bucket.encryptionKey] : [])];
  }

  /** The Glue catalog, database and table ARNs of the store. */
  public glueArns(): string[] {
    const stack = Stack.of(this.scope);
    return [
      stack.formatArn({ service: 'glue', resource: 'catalog' }),
      stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.glueDatabaseName }),
      stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.glueDatabaseName}/${this.glueTableName}` }),
    ];
  }

  /**
   * The role writes objects under the prefix and keeps the Glue table current. A feature store's
   * role already holds that for its whole prefix and database (see IFeatureStore): a group within
   * them adds nothing.
   *
   * Called once the group is complete: a ManagedPolicyRole resolves each statement to size its
   * policies, and so fixes the derived table name (a cached lazy value) at this point.
   */
  public grantRole(): void {
    if (this.coveredByStore()) { return; }
    const statements = offlineStoreStatements({
      bucket: this.bucket, prefix: this.prefix, glueArns: this.glueArns(), keys: this.keys, sids: this.ownRole,
    });
    attachToRole(this.role, statements,
      `SageMaker Feature Store writes objects under keys it generates (account, region, group name, time) below the offline ` +
      `store prefix "${this.prefix}/" of this group only.`);
  }

  private coveredByStore(): boolean {
    const store = this.input.store;
    if (!store) { return false; }
    const storeKeys = [store.encryptionKey, store.artifactBucket.encryptionKey];
    return this.role === store.offlineStoreRole && this.bucket === store.artifactBucket
      && this.glueDatabaseName === store.glueDatabaseName
      && (this.prefix === store.offlineStorePrefix || this.prefix.startsWith(`${store.offlineStorePrefix}/`))
      && this.keys.every((k) => storeKeys.includes(k));
  }
}
