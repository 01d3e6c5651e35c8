import { Lazy, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { FeatureGroupProps } from './feature-group-props';
import { FeatureDefinition } from './features';
import { IFeatureGroup, IFeatureStore } from './interfaces';
import { OfflineQueryGrantOptions } from './offline-store';
import { arnVariants, featureGroupArnOf, ImportedFeatureGroup, READ_ACTIONS, WRITE_ACTIONS } from './private/imported-group';
import { grantOfflineQueryAccess, grantOfflineRead } from './private/offline-grants';
import { OfflineStore } from './private/offline-store';
import { onlineStore, OnlineStoreConfig, replacingOnlineConfig } from './private/online-store';
import { adoptCreated, storageOptions } from './private/own-resources';
import { checkGroupName } from './private/rules';
import { guardSchema } from './private/schema-guard';
import { validateFeatureGroupProps } from './private/validate';
import { SageMakerName } from '../core/names';
import { checkTags } from '../model-registry/private/tag-rules';
import { policiesOf } from '../private/dependencies';
import { propError } from '../private/errors';
import { resolveKey, resolveLayout } from '../private/resources';
import { registerPhysicalName } from '../private/unique-names';

/**
 * A SageMaker Feature Store feature group (`AWS::SageMaker::FeatureGroup`) with typed features,
 * an encrypted online store and an offline store in S3 catalogued in Glue (Iceberg), retained
 * when it leaves the stack.
 *
 * The key and the bucket are the group's `encryptionKey` and `artifactBucket`, else its
 * `featureStore`'s, else the `foundation`'s, else a new `ProjectKey` and `ArtifactBucket` of its
 * own. The offline store lies under `<StorageLayout.featureStore>/<id>` in the bucket.
 *
 * Changes that would replace the group and lose its data (removing, renaming or re-typing a
 * feature, a new record identifier or event time, any property CloudFormation cannot update in
 * place) are refused at synth time by comparing the group with the committed schema lock file,
 * unless `allowReplacement` is set.
 *
 * The Glue database the group creates is not encrypted by the group: Data Catalog encryption is a
 * setting of the account's whole catalog in a region, left to the account's owner (see
 * {@link FeatureStore} for why, and what the roles then need).
 *
 * @example
 * import * as iam from 'aws-cdk-lib/aws-iam';
 * import { FeatureGroup, FeatureType, ManagedPolicyRole, MlopsFoundation } from 'cdk-sagemaker-mlops';
 *
 * const foundation = new MlopsFoundation(this, 'Foundation');
 * const customers = new FeatureGroup(this, 'Customers', {
 *   foundation,
 *   features: [
 *     { name: 'customer_id', type: FeatureType.INTEGRAL },
 *     { name: 'updated_at', type: FeatureType.STRING }, // ISO-8601
 *     { name: 'lifetime_value', type: FeatureType.FRACTIONAL },
 *   ],
 *   recordIdentifierFeatureName: 'customer_id',
 *   eventTimeFeatureName: 'updated_at',
 * });
 * const endpointRole = new ManagedPolicyRole(this, 'EndpointRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
 * customers.grantRead(endpointRole); // GetRecord, BatchGetRecord on the online store
 */
export class FeatureGroup extends Resource implements IFeatureGroup {
  /**
   * Import an existing feature group by name (in the stack's account and region).
   */
  public static fromFeatureGroupName(scope: Construct, id: string, featureGroupName: string): IFeatureGroup {
    checkGroupName(`${scope.node.path}/${id}`, 'featureGroupName', featureGroupName);
    return new ImportedFeatureGroup(scope, id, featureGroupName);
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

  /** The feature store the group belongs to (undefined for a group of its own). */
  public readonly featureStore?: IFeatureStore;

  /** Whether the group has an online store. */
  public readonly onlineStoreEnabled: boolean;

  /** Whether the group has an offline store. */
  public readonly offlineStoreEnabled: boolean;

  /** The bucket of the offline store (undefined without an offline store). */
  public readonly artifactBucket?: s3.IBucket;

  /** The offline store key prefix, without a trailing slash (undefined without an offline store). */
  public readonly offlineStorePrefix?: string;

  /**
   * The `s3://` URI of the offline store (undefined without an offline store): the input of a
   * training or processing job that reads the group's history (see `grantReadOfflineStore`).
   */
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
  private readonly offline?: OfflineStore;
  /** The name as a plain string or lazy token (no reference to the resource: usable in its own role's policy). */
  private readonly physicalNameValue: string;
  private readonly givenName?: string;
  /** The configuration the derived name stands for (what cannot change without a replacement). */
  private readonly nameConfig: () => object;

  constructor(scope: Construct, id: string, props: FeatureGroupProps) {
    super(scope, id);
    this.onlineStoreEnabled = props?.onlineStore?.enabled ?? true;
    this.offlineStoreEnabled = props?.offlineStore?.enabled ?? true;
    validateFeatureGroupProps(this, props, { online: this.onlineStoreEnabled, offline: this.offlineStoreEnabled });

    this.features = [...props.features];
    this.recordIdentifierFeatureName = props.recordIdentifierFeatureName;
    this.eventTimeFeatureName = props.eventTimeFeatureName;
    this.givenName = props.featureGroupName;
    this.featureStore = props.featureStore;
    const storage = storageOptions(props, props.featureStore);
    this.encryptionKey = resolveKey(this, 'Key', storage);
    adoptCreated(this, 'Key', {
      description: `cdk-sagemaker-mlops feature group ${this.node.path}: online and offline store`,
      removalPolicy: props.removalPolicy,
    });

    let onlineConfig: OnlineStoreConfig | undefined;
    if (this.onlineStoreEnabled) {
      const online = onlineStore(this, props.onlineStore ?? {}, this.encryptionKey);
      this.onlineKey = online.key;
      onlineConfig = online.config;
    }
    if (this.offlineStoreEnabled) {
      this.offline = new OfflineStore(this, {
        id,
        options: props.offlineStore ?? {},
        storage,
        layout: resolveLayout(props),
        store: props.featureStore,
        groupKey: this.encryptionKey,
        removalPolicy: props.removalPolicy,
        physicalName: () => this.physicalNameNow(),
      });
      this.artifactBucket = this.offline.bucket;
      this.offlineStorePrefix = this.offline.prefix;
      this.offlineStoreS3Uri = this.offline.s3Uri;
      this.offlineStoreRole = this.offline.role;
      this.glueDatabaseName = this.offline.glueDatabaseName;
      this.glueTableName = this.offline.glueTableName;
    }
    const offline = this.offline;
    const roleArn = offline?.role.roleArn;

    this.physicalNameValue = props.featureGroupName ?? Lazy.string({ produce: () => this.physicalNameNow() });
    const cfn = new sagemaker.CfnFeatureGroup(this, 'Resource', {
      featureGroupName: this.physicalNameValue,
      recordIdentifierFeatureName: props.recordIdentifierFeatureName,
      eventTimeFeatureName: props.eventTimeFeatureName,
      featureDefinitions: this.features.map((f) => ({ featureName: f.name, featureType: f.type })),
      description: props.description,
      onlineStoreConfig: onlineConfig,
      offlineStoreConfig: offline?.config,
      roleArn,
      throughputConfig: props.throughput ? {
        throughputMode: props.throughput.mode,
        provisionedReadCapacityUnits: props.throughput.readCapacityUnits,
        provisionedWriteCapacityUnits: props.throughput.writeCapacityUnits,
      } : undefined,
    });
    cfn.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    registerPhysicalName(this, 'feature group', 'featureGroupName', props.featureGroupName);
    checkTags(this);
    this.cfnFeatureGroup = cfn;
    this.featureGroupName = cfn.ref;
    this.featureGroupArn = featureGroupArnOf(this, cfn.ref);

    this.nameConfig = () => ({
      schemaVersion: props.schemaVersion ?? 1,
      recordIdentifierFeatureName: props.recordIdentifierFeatureName,
      eventTimeFeatureName: props.eventTimeFeatureName,
      description: props.description,
      online: replacingOnlineConfig(onlineConfig),
      offline: offline?.nameConfig,
      roleArn,
      tags: cfn.tags.renderTags(),
    });

    if (offline) {
      // Only now that nameConfig is set: sizing the role's policy resolves the derived table name.
      offline.grantRole();
      // SageMaker checks the role's access when it creates the group: wait for the role's policies.
      // The RoleArn (`Fn::GetAtt`) already orders the group after the role itself (cfn-lint W3005).
      cfn.node.addDependency(policiesOf(offline.role));
    }
    guardSchema(this, {
      resource: cfn,
      physicalName: this.physicalNameValue,
      givenName: this.givenName,
      features: this.features,
      recordIdentifierFeatureName: props.recordIdentifierFeatureName,
      eventTimeFeatureName: props.eventTimeFeatureName,
      schemaVersion: props.schemaVersion,
      allowReplacement: props.allowReplacement,
      schemaLock: props.schemaLock,
      replacementProperties: () => ({
        Description: props.description,
        OnlineStoreConfig: replacingOnlineConfig(onlineConfig),
        OfflineStoreConfig: offline?.replacingConfig,
        RoleArn: roleArn,
        Tags: cfn.tags.renderTags(),
      }),
    });
  }

  /**
   * Let `grantee` read records from the online store (`sagemaker:GetRecord`,
   * `sagemaker:BatchGetRecord`, `sagemaker:DescribeFeatureGroup`, and `kms:Decrypt` on the online
   * store key).
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    if (!this.onlineStoreEnabled) {
      throw propError(this, 'onlineStore.enabled', false,
        'grantRead reads the online store, which this group does not have; use grantReadOfflineStore or grantOfflineQuery to read the offline store');
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
   * Let `grantee` read the offline store directly, as a training or processing job does with
   * `offlineStoreS3Uri` as its input: `s3:GetObject` under the group's prefix, `s3:ListBucket`
   * limited to that prefix, `kms:Decrypt` with the offline store key (and the bucket's key), and
   * `glue:GetDatabase`, `glue:GetTable`, `glue:GetPartitions` on the catalog, the database and
   * the group's table.
   *
   * The object read is the grant's only wildcard (`<prefix>/*`: SageMaker names the objects);
   * when the grantee is a role of this app, that one AwsSolutions-IAM5 finding is acknowledged on
   * the role, for that resource only.
   */
  public grantReadOfflineStore(grantee: iam.IGrantable): iam.Grant {
    return grantOfflineRead(this, this.offlineStoreOrThrow('grantReadOfflineStore'), grantee, false);
  }

  /**
   * Let `grantee` query the offline store with Athena: run queries in one workgroup, and
   * everything `grantReadOfflineStore` gives plus `s3:GetBucketLocation` on the bucket (with
   * `queryResultsBucket`, read and write of the results prefix).
   *
   * The object reads are the grant's only wildcards (`<prefix>/*`, and the results prefix); when
   * the grantee is a role of this app, those AwsSolutions-IAM5 findings are acknowledged on the
   * role, for those resources only.
   */
  public grantOfflineQuery(grantee: iam.IGrantable, options: OfflineQueryGrantOptions = {}): iam.Grant {
    return grantOfflineQueryAccess(this, this.offlineStoreOrThrow('grantOfflineQuery'), grantee, options);
  }

  private offlineStoreOrThrow(grant: string): OfflineStore {
    if (!this.offline) {
      throw propError(this, 'offlineStore.enabled', false, `${grant} reads the offline store, which this group does not have`);
    }
    return this.offline;
  }

  /** The physical name now (a plain string once tags and tokens are final, at synth). */
  private physicalNameNow(): string {
    if (this.givenName !== undefined) { return this.givenName; }
    const stack = Stack.of(this);
    return SageMakerName.derive(this, {
      prefix: `${Token.isUnresolved(stack.stackName) ? '' : stack.stackName}-${this.node.id}`.toLowerCase(),
      maxLength: 64,
      config: this.nameConfig(),
    });
  }
}
