import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { ApprovalPolicy, MetricComparison, MlopsProject, MlopsProjectProps } from '../lib';

/**
 * The quickstart: one model's whole flow (train with the built-in XGBoost image, evaluate, register,
 * approve on a metric threshold, deploy to an ephemeral staging endpoint, test it for real, approve,
 * promote to prod, verify, monitor) in one construct.
 */
export function addQuickstartExample(app: App): Stack {
  const stack = new Stack(app, 'ChurnProject', { env: { account: '123456789012', region: 'eu-west-1' } });
  new MlopsProject(stack, 'Churn', quickstartProps());
  return stack;
}

/** The quickstart project's props (the README's cost table synthesizes them with each staging mode). */
export function quickstartProps(): MlopsProjectProps {
  const here = path.join(__dirname, 'quickstart');
  const auc = 'binary_classification_metrics.auc.value';
  return {
    projectName: 'churn',
    training: {
      inputDataUri: 's3://my-raw-data/churn/',
      preprocessingScript: { localFile: path.join(here, 'preprocess.py') },
      evaluationScript: { localFile: path.join(here, 'evaluate.py') },
      metricJsonPath: auc,
      metricThreshold: 0.75,
      metricComparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO,
    },
    approval: {
      policy: ApprovalPolicy.METRIC_THRESHOLDS_THEN_MANUAL,
      metricThresholds: [{ metricJsonPath: auc, comparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO, value: 0.75 }],
    },
    endpoint: { dataQualityMonitor: true },
    stagingTest: { samplesDirectory: path.join(here, 'samples') },
    notificationEmails: ['ml-team@example.com'],
  };
}
