import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ArtifactBucket, ManagedPolicyRole, MlopsFoundation, ProjectKey } from '../lib/core';
import { FeatureStore, FeatureType, OnlineStoreStorageType } from '../lib/feature-store';

/**
 * The data of the flow: a feature store on the project's foundation (its key and artifact bucket)
 * with two feature groups, each with an encrypted online store and an Iceberg offline store under
 * the foundation's `feature-store` prefix; the training pipeline's role ingests into, queries and
 * reads the orders group's offline store (`offlineStoreS3Uri`), the endpoint's role reads
 * customers online.
 *
 * The schemas are checked against the schema lock (`feature-store.lock.json` where the app runs,
 * or the context value `cdk-sagemaker-mlops:featureStoreLockFile`): removing or re-typing a feature
 * below fails the synth instead of replacing the group.
 */
export function addFeatureStoreExample(app: App): Stack {
  const stack = new Stack(app, 'MlopsFeatureStoreExample', {
    description: 'cdk-sagemaker-mlops example: feature store with two feature groups (online + offline), schema lock and grants',
  });
  // The project's key and bucket, as a platform team would provide them (a new MlopsFoundation
  // creates both itself; these keep the construct ids the committed schema lock records).
  const key = new ProjectKey(stack, 'ProjectKey', { alias: 'mlops/feature-store-example' });
  const artifacts = new ArtifactBucket(stack, 'Artifacts', { encryptionKey: key });
  const foundation = MlopsFoundation.fromFoundationAttributes(stack, 'Foundation', {
    encryptionKey: key,
    artifactBucket: artifacts.bucket,
  });

  const store = new FeatureStore(stack, 'Features', { foundation });

  const orders = store.addFeatureGroup('Orders', {
    description: 'Orders, one record per order id',
    features: [
      { name: 'order_id', type: FeatureType.STRING },
      { name: 'event_time', type: FeatureType.FRACTIONAL },
      { name: 'customer_id', type: FeatureType.INTEGRAL },
      { name: 'amount', type: FeatureType.FRACTIONAL },
      { name: 'item_count', type: FeatureType.INTEGRAL },
      { name: 'channel', type: FeatureType.STRING },
    ],
    recordIdentifierFeatureName: 'order_id',
    eventTimeFeatureName: 'event_time',
    onlineStore: { ttl: Duration.days(90) },
  });

  const customers = store.addFeatureGroup('Customers', {
    description: 'Customer aggregates for real-time inference',
    features: [
      { name: 'customer_id', type: FeatureType.INTEGRAL },
      { name: 'updated_at', type: FeatureType.STRING },
      { name: 'lifetime_value', type: FeatureType.FRACTIONAL },
      { name: 'orders_last_30_days', type: FeatureType.INTEGRAL },
    ],
    recordIdentifierFeatureName: 'customer_id',
    eventTimeFeatureName: 'updated_at',
    onlineStore: { storageType: OnlineStoreStorageType.IN_MEMORY },
  });

  // The training pipeline ingests orders, queries their history with Athena, and its training
  // jobs read the offline store (`orders.offlineStoreS3Uri`) as their input.
  const pipelineRole = new ManagedPolicyRole(stack, 'PipelineRole', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    description: 'Runs the training pipeline: ingests orders, queries and reads the offline store',
  });
  orders.grantWrite(pipelineRole);
  orders.grantOfflineQuery(pipelineRole, { queryResultsBucket: foundation.artifactBucket, queryResultsPrefix: 'athena-results/' });
  orders.grantReadOfflineStore(pipelineRole);
  customers.grantWrite(pipelineRole);

  // The endpoint reads customer features online at inference time.
  const endpointRole = new ManagedPolicyRole(stack, 'EndpointRole', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    description: 'Serves the model: reads customer features from the online store',
  });
  customers.grantRead(endpointRole);
  return stack;
}
