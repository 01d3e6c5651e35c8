import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FeatureGroup } from './feature-group';
import { FeatureGroupProps } from './feature-group-props';
import { IFeatureStore } from './interfaces';
import { attachToRole, offlineStoreStatements } from './private/offline-role';
import { adoptCreated } from './private/own-resources';
import { checkPrefix, glueName, GLUE_NAME_PATTERN, retained } from './private/rules';
import { SchemaLockOptions } from './schema-lock';
import { FoundationOptions } from '../core/foundation';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { checkTags } from '../model-registry/private/tag-rules';
import { check, childPath } from '../private/errors';
import { resolveBucket, resolveKey, resolveLayout } from '../private/resources';

/**
 * Props of a {@link FeatureStore}.
 *
 * Storage (`foundation`, `encryptionKey`, `artifactBucket`): the key encrypts every group's
 * online and offline store (unless a group names its own), and the offline stores lie in the
 * bucket. Precedence: an explicit prop, then the `foundation`, then a new `ProjectKey` and
 * `ArtifactBucket` of the store's own.
 *
 * @example
 * import { FeatureStore, MlopsFoundation } from 'cdk-sagemaker-mlops';
 *
 * // Name the Glue database and the prefix of the offline stores in the artifact bucket.
 * const foundation = new MlopsFoundation(this, 'Foundation');
 * new FeatureStore(this, 'Features', {
 *   foundation,
 *   glueDatabaseName: 'churn_features',
 *   offlineStorePrefix: 'features/churn',
 * });
 */
export interface FeatureStoreProps extends FoundationOptions {
  /**
   * The key prefix of the offline stores in the bucket; each group writes below
   * `<prefix>/<group id, lowercase>`. A plain S3 key prefix (no `*` or `?`).
   *
   * @default - the `featureStore` prefix of the foundation's StorageLayout ("feature-store")
   */
  readonly offlineStorePrefix?: string;

  /**
   * The role SageMaker assumes to write the offline stores (trusting `sagemaker.amazonaws.com`).
   * When it is a role of this app, the store grants it access to the prefix, the Glue database
   * and the keys.
   *
   * @default - a new role with exactly that access, in customer managed policies
   */
  readonly offlineStoreRole?: iam.IRole;

  /**
   * An existing Glue database (in this account's Data Catalog) for the offline store tables.
   *
   * @default - a new Glue database
   */
  readonly glueDatabaseName?: string;

  /**
   * Where the schema lock file is and how it is used, for every group of the store.
   *
   * @default - see `SchemaLockOptions`
   */
  readonly schemaLock?: SchemaLockOptions;

  /**
   * What happens to the groups, the key, the bucket and the Glue database this construct creates
   * when they leave the stack. A group may set its own.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The feature store of a project: feature groups that share a key, an offline store bucket
 * prefix, a Glue database and the role SageMaker uses to write the offline stores.
 *
 * The store grants its role, once for all its groups, write access to its whole prefix, its
 * database's tables and its keys; each group added with `addFeatureGroup` is linked to the store
 * (its `featureStore`) and adds statements only for what it keeps outside them.
 *
 * ## Glue Data Catalog encryption
 *
 * The offline store's data (the Parquet or Iceberg files in S3) is encrypted with the store's key.
 * The Glue database and tables that catalogue it (names, columns, S3 locations; no records) are
 * metadata of the account's Data Catalog, whose encryption is a setting of the whole catalog of an
 * account and region, not of a database: `AWS::Glue::DataCatalogEncryptionSettings` takes only a
 * `CatalogId` (the account ID) and applies to every database and table of that catalog, created
 * from then on ("Encrypting your Data Catalog",
 * https://docs.aws.amazon.com/glue/latest/dg/encrypt-glue-data-catalog.html). This construct
 * therefore neither sets nor changes it: turning it on from one stack would change what every other
 * workload of the account needs (each Data Catalog client, such as Athena, Glue jobs, EMR or Lake
 * Formation users, must be allowed to use the catalog key), and a second stack doing the same would
 * fight over the one setting. Turn it on once per account and region, where the account's baseline
 * is managed; the offline store role and the principals given `grantOfflineQuery` then also need
 * `kms:Decrypt` (and, for the role, which updates Iceberg tables, `kms:GenerateDataKey`) on that
 * catalog key, added to them by whoever owns it.
 *
 * @example
 * import { Duration } from 'aws-cdk-lib';
 * import { FeatureStore, FeatureType, MlopsFoundation } from 'cdk-sagemaker-mlops';
 *
 * const foundation = new MlopsFoundation(this, 'Foundation');
 * const store = new FeatureStore(this, 'Features', { foundation });
 * store.addFeatureGroup('Orders', {
 *   features: [
 *     { name: 'order_id', type: FeatureType.STRING },
 *     { name: 'event_time', type: FeatureType.FRACTIONAL }, // Unix epoch seconds
 *     { name: 'amount', type: FeatureType.FRACTIONAL },
 *   ],
 *   recordIdentifierFeatureName: 'order_id',
 *   eventTimeFeatureName: 'event_time',
 *   onlineStore: { ttl: Duration.days(90) },
 * });
 */
export class FeatureStore extends Construct implements IFeatureStore {
  /** The key of the stores. */
  public readonly encryptionKey: kms.IKey;

