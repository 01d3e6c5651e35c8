/*
 * Integration test app for MlopsProject (the whole flow), for users with an AWS account (see
 * CONTRIBUTING.md, "Integration apps"):
 *
 *   npx cdk deploy --app "npx ts-node --prefer-ts-exts --transpile-only -P tsconfig.dev.json test/integ/integ.project.ts" --all
 *
 * The stack: a project on its own foundation with the standard training pipeline (the built-in
 * XGBoost on a synthetic regression data set, MSE gate), manual approval of versions, ephemeral
 * staging on one ml.t2.medium tested with a sample payload, and prod on one ml.t2.medium (never
 * reached: the test rejects the release at the prod approval). Staging is EPHEMERAL, not
 * SERVERLESS (which costs nothing while idle): an ephemeral staging endpoint exists only while a
 * release is tested, and its deletion after a rejection is part of what this test checks, so a
 * run leaves no endpoint behind; a serverless one would stay up after the test.
 *
 * The assertions, in order, against the real APIs:
 *   1. seed the data set under the pipeline's input prefix (S3 PutObject);
 *   2. start the training pipeline (StartPipelineExecution), wait until the run ends
 *      (DescribePipelineExecution every minute, up to 55 minutes; a run takes about 25) and
 *      require that it Succeeded;
 *   3. find the version it registered in the project's group (ListModelPackages, newest first),
 *      pending manual approval, and approve it (UpdateModelPackage ModelApprovalStatus=Approved):
 *      the approval event makes the release handler start the deploy pipeline;
 *   4. wait for the staging endpoint to be InService (DescribeEndpoint every minute, up to 45
 *      minutes: the release, the staging stack and the endpoint take about 10);
 *   5. invoke it with two rows (sagemaker-runtime InvokeEndpoint, text/csv): the model learned the
 *      target 2 x1 + 3 x2 - x3, so it answers about 20 and 32;
 *   6. wait until the deploy pipeline's own staging test has passed and the release waits at the
 *      prod approval (CodePipeline GetPipelineState: the Approve action is InProgress), after
 *      checking that the stage and action are where this test reads them;
 *   7. reject the release there (PutApprovalResult Rejected) and wait until the project's
 *      clean-up has deleted the ephemeral staging stack (DescribeStacks by stack id:
 *      DELETE_COMPLETE, up to 30 minutes).
 * Teardown: the stack's IntegTeardown deletes any stage stack a failed run left (with the role
 * they were deployed with) and then the registered versions, before the stack's own resources;
 * every bucket is emptied and deleted. The prod approval times out after 30 minutes, so even a
 * run stopped half-way does not keep staging up for long.
 * Cost: about 25 minutes of processing and training jobs on ml.m5.large and 15 minutes of an
 * ml.t2.medium endpoint: under USD 1. Time: about 50 minutes, plus deployment and teardown.
 */
import * as path from 'path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import {
  assertInOrder, disposable, runPipeline, INTEG_ASSETS, IntegTeardown, integTraining, syntheticRegressionCsv, TRAINING_INPUT_PREFIX,
} from './support';
import { InstanceType, MlopsFoundation } from '../../lib/core';
import { ApprovalPolicy } from '../../lib/model-registry';
import { MlopsProject, StagingMode } from '../../lib/project';

/** The project's name (its pipelines, stage stacks and endpoints are named after it). */
export const PROJECT_NAME = 'mlops-integ';

/**
 * Where the test finds the prod approval in GetPipelineState: the deploy pipeline's stages are
 * Release, Staging, Prod, Record, and Staging's actions Deploy, Test, Approve, CheckRelease,
 * DeleteStaging (lib/project/private/deploy-pipeline.ts, without `stagingTest.commands`).
 */
export const APPROVAL = { stageIndex: 1, stageName: 'Staging', actionIndex: 2, actionName: 'Approve' };

/**
 * The rows the test sends to staging and what each must answer: the target without noise, within
 * a tolerance for what 50 rounds of XGBoost learn from 280 rows (the numbers as the built-in
 * algorithm writes them, one per row).
 */
export const STAGING_REQUEST = {
  body: '5,5,5\n8,6,2\n',
  // ~20 (15 to 25) and ~32 (27 to 37), separated by a comma or a line break.
  answer: '^\\s*(1[5-9]|2[0-5])(\\.[0-9]+)?([eE][-+]?[0-9]+)?\\s*[,\\n]\\s*(2[7-9]|3[0-7])(\\.[0-9]+)?([eE][-+]?[0-9]+)?\\s*$',
};

