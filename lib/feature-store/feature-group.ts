import { Annotations, Duration, IResource, Lazy, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as path from 'path';
import { Construct, IConstruct } from 'constructs';
import { STORE_COVERAGE } from './private/managed';
import { acknowledgeWildcards, attachToRole, offlineStoreStatements } from './private/offline-role';
import { diffSchemas, LockEntry, lockSettings, readLock, writeLockEntry } from './private/lock-file';
import {
  checkFeatureName, checkGroupName, checkPrefix, glueName, GLUE_NAME_PATTERN, MAX_FEATURES, retained, ttlDuration,
} from './private/rules';
import { SchemaLockMode, SchemaLockOptions } from './schema-lock';
import { ArtifactBucket } from '../core/artifact-bucket';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { SageMakerName, stableStringify } from '../core/names';
import { ProjectKey } from '../core/project-key';
import { check, checkIntegerRange, formatPropIssue, propError } from '../private/errors';

/**
 * The value type of a feature.
 */
export enum FeatureType {
  /** A string (also used for ISO-8601 event times). */
  STRING = 'String',
  /** A 64-bit integer. */
  INTEGRAL = 'Integral',
  /** A 64-bit floating-point number (also used for event times in Unix epoch seconds). */
  FRACTIONAL = 'Fractional',
}

/**
 * One feature of a feature group.
 *
 * CloudFormation's `AWS::SageMaker::FeatureGroup` accepts only a name and a scalar type per
 * feature: the List, Set and Vector collection types of the SageMaker API cannot be declared in
 * a template, so they are not offered here.
 */
export interface FeatureDefinition {
  /**
   * The feature name: 1 to 64 characters, letters, digits, and hyphens or underscores between
   * them; not `is_deleted`, `write_time` or `api_invocation_time`.
   */
  readonly name: string;

  /**
   * The value type.
   */
  readonly type: FeatureType;
}

/**
 * The storage tier of an online store.
 */
export enum OnlineStoreStorageType {
  /** A managed low-latency store. */
  STANDARD = 'Standard',
  /** A managed in-memory store with lower latency. */
  IN_MEMORY = 'InMemory',
}

/**
 * The table format of an offline store.
 */
export enum OfflineStoreTableFormat {
  /** Apache Iceberg: compaction, time travel and faster queries. */
  ICEBERG = 'Iceberg',
  /** A plain Glue (Hive) table of Parquet files. */
  GLUE = 'Glue',
}

/**
 * How a feature group is billed for reads and writes.
 */
export enum ThroughputMode {
  /** Pay per request; Feature Store scales with the traffic. */
  ON_DEMAND = 'OnDemand',
  /** Pay for reserved read and write capacity; requests above it are throttled. */
  PROVISIONED = 'Provisioned',
}

/**
 * The throughput of a feature group. It can be changed in place (to on-demand at most once a day).
 */
export interface ThroughputOptions {
  /**
   * The throughput mode. `PROVISIONED` is only for offline-only groups or the Standard online tier.
   */
  readonly mode: ThroughputMode;

  /**
   * Reserved read capacity units (provisioned mode with an online store), from 0 to 10,000,000.
   *
   * @default - none
   */
  readonly readCapacityUnits?: number;

  /**
   * Reserved write capacity units (provisioned mode), from 0 to 10,000,000.
   *
   * @default - none
   */
  readonly writeCapacityUnits?: number;
}

/**
 * The online store of a feature group: the latest record per identifier, for low-latency reads.
 */
export interface OnlineStoreOptions {
  /**
   * Whether the group has an online store. Changing it replaces the group.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The key that encrypts the online store. Changing it replaces the group.
   *
   * @default - the group's `encryptionKey`
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long a record lives after its event time before SageMaker deletes it from the online
   * store (hard delete). A whole number of seconds; rendered in the largest exact unit.
   * Can be changed in place.
   *
   * @default - records do not expire
   */
  readonly ttl?: Duration;

  /**
   * The storage tier. Changing it replaces the group.
   *
   * @default OnlineStoreStorageType.STANDARD
   */
  readonly storageType?: OnlineStoreStorageType;
}

/**
 * The offline store of a feature group: every record ever written, in S3, catalogued in Glue
 * for Athena. Changing any of these options replaces the group.
 */
export interface OfflineStoreOptions {
  /**
   * Whether the group has an offline store.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The bucket that holds the offline store.
   *
   * @default - a new `ArtifactBucket` (SSE-KMS with the group's key, TLS only, access logs, retained)
   */
  readonly bucket?: s3.IBucket;

  /**
   * The key prefix in the bucket. SageMaker writes below it
   * (`<prefix>/<account>/sagemaker/<region>/offline-store/<group>-<time>/...`).
   *
   * @default "feature-store/<construct id, lowercase>"
   */
  readonly prefix?: string;

  /**
   * The key that encrypts the objects SageMaker writes.
   *
   * @default - the group's `encryptionKey`
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The table format.
   *
   * @default OfflineStoreTableFormat.ICEBERG
   */
  readonly tableFormat?: OfflineStoreTableFormat;

  /**
   * An existing Glue database (in this account's Data Catalog) that receives the table.
   *
   * @default - a new Glue database
   */
  readonly glueDatabaseName?: string;

  /**
   * The name of the Glue table SageMaker creates.
   *
   * @default - the feature group name in lowercase with underscores
   */
  readonly glueTableName?: string;

  /**
   * The role SageMaker assumes to write the offline store (trusting `sagemaker.amazonaws.com`).
   * When it is a role of this app, the group grants it what it needs.
   *
   * @default - a new role with access to exactly this group's prefix, table and key
   */
  readonly role?: iam.IRole;
}

/**
 * Props of a {@link FeatureGroup}.
 */
export interface FeatureGroupProps {
  /**
   * The features, at most 2,500, including the record identifier and the event time. Features
   * can be added later; removing, renaming or re-typing one replaces the group (see `allowReplacement`).
   */
  readonly features: FeatureDefinition[];

  /**
   * The feature whose value identifies a record: a `String` or `Integral` feature.
   */
  readonly recordIdentifierFeatureName: string;

  /**
   * The feature that holds the event time of a record: a `String` (ISO-8601) or `Fractional`
   * (Unix epoch seconds) feature.
   */
  readonly eventTimeFeatureName: string;

  /**
   * A description of the group, at most 128 characters. Changing it replaces the group.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * A physical name: 1 to 64 letters, digits and hyphens. Changing it replaces the group.
   *
   * @default - derived from the stack name, the construct id and a hash of the properties that
   *   cannot change in place (lowercase, stable while those stay the same)
   */
  readonly featureGroupName?: string;

  /**
   * A number to raise when a schema change SageMaker cannot make in place (removing, renaming or
   * re-typing a feature) is wanted: it is part of the derived name, so the new group gets a new
   * name. Only for derived names.
   *
   * @default 1
   */
  readonly schemaVersion?: number;

  /**
   * The key that encrypts the online and offline stores unless they name their own.
   *
   * @default - a new `ProjectKey`
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The online store.
   *
   * @default - an online store (Standard tier, encrypted with `encryptionKey`, no TTL)
   */
  readonly onlineStore?: OnlineStoreOptions;

  /**
   * The offline store.
   *
   * @default - an offline store (Iceberg, new artifact bucket, new Glue database, new role)
   */
  readonly offlineStore?: OfflineStoreOptions;

  /**
   * The throughput mode and capacity.
   *
   * @default - not set: SageMaker's default, on demand
   */
  readonly throughput?: ThroughputOptions;

  /**
   * Allow a change that replaces the group: CloudFormation creates a new, empty group and the
   * old one (with its data) is retained or deleted according to `removalPolicy`. Set it for the
   * one deployment that makes the change, then remove it.
   *
   * @default false
   */
  readonly allowReplacement?: boolean;

  /**
   * Where the schema lock file is and how it is used.
   *
   * @default - see `SchemaLockOptions`
   */
  readonly schemaLock?: SchemaLockOptions;

  /**
   * What happens to the group (and its online store data) when it leaves the stack or is replaced.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Options of {@link FeatureGroup.grantOfflineQuery}.
 */
export interface OfflineQueryGrantOptions {
  /**
   * The Athena workgroup the grantee queries in.
   *
   * @default "primary"
   */
  readonly athenaWorkGroup?: string;

  /**
   * A bucket for Athena query results; the grantee gets read and write access to
   * `queryResultsPrefix` in it (and use of its key).
   *
   * @default - none: the workgroup's result location must already be writable by the grantee
   */
  readonly queryResultsBucket?: s3.IBucket;

  /**
   * The key prefix of query results in `queryResultsBucket`.
   *
   * @default "athena-results/"
   */
  readonly queryResultsPrefix?: string;
}

/**
 * A SageMaker Feature Store feature group.
 */
export interface IFeatureGroup extends IResource {
  /**
   * The name of the group.
   *
   * @attribute
   */
  readonly featureGroupName: string;

  /**
   * The ARN of the group.
   *
   * @attribute
   */
  readonly featureGroupArn: string;

  /**
   * Let `grantee` read records from the online store (`GetRecord`, `BatchGetRecord`).
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;

  /**
   * Let `grantee` write and delete records (`PutRecord`, `DeleteRecord`).
   */
  grantWrite(grantee: iam.IGrantable): iam.Grant;
}

/**
 * A SageMaker Feature Store feature group (`AWS::SageMaker::FeatureGroup`) with typed features,
 * an encrypted online store and an offline store in S3 catalogued in Glue (Iceberg), retained
 * when it leaves the stack.
 *
 * Changes that would replace the group and lose its data (removing, renaming or re-typing a
 * feature, a new record identifier or event time, any property CloudFormation cannot update in
 * place) are refused at synth time by comparing the group with the committed schema lock file,
 * unless `allowReplacement` is set.
 */
export class FeatureGroup extends Resource implements IFeatureGroup {
  /**
   * Import an existing feature group by name (in the stack's account and region).
   */
  public static fromFeatureGroupName(scope: Construct, id: string, featureGroupName: string): IFeatureGroup {
    checkGroupName(`${scope.node.path}/${id}`, 'featureGroupName', featureGroupName);
    class Import extends Resource implements IFeatureGroup {
      public readonly featureGroupName = featureGroupName;
      public readonly featureGroupArn = featureGroupArnOf(this, featureGroupName);
      public grantRead(grantee: iam.IGrantable): iam.Grant {
        return iam.Grant.addToPrincipal({ grantee, actions: READ_ACTIONS, resourceArns: arnVariants(this, featureGroupName) });
      }
      public grantWrite(grantee: iam.IGrantable): iam.Grant {
        return iam.Grant.addToPrincipal({ grantee, actions: WRITE_ACTIONS, resourceArns: arnVariants(this, featureGroupName) });
      }
    }
    return new Import(scope, id);
  }

  /** The name of the group (a reference to the deployed group). */
  public readonly featureGroupName: string;

  /** The ARN of the group. */
  public readonly featureGroupArn: string;

  /** The feature that identifies a record. */
  public readonly recordIdentifierFeatureName: string;

  /** The feature that holds the event time. */
  public readonly eventTimeFeatureName: string;

  /** The features, in definition order. */
  public readonly features: FeatureDefinition[];

  /** The key that encrypts the stores unless they name their own. */
  public readonly encryptionKey: kms.IKey;

  /** Whether the group has an online store. */
  public readonly onlineStoreEnabled: boolean;

  /** Whether the group has an offline store. */
  public readonly offlineStoreEnabled: boolean;

  /** The offline store bucket (undefined without an offline store). */
  public readonly offlineStoreBucket?: s3.IBucket;

  /** The offline store key prefix, without a trailing slash (undefined without an offline store). */
  public readonly offlineStorePrefix?: string;

  /** The `s3://` URI of the offline store (undefined without an offline store). */
  public readonly offlineStoreS3Uri?: string;

  /** The role SageMaker assumes to write the offline store (undefined without an offline store). */
  public readonly offlineStoreRole?: iam.IRole;

  /** The Glue database of the offline store table (undefined without an offline store). */
  public readonly glueDatabaseName?: string;

  /** The Glue table of the offline store (undefined without an offline store). */
  public readonly glueTableName?: string;

  /** The underlying CloudFormation resource. */
  public readonly cfnFeatureGroup: sagemaker.CfnFeatureGroup;

  private readonly onlineKey?: kms.IKey;
  private readonly offlineKey?: kms.IKey;
  /** The name as a plain string or lazy token (no reference to the resource: usable in its own role's policy). */
  private readonly physicalNameValue: string;
  private readonly givenName?: string;

  constructor(scope: Construct, id: string, props: FeatureGroupProps) {
    super(scope, id);
    const online = props.onlineStore ?? {};
    const offline = props.offlineStore ?? {};
    this.onlineStoreEnabled = online.enabled ?? true;
    this.offlineStoreEnabled = offline.enabled ?? true;
    this.validateProps(props);

    this.features = [...props.features];
    this.recordIdentifierFeatureName = props.recordIdentifierFeatureName;
    this.eventTimeFeatureName = props.eventTimeFeatureName;
    this.givenName = props.featureGroupName;
    this.encryptionKey = props.encryptionKey ?? new ProjectKey(this, 'Key', {
      description: `cdk-sagemaker-mlops feature group ${this.node.path}: online and offline store`,
      removalPolicy: props.removalPolicy,
    });

    const stack = Stack.of(this);
    let onlineConfig: any;
    if (this.onlineStoreEnabled) {
      this.onlineKey = online.encryptionKey ?? this.encryptionKey;
      onlineConfig = {
        EnableOnlineStore: true,
        SecurityConfig: { KmsKeyId: this.onlineKey.keyArn },
        StorageType: online.storageType ?? OnlineStoreStorageType.STANDARD,
        TtlDuration: online.ttl ? ttlDuration(this, 'onlineStore.ttl', online.ttl) : undefined,
      };
    }

    let offlineConfig: any;
    let roleArn: string | undefined;
    if (this.offlineStoreEnabled) {
      this.offlineKey = offline.encryptionKey ?? this.encryptionKey;
      this.offlineStoreBucket = offline.bucket ?? new ArtifactBucket(this, 'OfflineStore', {
        encryptionKey: this.offlineKey,
        removalPolicy: props.removalPolicy,
      }).bucket;
      this.offlineStorePrefix = (offline.prefix ?? `feature-store/${defaultPrefixSegment(id)}`).replace(/\/+$/, '');
      this.offlineStoreS3Uri = `s3://${this.offlineStoreBucket.bucketName}/${this.offlineStorePrefix}`;
      this.glueDatabaseName = offline.glueDatabaseName ?? retained(new glue.CfnDatabase(this, 'GlueDatabase', {
        catalogId: stack.account,
        databaseInput: {
          name: glueName(`${literalOr(stack.stackName, 'stack')}-${id}-features`, 255),
          description: `Offline store of the SageMaker feature group ${this.node.path}`,
        },
      }), props.removalPolicy).ref;
      this.glueTableName = offline.glueTableName ?? Lazy.string({ produce: () => glueName(this.physicalNameNow(), 255) });
      this.offlineStoreRole = offline.role ?? new ManagedPolicyRole(this, 'OfflineStoreRole', {
        assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
        description: `SageMaker Feature Store writes the offline store of ${this.node.path}`,
      });
      roleArn = this.offlineStoreRole.roleArn;
      offlineConfig = {
        S3StorageConfig: { S3Uri: this.offlineStoreS3Uri, KmsKeyId: this.offlineKey.keyArn },
        DisableGlueTableCreation: false,
        DataCatalogConfig: {
          Catalog: 'AwsDataCatalog',
          Database: this.glueDatabaseName,
          TableName: this.glueTableName,
        },
        TableFormat: offline.tableFormat ?? OfflineStoreTableFormat.ICEBERG,
      };
    }

    this.physicalNameValue = props.featureGroupName ?? Lazy.string({ produce: () => this.physicalNameNow() });
    const cfn = new sagemaker.CfnFeatureGroup(this, 'Resource', {
      featureGroupName: this.physicalNameValue,
      recordIdentifierFeatureName: props.recordIdentifierFeatureName,
      eventTimeFeatureName: props.eventTimeFeatureName,
      featureDefinitions: this.features.map((f) => ({ featureName: f.name, featureType: f.type })),
      description: props.description,
      onlineStoreConfig: onlineConfig,
      offlineStoreConfig: offlineConfig,
      roleArn,
      throughputConfig: props.throughput ? {
        throughputMode: props.throughput.mode,
        provisionedReadCapacityUnits: props.throughput.readCapacityUnits,
        provisionedWriteCapacityUnits: props.throughput.writeCapacityUnits,
      } : undefined,
    });
    cfn.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    this.cfnFeatureGroup = cfn;
    this.featureGroupName = cfn.ref;
    this.featureGroupArn = featureGroupArnOf(this, cfn.ref);

    this.nameConfig = () => ({
      schemaVersion: props.schemaVersion ?? 1,
      recordIdentifierFeatureName: props.recordIdentifierFeatureName,
      eventTimeFeatureName: props.eventTimeFeatureName,
      description: props.description,
      online: onlineConfig ? { ...onlineConfig, TtlDuration: undefined } : undefined,
      offline: offlineConfig ? { ...offlineConfig, DataCatalogConfig: { ...offlineConfig.DataCatalogConfig, TableName: offline.glueTableName } } : undefined,
      roleArn,
      tags: cfn.tags.renderTags(),
    });

    if (this.offlineStoreEnabled) {
      this.grantOfflineStoreRole();
      // SageMaker checks the role's access when it creates the group (the dependency covers the role's policies).
      cfn.node.addDependency(this.offlineStoreRole!);
    }
    this.lockSchema(props, onlineConfig, offlineConfig, roleArn);
  }

  /** The configuration the derived name stands for (what cannot change without a replacement). */
  private readonly nameConfig: () => any;

  /**
   * Let `grantee` read records from the online store (`sagemaker:GetRecord`,
   * `sagemaker:BatchGetRecord`, `sagemaker:DescribeFeatureGroup`, and `kms:Decrypt` on the online
   * store key).
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    if (!this.onlineStoreEnabled) {
      throw propError(this, 'onlineStore.enabled', false,
        'grantRead reads the online store, which this group does not have; use grantOfflineQuery to read the offline store');
    }
    const grant = iam.Grant.addToPrincipal({ grantee, actions: READ_ACTIONS, resourceArns: arnVariants(this, this.physicalNameValue) });
    this.onlineKey!.grant(grantee, 'kms:Decrypt');
    return grant;
  }

  /**
   * Let `grantee` write and delete records (`sagemaker:PutRecord`, `sagemaker:DeleteRecord`,
   * `sagemaker:DescribeFeatureGroup`, and `kms:Decrypt` on the online store key). SageMaker
   * itself copies the records to the offline store with the offline store role.
   */
  public grantWrite(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: WRITE_ACTIONS, resourceArns: arnVariants(this, this.physicalNameValue) });
    if (this.onlineKey) { this.onlineKey.grant(grantee, 'kms:Decrypt'); }
    return grant;
  }

  /**
   * Let `grantee` query the offline store with Athena: run queries in one workgroup, read the
   * Glue catalog, database and table of this group, read (and list) its S3 prefix, and decrypt
   * with its key.
   *
   * The object read is the grant's only wildcard (`<prefix>/*`: SageMaker names the objects);
   * when the grantee is a role of this app, that one AwsSolutions-IAM5 finding is acknowledged on
   * the role, for that resource only.
   */
  public grantOfflineQuery(grantee: iam.IGrantable, options: OfflineQueryGrantOptions = {}): iam.Grant {
    if (!this.offlineStoreEnabled) {
      throw propError(this, 'offlineStore.enabled', false, 'grantOfflineQuery reads the offline store, which this group does not have');
    }
    const stack = Stack.of(this);
    const workGroup = options.athenaWorkGroup ?? 'primary';
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['athena:StartQueryExecution', 'athena:StopQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:GetWorkGroup'],
      resourceArns: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: workGroup })],
    });
    grant.combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
      resourceArns: this.glueArns(),
    }));
    const objects = this.offlineStoreBucket!.arnForObjects(`${this.offlineStorePrefix}/*`);
    grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [objects] }));
    // The one wildcard of this grant: acknowledged for exactly that resource, on the grantee's role only.
    const principal = grantee.grantPrincipal;
    if (principal instanceof iam.Role) {
      acknowledgeWildcards(principal, [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] })],
        `SageMaker names the offline store objects (account, region, group name, time); the read grant is limited to the ` +
        `offline store prefix "${this.offlineStorePrefix}/" of the feature group ${this.node.path}.`);
    }
    grant.combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.offlineStoreBucket!.bucketArn],
      conditions: { StringLike: { 's3:prefix': [this.offlineStorePrefix, `${this.offlineStorePrefix}/*`] } },
    }));
    grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetBucketLocation'], resourceArns: [this.offlineStoreBucket!.bucketArn] }));
    this.offlineKey!.grant(grantee, 'kms:Decrypt');
    if (this.offlineStoreBucket!.encryptionKey && this.offlineStoreBucket!.encryptionKey !== this.offlineKey) {
      this.offlineStoreBucket!.encryptionKey.grant(grantee, 'kms:Decrypt');
    }
    if (options.queryResultsBucket) {
      const results = options.queryResultsBucket;
      const prefix = options.queryResultsPrefix ?? 'athena-results/';
      checkPrefix(this, 'queryResultsPrefix', prefix);
      const resultObjects = results.arnForObjects(`${prefix}*`);
      grant.combine(iam.Grant.addToPrincipal({
        grantee,
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resourceArns: [resultObjects],
      }));
      grant.combine(iam.Grant.addToPrincipal({
        grantee, actions: ['s3:ListBucket'], resourceArns: [results.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      }));
      grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetBucketLocation'], resourceArns: [results.bucketArn] }));
      if (results.encryptionKey) { results.encryptionKey.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt'); }
      if (principal instanceof iam.Role) {
        acknowledgeWildcards(principal, [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [resultObjects] })],
          `Athena names each query's result objects; the grant is limited to the results prefix "${prefix}".`);
      }
    }
    return grant;
  }

  /** The Glue catalog, database and table ARNs of the offline store. */
  private glueArns(): string[] {
    const stack = Stack.of(this);
    return [
      stack.formatArn({ service: 'glue', resource: 'catalog' }),
      stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.glueDatabaseName }),
      stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${this.glueDatabaseName}/${this.glueTableName}` }),
    ];
  }

  /** The offline store role writes objects under the prefix and keeps the Glue table current. */
  private grantOfflineStoreRole(): void {
    const role = this.offlineStoreRole!;
    const bucket = this.offlineStoreBucket!;
    const keys = [this.offlineKey!, ...(bucket.encryptionKey ? [bucket.encryptionKey] : [])];
    const covered = STORE_COVERAGE.get(role);
    if (covered && covered.bucket === bucket && covered.databaseName === this.glueDatabaseName
      && (this.offlineStorePrefix === covered.prefix || this.offlineStorePrefix!.startsWith(`${covered.prefix}/`))
      && keys.every((k) => covered.keys.includes(k))) {
      return;
    }
    const statements = offlineStoreStatements({ bucket, prefix: this.offlineStorePrefix!, glueArns: this.glueArns(), keys });
    attachToRole(role, statements,
      `SageMaker Feature Store writes objects under keys it generates (account, region, group name, time) below the offline ` +
      `store prefix "${this.offlineStorePrefix}/" of this group only.`);
  }

  /** The physical name now (a plain string once tags and tokens are final, at synth). */
  private physicalNameNow(): string {
    if (this.givenName !== undefined) { return this.givenName; }
    const stack = Stack.of(this);
    return SageMakerName.derive(this, {
      prefix: `${literalOr(stack.stackName, '')}-${this.node.id}`.toLowerCase(),
      maxLength: 64,
      config: this.nameConfig(),
    });
  }

  private validateProps(props: FeatureGroupProps): void {
    check(this.onlineStoreEnabled || this.offlineStoreEnabled, this, 'onlineStore.enabled', false,
      'A feature group needs an online store, an offline store or both; both are turned off');
    check(Array.isArray(props.features) && props.features.length >= 1 && props.features.length <= MAX_FEATURES,
      this, 'features', Array.isArray(props.features) ? `${props.features.length} features` : props.features,
      `A feature group has 1 to ${MAX_FEATURES} features`);
    const seen = new Map<string, string>();
    props.features.forEach((f, i) => {
      checkFeatureName(this, `features[${i}].name`, f?.name);
      check(Object.values(FeatureType).includes(f.type), this, `features[${i}].type`, f.type,
        `It must be a FeatureType (${Object.values(FeatureType).join(', ')})`);
      const lower = f.name.toLowerCase();
      const other = seen.get(lower);
      check(other === undefined, this, `features[${i}].name`, f.name,
        `It is already used by feature \`${other}\`; names must be unique, ignoring case (the offline store's Glue table columns are lowercase)`);
      seen.set(lower, f.name);
    });
    const byName = new Map(props.features.map((f) => [f.name, f.type]));
    checkFeatureName(this, 'recordIdentifierFeatureName', props.recordIdentifierFeatureName);
    const idType = byName.get(props.recordIdentifierFeatureName);
    check(idType !== undefined, this, 'recordIdentifierFeatureName', props.recordIdentifierFeatureName,
      'It must name one of the features');
    check(idType === FeatureType.STRING || idType === FeatureType.INTEGRAL, this, 'recordIdentifierFeatureName',
      props.recordIdentifierFeatureName, `The record identifier must be a String or Integral feature; it is ${idType}`);
    checkFeatureName(this, 'eventTimeFeatureName', props.eventTimeFeatureName);
    const timeType = byName.get(props.eventTimeFeatureName);
    check(timeType !== undefined, this, 'eventTimeFeatureName', props.eventTimeFeatureName, 'It must name one of the features');
    check(timeType === FeatureType.STRING || timeType === FeatureType.FRACTIONAL, this, 'eventTimeFeatureName',
      props.eventTimeFeatureName, `The event time must be a String (ISO-8601) or Fractional (epoch seconds) feature; it is ${timeType}`);
    check(props.recordIdentifierFeatureName !== props.eventTimeFeatureName, this, 'eventTimeFeatureName', props.eventTimeFeatureName,
      'The event time and the record identifier must be different features');
    if (props.description !== undefined && !Token.isUnresolved(props.description)) {
      check(props.description.length <= 128, this, 'description', props.description, 'It must have at most 128 characters');
    }
    if (props.featureGroupName !== undefined) {
      checkGroupName(this, 'featureGroupName', props.featureGroupName);
      check(props.schemaVersion === undefined, this, 'schemaVersion', props.schemaVersion,
        'It only changes derived names; with `featureGroupName` set, give the new group a new `featureGroupName` instead');
    }
    checkIntegerRange(this, 'schemaVersion', props.schemaVersion, 1, 1000000);
    const online = props.onlineStore ?? {};
    const offline = props.offlineStore ?? {};
    if (!this.onlineStoreEnabled) {
      for (const key of ['ttl', 'storageType', 'encryptionKey'] as const) {
        check(online[key] === undefined, this, `onlineStore.${key}`, online[key],
          'It configures the online store, which is turned off (`onlineStore.enabled: false`)');
      }
    }
    if (!this.offlineStoreEnabled) {
      for (const key of ['bucket', 'prefix', 'encryptionKey', 'tableFormat', 'glueDatabaseName', 'glueTableName', 'role'] as const) {
        check(offline[key] === undefined, this, `offlineStore.${key}`, offline[key] === undefined ? undefined : 'a value',
          'It configures the offline store, which is turned off (`offlineStore.enabled: false`)');
      }
    }
    if (offline.prefix !== undefined) { checkPrefix(this, 'offlineStore.prefix', offline.prefix); }
    for (const key of ['glueDatabaseName', 'glueTableName'] as const) {
      const v = offline[key];
      if (v !== undefined && !Token.isUnresolved(v)) {
        check(GLUE_NAME_PATTERN.test(v), this, `offlineStore.${key}`, v,
          'Glue names have 1 to 255 characters: lowercase letters, digits and underscores');
      }
    }
    if (online.storageType !== undefined) {
      check(Object.values(OnlineStoreStorageType).includes(online.storageType), this, 'onlineStore.storageType', online.storageType,
        `It must be an OnlineStoreStorageType (${Object.values(OnlineStoreStorageType).join(', ')})`);
    }
    if (props.throughput) {
      const t = props.throughput;
      check(Object.values(ThroughputMode).includes(t.mode), this, 'throughput.mode', t.mode,
        `It must be a ThroughputMode (${Object.values(ThroughputMode).join(', ')})`);
      checkIntegerRange(this, 'throughput.readCapacityUnits', t.readCapacityUnits, 0, 10000000);
      checkIntegerRange(this, 'throughput.writeCapacityUnits', t.writeCapacityUnits, 0, 10000000);
      if (t.mode === ThroughputMode.ON_DEMAND) {
        for (const key of ['readCapacityUnits', 'writeCapacityUnits'] as const) {
          check(t[key] === undefined, this, `throughput.${key}`, t[key], 'Capacity units apply only to `ThroughputMode.PROVISIONED`');
        }
      } else {
        check(!this.onlineStoreEnabled || (online.storageType ?? OnlineStoreStorageType.STANDARD) === OnlineStoreStorageType.STANDARD,
          this, 'throughput.mode', t.mode, 'Provisioned throughput is only for offline-only groups or the Standard online tier, not InMemory');
        check(this.onlineStoreEnabled || t.readCapacityUnits === undefined, this, 'throughput.readCapacityUnits', t.readCapacityUnits,
          'Read capacity applies only to groups with an online store');
      }
    }
    if (offline.tableFormat !== undefined) {
      check(Object.values(OfflineStoreTableFormat).includes(offline.tableFormat), this, 'offlineStore.tableFormat', offline.tableFormat,
        `It must be an OfflineStoreTableFormat (${Object.values(OfflineStoreTableFormat).join(', ')})`);
    }
  }

  /** Compare the group with the schema lock at synth, and record it. */
  private lockSchema(props: FeatureGroupProps, onlineConfig: any, offlineConfig: any, roleArn: string | undefined): void {
    const offline = props.offlineStore ?? {};
    const settings = lockSettings(this, props.schemaLock);
    if (settings.mode === SchemaLockMode.DISABLED) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-mlops:featureStoreLockDisabled',
        'The feature store schema lock is disabled: nothing stops a change that replaces this feature group and loses its data.');
      return;
    }
    if (props.allowReplacement) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-mlops:featureGroupAllowReplacement',
        '`allowReplacement` is set: a change that replaces this feature group (a new, empty group) is accepted. Remove it once the change is deployed.');
    }
    this.node.addValidation({
      validate: () => {
        const stack = Stack.of(this);
        const current: LockEntry = {
          logicalId: stack.resolve((this.cfnFeatureGroup).logicalId),
          featureGroupName: stack.resolve(this.physicalNameValue),
          recordIdentifierFeatureName: props.recordIdentifierFeatureName,
          eventTimeFeatureName: props.eventTimeFeatureName,
          features: Object.fromEntries(this.features.map((f) => [f.name, f.type])),
          replacementProperties: JSON.parse(JSON.stringify(stack.resolve({
            Description: props.description,
            OnlineStoreConfig: onlineConfig ? { ...onlineConfig, TtlDuration: undefined } : undefined,
            // A derived table name follows the group name, which is compared on its own.
            OfflineStoreConfig: offlineConfig && offline.glueTableName === undefined
              ? { ...offlineConfig, DataCatalogConfig: { ...offlineConfig.DataCatalogConfig, TableName: undefined } }
              : offlineConfig,
            RoleArn: roleArn,
            Tags: this.cfnFeatureGroup.tags.renderTags(),
          }))),
        };
        const key = this.node.path;
        let lock;
        try {
          lock = readLock(settings.file);
        } catch (e: any) {
          return [`[${key}] ${e.message}`];
        }
        const before = lock.featureGroups[key];
        if (!before) {
          const root = this.node.root;
          const clash = Object.entries(lock.featureGroups).find(([k, e]) => k !== key
            && stableStringify(e.featureGroupName) === stableStringify(current.featureGroupName));
          if (clash) {
            const stillThere = findByPath(root, clash[0]) !== undefined;
            return [formatPropIssue(this, 'featureGroupName', current.featureGroupName,
              `The lock records this name for ${clash[0]}, ` + (stillThere
                ? 'which is still in the app: two feature groups cannot have the same name'
                : 'which is no longer in the app. A moved or renamed construct is a new group, and the old one (retained) still ' +
                  'holds the name, so the deployment would fail. Keep the construct at its old path, or give this group another ' +
                  'name and delete the old entry from the lock file'))];
          }
          const stackPath = Stack.of(this).node.path;
          const orphans = Object.keys(lock.featureGroups)
            .filter((k) => k.startsWith(`${stackPath}/`) && findByPath(root, k) === undefined);
          if (orphans.length > 0) {
            Annotations.of(this).addWarningV2('cdk-sagemaker-mlops:featureStoreLockOrphans',
              `The schema lock records feature groups no longer in this stack (${orphans.join(', ')}). If this new group stands ` +
              'for one of them (a moved or renamed construct), it is a NEW, empty group: the old one keeps its data under its old ' +
              'name. If that is intended, delete the old entries from the lock file.');
          }
          if (settings.mode === SchemaLockMode.UPDATE) {
            writeLockEntry(settings.file, key, current);
          } else {
            Annotations.of(this).addWarningV2('cdk-sagemaker-mlops:featureStoreLockMissing',
              `This feature group is not in the schema lock ${settings.file}: synthesize without CI=true (or with lock mode "update") and commit the lock.`);
          }
          return [];
        }
        const diff = diffSchemas(before, current);
        if (!diff.changed) { return []; }
        const lockName = path.relative(process.cwd(), settings.file) || settings.file;
        if (diff.breaking.length > 0 && !props.allowReplacement) {
          return [formatPropIssue(this, 'features', lockName,
            `Against the schema recorded in that lock file: ${diff.breaking.join('; ')}. ` +
            'These changes replace the feature group: CloudFormation (or SageMaker, which can only add features to a group) ' +
            'would create a new, empty group, and the records in its online and offline stores would not follow. ' +
            'To keep the group, undo the change (add a new feature instead of changing one). To replace it on purpose, set ' +
            '`allowReplacement: true`' + (this.givenName === undefined ? ' and raise `schemaVersion`' : ' and give a new `featureGroupName`') +
            ', synthesize, commit the updated lock file, deploy, then remove `allowReplacement`')];
        }
        if (diff.breaking.length > 0 && !diff.nameChanged) {
          return [formatPropIssue(this, this.givenName === undefined ? 'schemaVersion' : 'featureGroupName',
            this.givenName ?? props.schemaVersion ?? 1,
            `The replacement allowed by \`allowReplacement\` (${diff.breaking.join('; ')}) needs a new group name: CloudFormation cannot ` +
            'replace a named resource in place and SageMaker cannot remove or re-type features. ' +
            (this.givenName === undefined ? 'Raise `schemaVersion`' : 'Give a new `featureGroupName`'))];
        }
        if (settings.mode === SchemaLockMode.UPDATE) {
          writeLockEntry(settings.file, key, current);
          if (diff.breaking.length > 0) {
            Annotations.of(this).addWarningV2('cdk-sagemaker-mlops:featureGroupReplaced',
              `This feature group will be REPLACED by a new, empty group (${diff.breaking.join('; ')}); the schema lock was updated.`);
          }
        } else {
          Annotations.of(this).addWarningV2('cdk-sagemaker-mlops:featureStoreLockStale',
            `The schema lock ${settings.file} does not record this feature group's current schema ` +
            `(${[...diff.breaking, ...diff.additions].join('; ') || 'feature order or name'}): synthesize without CI=true and commit the lock.`);
        }
        return [];
      },
    });
  }
}

