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
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PUBLISHER_ROLE_ID } from './notifications';
import { ComparisonOperator, ThresholdSpec } from './thresholds';
import { ModelApprovalStatus } from '../../core/model-approval-status';
import { IModelPackageGroup } from '../../core/model-package-group';
import { StorageLayout } from '../../core/storage-layout';
import { snsTarget } from '../../private/event-targets';
import { grantKey, grantStatement } from '../../private/grants';
import { HandlerFunction } from '../../private/handler-function';
import { acknowledgeWildcardResources } from '../../private/nag';
import { ApprovalPolicy, MetricThreshold } from '../approval-policy';

/** The `source` field of the handler's results, so the notification rule matches only them. */
const RESULT_SOURCE = 'cdk-sagemaker-mlops/approval-policy';

/** What the approval handler is given. */
export interface ApprovalHandlerOptions {
  readonly group: IModelPackageGroup;
  readonly approvalPolicy: ApprovalPolicy;
  readonly metricThresholds: MetricThreshold[];
  /** The bucket of the metrics documents. */
  readonly metricsBucket: s3.IBucket;
  /** The key prefix the handler may read (its METRICS_KEY_PREFIX); it may read `<prefix>*`. */
  readonly metricsKeyPrefix: string;
  /** Decrypts the metrics documents. */
  readonly metricsEncryptionKey?: kms.IKey;
  /** Encrypts the function's environment, logs and dead-letter queue. */
  readonly encryptionKey: kms.IKey;
  /** Receives the results that need a person, and the failure alarm. */
  readonly notificationTopic: sns.ITopic;
}

/** The wired approval handler. */
export interface ApprovalHandler {
  readonly function: lambda.IFunction;
  /** Raised when an event ends in the handler's dead-letter queue. */
  readonly failureAlarm: cloudwatch.IAlarm;
}

/**
 * The key prefix the handler reads metrics under: the explicit one as given, else the group's
 * evaluation reports in the layout, `<evaluationReports>/<group name>/` (the slash keeps a group
 * `churn` from reading `churn-v2`'s reports).
 */
export function metricsKeyPrefixOf(explicit: string | undefined, layout: StorageLayout, group: IModelPackageGroup): string {
  return explicit ?? `${layout.evaluationReportPrefix(group.modelPackageGroupName)}/`;
}

/**
 * The approval-policy handler under `scope`: the function (`ApprovalHandler`) with least-privilege
 * grants, the rule that runs it on each registration of the group (`ApplyApprovalPolicy`), the
 * rule that notifies its results (`ApprovalHandlerResults`, `NotifyHandlerResults`) and an alarm
 * on its dead-letter queue (`ApprovalFailureAlarm`).
 */
