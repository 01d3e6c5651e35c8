import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ArtifactBucket, ManagedPolicyRole, ProjectKey } from '../../lib/core';
import { FeatureGroup, FeatureStore, FeatureType, OnlineStoreStorageType, SchemaLockMode } from '../../lib/feature-store';
import { compliantApp, expectCompliant } from '../helpers/compliance';
import { ORDER_FEATURES, readLockFile, tempLockFile } from './util';

describe('FeatureStore with two groups and grants', () => {
  let stack: Stack;
  let t: Template;
  let store: FeatureStore;
  let orders: FeatureGroup;
  let customers: FeatureGroup;
  let lockFile: string;
  beforeAll(() => {
    lockFile = tempLockFile();
    const app = compliantApp();
    stack = new Stack(app, 'Shop');
    const key = new ProjectKey(stack, 'ProjectKey');
    const artifacts = new ArtifactBucket(stack, 'Artifacts', { encryptionKey: key });
    store = new FeatureStore(stack, 'Features', { encryptionKey: key, artifactBucket: artifacts.bucket, schemaLock: { file: lockFile, mode: SchemaLockMode.UPDATE } });
    orders = store.addFeatureGroup('Orders', {
      features: ORDER_FEATURES, recordIdentifierFeatureName: 'order_id', eventTimeFeatureName: 'event_time',
      onlineStore: { ttl: Duration.days(90) },
    });
    customers = store.addFeatureGroup('Customers', {
      features: [
        { name: 'customer_id', type: FeatureType.INTEGRAL },
        { name: 'updated_at', type: FeatureType.STRING },
        { name: 'lifetime_value', type: FeatureType.FRACTIONAL },
      ],
      recordIdentifierFeatureName: 'customer_id', eventTimeFeatureName: 'updated_at',
      onlineStore: { storageType: OnlineStoreStorageType.IN_MEMORY },
    });
    const pipeline = new ManagedPolicyRole(stack, 'PipelineRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    orders.grantWrite(pipeline);
    orders.grantOfflineQuery(pipeline);
    const endpoint = new ManagedPolicyRole(stack, 'EndpointRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    customers.grantRead(endpoint);
    expectCompliant(stack);
    t = Template.fromStack(stack);
  });

  test('both groups share the key, the bucket, the Glue database and the role; each has its own prefix', () => {
    const groups = Object.values(t.findResources('AWS::SageMaker::FeatureGroup'));
    expect(groups).toHaveLength(2);
    const roleArns = new Set(groups.map((g) => JSON.stringify(g.Properties.RoleArn)));
    const databases = new Set(groups.map((g) => JSON.stringify(g.Properties.OfflineStoreConfig.DataCatalogConfig.Database)));
    expect(roleArns.size).toBe(1);
    expect(databases.size).toBe(1);
    t.hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      RecordIdentifierFeatureName: 'order_id',
      OfflineStoreConfig: Match.objectLike({
        S3StorageConfig: {
          S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^ArtifactsBucket') }, '/feature-store/orders']] },
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProjectKey'), 'Arn'] },
        },
      }),
      OnlineStoreConfig: Match.objectLike({ TtlDuration: { Unit: 'Days', Value: 90 } }),
    });
    t.hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      RecordIdentifierFeatureName: 'customer_id',
      OfflineStoreConfig: Match.objectLike({
        S3StorageConfig: Match.objectLike({ S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^ArtifactsBucket') }, '/feature-store/customers']] } }),
      }),
      OnlineStoreConfig: Match.objectLike({ StorageType: 'InMemory' }),
    });
    t.resourceCountIs('AWS::Glue::Database', 1);
    t.resourceCountIs('AWS::KMS::Key', 1);
    expect(store.featureGroups).toEqual([orders, customers]);
  });

  test('the store role holds one set of statements for the whole store, in a managed policy', () => {
    const policies = t.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^FeaturesOfflineStoreRole') }] } });
    const docs = Object.values(policies).map((p) => p.Properties.PolicyDocument.Statement).flat();
    const put = docs.filter((s: any) => JSON.stringify(s.Action).includes('s3:PutObject'));
    expect(put).toHaveLength(1);
    expect(JSON.stringify(put[0].Resource)).toContain('/feature-store/*');
    const glueStatement = docs.find((s: any) => JSON.stringify(s.Action).includes('glue:UpdateTable'));
    expect(JSON.stringify(glueStatement.Resource)).toMatch(/:table\/","?.*\/\*"/);
    expect(JSON.stringify(glueStatement.Action)).not.toContain('glue:CreateTable');
  });

  test('grantRead: GetRecord and BatchGetRecord on the group ARN, kms:Decrypt on the key', () => {
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^EndpointRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['sagemaker:GetRecord', 'sagemaker:BatchGetRecord', 'sagemaker:DescribeFeatureGroup'],
            Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^:feature-group/shop-customers-[0-9a-f]{8}$')])] },
          }),
          Match.objectLike({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProjectKey'), 'Arn'] } }),
        ]),
      },
    });
  });

  test('grantWrite: PutRecord and DeleteRecord; grantOfflineQuery: Athena workgroup, Glue table, S3 prefix, KMS', () => {
    const policies = t.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^PipelineRole') }] } });
    const statements = Object.values(policies).map((p) => p.Properties.PolicyDocument.Statement).flat();
    const json = JSON.stringify(statements);
    expect(json).toContain('"sagemaker:PutRecord","sagemaker:DeleteRecord"');
    expect(json).toMatch(/athena:StartQueryExecution.*:workgroup\/primary/);
    expect(json).toMatch(/"glue:GetDatabase","glue:GetTable","glue:GetPartitions"/);
    expect(json).toContain('/feature-store/orders/*');
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 's3:ListBucket',
      Condition: { StringLike: { 's3:prefix': ['feature-store/orders', 'feature-store/orders/*'] } },
    }));
    expect(json).not.toContain('/feature-store/customers');
    expect(json).not.toMatch(/"Resource":"\*"/);
  });

  test('the lock records both groups under their construct paths', () => {
    expect(Object.keys(readLockFile(lockFile).featureGroups)).toEqual(['Shop/Features/Customers', 'Shop/Features/Orders']);
  });
});

