import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MlopsFoundation } from '../../lib/core';
import {
  FeatureDefinition, FeatureGroup, FeatureGroupProps, FeatureStore, FeatureType, OnlineStoreStorageType, ThroughputMode,
} from '../../lib/feature-store';
import { ORDER_FEATURES, tempLockFile } from './util';

function make(extra: Partial<FeatureGroupProps>, features: FeatureDefinition[] = ORDER_FEATURES): () => FeatureGroup {
  return () => {
    const stack = new Stack(new App(), 'S');
    return new FeatureGroup(stack, 'G', {
      features,
      recordIdentifierFeatureName: 'order_id',
      eventTimeFeatureName: 'event_time',
      schemaLock: { file: tempLockFile() },
      ...extra,
    });
  };
}

describe('FeatureGroup refuses bad input with a clear error', () => {
  test('both stores turned off', () => {
    expect(make({ onlineStore: { enabled: false }, offlineStore: { enabled: false } }))
      .toThrow(/\[S\/G\] Invalid prop `onlineStore.enabled`: received false\. A feature group needs an online store, an offline store or both/);
  });

  test('no features', () => {
    expect(make({}, [])).toThrow(/Invalid prop `features`: received "0 features"\. A feature group has 1 to 2500 features/);
  });

  test('more than 2500 features', () => {
    const many = [...ORDER_FEATURES, ...Array.from({ length: 2500 }, (_, i) => ({ name: `f${i}`, type: FeatureType.FRACTIONAL }))];
    expect(make({}, many)).toThrow(/received "2504 features"\. A feature group has 1 to 2500 features/);
  });

  test('a feature name with a space or a leading underscore', () => {
    expect(make({}, [...ORDER_FEATURES, { name: 'unit price', type: FeatureType.FRACTIONAL }]))
      .toThrow(/Invalid prop `features\[4\]\.name`: received "unit price"\. A feature name has 1 to 64 characters/);
    expect(make({}, [...ORDER_FEATURES, { name: '_private', type: FeatureType.FRACTIONAL }])).toThrow(/features\[4\]\.name/);
  });

  test('a feature name longer than 64 characters', () => {
    expect(make({}, [...ORDER_FEATURES, { name: 'a'.repeat(65), type: FeatureType.STRING }])).toThrow(/1 to 64 characters/);
  });

  test('a reserved feature name', () => {
    expect(make({}, [...ORDER_FEATURES, { name: 'write_time', type: FeatureType.STRING }]))
      .toThrow(/received "write_time"\. It is reserved by SageMaker Feature Store/);
    expect(make({}, [...ORDER_FEATURES, { name: 'Is_Deleted', type: FeatureType.STRING }])).toThrow(/reserved/);
  });

  test('duplicate feature names, ignoring case', () => {
    expect(make({}, [...ORDER_FEATURES, { name: 'Amount', type: FeatureType.FRACTIONAL }]))
      .toThrow(/received "Amount"\. It is already used by feature `amount`/);
  });

  test('a feature type outside the enum', () => {
    expect(make({}, [...ORDER_FEATURES, { name: 'flag', type: 'Boolean' as FeatureType }]))
      .toThrow(/Invalid prop `features\[4\]\.type`: received "Boolean"\. It must be a FeatureType \(String, Integral, Fractional\)/);
  });

  test('record identifier missing from the features', () => {
    expect(make({ recordIdentifierFeatureName: 'customer_id' }))
      .toThrow(/Invalid prop `recordIdentifierFeatureName`: received "customer_id"\. It must name one of the features/);
  });

  test('record identifier of type Fractional', () => {
    expect(make({ recordIdentifierFeatureName: 'amount' }))
      .toThrow(/recordIdentifierFeatureName`: received "amount"\. The record identifier must be a String or Integral feature; it is Fractional/);
  });

  test('event time missing or of type Integral', () => {
    expect(make({ eventTimeFeatureName: 'ts' })).toThrow(/eventTimeFeatureName`: received "ts"\. It must name one of the features/);
    expect(make({ eventTimeFeatureName: 'item_count' }))
      .toThrow(/The event time must be a String \(ISO-8601\) or Fractional \(epoch seconds\) feature; it is Integral/);
  });

  test('event time and record identifier the same feature', () => {
    const features = [{ name: 'key', type: FeatureType.STRING }];
    expect(make({ recordIdentifierFeatureName: 'key', eventTimeFeatureName: 'key' }, features)).toThrow(/must be different features/);
  });

  test('a feature group name with underscores or too long', () => {
    expect(make({ featureGroupName: 'orders_v1' }))
      .toThrow(/Invalid prop `featureGroupName`: received "orders_v1"\. A feature group name has 1 to 64 characters: letters, digits and hyphens/);
    expect(make({ featureGroupName: 'a'.repeat(65) })).toThrow(/featureGroupName/);
  });

  test('schemaVersion with a given name, or not a positive integer', () => {
    expect(make({ featureGroupName: 'orders', schemaVersion: 2 })).toThrow(/Invalid prop `schemaVersion`: received 2\. It only changes derived names/);
    expect(make({ schemaVersion: 0 })).toThrow(/schemaVersion`: received 0\. It must be an integer from 1 to 1000000/);
  });

  test('a description longer than 128 characters', () => {
    expect(make({ description: 'x'.repeat(129) })).toThrow(/Invalid prop `description`.*at most 128 characters/);
  });

  test('a TTL below one second or with a fraction of a second', () => {
    expect(make({ onlineStore: { ttl: Duration.millis(500) } })).toThrow(/Invalid prop `onlineStore.ttl`: received 500 millis?\. It must be a whole number of seconds/);
    expect(make({ onlineStore: { ttl: Duration.millis(1500) } })).toThrow(/onlineStore.ttl/);
  });

  test('online options while the online store is off', () => {
    expect(make({ onlineStore: { enabled: false, ttl: Duration.days(1) } }))
      .toThrow(/Invalid prop `onlineStore.ttl`.*It configures the online store, which is turned off/);
    expect(make({ onlineStore: { enabled: false, storageType: OnlineStoreStorageType.IN_MEMORY } })).toThrow(/onlineStore.storageType/);
  });

  test('offline options while the offline store is off', () => {
    expect(() => {
      const stack = new Stack(new App(), 'S');
      new FeatureGroup(stack, 'G', {
        features: ORDER_FEATURES, recordIdentifierFeatureName: 'order_id', eventTimeFeatureName: 'event_time',
        offlineStore: { enabled: false }, artifactBucket: s3.Bucket.fromBucketName(stack, 'B', 'data-bucket'),
      });
    }).toThrow(/\[S\/G\] Invalid prop `artifactBucket`: received "a bucket"\. The bucket holds the offline store, which is turned off/);
    expect(make({ offlineStore: { enabled: false, prefix: 'x' } }))
      .toThrow(/Invalid prop `offlineStore.prefix`.*It configures the offline store, which is turned off/);
  });

  test('a bad offline prefix or Glue name', () => {
    expect(make({ offlineStore: { prefix: '/abs' } })).toThrow(/Invalid prop `offlineStore.prefix`: received "\/abs"\. It must not start with a slash/);
    expect(make({ offlineStore: { prefix: 'a b' } })).toThrow(/offlineStore.prefix/);
    expect(make({ offlineStore: { glueDatabaseName: 'Analytics-DB' } }))
      .toThrow(/Invalid prop `offlineStore.glueDatabaseName`: received "Analytics-DB"\. Glue names have 1 to 255 characters: lowercase/);
  });

  test('a grant the group cannot honour', () => {
    const group = make({ onlineStore: { enabled: false } })();
    const role = new iam.Role(group, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => group.grantRead(role)).toThrow(/\[S\/G\] Invalid prop `onlineStore.enabled`: received false\. grantRead reads the online store, which this group does not have; use grantReadOfflineStore or grantOfflineQuery/);
    const onlineOnly = make({ offlineStore: { enabled: false } })();
    expect(() => onlineOnly.grantOfflineQuery(role)).toThrow(/grantOfflineQuery reads the offline store, which this group does not have/);
  });

  test('throughput rules: capacity only when provisioned, not with InMemory, read capacity needs an online store', () => {
    expect(make({ throughput: { mode: ThroughputMode.ON_DEMAND, writeCapacityUnits: 5 } }))
      .toThrow(/Invalid prop `throughput.writeCapacityUnits`: received 5\. Capacity units apply only to `ThroughputMode.PROVISIONED`/);
    expect(make({ throughput: { mode: ThroughputMode.PROVISIONED }, onlineStore: { storageType: OnlineStoreStorageType.IN_MEMORY } }))
      .toThrow(/Provisioned throughput is only for offline-only groups or the Standard online tier, not InMemory/);
    expect(make({ throughput: { mode: ThroughputMode.PROVISIONED, readCapacityUnits: 5 }, onlineStore: { enabled: false } }))
      .toThrow(/Read capacity applies only to groups with an online store/);
    expect(make({ throughput: { mode: ThroughputMode.PROVISIONED, writeCapacityUnits: -1 } }))
      .toThrow(/throughput.writeCapacityUnits`: received -1\. It must be an integer from 0 to 10000000/);
  });

  test('errors are MlopsPropErrors, never TypeErrors', () => {
    try {
      make({}, [{ name: undefined as any, type: FeatureType.STRING }])();
      throw new Error('no error');
    } catch (e: any) {
      expect(e.name).toBe('MlopsPropError');
    }
  });

  test('an offline prefix with an IAM wildcard or a policy variable (it would widen the role beyond the prefix)', () => {
    expect(make({ offlineStore: { prefix: 'features/*' } }))
      .toThrow(/\[S\/G\] Invalid prop `offlineStore.prefix`: received "features\/\*"\. It must not contain the IAM wildcards `\*` or `\?`: the offline store role and the read grants are scoped to this prefix/);
    expect(make({ offlineStore: { prefix: '*' } })).toThrow(/Invalid prop `offlineStore.prefix`: received "\*"\. It must not contain the IAM wildcards/);
    expect(make({ offlineStore: { prefix: 'features/orders?' } })).toThrow(/received "features\/orders\?"\. It must not contain the IAM wildcards/);
    expect(make({ offlineStore: { prefix: 'features/${aws:username}' } }))
      .toThrow(/Invalid prop `offlineStore.prefix`: received "features\/\$\{aws:username\}"\. It may contain only letters, digits and the characters/);
    expect(make({ offlineStore: { prefix: 'year=2024/features' } })).not.toThrow();
  });

  test('a store prefix or a query results prefix with a wildcard', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new FeatureStore(stack, 'Store', { offlineStorePrefix: 'feature-store/*' }))
      .toThrow(/\[S\/Store\] Invalid prop `offlineStorePrefix`: received "feature-store\/\*"\. It must not contain the IAM wildcards/);
    const group = make({})();
    const role = new iam.Role(group, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    const results = s3.Bucket.fromBucketName(group, 'Results', 'results-bucket');
    expect(() => group.grantOfflineQuery(role, { queryResultsBucket: results, queryResultsPrefix: '*' }))
      .toThrow(/\[S\/G\] Invalid prop `queryResultsPrefix`: received "\*"\. It must not contain the IAM wildcards/);
  });

  test('every problem of the feature definitions is reported together, in one error', () => {
    const features = [
      { name: 'order_id', type: FeatureType.STRING },
      { name: 'event_time', type: FeatureType.FRACTIONAL },
      { name: 'unit price', type: FeatureType.FRACTIONAL },
      { name: 'flag', type: 'Boolean' as FeatureType },
      { name: 'Order_Id', type: FeatureType.STRING },
      { name: 'write_time', type: FeatureType.STRING },
    ];
    let message = '';
    try {
      make({ recordIdentifierFeatureName: 'customer_id' }, features)();
    } catch (e: any) {
      expect(e.name).toBe('MlopsPropError');
      message = e.message;
    }
    expect(message).toMatch(/^\[S\/G\] Invalid prop `features`: received "6 features"\. The schema has 5 problems, all listed here:\n/);
    const lines = message.split('\n').slice(1);
    expect(lines).toEqual([
      expect.stringMatching(/^ {2}- Invalid prop `features\[2\]\.name`: received "unit price"\. A feature name has 1 to 64 characters/),
      expect.stringMatching(/^ {2}- Invalid prop `features\[3\]\.type`: received "Boolean"\. It must be a FeatureType \(String, Integral, Fractional\)\.$/),
      expect.stringMatching(/^ {2}- Invalid prop `features\[4\]\.name`: received "Order_Id"\. It is already used by feature `order_id`/),
      expect.stringMatching(/^ {2}- Invalid prop `features\[5\]\.name`: received "write_time"\. It is reserved by SageMaker Feature Store/),
      expect.stringMatching(/^ {2}- Invalid prop `recordIdentifierFeatureName`: received "customer_id"\. It must name one of the features\.$/),
    ]);
  });

  test('a missing record identifier or event time is reported beside the feature problems', () => {
    expect(make({ recordIdentifierFeatureName: undefined as any, eventTimeFeatureName: 'item_count' }))
      .toThrow(/The schema has 2 problems[^]*`recordIdentifierFeatureName`: received undefined\. Feature names must be literal strings[^]*`eventTimeFeatureName`: received "item_count"\. The event time must be a String/);
  });

  test('no props, or features that are not a list: an MlopsPropError, not a TypeError', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new FeatureGroup(stack, 'G', undefined as any))
      .toThrow(/\[S\/G\] Invalid prop `props`: received undefined\. A feature group needs its features, record identifier and event time/);
    expect(make({ features: 'order_id' as any }))
      .toThrow(/\[S\/G\] Invalid prop `features`: received "order_id"\. A feature group has 1 to 2500 features/);
  });

  test('grantReadOfflineStore on a group without an offline store', () => {
    const group = make({ offlineStore: { enabled: false } })();
    const role = new iam.Role(group, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => group.grantReadOfflineStore(role))
      .toThrow(/\[S\/G\] Invalid prop `offlineStore.enabled`: received false\. grantReadOfflineStore reads the offline store, which this group does not have/);
  });

  test('a group of a store with a foundation of its own, or added to a store while linked to another', () => {
    const stack = new Stack(new App(), 'S');
    const store = new FeatureStore(stack, 'Store', { schemaLock: { file: tempLockFile() } });
    const other = new FeatureStore(stack, 'Other', { schemaLock: { file: tempLockFile() } });
    const foundation = new MlopsFoundation(stack, 'Foundation');
    const base = { features: ORDER_FEATURES, recordIdentifierFeatureName: 'order_id', eventTimeFeatureName: 'event_time' };
    expect(() => store.addFeatureGroup('A', { ...base, foundation }))
      .toThrow(/\[S\/Store\/A\] Invalid prop `foundation`: received "a foundation"\. It cannot be combined with `featureStore`: a group of a store uses the store's key, bucket and storage layout; give the foundation to the FeatureStore/);
    expect(() => new FeatureGroup(stack, 'B', { ...base, featureStore: store, foundation }))
      .toThrow(/\[S\/B\] Invalid prop `foundation`.*It cannot be combined with `featureStore`/);
    expect(() => store.addFeatureGroup('C', { ...base, featureStore: other }))
      .toThrow(/\[S\/Store\/C\] Invalid prop `featureStore`: received "another store"\. `addFeatureGroup` links the group to this store; leave `featureStore` out/);
  });

  test('PROVISIONED throughput without write capacity (SageMaker bills and throttles at it)', () => {
    expect(make({ throughput: { mode: ThroughputMode.PROVISIONED, readCapacityUnits: 10 } }))
      .toThrow('[S/G] Invalid prop `throughput.writeCapacityUnits`: received undefined. `ThroughputMode.PROVISIONED` needs the write ' +
        'capacity the group is billed for and throttled at; give `writeCapacityUnits`, or use `ThroughputMode.ON_DEMAND`.');
    expect(make({ throughput: { mode: ThroughputMode.PROVISIONED }, onlineStore: { enabled: false } }))
      .toThrow(/\[S\/G\] Invalid prop `throughput.writeCapacityUnits`: received undefined\. `ThroughputMode.PROVISIONED` needs the write capacity/);
  });

  test('PROVISIONED throughput with an online store but without read capacity', () => {
    expect(make({ throughput: { mode: ThroughputMode.PROVISIONED, writeCapacityUnits: 10 } }))
      .toThrow('[S/G] Invalid prop `throughput.readCapacityUnits`: received undefined. `ThroughputMode.PROVISIONED` with an online store ' +
        'needs the read capacity the group is billed for and throttled at; give `readCapacityUnits`, or use `ThroughputMode.ON_DEMAND`.');
    expect(make({ throughput: { mode: ThroughputMode.PROVISIONED, writeCapacityUnits: 10 }, onlineStore: { enabled: false } })).not.toThrow();
    expect(make({ throughput: { mode: ThroughputMode.PROVISIONED, writeCapacityUnits: 0, readCapacityUnits: 0 } })).not.toThrow();
  });

  test('two feature groups of the app with the same name in one account and region', () => {
    const app = new App();
    const base = { features: ORDER_FEATURES, recordIdentifierFeatureName: 'order_id', eventTimeFeatureName: 'event_time', schemaLock: { file: tempLockFile() } };
    new FeatureGroup(new Stack(app, 'A'), 'Orders', { ...base, featureGroupName: 'orders' });
    const store = new FeatureStore(new Stack(app, 'B'), 'Store', { schemaLock: { file: tempLockFile() } });
    store.addFeatureGroup('Orders', { ...base, featureGroupName: 'Orders' });
    expect(() => app.synth()).toThrow(/\[A\/Orders\] Invalid prop `featureGroupName`: received "orders"\. Another feature group of this app has the same name in the same account and region \(B\/Store\/Orders\)/);
  });

  test('the same feature group name in two regions is accepted', () => {
    const app = new App();
    const base = { features: ORDER_FEATURES, recordIdentifierFeatureName: 'order_id', eventTimeFeatureName: 'event_time', featureGroupName: 'orders' };
    new FeatureGroup(new Stack(app, 'A', { env: { account: '123456789012', region: 'us-east-1' } }), 'Orders', { ...base, schemaLock: { file: tempLockFile() } });
    new FeatureGroup(new Stack(app, 'B', { env: { account: '123456789012', region: 'eu-west-1' } }), 'Orders', { ...base, schemaLock: { file: tempLockFile() } });
    expect(() => app.synth()).not.toThrow();
  });

  test.each([
    ['an empty key', '', /received ""\. A tag key has 1 to 128 characters and is not blank/],
    ['a key with the reserved aws: prefix', 'aws:owner', /received "aws:owner"\. Tag keys starting with "aws:" are reserved for AWS/],
  ])('a tag with %s on a feature group (set with Tags.of)', (_what, key, rule) => {
    const group = make({})();
    Tags.of(group).add(key, 'ml');
    const app = group.node.root as App;
    expect(() => app.synth()).toThrow(/\[S\/G\] Invalid prop `tags`/);
    expect(() => app.synth()).toThrow(rule);
  });

  test('an empty tag key on a feature store is reported for the store and for each group, once each', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const store = new FeatureStore(stack, 'Store', { schemaLock: { file: tempLockFile() } });
    store.addFeatureGroup('Orders', { features: ORDER_FEATURES, recordIdentifierFeatureName: 'order_id', eventTimeFeatureName: 'event_time' });
    Tags.of(stack).add('', 'ml');
    let message = '';
    try { app.synth(); } catch (e: any) { message = e.message; }
    expect(message).toMatch(/\[S\/Store\] Invalid prop `tags`: received ""\. A tag key has 1 to 128 characters/);
    expect(message).toMatch(/\[S\/Store\/Orders\] Invalid prop `tags`: received ""/);
    expect(message.match(/Invalid prop `tags`/g)).toHaveLength(2);
  });
});
