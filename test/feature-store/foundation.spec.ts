import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ArtifactBucket, ManagedPolicyRole, MlopsFoundation, ProjectKey, StorageLayout } from '../../lib/core';
import { FeatureGroup, FeatureStore } from '../../lib/feature-store';
import { compliantApp, expectCompliant } from '../helpers/compliance';
import { ORDER_FEATURES, tempLockFile } from './util';

const ORDERS = { features: ORDER_FEATURES, recordIdentifierFeatureName: 'order_id', eventTimeFeatureName: 'event_time' };

function roleStatements(t: Template, stack: Stack, role: iam.IRole): any[] {
  const policies = t.findResources('AWS::IAM::ManagedPolicy', {
    Properties: { Roles: [{ Ref: stack.getLogicalId((role as iam.Role).node.defaultChild as iam.CfnRole) }] },
  });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('FeatureStore and FeatureGroup on a foundation', () => {
  test('the store, its groups and a group of its own create no key and no bucket: one key, one artifact bucket', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Shop');
    const foundation = new MlopsFoundation(stack, 'Foundation');
    const lock = { file: tempLockFile() };
    const store = new FeatureStore(stack, 'Features', { foundation, schemaLock: lock });
    store.addFeatureGroup('Orders', ORDERS);
    store.addFeatureGroup('Customers', ORDERS);
    const solo = new FeatureGroup(stack, 'Clicks', { ...ORDERS, foundation, schemaLock: lock });
    expectCompliant(stack);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    // The foundation's artifact bucket and its access-log bucket.
    t.resourceCountIs('AWS::S3::Bucket', 2);
    expect(store.encryptionKey).toBe(foundation.encryptionKey);
    expect(store.artifactBucket).toBe(foundation.artifactBucket);
    expect(solo.encryptionKey).toBe(foundation.encryptionKey);
    expect(solo.artifactBucket).toBe(foundation.artifactBucket);
    for (const [group, prefix] of [['Orders', 'feature-store/orders'], ['Clicks', 'feature-store/clicks']]) {
      t.hasResourceProperties('AWS::SageMaker::FeatureGroup', {
        FeatureGroupName: Match.stringLikeRegexp(`^shop-${group.toLowerCase()}-`),
        OnlineStoreConfig: Match.objectLike({ SecurityConfig: { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FoundationKey'), 'Arn'] } } }),
        OfflineStoreConfig: Match.objectLike({
          S3StorageConfig: {
            S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^FoundationArtifactsBucket') }, `/${prefix}`]] },
            KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FoundationKey'), 'Arn'] },
          },
        }),
      });
    }
  });

  test('the offline prefix comes from the foundation\'s StorageLayout; an explicit prefix wins', () => {
    const stack = new Stack(undefined, 'Shop');
    const foundation = new MlopsFoundation(stack, 'Foundation', { storageLayout: StorageLayout.of({ featureStore: 'data/features' }) });
    const lock = { file: tempLockFile() };
    const store = new FeatureStore(stack, 'Features', { foundation, schemaLock: lock });
    const orders = store.addFeatureGroup('Orders', ORDERS);
    const solo = new FeatureGroup(stack, 'Clicks', { ...ORDERS, foundation, schemaLock: lock });
    const explicit = new FeatureStore(stack, 'Other', { foundation, offlineStorePrefix: 'other/prefix/', schemaLock: lock });
    expect(store.offlineStorePrefix).toBe('data/features');
    expect(orders.offlineStorePrefix).toBe('data/features/orders');
    expect(solo.offlineStorePrefix).toBe('data/features/clicks');
    expect(explicit.offlineStorePrefix).toBe('other/prefix');
    const statements = roleStatements(Template.fromStack(stack), stack, store.offlineStoreRole);
    expect(statements).toContainEqual(expect.objectContaining({
      Sid: 'WriteOfflineStore',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^FoundationArtifactsBucket/), 'Arn'] }, '/data/features/*']] },
    }));
  });

  test('an explicit key or bucket wins over the foundation\'s', () => {
    const stack = new Stack(undefined, 'Shop');
    const foundation = new MlopsFoundation(stack, 'Foundation');
    const key = new ProjectKey(stack, 'FeatureKey');
    const bucket = new ArtifactBucket(stack, 'FeatureData', { encryptionKey: key }).bucket;
    const store = new FeatureStore(stack, 'Features', { foundation, encryptionKey: key, artifactBucket: bucket, schemaLock: { file: tempLockFile() } });
    const orders = store.addFeatureGroup('Orders', ORDERS);
    const groupKey = new ProjectKey(stack, 'GroupKey');
    const own = store.addFeatureGroup('Own', { ...ORDERS, encryptionKey: groupKey });
    expect(store.encryptionKey).toBe(key);
    expect(store.artifactBucket).toBe(bucket);
    expect(orders.encryptionKey).toBe(key);
    expect(orders.artifactBucket).toBe(bucket);
    expect(own.encryptionKey).toBe(groupKey);
    expect(own.artifactBucket).toBe(bucket);
  });
});

