import { App, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { ContainerImage, MetricComparison, MlopsFoundation, ModelPackageGroup } from '../lib/core';
import { StandardTrainingPipeline } from '../lib/training-pipeline';

/**
 * The build-evaluate-register part of the flow: the standard pipeline (preprocess with scikit-learn,
 * a data quality baseline, train with the built-in XGBoost image, evaluate, gate on the MSE, register
 * with PendingManualApproval) on the project foundation, registering into the churn model package
 * group, started every night and whenever new data lands under `incoming/`.
 */
export function addTrainingPipelineExample(app: App): Stack {
  const stack = new Stack(app, 'MlopsTrainingPipelineExample', {
    env: { account: '123456789012', region: 'eu-west-1' },
    description: 'cdk-sagemaker-mlops example: the standard training pipeline with schedule and new-data triggers',
  });
  const foundation = new MlopsFoundation(stack, 'Foundation', { encryptionKeyProps: { alias: 'mlops/training-pipeline-example' } });
  const artifacts = foundation.artifactBucket;
  const models = new ModelPackageGroup(stack, 'ChurnModels', { modelPackageGroupName: 'churn' });

  const pipeline = new StandardTrainingPipeline(stack, 'ChurnPipeline', {
    pipelineName: 'churn-training',
    foundation,
    modelPackageGroup: models,
    inputDataUri: `s3://${artifacts.bucketName}/incoming/`,
    preprocessingScript: { s3Uri: `s3://${artifacts.bucketName}/code/preprocess.py` },
    evaluationScript: { s3Uri: `s3://${artifacts.bucketName}/code/evaluate.py` },
    trainingImage: ContainerImage.xgboost('1.7-1'),
    metricJsonPath: 'regression_metrics.mse.value',
    metricThreshold: 6,
    metricComparison: MetricComparison.LESS_THAN_OR_EQUAL_TO,
    maxParallelSteps: 4,
  });
  pipeline.addScheduleTrigger('Nightly', { schedule: events.Schedule.cron({ hour: '2', minute: '0' }) });
  pipeline.addNewDataTrigger('NewData', { bucket: artifacts, prefix: 'incoming/' });
  return stack;
}
