import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { OnlineStoreOptions, OnlineStoreStorageType } from '../online-store';
import { ttlDuration } from './rules';

/** The OnlineStoreConfig of a group, as CloudFormation receives it (the lock records it as rendered). */
export interface OnlineStoreConfig {
  readonly EnableOnlineStore: true;
  readonly SecurityConfig: { readonly KmsKeyId: string };
  readonly StorageType: string;
  readonly TtlDuration?: { readonly Unit: string; readonly Value: number };
}

/** The online store of a group: its key and its configuration. */
export interface OnlineStore {
  readonly key: kms.IKey;
  readonly config: OnlineStoreConfig;
}

/**
 * The online store, encrypted with its own key or the group's. The TTL is the only setting
 * CloudFormation changes in place; the rest replaces the group.
 */
export function onlineStore(scope: IConstruct, options: OnlineStoreOptions, groupKey: kms.IKey): OnlineStore {
  const key = options.encryptionKey ?? groupKey;
  return {
    key,
    config: {
      EnableOnlineStore: true,
      SecurityConfig: { KmsKeyId: key.keyArn },
      StorageType: options.storageType ?? OnlineStoreStorageType.STANDARD,
      TtlDuration: options.ttl ? ttlDuration(scope, 'onlineStore.ttl', options.ttl) : undefined,
    },
  };
}

/** The part of the online store configuration a change of which replaces the group (all but the TTL). */
export function replacingOnlineConfig(config: OnlineStoreConfig | undefined): object | undefined {
  return config ? { ...config, TtlDuration: undefined } : undefined;
}
