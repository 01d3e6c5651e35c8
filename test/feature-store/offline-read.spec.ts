import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ManagedPolicyRole, MlopsFoundation, ProjectKey } from '../../lib/core';
import { FeatureGroup, FeatureStore } from '../../lib/feature-store';
import { compliantApp, expectCompliant } from '../helpers/compliance';
import { ORDER_FEATURES, tempLockFile } from './util';

const ORDERS = { features: ORDER_FEATURES, recordIdentifierFeatureName: 'order_id', eventTimeFeatureName: 'event_time' };

/** The statements of the customer managed policies of `role`. */
function statementsOf(t: Template, stack: Stack, role: iam.Role): any[] {
  const policies = t.findResources('AWS::IAM::ManagedPolicy', {
    Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }] },
  });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const glueArn = (resource: unknown[]) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ...resource]],
});

describe('grantReadOfflineStore', () => {
  test('a training job role may read exactly the group\'s prefix, table and key, and nothing is left unacknowledged', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Shop');
    const orders = new FeatureGroup(stack, 'Orders', { ...ORDERS, schemaLock: { file: tempLockFile() } });
    const jobRole = new ManagedPolicyRole(stack, 'TrainingJobRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    orders.grantReadOfflineStore(jobRole);
    expectCompliant(stack);
    const t = Template.fromStack(stack);
    const database = { Ref: Match.stringLikeRegexp('^OrdersGlueDatabase') };
    expect(statementsOf(t, stack, jobRole)).toEqual([
      {
        Action: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
        Effect: 'Allow',
        Resource: [
          glueArn([':catalog']),
          glueArn([':database/', { Ref: expect.stringMatching(/^OrdersGlueDatabase/) }]),
          glueArn([':table/', { Ref: expect.stringMatching(/^OrdersGlueDatabase/) }, expect.stringMatching(/^\/shop_orders_[0-9a-f]{8}$/)]),
        ],
      },
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^OrdersOfflineStoreBucket/), 'Arn'] }, '/feature-store/orders/*']] },
      },
      {
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': ['feature-store/orders', 'feature-store/orders/*'] } },
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^OrdersOfflineStoreBucket/), 'Arn'] },
      },
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^OrdersKey/), 'Arn'] } },
    ]);
    // The table granted is the one the group's offline store config names.
    t.hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      OfflineStoreConfig: Match.objectLike({ DataCatalogConfig: Match.objectLike({ Database: database }) }),
    });
    expect(JSON.stringify(statementsOf(t, stack, jobRole))).not.toMatch(/"Resource":"\*"/);
    expect(stack.resolve(orders.offlineStoreS3Uri)).toEqual({
      'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^OrdersOfflineStoreBucket/) }, '/feature-store/orders']],
    });
  });

  test('an offline store key other than the bucket\'s: both decrypt', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Shop');
    const foundation = new MlopsFoundation(stack, 'Foundation');
    const offlineKey = new ProjectKey(stack, 'OfflineKey');
    const orders = new FeatureGroup(stack, 'Orders', {
      ...ORDERS, foundation, offlineStore: { encryptionKey: offlineKey }, schemaLock: { file: tempLockFile() },
    });
    const jobRole = new ManagedPolicyRole(stack, 'TrainingJobRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    orders.grantReadOfflineStore(jobRole);
    const decrypts = statementsOf(Template.fromStack(stack), stack, jobRole).filter((s) => s.Action === 'kms:Decrypt');
    expect(decrypts.map((s) => s.Resource['Fn::GetAtt'][0])).toEqual([
      expect.stringMatching(/^OfflineKey/), expect.stringMatching(/^FoundationKey/),
    ]);
  });

  test('a group of a store: the read is limited to the group\'s own prefix under the store\'s', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Shop');
    const store = new FeatureStore(stack, 'Features', { schemaLock: { file: tempLockFile() } });
    const orders = store.addFeatureGroup('Orders', ORDERS);
    store.addFeatureGroup('Customers', ORDERS);
    const jobRole = new ManagedPolicyRole(stack, 'TrainingJobRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    orders.grantReadOfflineStore(jobRole);
    expectCompliant(stack);
    const json = JSON.stringify(statementsOf(Template.fromStack(stack), stack, jobRole));
    expect(json).toContain('"/feature-store/orders/*"');
    expect(json).toContain('"s3:prefix":["feature-store/orders","feature-store/orders/*"]');
    expect(json).not.toContain('customers');
    expect(json).not.toMatch(/"Action":"glue:UpdateTable"|s3:PutObject/);
  });
});
