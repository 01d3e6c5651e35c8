import { App, Stack } from 'aws-cdk-lib';
import { MetricComparison, MlopsFoundation, MlopsProject, MlopsTargetAccount, ProjectStage } from '../lib';

/** The three accounts of the example (replace them with yours). */
export const MULTI_ACCOUNT = {
  tooling: '111122223333',
  staging: '222233334444',
  prod: '555566667777',
  region: 'eu-west-1',
};

/**
 * Staging and prod in their own accounts: the project stack in the tooling account (training,
 * registry, approval, release handler, deploy pipeline) and one MlopsTargetAccount stack in each of
 * the staging and prod accounts (the roles the deploy pipeline acts with there, the model and
 * monitoring roles, the alarm topic and the forwarding of alarms to the tooling account).
 *
 * Deploy in this order, once: `FraudTooling` (tooling account), then `FraudStagingAccount` and
 * `FraudProdAccount` (each in its account, after the tooling stack: they need its key's ARN, the
 * `EncryptionKeyArn` output, given as `-c fraud:encryptionKeyArn=<arn>`), then approve the first
 * model version. Without the context value, the target stacks synthesize with a placeholder ARN.
 */
export function addMultiAccountExample(app: App): Stack {
  const a = MULTI_ACCOUNT;
  const env = (account: string) => ({ account, region: a.region });
  const tooling = new Stack(app, 'FraudTooling', { env: env(a.tooling) });
  // A bucket name the target accounts know before the tooling stack is deployed.
  const artifactBucketName = `fraud-artifacts-${a.tooling}-${a.region}`;
  const foundation = new MlopsFoundation(tooling, 'Foundation', { artifactBucketProps: { bucketName: artifactBucketName } });
  new MlopsProject(tooling, 'Fraud', {
    projectName: 'fraud',
    foundation,
    training: {
      inputDataUri: 's3://my-raw-data/fraud/',
      preprocessingScript: { s3Uri: 's3://my-code/fraud/preprocess.py' },
      evaluationScript: { s3Uri: 's3://my-code/fraud/evaluate.py' },
      metricJsonPath: 'binary_classification_metrics.auc.value',
      metricThreshold: 0.9,
      metricComparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO,
    },
    endpoint: { dataQualityMonitor: true },
    staging: { account: a.staging },
    prod: { account: a.prod },
    notificationEmails: ['fraud-team@example.com'],
  });

  const encryptionKeyArn: string = app.node.tryGetContext('fraud:encryptionKeyArn')
    ?? `arn:aws:kms:${a.region}:${a.tooling}:key/00000000-0000-0000-0000-000000000000`;
  for (const [stage, account, id] of [[ProjectStage.STAGING, a.staging, 'FraudStagingAccount'], [ProjectStage.PROD, a.prod, 'FraudProdAccount']] as const) {
    const stack = new Stack(app, id, { env: env(account) });
    new MlopsTargetAccount(stack, 'Target', {
      projectName: 'fraud', stage, toolingAccount: a.tooling, encryptionKeyArn, artifactBucketName,
    });
  }
  return tooling;
}