export function createApprovalHandler(scope: Construct, options: ApprovalHandlerOptions): ApprovalHandler {
  const { group, metricsBucket: bucket, metricsKeyPrefix: prefix } = options;
  const thresholds: ThresholdSpec[] = options.metricThresholds.map((t) => ({
    metricJsonPath: t.metricJsonPath,
    comparison: `${t.comparison}` as ComparisonOperator,
    value: t.value,
  }));
  const mode = options.approvalPolicy === ApprovalPolicy.MANUAL ? 'NOTIFY_ONLY' : options.approvalPolicy;
  const handler = new HandlerFunction(scope, 'ApprovalHandler', {
    handler: 'approval-policy',
    description: `Applies the ${options.approvalPolicy} approval policy to new versions of a model package group`,
    encryptionKey: options.encryptionKey,
    timeout: Duration.seconds(60),
    environment: {
      GROUP_NAME: group.modelPackageGroupName,
      POLICY: mode,
      THRESHOLDS: JSON.stringify(thresholds),
      METRICS_BUCKET: bucket.bucketName,
      METRICS_KEY_PREFIX: prefix,
      RESULT_SOURCE,
    },
  });
  grantHandler(handler.role, options, mode === 'NOTIFY_ONLY');

  // The handler's result goes to the default event bus; a rule turns the ones that need a
  // person's attention into notifications (no SNS client in the handler).
  new lambda.EventInvokeConfig(scope, 'ApprovalHandlerResults', {
    function: handler.function,
    onSuccess: new destinations.EventBridgeDestination(),
    retryAttempts: 2,
    maxEventAge: Duration.hours(6),
  });
  new events.Rule(scope, 'NotifyHandlerResults', {
    description: 'Notifies the approval-policy handler\'s decisions and the versions it left for a person',
    eventPattern: {
      source: ['lambda'],
      detailType: ['Lambda Function Invocation Result - Success'],
      detail: {
        requestContext: { functionArn: [{ prefix: handler.function.functionArn }] },
        responsePayload: { source: [RESULT_SOURCE], notify: [true] },
      },
    },
    targets: [snsTarget(scope, PUBLISHER_ROLE_ID, options.notificationTopic, events.RuleTargetInput.fromEventPath('$.detail.responsePayload'))],
  });
  new events.Rule(scope, 'ApplyApprovalPolicy', {
    description: 'A version of the model package group is registered and waits for approval',
    eventPattern: group.approvalStatusPattern([ModelApprovalStatus.PENDING_MANUAL_APPROVAL]),
    targets: [new targets.LambdaFunction(handler.function, {
      deadLetterQueue: handler.deadLetterQueue,
      retryAttempts: 4,
      maxEventAge: Duration.hours(6),
    })],
  });

  // A version whose event ends in the dead-letter queue was never evaluated: tell a person.
  const alarm = new cloudwatch.Alarm(scope, 'ApprovalFailureAlarm', {
    alarmDescription: `Events of model package group ${group.modelPackageGroupName} could not be handled by the approval-policy ` +
      'handler after all retries; the versions stay pending. See the handler\'s log group and its dead-letter queue.',
    metric: handler.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new cloudwatchActions.SnsAction(options.notificationTopic));
  allowAlarmToPublish(options.notificationTopic, alarm);
  return { function: handler.function, failureAlarm: alarm };
}

/**
 * CloudWatch alarms publish as `cloudwatch.amazonaws.com`, which the topic's own policy must allow
 * once the topic has one (a TLS-only topic does, and it replaces SNS's default policy): "Why didn't I
 * receive an SNS notification for my CloudWatch alarm trigger?",
 * https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger. The statement is
 * limited to this alarm (aws:SourceArn) and account (aws:SourceAccount); for a topic of another
 * stack the alarm ARN would make that stack depend on this one, so it names this account's alarms
 * of this region instead. A topic imported by ARN has no policy here: its owner adds the statement.
 */
function allowAlarmToPublish(topic: sns.ITopic, alarm: cloudwatch.Alarm): void {
  const stack = Stack.of(alarm);
  const sameStack = Stack.of(topic) === stack;
  topic.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: {
      ...(sameStack
        ? { ArnEquals: { 'aws:SourceArn': alarm.alarmArn } }
        : { ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` } }),
      StringEquals: { 'aws:SourceAccount': stack.account },
    },
  }));
}

/**
 * Describe (and, unless it only notifies, approve or reject) this group's versions; read the
 * metrics documents under the prefix only; decrypt them.
 */
function grantHandler(role: iam.IRole, options: ApprovalHandlerOptions, notifyOnly: boolean): void {
  const { group, metricsBucket: bucket } = options;
  const versions = notifyOnly
    ? iam.Grant.addToPrincipal({ grantee: role, actions: ['sagemaker:DescribeModelPackage'], resourceArns: [group.modelPackageVersionsArn] })
    : group.grantApprove(role);
  acknowledgeWildcardResources(role, versions.principalStatements,
    'Versions of a model package group are numbered at registration; the statement is limited to this group\'s versions.');
  grantStatement(role, new iam.PolicyStatement({
    actions: ['s3:GetObject'],
    resources: [bucket.arnForObjects(`${options.metricsKeyPrefix}*`)],
  }), 'Metrics documents are written by pipeline runs under keys known only at run time; reads are limited to the ' +
    'group\'s evaluation-report prefix of the bucket.');
  const metricsKey = options.metricsEncryptionKey ?? bucket.encryptionKey;
  // The handler may already decrypt with its own key (HandlerFunction grants it): one statement is enough.
  if (metricsKey && metricsKey !== options.encryptionKey) { grantKey(role, metricsKey, ['kms:Decrypt']); }
}