/** Build the integ app into `app` and return the test case. */
export function buildProjectInteg(app: App): IntegTest {
  const stack = new Stack(app, 'MlopsIntegProject', {
    description: 'cdk-sagemaker-mlops integration test: MlopsProject from training to the prod approval',
  });
  const foundation = new MlopsFoundation(stack, 'Foundation', {
    encryptionKeyProps: { pendingWindow: Duration.days(7) },
  });
  const bucketName = foundation.artifactBucket.bucketName;
  const project = new MlopsProject(stack, 'Project', {
    projectName: PROJECT_NAME,
    foundation,
    training: integTraining(bucketName),
    approval: { policy: ApprovalPolicy.MANUAL },
    staging: { mode: StagingMode.EPHEMERAL, instanceType: InstanceType.ML_T2_MEDIUM },
    prod: { instanceType: InstanceType.ML_T2_MEDIUM, instanceCount: 1, bakeTime: Duration.minutes(5) },
    stagingTest: { samplesDirectory: path.join(INTEG_ASSETS, 'staging-samples'), invocationsPerSample: 3 },
    approvalTimeout: Duration.minutes(30),
  });
  const stagingStackName = `${PROJECT_NAME}-staging`;
  new IntegTeardown(stack, 'Teardown', {
    stackNames: [stagingStackName, `${PROJECT_NAME}-prod`],
    stackRole: project.stageDeploymentRole,
    modelPackageGroup: project.modelPackageGroup,
    // The role must outlive the stage stacks it deletes, the group its versions.
    dependsOn: [project.stageDeploymentRole, project.modelPackageGroup],
  });
  // Test data only: everything goes with the stack (the library retains it by default).
  disposable(stack);

  const integ = new IntegTest(app, 'ProjectInteg', { testCases: [stack], stackUpdateWorkflow: false });
  const a = integ.assertions;

  const seed = a.awsApiCall('S3', 'putObject', {
    Bucket: bucketName, Key: `${TRAINING_INPUT_PREFIX}/data.csv`, ContentType: 'text/csv', Body: syntheticRegressionCsv(),
  });
  seed.provider.addToRolePolicy({ Effect: 'Allow', Action: ['kms:GenerateDataKey'], Resource: [foundation.encryptionKey.keyArn] });

  const { start, ended, succeeded } = runPipeline(a, project.trainingPipeline!.pipelineName);

  const registered = a.awsApiCall('SageMaker', 'listModelPackages', {
    ModelPackageGroupName: project.modelPackageGroup.modelPackageGroupName,
    ModelPackageType: 'Versioned',
    SortBy: 'CreationTime',
    SortOrder: 'Descending',
    MaxResults: 1,
  }).assertAtPath('ModelPackageSummaryList.0.ModelApprovalStatus', ExpectedResult.exact('PendingManualApproval'));
  const approve = a.awsApiCall('SageMaker', 'updateModelPackage', {
    ModelPackageArn: registered.getAttString('ModelPackageSummaryList.0.ModelPackageArn'),
    ModelApprovalStatus: 'Approved',
    ApprovalDescription: 'Approved by the cdk-sagemaker-mlops integration test',
  });

  const endpoint = { EndpointName: project.stagingEndpointName };
  const inService = a.awsApiCall('SageMaker', 'describeEndpoint', endpoint)
    .assertAtPath('EndpointStatus', ExpectedResult.exact('InService'))
    .waitForAssertions({ interval: Duration.minutes(1), totalTimeout: Duration.minutes(45) });
  const invoked = a.awsApiCall('SageMakerRuntime', 'invokeEndpoint', {
    ...endpoint, ContentType: 'text/csv', Accept: 'text/csv', Body: STAGING_REQUEST.body,
  }).expect(ExpectedResult.objectLike({
    ContentType: Match.stringLikeRegexp('^text/csv'),
    Body: Match.stringLikeRegexp(STAGING_REQUEST.answer),
  }));

  const pipeline = { name: project.deployPipeline.pipelineName };
  const stagePath = `stageStates.${APPROVAL.stageIndex}`;
  const actionPath = `${stagePath}.actionStates.${APPROVAL.actionIndex}`;
  const stageIsStaging = a.awsApiCall('CodePipeline', 'getPipelineState', pipeline)
    .assertAtPath(`${stagePath}.stageName`, ExpectedResult.exact(APPROVAL.stageName));
  const actionIsApprove = a.awsApiCall('CodePipeline', 'getPipelineState', pipeline)
    .assertAtPath(`${actionPath}.actionName`, ExpectedResult.exact(APPROVAL.actionName));
  // The Approve action runs only once the staging test passed.
  const awaitingApproval = a.awsApiCall('CodePipeline', 'getPipelineState', pipeline)
    .assertAtPath(`${actionPath}.latestExecution.status`, ExpectedResult.exact('InProgress'))
    .waitForAssertions({ interval: Duration.seconds(30), totalTimeout: Duration.minutes(30) });

  const stagingStack = a.awsApiCall('CloudFormation', 'describeStacks', { StackName: stagingStackName });
  const reject = a.awsApiCall('CodePipeline', 'putApprovalResult', {
    pipelineName: project.deployPipeline.pipelineName,
    stageName: APPROVAL.stageName,
    actionName: APPROVAL.actionName,
    token: awaitingApproval.getAttString(`${actionPath}.latestExecution.token`),
    result: { status: 'Rejected', summary: 'Rejected by the cdk-sagemaker-mlops integration test once staging answered' },
  });
  // A deleted stack is found by its id only.
  const stagingDeleted = a.awsApiCall('CloudFormation', 'describeStacks', { StackName: stagingStack.getAttString('Stacks.0.StackId') })
    .assertAtPath('Stacks.0.StackStatus', ExpectedResult.exact('DELETE_COMPLETE'))
    .waitForAssertions({ interval: Duration.seconds(30), totalTimeout: Duration.minutes(30) });

  assertInOrder(stack, seed, start, ended, succeeded, registered, approve, inService, invoked,
    stageIsStaging, actionIsApprove, awaitingApproval, stagingStack, reject, stagingDeleted);
  return integ;
}

if (require.main === module) {
  const app = new App();
  buildProjectInteg(app);
  app.synth();
}
