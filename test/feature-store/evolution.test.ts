import * as fs from 'fs';
import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import {
  FeatureDefinition, FeatureGroup, FeatureGroupProps, FeatureType, OnlineStoreStorageType, SchemaLockContext, SchemaLockMode,
} from '../../lib/feature-store';
import { ORDER_FEATURES, readLockFile, tempLockFile } from './util';

interface Synth { readonly stack: Stack; readonly group: FeatureGroup }

/** Build the app as a user would on one synth, and synthesize it (validations run, the lock is read and written). */
function synth(file: string, extra: Partial<FeatureGroupProps> = {}, features: FeatureDefinition[] = ORDER_FEATURES,
  context: Record<string, string> = {}, tag?: string): Synth {
  const app = new App({ context });
  const stack = new Stack(app, 'Shop');
  const group = new FeatureGroup(stack, 'Orders', {
    features,
    recordIdentifierFeatureName: 'order_id',
    eventTimeFeatureName: 'event_time',
    schemaLock: context[SchemaLockContext.FILE] ? undefined : { file, mode: SchemaLockMode.UPDATE },
    ...extra,
  });
  if (tag) { Tags.of(stack).add('team', tag); }
  app.synth();
  return { stack, group };
}

const withDiscount = [...ORDER_FEATURES, { name: 'discount', type: FeatureType.FRACTIONAL }];

