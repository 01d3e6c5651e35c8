import { Token } from 'aws-cdk-lib';
import { check, checkIntegerRange, Where } from '../../private/errors';
import { FeatureGroupProps } from '../feature-group-props';
import { OfflineStoreTableFormat } from '../offline-store';
import { OnlineStoreStorageType } from '../online-store';
import { ThroughputMode } from '../throughput';
import { checkFeatureDefinitions } from './feature-definitions';
import { checkGroupName, checkPrefix, GLUE_NAME_PATTERN } from './rules';

/** Which stores a group has. */
export interface StoresEnabled {
  readonly online: boolean;
  readonly offline: boolean;
}

/** Check the props of a feature group; a bad one throws an MlopsPropError naming it. */
export function validateFeatureGroupProps(where: Where, props: FeatureGroupProps, enabled: StoresEnabled): void {
  check(props !== undefined && props !== null, where, 'props', props, 'A feature group needs its features, record identifier and event time');
  check(enabled.online || enabled.offline, where, 'onlineStore.enabled', false,
    'A feature group needs an online store, an offline store or both; both are turned off');
  checkFeatureDefinitions(where, props);
  check(props.featureStore === undefined || props.foundation === undefined, where, 'foundation', 'a foundation',
    'It cannot be combined with `featureStore`: a group of a store uses the store\'s key, bucket and storage layout; ' +
    'give the foundation to the FeatureStore');
  if (props.description !== undefined && !Token.isUnresolved(props.description)) {
    check(props.description.length <= 128, where, 'description', props.description, 'It must have at most 128 characters');
  }
  if (props.featureGroupName !== undefined) {
    checkGroupName(where, 'featureGroupName', props.featureGroupName);
    check(props.schemaVersion === undefined, where, 'schemaVersion', props.schemaVersion,
      'It only changes derived names; with `featureGroupName` set, give the new group a new `featureGroupName` instead');
  }
  checkIntegerRange(where, 'schemaVersion', props.schemaVersion, 1, 1000000);
  checkOnlineStore(where, props, enabled);
  checkOfflineStore(where, props, enabled);
  checkThroughput(where, props, enabled);
}

function checkOnlineStore(where: Where, props: FeatureGroupProps, enabled: StoresEnabled): void {
  const online = props.onlineStore ?? {};
  if (!enabled.online) {
    for (const key of ['ttl', 'storageType', 'encryptionKey'] as const) {
      check(online[key] === undefined, where, `onlineStore.${key}`, online[key],
        'It configures the online store, which is turned off (`onlineStore.enabled: false`)');
    }
  }
  if (online.storageType !== undefined) {
    check(Object.values(OnlineStoreStorageType).includes(online.storageType), where, 'onlineStore.storageType', online.storageType,
      `It must be an OnlineStoreStorageType (${Object.values(OnlineStoreStorageType).join(', ')})`);
  }
}

function checkOfflineStore(where: Where, props: FeatureGroupProps, enabled: StoresEnabled): void {
  const offline = props.offlineStore ?? {};
  if (!enabled.offline) {
    check(props.artifactBucket === undefined, where, 'artifactBucket', 'a bucket',
      'The bucket holds the offline store, which is turned off (`offlineStore.enabled: false`)');
    for (const key of ['prefix', 'encryptionKey', 'tableFormat', 'glueDatabaseName', 'glueTableName', 'role'] as const) {
      check(offline[key] === undefined, where, `offlineStore.${key}`, offline[key] === undefined ? undefined : 'a value',
        'It configures the offline store, which is turned off (`offlineStore.enabled: false`)');
    }
  }
  if (offline.prefix !== undefined) { checkPrefix(where, 'offlineStore.prefix', offline.prefix); }
  for (const key of ['glueDatabaseName', 'glueTableName'] as const) {
    const v = offline[key];
    if (v !== undefined && !Token.isUnresolved(v)) {
      check(GLUE_NAME_PATTERN.test(v), where, `offlineStore.${key}`, v,
        'Glue names have 1 to 255 characters: lowercase letters, digits and underscores');
    }
  }
  if (offline.tableFormat !== undefined) {
    check(Object.values(OfflineStoreTableFormat).includes(offline.tableFormat), where, 'offlineStore.tableFormat', offline.tableFormat,
      `It must be an OfflineStoreTableFormat (${Object.values(OfflineStoreTableFormat).join(', ')})`);
  }
}

function checkThroughput(where: Where, props: FeatureGroupProps, enabled: StoresEnabled): void {
  const t = props.throughput;
  if (!t) { return; }
  check(Object.values(ThroughputMode).includes(t.mode), where, 'throughput.mode', t.mode,
    `It must be a ThroughputMode (${Object.values(ThroughputMode).join(', ')})`);
  checkIntegerRange(where, 'throughput.readCapacityUnits', t.readCapacityUnits, 0, 10000000);
  checkIntegerRange(where, 'throughput.writeCapacityUnits', t.writeCapacityUnits, 0, 10000000);
  if (t.mode === ThroughputMode.ON_DEMAND) {
    for (const key of ['readCapacityUnits', 'writeCapacityUnits'] as const) {
      check(t[key] === undefined, where, `throughput.${key}`, t[key], 'Capacity units apply only to `ThroughputMode.PROVISIONED`');
    }
    return;
  }
  const tier = props.onlineStore?.storageType ?? OnlineStoreStorageType.STANDARD;
  check(!enabled.online || tier === OnlineStoreStorageType.STANDARD, where, 'throughput.mode', t.mode,
    'Provisioned throughput is only for offline-only groups or the Standard online tier, not InMemory');
  check(enabled.online || t.readCapacityUnits === undefined, where, 'throughput.readCapacityUnits', t.readCapacityUnits,
    'Read capacity applies only to groups with an online store');
  // ThroughputConfig (SageMaker API): a provisioned group is billed for, and throttled at, the
  // capacity it names: write capacity always, read capacity with an online store.
  check(t.writeCapacityUnits !== undefined, where, 'throughput.writeCapacityUnits', t.writeCapacityUnits,
    '`ThroughputMode.PROVISIONED` needs the write capacity the group is billed for and throttled at; give ' +
    '`writeCapacityUnits`, or use `ThroughputMode.ON_DEMAND`');
  check(!enabled.online || t.readCapacityUnits !== undefined, where, 'throughput.readCapacityUnits', t.readCapacityUnits,
    '`ThroughputMode.PROVISIONED` with an online store needs the read capacity the group is billed for and throttled at; ' +
    'give `readCapacityUnits`, or use `ThroughputMode.ON_DEMAND`');
}