const READ_ACTIONS = ['sagemaker:GetRecord', 'sagemaker:BatchGetRecord', 'sagemaker:DescribeFeatureGroup'];
const WRITE_ACTIONS = ['sagemaker:PutRecord', 'sagemaker:DeleteRecord', 'sagemaker:DescribeFeatureGroup'];

function featureGroupArnOf(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'sagemaker', resource: 'feature-group', resourceName: name });
}

/**
 * The group's ARN for IAM. SageMaker may report resource names in lowercase in ARNs, so a literal
 * name with capitals is granted in both spellings.
 */
function arnVariants(scope: Construct, name: string): string[] {
  const arns = [featureGroupArnOf(scope, name)];
  if (!Token.isUnresolved(name) && name.toLowerCase() !== name) { arns.push(featureGroupArnOf(scope, name.toLowerCase())); }
  return arns;
}

function literalOr(value: string, fallback: string): string {
  return Token.isUnresolved(value) ? fallback : value;
}

function defaultPrefixSegment(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'group';
}


/** The construct at `path` (from the app root), if it exists. */
function findByPath(root: IConstruct, constructPath: string): IConstruct | undefined {
  let current: IConstruct | undefined = root;
  for (const segment of constructPath.split('/')) {
    current = current?.node.tryFindChild(segment);
    if (!current) { return undefined; }
  }
  return current;
}

