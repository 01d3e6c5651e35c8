import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { TargetStage } from './cross-account';
import { StageSettings } from './release-contract';
import { ProjectSettings } from './settings';
import { sageMakerArn } from './stage-roles';
import { StagingMode } from '../project-props';
import { StageStack } from './stage-stack';
import { ModelApprovalStatus } from '../../core/model-approval-status';
import { IModelPackageGroup } from '../../core/model-package-group';
import { snsTarget } from '../../private/event-targets';
import { HandlerFunction } from '../../private/handler-function';
import { acknowledgeWildcardResources } from '../../private/nag';

/** The `source` of the release handler's results, so the notification rule matches only them. */
const RELEASE_RESULT_SOURCE = 'cdk-sagemaker-mlops/release';

/** What the deploy flow's handlers work with. */
export interface FlowHandlerScope {
  readonly settings: ProjectSettings;
  readonly group: IModelPackageGroup;
  readonly key: kms.IKey;
  readonly bucket: s3.IBucket;
  /** `<releases>/<project>` in the bucket. */
  readonly releasePrefix: string;
  readonly pipelineName: string;
  readonly stageTemplate: StageStack;
  readonly stages: StageSettings[];
  readonly topic: sns.ITopic;
  readonly deploymentRole: iam.IRole;
  readonly samples?: s3assets.Asset;
  /** The stages in other accounts: the deploy actions act there with the stage's test role. */
  readonly targets: TargetStage[];
  /** A physical name of the deploy actions function's role (the target accounts' test roles trust it by name). */
  readonly deployActionsRoleName?: string;
}

/**
 * The release handler: a rule on this group's approvals and rejections (in the group's account)
 * runs it; its results go to the notification topic through EventBridge (no SNS client in it).
 */
export function createReleaseHandler(scope: Construct, s: FlowHandlerScope): HandlerFunction {
  const stack = Stack.of(scope);
  const handler = new HandlerFunction(scope, 'ReleaseHandler', {
    handler: 'release',
    description: `Releases approved versions of ${s.group.modelPackageGroupName} to the ${s.settings.name} deploy pipeline`,
    encryptionKey: s.key,
    timeout: Duration.minutes(2),
    environment: {
      PROJECT_NAME: s.settings.name,
      PIPELINE_NAME: s.pipelineName,
      GROUP_NAME: s.group.modelPackageGroupName,
      GROUP_ACCOUNT: s.group.env.account,
      ARTIFACT_BUCKET: s.bucket.bucketName,
      RELEASE_PREFIX: s.releasePrefix,
      TEMPLATE_BUCKET: s.stageTemplate.templateBucketName,
      TEMPLATE_KEY: s.stageTemplate.templateObjectKey,
      STAGES: stack.toJsonString(s.stages),
      ROLLBACK_ON_REJECTION: String(s.settings.rollbackOnRejection),
      RESULT_SOURCE: RELEASE_RESULT_SOURCE,
    },
  });
  const role = handler.role;
  const releases = s.bucket.arnForObjects(`${s.releasePrefix}/*`);
  const statements = [
    new iam.PolicyStatement({ actions: ['sagemaker:DescribeModelPackage'], resources: [s.group.modelPackageVersionsArn] }),
    new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [releases] }),
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'], resources: [s.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${s.releasePrefix}/*`] } },
    }),
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [`arn:${stack.partition}:s3:::${s.stageTemplate.templateBucketName}/${s.stageTemplate.templateObjectKey}`],
    }),
    new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [s.key.keyArn] }),
    new iam.PolicyStatement({
      actions: ['codepipeline:StartPipelineExecution'],
      resources: [stack.formatArn({ service: 'codepipeline', resource: s.pipelineName })],
    }),
  ];
  for (const statement of statements) { role.addToPrincipalPolicy(statement); }
  acknowledgeWildcardResources(role, statements,
    'Each release writes its archive, claim and start records under keys made from its release id, below the project\'s release prefix; ' +
    'model package versions are numbered at registration (this group\'s versions only).');

  new lambda.EventInvokeConfig(scope, 'ReleaseHandlerResults', {
    function: handler.function,
    onSuccess: new destinations.EventBridgeDestination(),
    retryAttempts: 2,
    maxEventAge: Duration.hours(6),
  });
  new events.Rule(scope, 'NotifyReleases', {
    description: `Notifies the releases (and refused releases and rollbacks) of project ${s.settings.name}`,
    eventPattern: {
      source: ['lambda'],
      detailType: ['Lambda Function Invocation Result - Success'],
      detail: {
        requestContext: { functionArn: [{ prefix: handler.function.functionArn }] },
        responsePayload: { source: [RELEASE_RESULT_SOURCE], notify: [true] },
      },
    },
    targets: [snsTarget(scope, 'NotificationsPublisher', s.topic, events.RuleTargetInput.fromEventPath('$.detail.responsePayload'))],
  });
  new events.Rule(scope, 'ReleaseOnApprovalOrRejection', {
    description: `A version of ${s.group.modelPackageGroupName} is approved or rejected: release it (or roll prod back)`,
    eventPattern: s.group.approvalStatusPattern([ModelApprovalStatus.APPROVED, ModelApprovalStatus.REJECTED]),
    targets: [new targets.LambdaFunction(handler.function, {
      deadLetterQueue: handler.deadLetterQueue, retryAttempts: 4, maxEventAge: Duration.hours(6),
    })],
  });
  const alarm = new cloudwatch.Alarm(scope, 'ReleaseFailureAlarm', {
    alarmName: `${s.settings.name}-release-failures`,
    alarmDescription: `An approval or rejection of ${s.group.modelPackageGroupName} could not be released after all retries: nothing was ` +
      'deployed. See the release handler\'s log group and its dead-letter queue.',
    metric: handler.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new cloudwatchActions.SnsAction(s.topic));
  return handler;
}