describe('schema evolution against the lock file', () => {
  test('the first synth records the group in the lock, keyed by construct path', () => {
    const file = tempLockFile();
    synth(file);
    const lock = readLockFile(file);
    expect(lock.version).toBe(1);
    expect(Object.keys(lock.featureGroups)).toEqual(['Shop/Orders']);
    expect(lock.featureGroups['Shop/Orders']).toMatchObject({
      recordIdentifierFeatureName: 'order_id',
      eventTimeFeatureName: 'event_time',
      features: { order_id: 'String', event_time: 'Fractional', amount: 'Fractional', item_count: 'Integral' },
      featureGroupName: expect.stringMatching(/^shop-orders-[0-9a-f]{8}$/),
      replacementProperties: expect.objectContaining({ OnlineStoreConfig: expect.objectContaining({ StorageType: 'Standard' }) }),
    });
  });

  test('adding a feature is allowed, keeps the name, and updates the lock', () => {
    const file = tempLockFile();
    synth(file);
    const nameBefore = readLockFile(file).featureGroups['Shop/Orders'].featureGroupName;
    synth(file, {}, withDiscount);
    const entry = readLockFile(file).featureGroups['Shop/Orders'];
    expect(entry.features.discount).toBe('Fractional');
    expect(entry.featureGroupName).toBe(nameBefore);
  });

  test('removing a feature is refused, names it, explains how to proceed, and leaves the lock alone', () => {
    const file = tempLockFile();
    synth(file, {}, withDiscount);
    const before = fs.readFileSync(file, 'utf-8');
    expect(() => synth(file)).toThrow(/\[Shop\/Orders\] Invalid prop `features`: received ".*feature-store\.lock\.json"\. Against the schema recorded in that lock file: feature\(s\) `discount` removed\. These changes replace the feature group.*set `allowReplacement: true` and raise `schemaVersion`/s);
    expect(fs.readFileSync(file, 'utf-8')).toBe(before);
  });

  test('the refusal names the construct path once (aws-cdk-lib prints it in front of validation messages)', () => {
    const file = tempLockFile();
    synth(file, {}, withDiscount);
    let message = '';
    try { synth(file); } catch (e: any) { message = e.message; }
    expect(message).toMatch(/\[Shop\/Orders\] Invalid prop `features`/);
    expect(message).not.toMatch(/\[Shop\/Orders\] \[Shop\/Orders\]/);
  });

  test('renaming a feature is refused as a removal plus an addition', () => {
    const file = tempLockFile();
    synth(file);
    const renamed = ORDER_FEATURES.map((f) => f.name === 'amount' ? { ...f, name: 'total_amount' } : f);
    expect(() => synth(file, {}, renamed)).toThrow(/feature\(s\) `amount` removed \(renaming a feature is removing it and adding another; added: `total_amount`\)/);
  });

  test('re-typing a feature is refused', () => {
    const file = tempLockFile();
    synth(file);
    const retyped = ORDER_FEATURES.map((f) => f.name === 'item_count' ? { ...f, type: FeatureType.FRACTIONAL } : f);
    expect(() => synth(file, {}, retyped)).toThrow(/feature `item_count` re-typed from Integral to Fractional/);
  });

  test('changing the record identifier or the event time is refused', () => {
    const file = tempLockFile();
    const features = [...ORDER_FEATURES, { name: 'order_ref', type: FeatureType.STRING }, { name: 'created_at', type: FeatureType.STRING }];
    synth(file, {}, features);
    expect(() => synth(file, { recordIdentifierFeatureName: 'order_ref' }, features))
      .toThrow(/the record identifier changed from `order_id` to `order_ref`/);
    expect(() => synth(file, { eventTimeFeatureName: 'created_at' }, features))
      .toThrow(/the event time feature changed from `event_time` to `created_at`/);
  });

  test('changing a property CloudFormation cannot update in place (storage tier, tags) is refused', () => {
    const file = tempLockFile();
    synth(file);
    expect(() => synth(file, { onlineStore: { storageType: OnlineStoreStorageType.IN_MEMORY } })).toThrow(/OnlineStoreConfig changed from/);
    expect(() => synth(file, {}, ORDER_FEATURES, {}, 'data')).toThrow(/Tags changed from undefined to/);
  });

  test('a TTL change is made in place and needs no opt-in', () => {
    const file = tempLockFile();
    synth(file);
    const before = fs.readFileSync(file, 'utf-8');
    expect(() => synth(file, { onlineStore: { ttl: Duration.days(30) } })).not.toThrow();
    expect(fs.readFileSync(file, 'utf-8')).toBe(before);
  });

  test('opting in without a new name is refused: the replacement could not be deployed', () => {
    const file = tempLockFile();
    synth(file, {}, withDiscount);
    expect(() => synth(file, { allowReplacement: true }))
      .toThrow(/Invalid prop `schemaVersion`: received 1\. The replacement allowed by `allowReplacement` \(feature\(s\) `discount` removed\) needs a new group name/);
  });

  test('opting in with a new schemaVersion is allowed, renames the group, warns, and updates the lock', () => {
    const file = tempLockFile();
    synth(file, {}, withDiscount);
    const oldName = readLockFile(file).featureGroups['Shop/Orders'].featureGroupName;
    const { stack } = synth(file, { allowReplacement: true, schemaVersion: 2 });
    const entry = readLockFile(file).featureGroups['Shop/Orders'];
    expect(entry.features.discount).toBeUndefined();
    expect(entry.featureGroupName).not.toBe(oldName);
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/Shop/Orders', Match.stringLikeRegexp('will be REPLACED by a new, empty group'));
    annotations.hasWarning('/Shop/Orders', Match.stringLikeRegexp('`allowReplacement` is set'));
    // The next synth with the same code is quiet about the lock.
    expect(() => synth(file, { allowReplacement: true, schemaVersion: 2 })).not.toThrow();
  });

  test('a given name must change for an opted-in replacement', () => {
    const file = tempLockFile();
    synth(file, { featureGroupName: 'orders' });
    const retyped = ORDER_FEATURES.map((f) => f.name === 'amount' ? { ...f, type: FeatureType.STRING } : f);
    expect(() => synth(file, { featureGroupName: 'orders', allowReplacement: true }, retyped))
      .toThrow(/Invalid prop `featureGroupName`: received "orders"\..*Give a new `featureGroupName`/);
    expect(() => synth(file, { featureGroupName: 'orders-v2', allowReplacement: true }, retyped)).not.toThrow();
    expect(readLockFile(file).featureGroups['Shop/Orders'].featureGroupName).toBe('orders-v2');
  });

  test('verify mode (CI) never writes: a missing entry and a stale entry are warnings, a replacement still an error', () => {
    const file = tempLockFile();
    const ci = { mode: SchemaLockMode.VERIFY, file };
    const first = synth(file, { schemaLock: ci });
    expect(fs.existsSync(file)).toBe(false);
    Annotations.fromStack(first.stack).hasWarning('/Shop/Orders', Match.stringLikeRegexp('is not in the schema lock'));
    synth(file);
    const before = fs.readFileSync(file, 'utf-8');
    const added = synth(file, { schemaLock: ci }, withDiscount);
    Annotations.fromStack(added.stack).hasWarning('/Shop/Orders', Match.stringLikeRegexp('does not record this feature group.s current schema \\(feature `discount` \\(Fractional\\) added\\)'));
    expect(fs.readFileSync(file, 'utf-8')).toBe(before);
    const retyped = ORDER_FEATURES.map((f) => f.name === 'amount' ? { ...f, type: FeatureType.STRING } : f);
    expect(() => synth(file, { schemaLock: ci }, retyped)).toThrow(/re-typed from Fractional to String/);
  });

  test('CI=true selects verify mode; context names the lock file', () => {
    const file = tempLockFile();
    const saved = process.env.CI;
    process.env.CI = 'true';
    try {
      synth(file, {}, ORDER_FEATURES, { [SchemaLockContext.FILE]: file });
      expect(fs.existsSync(file)).toBe(false);
      synth(file, {}, ORDER_FEATURES, { [SchemaLockContext.FILE]: file, [SchemaLockContext.MODE]: 'update' });
      expect(Object.keys(readLockFile(file).featureGroups)).toEqual(['Shop/Orders']);
    } finally {
      if (saved === undefined) { delete process.env.CI; } else { process.env.CI = saved; }
    }
  });

  test('a corrupt lock file or an unknown mode is an error, not a silent reset', () => {
    const file = tempLockFile();
    fs.writeFileSync(file, '{ "version": 1, <<<<<<< HEAD');
    expect(() => synth(file)).toThrow(/is not valid JSON.*Restore it from version control/s);
    expect(() => synth(file, {}, ORDER_FEATURES, { [SchemaLockContext.FILE]: file, [SchemaLockContext.MODE]: 'sometimes' }))
      .toThrow(/Invalid context `cdk-sagemaker-mlops:featureStoreLockMode`: received "sometimes"/);
  });

  test('disabled mode warns that nothing protects the data', () => {
    const file = tempLockFile();
    const { stack } = synth(file, { schemaLock: { mode: SchemaLockMode.DISABLED, file } });
    expect(fs.existsSync(file)).toBe(false);
    Annotations.fromStack(stack).hasWarning('/Shop/Orders', Match.stringLikeRegexp('schema lock is disabled'));
  });

  test('a moved construct with a given name is refused: the retained old group still holds the name', () => {
    const file = tempLockFile();
    synth(file, { featureGroupName: 'orders' });
    const app = new App();
    const stack = new Stack(app, 'Shop');
    new FeatureGroup(stack, 'OrdersV2', {
      features: ORDER_FEATURES, recordIdentifierFeatureName: 'order_id', eventTimeFeatureName: 'event_time',
      featureGroupName: 'orders', schemaLock: { file, mode: SchemaLockMode.UPDATE },
    });
    expect(() => app.synth()).toThrow(/\[Shop\/OrdersV2\] Invalid prop `featureGroupName`: received "orders"\. The lock records this name for Shop\/Orders, which is no longer in the app/);
  });

  test('a moved construct with a derived name is a new group: warned about, the old entry kept', () => {
    const file = tempLockFile();
    synth(file);
    const app = new App();
    const stack = new Stack(app, 'Shop');
    new FeatureGroup(stack, 'OrdersV2', {
      features: ORDER_FEATURES, recordIdentifierFeatureName: 'order_id', eventTimeFeatureName: 'event_time',
      schemaLock: { file, mode: SchemaLockMode.UPDATE },
    });
    app.synth();
    Annotations.fromStack(stack).hasWarning('/Shop/OrdersV2', Match.stringLikeRegexp('no longer in this stack \\(Shop/Orders\\).*a NEW, empty group'));
    expect(Object.keys(readLockFile(file).featureGroups)).toEqual(['Shop/Orders', 'Shop/OrdersV2']);
  });
});
