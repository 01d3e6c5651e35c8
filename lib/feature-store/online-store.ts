import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';

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
   * @default - the group's key (`encryptionKey`, else its feature store's, else the foundation's, else a new one)
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
