/*
 * Integration test app for StandardTrainingPipeline, for users with an AWS account (see
 * CONTRIBUTING.md, "Integration apps"):
 *
 *   npx cdk deploy --app "npx ts-node --prefer-ts-exts --transpile-only -P tsconfig.dev.json test/integ/integ.training-pipeline.ts" --all
 *
 * The stack: a foundation, a model package group and the standard pipeline (preprocess -> data
 * quality baseline -> train the built-in XGBoost -> evaluate -> MSE gate -> register) on
 * ml.m5.large instances. The assertions, in order, against the real APIs:
 *   1. seed a synthetic regression data set (400 rows, test/integ/support.ts) under the pipeline's
 *      input prefix (S3 PutObject, encrypted with the foundation's key by the bucket's default);
 *   2. start an execution (StartPipelineExecution), wait until it ends (DescribePipelineExecution
 *      every minute, for up to 55 minutes: a run takes about 25) and require that it Succeeded;
 *   3. find the version it registered in the group (ListModelPackages, newest first): pending
 *      manual approval, with the model artifact under the group's model prefix and the evaluation
 *      report and drift-check baselines the approval policy and Model Monitor read
 *      (DescribeModelPackage).
 * The stack's teardown deletes the registered versions before the group (SageMaker refuses to
 * delete a group that has versions), and every bucket is emptied and deleted with the stack.
 * Cost: about 25 minutes of four processing and training jobs on ml.m5.large, under USD 0.50.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import {
  assertInOrder, disposable, runPipeline, IntegTeardown, integTraining, syntheticRegressionCsv, TRAINING_INPUT_PREFIX,
} from './support';
import { MlopsFoundation, ModelPackageGroup } from '../../lib/core';
import { StandardTrainingPipeline } from '../../lib/training-pipeline';

/** Build the integ app into `app` and return the test case. */
export function buildTrainingPipelineInteg(app: App): IntegTest {
  const stack = new Stack(app, 'MlopsIntegTrainingPipeline', {
    description: 'cdk-sagemaker-mlops integration test: the standard training pipeline',
  });
  const foundation = new MlopsFoundation(stack, 'Foundation', {
    encryptionKeyProps: { pendingWindow: Duration.days(7) },
  });
  const group = new ModelPackageGroup(stack, 'Models', { modelPackageGroupName: 'mlops-integ-training-models' });
  const bucketName = foundation.artifactBucket.bucketName;
  const pipeline = new StandardTrainingPipeline(stack, 'Training', {
    foundation,
    modelPackageGroup: group,
    pipelineName: 'mlops-integ-training',
    ...integTraining(bucketName),
  });
  // SageMaker deletes a group only without versions: the run's version goes first.
  new IntegTeardown(stack, 'Teardown', { modelPackageGroup: group, dependsOn: [group] });
  // Test data only: everything goes with the stack (the library retains it by default).
  disposable(stack);

  const integ = new IntegTest(app, 'TrainingPipelineInteg', {
    testCases: [stack],
    // The update workflow would deploy a previous snapshot first: these stacks are stateful and slow.
    stackUpdateWorkflow: false,
  });
  const a = integ.assertions;

  const seed = a.awsApiCall('S3', 'putObject', {
    Bucket: bucketName,
    Key: `${TRAINING_INPUT_PREFIX}/data.csv`,
    ContentType: 'text/csv',
    Body: syntheticRegressionCsv(),
  });
  // The bucket encrypts with the foundation's key by default: the writer needs a data key.
  seed.provider.addToRolePolicy({ Effect: 'Allow', Action: ['kms:GenerateDataKey'], Resource: [foundation.encryptionKey.keyArn] });

  const { start, ended, succeeded } = runPipeline(a, pipeline.pipelineName);

  const registered = a.awsApiCall('SageMaker', 'listModelPackages', {
    ModelPackageGroupName: group.modelPackageGroupName,
    ModelPackageType: 'Versioned',
    SortBy: 'CreationTime',
    SortOrder: 'Descending',
    MaxResults: 1,
  }).assertAtPath('ModelPackageSummaryList.0.ModelApprovalStatus', ExpectedResult.exact('PendingManualApproval'));
  const versionArn = registered.getAttString('ModelPackageSummaryList.0.ModelPackageArn');

  const describe = (at: string, expected: ExpectedResult) => a.awsApiCall('SageMaker', 'describeModelPackage', {
    ModelPackageName: versionArn,
  }).assertAtPath(at, expected);
  const artifact = describe('InferenceSpecification.Containers.0.ModelDataUrl',
    ExpectedResult.stringLikeRegexp(`^s3://.+/models/${group.modelPackageGroupName}/.+/model\\.tar\\.gz$`));
  const report = describe('ModelMetrics.ModelQuality.Statistics.S3Uri',
    ExpectedResult.stringLikeRegexp('/evaluation\\.json$'));
  const baseline = describe('DriftCheckBaselines.ModelDataQuality.Constraints.S3Uri',
    ExpectedResult.stringLikeRegexp('^s3://'));
  assertInOrder(stack, seed, start, ended, succeeded, registered, artifact, report, baseline);
  return integ;
}

if (require.main === module) {
  const app = new App();
  buildTrainingPipelineInteg(app);
  app.synth();
}
