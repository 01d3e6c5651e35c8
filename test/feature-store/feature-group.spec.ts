import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  FeatureGroup, FeatureGroupProps, FeatureType, OfflineStoreTableFormat, OnlineStoreStorageType, SchemaLockMode, ThroughputMode,
} from '../../lib/feature-store';
import { App } from 'aws-cdk-lib';
import { compliantApp, expectCompliant, STRICT_VALIDATION_CONTEXT } from '../helpers/compliance';
import { ORDER_FEATURES, tempLockFile } from './util';

function baseProps(extra: Partial<FeatureGroupProps> = {}): FeatureGroupProps {
  return {
    features: ORDER_FEATURES,
    recordIdentifierFeatureName: 'order_id',
    eventTimeFeatureName: 'event_time',
    schemaLock: { file: tempLockFile() },
    ...extra,
  };
}

describe('FeatureGroup with defaults', () => {
  let stack: Stack;
  let template: Template;
  let group: FeatureGroup;
  beforeAll(() => {
    const app = compliantApp();
    stack = new Stack(app, 'Shop');
    group = new FeatureGroup(stack, 'Orders', baseProps({ description: 'Orders by id' }));
    expectCompliant(stack);
    template = Template.fromStack(stack);
  });

  test('renders typed features, record identifier and event time', () => {
    template.hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      RecordIdentifierFeatureName: 'order_id',
      EventTimeFeatureName: 'event_time',
      Description: 'Orders by id',
      FeatureDefinitions: [
        { FeatureName: 'order_id', FeatureType: 'String' },
        { FeatureName: 'event_time', FeatureType: 'Fractional' },
        { FeatureName: 'amount', FeatureType: 'Fractional' },
        { FeatureName: 'item_count', FeatureType: 'Integral' },
      ],
    });
  });

  test('derives a stable lowercase name from stack and id with a hash', () => {
    const props = template.findResources('AWS::SageMaker::FeatureGroup');
    const name = Object.values(props)[0].Properties.FeatureGroupName;
    expect(name).toMatch(/^shop-orders-[0-9a-f]{8}$/);
    expect(name.length).toBeLessThanOrEqual(64);
  });

  test('online store on, Standard tier, encrypted with the group key, no TTL', () => {
    template.hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      OnlineStoreConfig: {
        EnableOnlineStore: true,
        StorageType: 'Standard',
        SecurityConfig: { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersKey'), 'Arn'] } },
        TtlDuration: Match.absent(),
      },
    });
  });

  test('offline store in S3 with KMS, Glue table creation on, Iceberg by default', () => {
    template.hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      OfflineStoreConfig: {
        S3StorageConfig: {
          S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^OrdersOfflineStoreBucket') }, '/feature-store/orders']] },
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersKey'), 'Arn'] },
        },
        DisableGlueTableCreation: false,
        DataCatalogConfig: {
          Catalog: 'AwsDataCatalog',
          Database: { Ref: Match.stringLikeRegexp('^OrdersGlueDatabase') },
          TableName: Match.stringLikeRegexp('^shop_orders_[0-9a-f]{8}$'),
        },
        TableFormat: 'Iceberg',
      },
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersOfflineStoreRole'), 'Arn'] },
    });
    template.hasResource('AWS::Glue::Database', {
      Properties: { CatalogId: { Ref: 'AWS::AccountId' }, DatabaseInput: Match.objectLike({ Name: 'shop_orders_features' }) },
      DeletionPolicy: 'Retain',
    });
  });

  test('the group is retained and waits for its role\'s policy; the role itself only through its GetAtt (cfn-lint W3005)', () => {
    const resources = template.findResources('AWS::SageMaker::FeatureGroup');
    const fg = Object.values(resources)[0];
    expect(fg.DeletionPolicy).toBe('Retain');
    expect(fg.UpdateReplacePolicy).toBe('Retain');
    expect(fg.DependsOn).toEqual([expect.stringMatching(/^OrdersOfflineStoreRolePermissions/)]);
    expect(fg.Properties.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OrdersOfflineStoreRole[0-9A-F]{8}$/), 'Arn'] });
  });

  test('the offline store role trusts SageMaker and may only write its prefix, table and key', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^OrdersOfflineStoreRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['s3:PutObject', 's3:PutObjectAcl', 's3:GetObject'],
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersOfflineStoreBucket'), 'Arn'] }, '/feature-store/orders/*']] },
          }),
          Match.objectLike({ Action: 's3:GetBucketAcl' }),
          Match.objectLike({
            Action: ['glue:GetTable', 'glue:UpdateTable'],
            Resource: Match.arrayWith([
              { 'Fn::Join': ['', Match.arrayWith([':catalog'])] },
            ]),
          }),
          Match.objectLike({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'] }),
        ]),
      },
    });
    // No inline policy on the role, and nothing broader than the group's own resources.
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const doc = JSON.stringify(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(doc).not.toMatch(/"Resource":"\*"/);
    expect(doc).not.toMatch(/"Action":"(s3|glue|kms):\*"/);
  });

  test('exposes names and ARNs for pipelines', () => {
    expect(stack.resolve(group.featureGroupName)).toEqual({ Ref: stack.getLogicalId(group.cfnFeatureGroup) });
    expect(stack.resolve(group.featureGroupArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' },
        ':feature-group/', { Ref: stack.getLogicalId(group.cfnFeatureGroup) }]],
    });
    expect(group.recordIdentifierFeatureName).toBe('order_id');
    expect(group.eventTimeFeatureName).toBe('event_time');
    expect(group.onlineStoreEnabled).toBe(true);
    expect(group.offlineStoreEnabled).toBe(true);
  });
});

describe('FeatureGroup options', () => {
  test('TTL renders in the largest exact unit; InMemory tier; given key', () => {
    const app = new App({ context: STRICT_VALIDATION_CONTEXT });
    const stack = new Stack(app, 'S');
    const key = new kms.Key(stack, 'OnlineKey', { enableKeyRotation: true });
    new FeatureGroup(stack, 'A', baseProps({ onlineStore: { ttl: Duration.days(14), storageType: OnlineStoreStorageType.IN_MEMORY, encryptionKey: key } }));
    new FeatureGroup(stack, 'B', baseProps({ onlineStore: { ttl: Duration.hours(36) } }));
    new FeatureGroup(stack, 'C', baseProps({ onlineStore: { ttl: Duration.seconds(90) } }));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      OnlineStoreConfig: { StorageType: 'InMemory', TtlDuration: { Unit: 'Weeks', Value: 2 }, SecurityConfig: { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OnlineKey'), 'Arn'] } } },
    });
    t.hasResourceProperties('AWS::SageMaker::FeatureGroup', { OnlineStoreConfig: Match.objectLike({ TtlDuration: { Unit: 'Hours', Value: 36 } }) });
    t.hasResourceProperties('AWS::SageMaker::FeatureGroup', { OnlineStoreConfig: Match.objectLike({ TtlDuration: { Unit: 'Seconds', Value: 90 } }) });
  });

  test('offline-only group: no online store config, no key for it', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'S');
    new FeatureGroup(stack, 'A', baseProps({ onlineStore: { enabled: false }, offlineStore: { tableFormat: OfflineStoreTableFormat.GLUE } }));
    expectCompliant(stack);
    Template.fromStack(stack).hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      OnlineStoreConfig: Match.absent(),
      OfflineStoreConfig: Match.objectLike({ TableFormat: 'Glue' }),
    });
  });

  test('online-only group: no offline store, no role, no bucket', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'S');
    const group = new FeatureGroup(stack, 'A', baseProps({ offlineStore: { enabled: false } }));
    expectCompliant(stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SageMaker::FeatureGroup', { OfflineStoreConfig: Match.absent(), RoleArn: Match.absent() });
    t.resourceCountIs('AWS::S3::Bucket', 0);
    t.resourceCountIs('AWS::IAM::Role', 0);
    t.resourceCountIs('AWS::Glue::Database', 0);
    expect(group.offlineStoreS3Uri).toBeUndefined();
  });

  test('existing bucket, prefix, role, database, table and a given name', () => {
    const app = new App({ context: STRICT_VALIDATION_CONTEXT });
    const stack = new Stack(app, 'S');
    const bucket = s3.Bucket.fromBucketName(stack, 'Data', 'my-data-bucket');
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/fs-offline', { mutable: false });
    new FeatureGroup(stack, 'A', baseProps({
      featureGroupName: 'Customer-Features',
      artifactBucket: bucket,
      offlineStore: { prefix: 'features/customers/', role, glueDatabaseName: 'analytics', glueTableName: 'customers_v1' },
      removalPolicy: RemovalPolicy.DESTROY,
    }));
    const t = Template.fromStack(stack);
    t.hasResource('AWS::SageMaker::FeatureGroup', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        FeatureGroupName: 'Customer-Features',
        RoleArn: 'arn:aws:iam::123456789012:role/fs-offline',
        OfflineStoreConfig: Match.objectLike({
          S3StorageConfig: Match.objectLike({ S3Uri: 's3://my-data-bucket/features/customers' }),
          DataCatalogConfig: { Catalog: 'AwsDataCatalog', Database: 'analytics', TableName: 'customers_v1' },
        }),
      }),
    });
    t.resourceCountIs('AWS::Glue::Database', 0);
    t.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('a changed replacement-relevant property changes the derived name; an added feature does not', () => {
    const names: string[] = [];
    for (const variant of ['base', 'added', 'inmemory'] as const) {
      const app = new App({ context: STRICT_VALIDATION_CONTEXT });
      const stack = new Stack(app, 'S');
      const features = variant === 'added' ? [...ORDER_FEATURES, { name: 'discount', type: FeatureType.FRACTIONAL }] : ORDER_FEATURES;
      new FeatureGroup(stack, 'A', baseProps({
        features,
        schemaLock: { mode: SchemaLockMode.DISABLED },
        onlineStore: variant === 'inmemory' ? { storageType: OnlineStoreStorageType.IN_MEMORY } : undefined,
      }));
      const fg = Object.values(Template.fromStack(stack).findResources('AWS::SageMaker::FeatureGroup'))[0];
      names.push(fg.Properties.FeatureGroupName);
    }
    expect(names[1]).toBe(names[0]);
    expect(names[2]).not.toBe(names[0]);
  });

  test('throughput: provisioned capacity renders; on demand by mode', () => {
    const app = new App({ context: STRICT_VALIDATION_CONTEXT });
    const stack = new Stack(app, 'S');
    new FeatureGroup(stack, 'A', baseProps({ throughput: { mode: ThroughputMode.PROVISIONED, readCapacityUnits: 100, writeCapacityUnits: 50 } }));
    new FeatureGroup(stack, 'B', baseProps({ throughput: { mode: ThroughputMode.ON_DEMAND } }));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      ThroughputConfig: { ThroughputMode: 'Provisioned', ProvisionedReadCapacityUnits: 100, ProvisionedWriteCapacityUnits: 50 },
    });
    t.hasResourceProperties('AWS::SageMaker::FeatureGroup', { ThroughputConfig: { ThroughputMode: 'OnDemand' } });
  });

  test('throughput and TTL are not part of the derived name (they change in place)', () => {
    const names = [undefined, { mode: ThroughputMode.ON_DEMAND }].map((throughput) => {
      const app = new App();
      const stack = new Stack(app, 'S');
      new FeatureGroup(stack, 'A', baseProps({ throughput, onlineStore: throughput ? { ttl: Duration.days(1) } : undefined, schemaLock: { mode: SchemaLockMode.DISABLED } }));
      return Object.values(Template.fromStack(stack).findResources('AWS::SageMaker::FeatureGroup'))[0].Properties.FeatureGroupName;
    });
    expect(names[1]).toBe(names[0]);
  });

  test('an imported group grants by name, in both spellings when the name has capitals', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const group = FeatureGroup.fromFeatureGroupName(stack, 'Imported', 'Customers-Prod');
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    group.grantRead(role);
    group.grantWrite(role);
    expect(group.featureGroupName).toBe('Customers-Prod');
    const t = Template.fromStack(stack);
    const json = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(json).toContain(':feature-group/Customers-Prod"');
    expect(json).toContain(':feature-group/customers-prod"');
    expect(json).toContain('"sagemaker:GetRecord","sagemaker:BatchGetRecord","sagemaker:DescribeFeatureGroup"');
    expect(json).toContain('"sagemaker:PutRecord","sagemaker:DeleteRecord","sagemaker:DescribeFeatureGroup"');
    expect(() => FeatureGroup.fromFeatureGroupName(stack, 'Bad', 'bad_name')).toThrow(/Invalid prop `featureGroupName`: received "bad_name"/);
  });
});