/**
 * The handler of the pipeline's Lambda actions (staging test, prod check, verification, record)
 * and of the ephemeral staging clean-up after a failed execution.
 */
export function createDeployActionsHandler(scope: Construct, s: FlowHandlerScope): HandlerFunction {
  const stack = Stack.of(scope);
  const ephemeral = s.settings.stagingMode === StagingMode.EPHEMERAL;
  const stagingTarget = s.targets.find((t) => t.stage === 'staging');
  const prodTarget = s.targets.find((t) => t.stage === 'prod');
  const handler = new HandlerFunction(scope, 'DeployActions', {
    handler: 'deploy-actions',
    description: `The staging test, prod checks and deployment record of the ${s.settings.name} deploy pipeline`,
    encryptionKey: s.key,
    // Prod in another account bakes in this function (up to 12 minutes), not in a CodePipeline rule.
    timeout: Duration.minutes(prodTarget ? 15 : 10),
    roleName: s.deployActionsRoleName,
    invocation: 'Invoked by the deploy pipeline once per action and release (and by EventBridge when an execution fails).',
    environment: {
      DEPLOY_CONFIG: stack.toJsonString({
        project: s.settings.name,
        pipelineName: s.pipelineName,
        bucket: s.bucket.bucketName,
        prefix: s.releasePrefix,
        ephemeralStagingStack: ephemeral ? s.settings.staging.stackName : undefined,
        deploymentRoleArn: stagingTarget?.cloudFormationRoleArn ?? s.deploymentRole.roleArn,
        // A stage in another account is tested and checked with its test role there.
        stageRoles: s.targets.length > 0 ? Object.fromEntries(s.targets.map((t) => [t.stage, t.testRoleArn])) : undefined,
        prodAlarmNames: prodTarget ? ['errors', 'latency'].map((suffix) => `${s.settings.prod.endpointName}-${suffix}`) : undefined,
        test: {
          samplesBucket: s.samples?.s3BucketName,
          samplesKey: s.samples?.s3ObjectKey,
          contentType: s.settings.test.contentType,
          accept: s.settings.test.accept,
          invocationsPerSample: s.settings.test.invocationsPerSample,
          latencyPercentile: s.settings.test.latencyPercentile,
          latencyThresholdMs: s.settings.test.latencyThreshold.toMilliseconds(),
        },
      }),
    },
  });
  const role = handler.role;
  const name = `${s.settings.name}-*`;
  const statements = [
    new iam.PolicyStatement({
      actions: ['sagemaker:DescribeEndpoint', 'sagemaker:DescribeEndpointConfig', 'sagemaker:DescribeModel'],
      resources: [sageMakerArn(stack, 'endpoint', name), sageMakerArn(stack, 'endpoint-config', name), sageMakerArn(stack, 'model', name)],
    }),
    new iam.PolicyStatement({ actions: ['sagemaker:DescribeModelPackage'], resources: [s.group.modelPackageVersionsArn] }),
    new iam.PolicyStatement({
      actions: ['sagemaker:InvokeEndpoint'],
      resources: [sageMakerArn(stack, 'endpoint', `${s.settings.name}-staging*`)],
    }),
    new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [s.bucket.arnForObjects(`${s.releasePrefix}/*`)] }),
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'], resources: [s.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${s.releasePrefix}/*`] } },
    }),
    new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [s.key.keyArn] }),
    new iam.PolicyStatement({ actions: ['codepipeline:PutJobSuccessResult', 'codepipeline:PutJobFailureResult'], resources: ['*'] }),
  ];
  if (s.samples) {
    statements.push(new iam.PolicyStatement({
      actions: ['s3:GetObject'], resources: [`arn:${stack.partition}:s3:::${s.samples.s3BucketName}/${s.samples.s3ObjectKey}`],
    }));
  }
  if (s.targets.length > 0) {
    statements.push(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: s.targets.map((t) => t.testRoleArn) }));
  }
  if (ephemeral) {
    statements.push(new iam.PolicyStatement({
      actions: ['codepipeline:GetPipelineState'],
      resources: [stack.formatArn({ service: 'codepipeline', resource: s.pipelineName })],
    }));
    // Staging in another account is deleted there, with its test role.
    if (!stagingTarget) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['cloudformation:DeleteStack'],
          resources: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${s.settings.staging.stackName}/*` })],
        }),
        new iam.PolicyStatement({
          actions: ['iam:PassRole'], resources: [s.deploymentRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
        }),
      );
    }
    new events.Rule(scope, 'CleanUpStagingAfterFailure', {
      description: `Deletes the ephemeral staging stack after a ${s.settings.name} deploy pipeline execution was rejected, failed or stopped`,
      eventPattern: {
        source: ['aws.codepipeline'],
        detailType: ['CodePipeline Pipeline Execution State Change'],
        account: [stack.account],
        detail: { pipeline: [s.pipelineName], state: ['FAILED', 'STOPPED', 'SUPERSEDED'] },
      },
      targets: [new targets.LambdaFunction(handler.function, {
        deadLetterQueue: handler.deadLetterQueue, retryAttempts: 4, maxEventAge: Duration.hours(6),
      })],
    });
  }
  for (const statement of statements) { role.addToPrincipalPolicy(statement); }
  acknowledgeWildcardResources(role, statements,
    'The project\'s endpoints, endpoint configs and models are named per stage and release (names under the project\'s prefix); ' +
    'reports and deployment records are written per release under the project\'s release prefix; CodePipeline\'s job result ' +
    'actions support no resource scope.');
  return handler;
}