describe('a group is linked to its store by object', () => {
  test('addFeatureGroup links the group; a group within the store adds nothing to the store role', () => {
    const stack = new Stack(undefined, 'Shop');
    const store = new FeatureStore(stack, 'Features', { schemaLock: { file: tempLockFile() } });
    const orders = store.addFeatureGroup('Orders', ORDERS);
    const customers = store.addFeatureGroup('Customers', ORDERS);
    expect(orders.featureStore).toBe(store);
    expect(orders.offlineStoreRole).toBe(store.offlineStoreRole);
    expect(store.featureGroups).toEqual([orders, customers]);
    const statements = roleStatements(Template.fromStack(stack), stack, store.offlineStoreRole);
    expect(statements.map((s) => s.Sid)).toEqual(['WriteOfflineStore', 'CheckBucketOwnership', 'KeepGlueTableCurrent', 'EncryptOfflineStore']);
  });

  test('a group created outside the store with `featureStore` uses the store\'s resources in the same way', () => {
    const stack = new Stack(undefined, 'Shop');
    const store = new FeatureStore(stack, 'Features', { schemaLock: { file: tempLockFile() } });
    const group = new FeatureGroup(stack, 'Orders', { ...ORDERS, featureStore: store, schemaLock: { file: tempLockFile() } });
    expect(group.featureStore).toBe(store);
    expect(group.encryptionKey).toBe(store.encryptionKey);
    expect(group.artifactBucket).toBe(store.artifactBucket);
    expect(group.offlineStoreRole).toBe(store.offlineStoreRole);
    expect(group.glueDatabaseName).toBe(store.glueDatabaseName);
    expect(group.offlineStorePrefix).toBe('feature-store/orders');
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.resourceCountIs('AWS::Glue::Database', 1);
    t.resourceCountIs('AWS::IAM::Role', 1);
    expect(roleStatements(t, stack, store.offlineStoreRole)).toHaveLength(4);
  });

  test('a group outside the store\'s coverage adds its own statements to the store role, without Sids (they must be unique in a policy)', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Shop');
    const store = new FeatureStore(stack, 'Features', { schemaLock: { file: tempLockFile() } });
    store.addFeatureGroup('Orders', ORDERS);
    store.addFeatureGroup('Own', { ...ORDERS, encryptionKey: new ProjectKey(stack, 'GroupKey'), offlineStore: { prefix: 'elsewhere/own' } });
    store.addFeatureGroup('Other', { ...ORDERS, offlineStore: { prefix: 'elsewhere/other' } });
    expectCompliant(stack);
    const statements = roleStatements(Template.fromStack(stack), stack, store.offlineStoreRole);
    const sids = statements.map((s) => s.Sid).filter((s) => s !== undefined);
    expect(sids).toEqual(['WriteOfflineStore', 'CheckBucketOwnership', 'KeepGlueTableCurrent', 'EncryptOfflineStore']);
    const writes = statements.filter((s) => JSON.stringify(s.Action).includes('s3:PutObject')).map((s) => s.Resource['Fn::Join'][1][1]);
    expect(writes).toEqual(['/feature-store/*', '/elsewhere/own/*', '/elsewhere/other/*']);
    expect(JSON.stringify(statements)).toMatch(/GroupKey[0-9A-F]{8}/);
  });

  test('two groups of their own given one role: no duplicate Sids either', () => {
    const stack = new Stack(undefined, 'Shop');
    const role = new ManagedPolicyRole(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const lock = { file: tempLockFile() };
    new FeatureGroup(stack, 'A', { ...ORDERS, offlineStore: { role }, schemaLock: lock });
    new FeatureGroup(stack, 'B', { ...ORDERS, offlineStore: { role }, schemaLock: lock });
    const statements = roleStatements(Template.fromStack(stack), stack, role);
    expect(statements.length).toBeGreaterThanOrEqual(8);
    expect(statements.filter((s) => s.Sid !== undefined)).toEqual([]);
  });

  test('removalPolicy reaches the key, the buckets and the database the store creates, not those it is given', () => {
    const stack = new Stack(undefined, 'Shop');
    new FeatureStore(stack, 'Features', { removalPolicy: RemovalPolicy.DESTROY, schemaLock: { file: tempLockFile() } })
      .addFeatureGroup('Orders', ORDERS);
    const given = new ProjectKey(stack, 'Given');
    new FeatureStore(stack, 'Kept', { encryptionKey: given, removalPolicy: RemovalPolicy.DESTROY, schemaLock: { file: tempLockFile() } });
    const t = Template.fromStack(stack);
    const policyOf = (type: string, prefix: string) => Object.entries(t.findResources(type))
      .filter(([id]) => id.startsWith(prefix)).map(([, r]) => r.DeletionPolicy);
    expect(policyOf('AWS::KMS::Key', 'FeaturesKey')).toEqual(['Delete']);
    expect(policyOf('AWS::S3::Bucket', 'FeaturesOfflineStore')).toEqual(['Delete', 'Delete']);
    expect(policyOf('AWS::Glue::Database', 'FeaturesGlueDatabase')).toEqual(['Delete']);
    expect(policyOf('AWS::SageMaker::FeatureGroup', 'FeaturesOrders')).toEqual(['Delete']);
    expect(policyOf('AWS::KMS::Key', 'Given')).toEqual(['Retain']);
    t.hasResourceProperties('AWS::KMS::Key', { Description: 'cdk-sagemaker-mlops feature store Shop/Features: online and offline stores' });
  });
});
