import { App, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FeatureStore, FeatureType, ManagedPolicyRole, MetricComparison, MlopsFoundation, MlopsProject } from '../lib';

/**
 * Features in, model out: the data team's ingestion job writes customer records into a feature
 * group (online and offline store, both encrypted with the project key); the project's training
 * pipeline trains every week on the group's offline store (its input data by default) and the
 * endpoints read the online store at inference time.
 *
 * The schemas are checked against the schema lock (`feature-store.lock.json`, committed beside
 * cdk.json): removing or re-typing a feature below fails the synth instead of replacing the group.
 */
export function addFeatureStoreExample(app: App): Stack {
  const stack = new Stack(app, 'RetentionProject', { env: { account: '123456789012', region: 'eu-west-1' } });
  const foundation = new MlopsFoundation(stack, 'Foundation');
  const store = new FeatureStore(stack, 'Features', { foundation });
  const customers = store.addFeatureGroup('Customers', {
    description: 'Customer activity, one record per customer id',
    features: [
      { name: 'customer_id', type: FeatureType.STRING },
      { name: 'event_time', type: FeatureType.FRACTIONAL },
      { name: 'tenure_months', type: FeatureType.INTEGRAL },
      { name: 'monthly_spend', type: FeatureType.FRACTIONAL },
      { name: 'support_tickets_90d', type: FeatureType.INTEGRAL },
      { name: 'churned', type: FeatureType.INTEGRAL },
    ],
    recordIdentifierFeatureName: 'customer_id',
    eventTimeFeatureName: 'event_time',
    onlineStore: { ttl: Duration.days(365) },
  });

  // The ingestion job (an AWS Glue job of the data team) puts records; SageMaker copies them to the offline store.
  const ingestion = new ManagedPolicyRole(stack, 'IngestionRole', {
    assumedBy: new iam.ServicePrincipal('glue.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    description: 'Ingests customer records into the Customers feature group',
  });
  customers.grantWrite(ingestion);

  new MlopsProject(stack, 'Retention', {
    projectName: 'retention',
    foundation,
    training: {
      // No inputDataUri: the Customers group's offline store.
      preprocessingScript: { s3Uri: 's3://my-code/retention/preprocess.py' },
      evaluationScript: { s3Uri: 's3://my-code/retention/evaluate.py' },
      metricJsonPath: 'binary_classification_metrics.auc.value',
      metricThreshold: 0.8,
      metricComparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO,
    },
    featureStore: { featureStore: store, featureGroup: customers, endpointReadsOnlineStore: true },
    // The container calls the Feature Store runtime API (GetRecord): it needs the network.
    endpoint: { dataQualityMonitor: true, networkIsolation: false },
    retraining: { schedule: events.Schedule.cron({ weekDay: 'SUN', hour: '4', minute: '0' }) },
    notificationEmails: ['retention-team@example.com'],
  });
  return stack;
}