describe('FeatureStore defaults and bad input', () => {
  test('creates its own key, artifact bucket, database and role, and is compliant', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'S');
    const store = new FeatureStore(stack, 'Store', { schemaLock: { file: tempLockFile() } });
    store.addFeatureGroup('Orders', { features: ORDER_FEATURES, recordIdentifierFeatureName: 'order_id', eventTimeFeatureName: 'event_time' });
    store.addFeatureGroup('Clicks', {
      features: ORDER_FEATURES, recordIdentifierFeatureName: 'order_id', eventTimeFeatureName: 'event_time',
      offlineStore: { enabled: false },
    });
    expectCompliant(stack);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.resourceCountIs('AWS::Glue::Database', 1);
    t.hasResourceProperties('AWS::SageMaker::FeatureGroup', { RecordIdentifierFeatureName: 'order_id', OfflineStoreConfig: Match.absent() });
  });

  test('bad prefix or database name', () => {
    const stack = new Stack();
    expect(() => new FeatureStore(stack, 'A', { offlineStorePrefix: '/x' })).toThrow(/\[Default\/A\] Invalid prop `offlineStorePrefix`/);
    expect(() => new FeatureStore(stack, 'B', { glueDatabaseName: 'My-Db' })).toThrow(/Invalid prop `glueDatabaseName`: received "My-Db"/);
  });
});

describe('FeatureStore hardening (issue 10)', () => {
  let t: Template;
  beforeAll(() => {
    const stack = new Stack(undefined, 'Hard');
    const store = new FeatureStore(stack, 'Features', { schemaLock: { file: tempLockFile() } });
    store.addFeatureGroup('Orders', { features: ORDER_FEATURES, recordIdentifierFeatureName: 'order_id', eventTimeFeatureName: 'event_time' });
    store.addFeatureGroup('Returns', { features: ORDER_FEATURES, recordIdentifierFeatureName: 'order_id', eventTimeFeatureName: 'event_time' });
    t = Template.fromStack(stack);
  });

  test('the groups wait for the store role\'s policies, not for the role their RoleArn already references (cfn-lint W3005)', () => {
    const roleId = Object.keys(t.findResources('AWS::IAM::Role'))[0];
    const policies = Object.keys(t.findResources('AWS::IAM::ManagedPolicy'));
    for (const group of Object.values(t.findResources('AWS::SageMaker::FeatureGroup')) as any[]) {
      expect(group.Properties.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
      expect(group.DependsOn).toEqual(policies);
      expect(group.DependsOn).not.toContain(roleId);
    }
  });

  test('the offline store role trusts SageMaker with no condition AWS does not document for Feature Store (item 6)', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
    });
  });

  test('the Data Catalog encryption of the account is left alone: it is a setting of the whole catalog, not of the database (item 11)', () => {
    t.resourceCountIs('AWS::Glue::DataCatalogEncryptionSettings', 0);
    t.resourceCountIs('AWS::Glue::Database', 1);
  });
});
