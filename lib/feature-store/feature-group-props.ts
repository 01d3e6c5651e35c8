import { RemovalPolicy } from 'aws-cdk-lib';
import { FeatureDefinition } from './features';
import { IFeatureStore } from './interfaces';
import { OfflineStoreOptions } from './offline-store';
import { OnlineStoreOptions } from './online-store';
import { SchemaLockOptions } from './schema-lock';
import { ThroughputOptions } from './throughput';
import { FoundationOptions } from '../core/foundation';

/**
 * Props of a {@link FeatureGroup}.
 *
 * Storage (`foundation`, `encryptionKey`, `artifactBucket`): the key encrypts the online and
 * offline stores unless they name their own, and the bucket holds the offline store. Precedence:
 * an explicit prop, then the group's `featureStore`, then the `foundation`, then a new
 * `ProjectKey` and `ArtifactBucket` of the group's own.
 *
 * @example
 * import { FeatureGroup, FeatureType, MlopsFoundation } from 'cdk-sagemaker-mlops';
 *
 * // Training data only: an offline store, no online store.
 * const foundation = new MlopsFoundation(this, 'Foundation');
 * new FeatureGroup(this, 'Clicks', {
 *   foundation,
 *   features: [
 *     { name: 'click_id', type: FeatureType.STRING },
 *     { name: 'event_time', type: FeatureType.FRACTIONAL },
 *     { name: 'page', type: FeatureType.STRING },
 *   ],
 *   recordIdentifierFeatureName: 'click_id',
 *   eventTimeFeatureName: 'event_time',
 *   onlineStore: { enabled: false },
 * });
 */
export interface FeatureGroupProps extends FoundationOptions {
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
   * The feature store the group belongs to: the group uses the store's key, bucket, offline
   * prefix (`<store prefix>/<id>`), Glue database and offline store role wherever its own props
   * name nothing else, and relies on what the store already granted that role. Cannot be combined
   * with `foundation` (the store has its own). {@link FeatureStore.addFeatureGroup} sets it, and
   * also passes the store's `schemaLock` and `removalPolicy`.
   *
   * @default - a group of its own
   */
  readonly featureStore?: IFeatureStore;

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
   * The online store.
   *
   * @default - an online store (Standard tier, encrypted with the group's key, no TTL)
   */
  readonly onlineStore?: OnlineStoreOptions;

  /**
   * The offline store.
   *
   * @default - an offline store (Iceberg, in the group's bucket, new Glue database, new role)
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
   * What happens to the group (and its online store data), and to the key, bucket and Glue
   * database it creates, when they leave the stack or the group is replaced.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