  /** The bucket of the offline stores. */
  public readonly artifactBucket: s3.IBucket;

  /** The key prefix of the offline stores, without a trailing slash. */
  public readonly offlineStorePrefix: string;

  /** The role SageMaker assumes to write the offline stores. */
  public readonly offlineStoreRole: iam.IRole;

  /** The Glue database of the offline store tables. */
  public readonly glueDatabaseName: string;

  private readonly groups: FeatureGroup[] = [];
  private readonly props: FeatureStoreProps;

  constructor(scope: Construct, id: string, props: FeatureStoreProps = {}) {
    const where = childPath(scope, id);
    if (props.offlineStorePrefix !== undefined) { checkPrefix(where, 'offlineStorePrefix', props.offlineStorePrefix); }
    if (props.glueDatabaseName !== undefined && !Token.isUnresolved(props.glueDatabaseName)) {
      check(GLUE_NAME_PATTERN.test(props.glueDatabaseName), where, 'glueDatabaseName', props.glueDatabaseName,
        'Glue names have 1 to 255 characters: lowercase letters, digits and underscores');
    }
    super(scope, id);
    this.props = props;
    const stack = Stack.of(this);
    this.encryptionKey = resolveKey(this, 'Key', props);
    adoptCreated(this, 'Key', {
      description: `cdk-sagemaker-mlops feature store ${this.node.path}: online and offline stores`,
      removalPolicy: props.removalPolicy,
    });
    this.artifactBucket = resolveBucket(this, 'OfflineStore', this.encryptionKey, props);
    adoptCreated(this, 'OfflineStore', { removalPolicy: props.removalPolicy });
    this.offlineStorePrefix = (props.offlineStorePrefix ?? resolveLayout(props).featureStore).replace(/\/+$/, '');
    this.glueDatabaseName = props.glueDatabaseName ?? retained(new glue.CfnDatabase(this, 'GlueDatabase', {
      catalogId: stack.account,
      databaseInput: {
        name: glueName(`${Token.isUnresolved(stack.stackName) ? 'stack' : stack.stackName}-${id}`, 255),
        description: `Offline stores of the SageMaker feature groups of ${this.node.path}`,
      },
    }), props.removalPolicy).ref;
    // No aws:SourceArn / aws:SourceAccount in the trust: the SageMaker developer guide's
    // confused-deputy page ("Cross-service confused deputy prevention") documents the condition for
    // training, processing, transform, Neo, pipelines, inference, Studio, images, Edge Manager and
    // Marketplace, and not for Feature Store's offline store role; only what AWS documents is added.
    this.offlineStoreRole = props.offlineStoreRole ?? new ManagedPolicyRole(this, 'OfflineStoreRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `SageMaker Feature Store writes the offline stores of ${this.node.path}`,
    });

    // What every group within the store relies on (see IFeatureStore).
    const keys = [this.encryptionKey, ...(this.artifactBucket.encryptionKey ? [this.artifactBucket.encryptionKey] : [])];
    const glueArns = [
      stack.formatArn({ service: 'glue', resource: 'catalog' }),
      stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.glueDatabaseName }),
      stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.glueDatabaseName}/*` }),
    ];
    attachToRole(this.offlineStoreRole,
      offlineStoreStatements({
        bucket: this.artifactBucket, prefix: this.offlineStorePrefix, glueArns, keys,
        sids: props.offlineStoreRole === undefined,
      }),
      `SageMaker Feature Store writes objects under keys it generates (account, region, group name, time) below the store's ` +
      `offline prefix "${this.offlineStorePrefix}/", and creates one table per feature group, named after the group, in the ` +
      'store\'s own Glue database; the wildcards are limited to that prefix and that database.');
    // The groups check their own tags.
    checkTags(this, (c) => c instanceof FeatureGroup);
  }

  /** The feature groups added so far. */
  public get featureGroups(): FeatureGroup[] {
    return [...this.groups];
  }

  /**
   * Add a feature group to the store: it is created in the store, linked to it (`featureStore`),
   * and uses the store's key, bucket, prefix, Glue database, role, schema lock settings and
   * removal policy, unless its props say otherwise.
   *
   * @param id construct id of the group (part of its derived name, its prefix and its lock key: keep it stable)
   * @param props the group
   */
  public addFeatureGroup(id: string, props: FeatureGroupProps): FeatureGroup {
    check(props?.featureStore === undefined || props.featureStore === this, childPath(this, id), 'featureStore', 'another store',
      '`addFeatureGroup` links the group to this store; leave `featureStore` out');
    const group = new FeatureGroup(this, id, {
      ...props,
      featureStore: this,
      schemaLock: props?.schemaLock ?? this.props.schemaLock,
      removalPolicy: props?.removalPolicy ?? this.props.removalPolicy,
    });
    this.groups.push(group);
    return group;
  }
}
