import { Annotations, Arn, ArnFormat, Aws, Duration, Fn, Lazy, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { MetricComparison } from '../core/metric-comparison';
import { ApprovalPolicy, MetricThreshold } from './approval-policy';
import { LogGroupRuleTarget } from './private/log-group-target';
import { metricPathProblem, ThresholdSpec } from './private/thresholds';
import { EncryptedLogGroup } from '../core/encrypted-log-group';
import { SAGEMAKER_NAME_PATTERN, SageMakerName } from '../core/names';
import { ProjectKey } from '../core/project-key';
import { check, checkExclusive, isLiteralNumber, isLiteralString, propError } from '../private/errors';
import { HandlerFunction } from '../private/handler-function';
// One enum for the whole library: the register-model step of the training pipeline defines it.
import { ModelApprovalStatus } from '../core/model-approval-status';
import { renderForNag } from '../private/nag';

/** The detail-type SageMaker gives model package events. */
const MODEL_PACKAGE_STATE_CHANGE = 'SageMaker Model Package State Change';

/** The most thresholds one construct accepts (they travel in the handler's environment). */
const MAX_THRESHOLDS = 20;

/** The `source` field of the handler's results, so the notification rule matches only them. */
const RESULT_SOURCE = 'cdk-sagemaker-mlops/approval-policy';

/**
 * Props of a {@link ModelRegistryApproval}.
 */
export interface ModelRegistryApprovalProps {
  /**
   * A physical name for the model package group this construct creates.
   *
   * A group cannot be renamed: changing the name later makes CloudFormation replace the group,
   * and the new group starts without the versions registered in the old one. Leave it unset
   * unless another system needs a fixed name.
   *
   * @default - derived from the stack name and the construct path (stable, lower case)
   */
  readonly modelPackageGroupName?: string;

  /**
   * A description of the model package group this construct creates. Changing it later replaces
   * the group (CloudFormation cannot update it in place), so set it once.
   *
   * @default - no description
   */
  readonly modelPackageGroupDescription?: string;

  /**
   * Use an existing model package group of this account and region, by name, instead of creating
   * one. Its resource policy is left as it is (so `allowAccounts` cannot be used).
   *
   * @default - a new group is created
   */
  readonly existingModelPackageGroupName?: string;

  /**
   * Use an existing model package group by ARN, instead of creating one. SageMaker sends its
   * events to the account and region of the group, so the rules of this construct only see them
   * when the group is in the stack's account and region.
   *
   * @default - a new group is created
   */
  readonly existingModelPackageGroupArn?: string;

  /**
   * What happens to the model package group this construct creates when it leaves the stack.
   * A deleted group takes the record of every registered version with it.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How new versions are approved.
   *
   * @default ApprovalPolicy.MANUAL
   */
  readonly approvalPolicy?: ApprovalPolicy;

  /**
   * The rules a version's model-quality metrics must meet. Required (at least one) by the
   * metric-threshold policies. With the manual policy and a `metricsBucket`, they are evaluated
   * and shown in the notification only.
   *
   * @default - none
   */
  readonly metricThresholds?: MetricThreshold[];

  /**
   * The bucket that holds the model-quality metrics documents
   * (`ModelMetrics.ModelQuality.Statistics.S3Uri` of each version). The handler may read objects
   * in this bucket only. Required by the metric-threshold policies; with the manual policy it
   * makes the notification carry the metric values.
   *
   * @default - no metrics are read (manual policy only)
   */
  readonly metricsBucket?: s3.IBucket;

  /**
   * Limit reads to keys that start with this prefix in `metricsBucket`.
   *
   * @default - any key in the bucket
   */
  readonly metricsKeyPrefix?: string;

  /**
   * The KMS key that encrypts the metrics documents, if it is not the bucket's own
   * `encryptionKey` (for example for an imported bucket).
   *
   * @default - the `encryptionKey` of `metricsBucket`, if any
   */
  readonly metricsEncryptionKey?: kms.IKey;

  /**
   * The key that encrypts the notification topic, the audit log group and the handler's logs,
   * environment and dead-letter queue. Its key policy must let CloudWatch Logs and EventBridge
   * use it ({@link ProjectKey} does).
   *
   * @default - a new {@link ProjectKey}
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * An existing topic for the approval notifications. Its key policy (if encrypted) must let
   * EventBridge publish.
   *
   * @default - a new topic, encrypted with `encryptionKey`, TLS only
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * E-mail addresses subscribed to the notification topic this construct creates. Each address
   * must confirm its subscription.
   *
   * @default - no subscriptions
   */
  readonly notificationEmails?: string[];

  /**
   * Record every approval and rejection (the whole SageMaker event: version, status, approval
   * description, time) in an encrypted, retained log group, through an EventBridge rule with no
   * Lambda function.
   *
   * @default true
   */
  readonly auditLog?: boolean;

  /**
   * How long the audit records are kept.
   *
   * @default logs.RetentionDays.FIVE_YEARS
   */
  readonly auditLogRetention?: logs.RetentionDays;

  /**
   * Accounts allowed to read this group's versions and deploy them (create models from them),
   * through the group's resource policy. The other account also needs the model artifacts' bucket
   * and key and the inference image's repository shared; see the README.
   *
   * @default - no other account
   */
  readonly allowAccounts?: string[];
}

/**
 * A SageMaker model package group with an approval policy and the EventBridge rules that carry
 * approvals and rejections on to deployment.
 *
 * - The group (created, retained by default; or an existing one by name or ARN);
 * - the approval policy: manual (a notification with a console link), metric thresholds
 *   (a Lambda handler approves or rejects), or both (the handler rejects what fails, a person
 *   approves what passes);
 * - `onApproved`, `onRejected`, `onRegistered` rules filtered on this group;
 * - an audit log of every approval and rejection;
 * - cross-account read and deploy through the group's resource policy;
 * - `grantApprove`, `grantRead`, `grantRegister`.
 */
export class ModelRegistryApproval extends Construct {
  /**
   * The name of the model package group, as given or derived. Use it (or the ARN) in a pipeline's
   * register-model step.
   */
  public readonly modelPackageGroupName: string;

  /** The ARN of the model package group. */
  public readonly modelPackageGroupArn: string;

  /** The ARN pattern of every version of the group (`.../model-package/<group>/*`). */
  public readonly modelPackageVersionsArn: string;

  /** The approval policy. */
  public readonly approvalPolicy: ApprovalPolicy;

  /** The group this construct created; undefined for an existing group. */
  public readonly modelPackageGroup?: sagemaker.CfnModelPackageGroup;

  /** The key that encrypts the topic, the logs and the handler. */
  public readonly encryptionKey: kms.IKey;

  /** The topic that receives approval notifications. */
  public readonly notificationTopic: sns.ITopic;

  /** The approval-policy handler; undefined when no metrics are read. */
  public readonly approvalFunction?: lambda.IFunction;

  /**
   * Raised (and notified on the topic) when an event could not be handled after all retries and
   * waits in the handler's dead-letter queue; undefined when there is no handler.
   */
  public readonly approvalFailureAlarm?: cloudwatch.IAlarm;

  /** The log group of the audit records; undefined when `auditLog` is false. */
  public readonly auditLogGroup?: logs.ILogGroup;

  /** The name of the group, as a token derived from the group resource (for event patterns). */
  private readonly groupNameForEvents: string;
  private readonly allowedAccounts: string[] = [];
  private readonly region: string;
  private readonly account: string;

  constructor(scope: Construct, id: string, props: ModelRegistryApprovalProps = {}) {
    super(scope, id);
    this.validateProps(props);
    const stack = Stack.of(this);
    this.approvalPolicy = props.approvalPolicy ?? ApprovalPolicy.MANUAL;
    this.encryptionKey = props.encryptionKey ?? new ProjectKey(this, 'Key');

    // --- the group ---------------------------------------------------------------------------
    if (props.existingModelPackageGroupArn !== undefined) {
      const parts = Arn.split(props.existingModelPackageGroupArn, ArnFormat.SLASH_RESOURCE_NAME);
      this.modelPackageGroupName = parts.resourceName!;
      this.modelPackageGroupArn = props.existingModelPackageGroupArn;
      this.groupNameForEvents = this.modelPackageGroupName;
      this.region = parts.region ?? stack.region;
      this.account = parts.account ?? stack.account;
    } else {
      this.region = stack.region;
      this.account = stack.account;
      if (props.existingModelPackageGroupName !== undefined) {
        this.modelPackageGroupName = props.existingModelPackageGroupName;
        this.modelPackageGroupArn = this.arnFor('model-package-group', arnName(this.modelPackageGroupName));
        this.groupNameForEvents = this.modelPackageGroupName;
      } else {
        this.modelPackageGroupName = props.modelPackageGroupName ?? SageMakerName.derive(this, { maxLength: 63 }).toLowerCase();
        const group = new sagemaker.CfnModelPackageGroup(this, 'Group', {
          modelPackageGroupName: this.modelPackageGroupName,
          modelPackageGroupDescription: props.modelPackageGroupDescription,
          modelPackageGroupPolicy: Lazy.any({ produce: () => this.renderGroupPolicy() }),
        });
        group.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
        this.modelPackageGroup = group;
        // `Ref` of a model package group is its ARN and there is no `Fn::GetAtt` for the name:
        // the name is the last part of the ARN (which SageMaker writes in lower case).
        this.modelPackageGroupArn = group.ref;
        this.groupNameForEvents = Fn.select(1, Fn.split('/', group.ref));
        this.warnAboutReplacement(props);
      }
    }
    this.modelPackageVersionsArn = this.arnFor('model-package', `${this.arnGroupName}/*`);
    for (const account of props.allowAccounts ?? []) { this.addAllowedAccount(account); }

    // --- notifications ------------------------------------------------------------------------
    this.notificationTopic = props.notificationTopic ?? this.createTopic(props.notificationEmails ?? []);

    // --- the approval policy ------------------------------------------------------------------
    const readsMetrics = this.approvalPolicy !== ApprovalPolicy.MANUAL || props.metricsBucket !== undefined;
    if (readsMetrics) {
      const handler = this.createHandler(props);
      this.approvalFunction = handler.function;
      // A version whose event ends in the dead-letter queue was never evaluated: tell a person.
      const alarm = new cloudwatch.Alarm(this, 'ApprovalFailureAlarm', {
        alarmDescription: `Events of model package group ${this.modelPackageGroupName} could not be handled by the approval-policy ` +
          'handler after all retries; the versions stay pending. See the handler\'s log group and its dead-letter queue.',
        metric: handler.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.notificationTopic));
      this.approvalFailureAlarm = alarm;
    } else {
      this.onRegistered('NotifyOnRegistration', new targets.SnsTopic(this.notificationTopic, {
        message: this.registrationMessage(),
      }));
    }

    // --- audit --------------------------------------------------------------------------------
    if (props.auditLog ?? true) {
      const auditLogGroup = new EncryptedLogGroup(this, 'AuditLog', {
        encryptionKey: this.encryptionKey,
        retention: props.auditLogRetention ?? logs.RetentionDays.FIVE_YEARS,
      });
      new events.Rule(this, 'AuditRule', {
        description: 'Records every approval and rejection of the model package group in the audit log group',
        eventPattern: this.statusPattern([ModelApprovalStatus.APPROVED, ModelApprovalStatus.REJECTED]),
        targets: [new LogGroupRuleTarget(auditLogGroup)],
      });
      this.auditLogGroup = auditLogGroup;
    }
  }

  /**
   * Run `target` when a version of this group is approved (never on a registration that waits for
   * approval). Filtered on the group's name and `ModelApprovalStatus = Approved`.
   *
   * @param id the id of the rule
   * @param target what the rule invokes
   */
  public onApproved(id: string, target: events.IRuleTarget): events.Rule {
    return this.ruleOn(id, target, ModelApprovalStatus.APPROVED, 'approved');
  }

  /**
   * Run `target` when a version of this group is rejected.
   *
   * @param id the id of the rule
   * @param target what the rule invokes
   */
  public onRejected(id: string, target: events.IRuleTarget): events.Rule {
    return this.ruleOn(id, target, ModelApprovalStatus.REJECTED, 'rejected');
  }

  /**
   * Run `target` when a version of this group is registered and waits for approval
   * (`ModelApprovalStatus = PendingManualApproval`).
   *
   * @param id the id of the rule
   * @param target what the rule invokes
   */
  public onRegistered(id: string, target: events.IRuleTarget): events.Rule {
    return this.ruleOn(id, target, ModelApprovalStatus.PENDING_MANUAL_APPROVAL, 'registered and waits for approval');
  }

  /**
   * The event pattern of this group's `SageMaker Model Package State Change` events with one of
   * the given approval statuses, for rules built elsewhere (for example on another event bus).
   *
   * @param statuses the approval statuses to match
   */
  public statusPattern(statuses: ModelApprovalStatus[]): events.EventPattern {
    return {
      source: ['aws.sagemaker'],
      detailType: [MODEL_PACKAGE_STATE_CHANGE],
      detail: {
        // SageMaker writes the ARN (our source of the name) in lower case; match the name in any case.
        ModelPackageGroupName: [{ 'equals-ignore-case': this.groupNameForEvents }],
        ModelApprovalStatus: statuses,
      },
    };
  }

  /**
   * Let another account read this group's versions and deploy them (create SageMaker models from
   * them), through the group's resource policy. Only for a group this construct creates.
   *
   * @param accountId the 12-digit account ID
   */
  public addAllowedAccount(accountId: string): void {
    check(this.modelPackageGroup !== undefined, this, 'allowAccounts', accountId,
      'Accounts can be allowed only on a group this construct creates: the resource policy of an existing group is ' +
      'managed where the group was created (PutModelPackageGroupPolicy)');
    if (isLiteralString(accountId)) {
      check(/^\d{12}$/.test(accountId), this, 'allowAccounts', accountId, 'An account ID is exactly 12 digits');
      if (isLiteralString(this.account)) {
        check(accountId !== this.account, this, 'allowAccounts', accountId,
          'The group\'s own account needs no resource policy; use grantRead / grantApprove for its principals');
      }
    }
    if (!this.allowedAccounts.includes(accountId)) { this.allowedAccounts.push(accountId); }
  }

  /**
   * Let `grantee` approve or reject versions of this group (`sagemaker:UpdateModelPackage` on this
   * group's versions only, and `sagemaker:DescribeModelPackage` to see what it approves).
   *
   * @param grantee the principal
   */
  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:UpdateModelPackage', 'sagemaker:DescribeModelPackage'],
      resourceArns: [this.modelPackageVersionsArn],
    });
  }

  /**
   * Let `grantee` read the group and its versions: `DescribeModelPackageGroup`,
   * `DescribeModelPackage`, and `ListModelPackages` (which IAM does not limit to a resource).
   *
   * @param grantee the principal
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const describe = iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:DescribeModelPackageGroup', 'sagemaker:DescribeModelPackage'],
      resourceArns: [this.modelPackageGroupArnForIam(), this.modelPackageVersionsArn],
    });
    const list = iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:ListModelPackages'],
      resourceArns: ['*'],
    });
    return describe.combine(list);
  }

  /**
   * Let `grantee` register new versions in this group (`CreateModelPackage`, with tags), and
   * describe the group and its versions. It does not let it approve: a registrant can still ask
   * for `ModelApprovalStatus = Approved` at creation, so give this grant only to the pipeline
   * role that registers models.
   *
   * @param grantee the principal
   */
  public grantRegister(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'sagemaker:CreateModelPackage',
        'sagemaker:AddTags',
        'sagemaker:DescribeModelPackage',
        'sagemaker:DescribeModelPackageGroup',
      ],
      resourceArns: [this.modelPackageGroupArnForIam(), this.modelPackageVersionsArn],
    });
  }

  // ---------------------------------------------------------------------------------------------

  /** The group name as it appears in ARNs: SageMaker writes ARNs in lower case. */
  private get arnGroupName(): string {
    return arnName(this.modelPackageGroupName);
  }

  /** The group ARN built from its name, usable inside the group's own resource policy. */
  private modelPackageGroupArnForIam(): string {
    return this.arnFor('model-package-group', this.arnGroupName);
  }

  private arnFor(resource: string, resourceName: string): string {
    return `arn:${Aws.PARTITION}:sagemaker:${this.region}:${this.account}:${resource}/${resourceName}`;
  }

  private ruleOn(id: string, target: events.IRuleTarget, status: ModelApprovalStatus, what: string): events.Rule {
    return new events.Rule(this, id, {
      description: `A version of the model package group is ${what}`,
      eventPattern: this.statusPattern([status]),
      targets: [target],
    });
  }

  private renderGroupPolicy(): any {
    if (this.allowedAccounts.length === 0) { return undefined; }
    const principals = this.allowedAccounts.map((a) => new iam.AccountPrincipal(a));
    const doc = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'CrossAccountReadGroup',
          principals,
          actions: ['sagemaker:DescribeModelPackageGroup'],
          resources: [this.modelPackageGroupArnForIam()],
        }),
        new iam.PolicyStatement({
          sid: 'CrossAccountReadAndDeployVersions',
          principals,
          actions: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages', 'sagemaker:CreateModel'],
          resources: [this.modelPackageVersionsArn],
        }),
      ],
    });
    return Stack.of(this).resolve(doc);
  }

  private createTopic(emails: string[]): sns.ITopic {
    const topic = new sns.Topic(this, 'Notifications', {
      displayName: 'Model approval',
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    for (const email of emails) {
      topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    return topic;
  }

  /** The message of a registration in the manual policy: from the event itself (no Lambda). */
  private registrationMessage(): events.RuleTargetInput {
    const region = events.EventField.fromPath('$.region');
    const group = events.EventField.fromPath('$.detail.ModelPackageGroupName');
    const version = events.EventField.fromPath('$.detail.ModelPackageVersion');
    const arn = events.EventField.fromPath('$.detail.ModelPackageArn');
    const metrics = events.EventField.fromPath('$.detail.ModelMetrics.ModelQuality.Statistics.S3Uri');
    return events.RuleTargetInput.fromText(
      `Version ${version} of model package group ${group} is waiting for approval (PendingManualApproval). ` +
      `Model package: ${arn}. Model-quality metrics: ${metrics}. ` +
      `Review it and approve or reject it in the SageMaker console: ` +
      `https://${region}.console.aws.amazon.com/sagemaker/home?region=${region}#/model-registry/${group}`);
  }

  private createHandler(props: ModelRegistryApprovalProps): HandlerFunction {
    const bucket = props.metricsBucket!;
    const prefix = props.metricsKeyPrefix ?? '';
    const thresholds: ThresholdSpec[] = (props.metricThresholds ?? []).map((t) => ({
      metricJsonPath: t.metricJsonPath,
      comparison: t.comparison as any,
      value: t.value,
    }));
    const mode = this.approvalPolicy === ApprovalPolicy.MANUAL ? 'NOTIFY_ONLY' : this.approvalPolicy;
    const handler = new HandlerFunction(this, 'ApprovalHandler', {
      handler: 'approval-policy',
      description: `Applies the ${this.approvalPolicy} approval policy to new versions of a model package group`,
      encryptionKey: this.encryptionKey,
      timeout: Duration.seconds(60),
      environment: {
        GROUP_NAME: this.modelPackageGroupName,
        POLICY: mode,
        THRESHOLDS: JSON.stringify(thresholds),
        METRICS_BUCKET: bucket.bucketName,
        METRICS_KEY_PREFIX: prefix,
        RESULT_SOURCE,
      },
    });
    const role = handler.role;
    const actions = mode === 'NOTIFY_ONLY'
      ? ['sagemaker:DescribeModelPackage']
      : ['sagemaker:DescribeModelPackage', 'sagemaker:UpdateModelPackage'];
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [this.modelPackageVersionsArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(`${prefix}*`)],
    }));
    const metricsKey = props.metricsEncryptionKey ?? bucket.encryptionKey;
    metricsKey?.grantDecrypt(role);

    // The handler's result goes to the default event bus; a rule turns the ones that need a
    // person's attention into notifications (no SNS client in the handler).
    new lambda.EventInvokeConfig(this, 'ApprovalHandlerResults', {
      function: handler.function,
      onSuccess: new destinations.EventBridgeDestination(),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    new events.Rule(this, 'NotifyHandlerResults', {
      description: 'Notifies the approval-policy handler\'s decisions and the versions it left for a person',
      eventPattern: {
        source: ['lambda'],
        detailType: ['Lambda Function Invocation Result - Success'],
        detail: {
          requestContext: { functionArn: [{ prefix: handler.function.functionArn }] },
          responsePayload: { source: [RESULT_SOURCE], notify: [true] },
        },
      },
      targets: [new targets.SnsTopic(this.notificationTopic, {
        message: events.RuleTargetInput.fromEventPath('$.detail.responsePayload'),
      })],
    });
    this.onRegistered('ApplyApprovalPolicy', new targets.LambdaFunction(handler.function, {
      deadLetterQueue: handler.deadLetterQueue,
      retryAttempts: 4,
      maxEventAge: Duration.hours(6),
    }));
    this.acknowledgeHandlerFindings(handler, bucket, prefix);
    return handler;
  }

  private acknowledgeHandlerFindings(handler: HandlerFunction, bucket: s3.IBucket, prefix: string): void {
    const stack = Stack.of(this);
    const versions = stack.resolve(this.modelPackageVersionsArn);
    const objects = stack.resolve(bucket.arnForObjects(`${prefix}*`));
    Validations.of(handler.role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${renderForNag(versions)}]`,
        reason: 'Versions of a model package group are numbered at registration; the statement is limited to this group\'s versions.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${renderForNag(objects)}]`,
        reason: 'Metrics documents are written by pipeline runs under keys known only at run time; reads are limited to the metrics bucket and prefix.',
      },
    );
  }

  private warnAboutReplacement(props: ModelRegistryApprovalProps): void {
    const replacing = [
      props.modelPackageGroupName !== undefined ? 'modelPackageGroupName' : undefined,
      props.modelPackageGroupDescription !== undefined ? 'modelPackageGroupDescription' : undefined,
    ].filter((p): p is string => p !== undefined);
    if (replacing.length === 0) { return; }
    Annotations.of(this).addWarningV2('cdk-sagemaker-mlops:model-registry:group-replacement',
      `${replacing.map((p) => `\`${p}\``).join(' and ')} cannot be changed in place: a change makes CloudFormation replace ` +
      'the model package group. The new group starts empty (the registered versions, their approval history and the ' +
      'deployments that follow them stay with the old group), and with the same name the replacement fails while the old ' +
      'group exists. Set it once, before versions are registered.');
  }

  private validateProps(props: ModelRegistryApprovalProps): void {
    checkExclusive(this, 'existingModelPackageGroupName', props.existingModelPackageGroupName,
      'existingModelPackageGroupArn', props.existingModelPackageGroupArn);
    const existingProp = props.existingModelPackageGroupName !== undefined ? 'existingModelPackageGroupName'
      : props.existingModelPackageGroupArn !== undefined ? 'existingModelPackageGroupArn' : undefined;
    if (existingProp) {
      const existing = props.existingModelPackageGroupName ?? props.existingModelPackageGroupArn;
      checkExclusive(this, existingProp, existing, 'modelPackageGroupName', props.modelPackageGroupName);
      checkExclusive(this, existingProp, existing, 'modelPackageGroupDescription', props.modelPackageGroupDescription);
      checkExclusive(this, existingProp, existing, 'removalPolicy', props.removalPolicy);
      checkExclusive(this, existingProp, existing, 'allowAccounts', props.allowAccounts);
    }
    checkGroupName(this, 'modelPackageGroupName', props.modelPackageGroupName);
    checkGroupName(this, 'existingModelPackageGroupName', props.existingModelPackageGroupName);
    if (isLiteralString(props.existingModelPackageGroupArn)) {
      const arn = props.existingModelPackageGroupArn;
      const m = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package-group\/(.+)$/.exec(arn);
      check(m !== null, this, 'existingModelPackageGroupArn', arn,
        'It must be a model package group ARN: arn:<partition>:sagemaker:<region>:<account>:model-package-group/<name>');
      checkGroupName(this, 'existingModelPackageGroupArn', m![1]);
    }
    if (isLiteralString(props.modelPackageGroupDescription)) {
      check(props.modelPackageGroupDescription.length <= 1024, this, 'modelPackageGroupDescription',
        props.modelPackageGroupDescription, 'It must be at most 1024 characters long');
    }

    const policy = props.approvalPolicy ?? ApprovalPolicy.MANUAL;
    check(Object.values(ApprovalPolicy).includes(policy), this, 'approvalPolicy', policy,
      `It must be one of ${Object.values(ApprovalPolicy).join(', ')}`);
    const thresholds = props.metricThresholds ?? [];
    const metricPolicy = policy !== ApprovalPolicy.MANUAL;
    if (metricPolicy) {
      check(thresholds.length > 0, this, 'metricThresholds', props.metricThresholds,
        `The ${policy} policy needs at least one metric threshold`);
      check(props.metricsBucket !== undefined, this, 'metricsBucket', props.metricsBucket,
        `The ${policy} policy reads each version's metrics document from S3: give the bucket that holds it`);
    } else if (thresholds.length > 0) {
      check(props.metricsBucket !== undefined, this, 'metricThresholds', props.metricThresholds,
        'With the MANUAL policy, thresholds are only shown in the notification, which needs `metricsBucket` to read the metrics; ' +
        'give `metricsBucket` or choose a metric-threshold policy');
    }
    check(thresholds.length <= MAX_THRESHOLDS, this, 'metricThresholds', `${thresholds.length} thresholds`,
      `At most ${MAX_THRESHOLDS} thresholds are allowed`);
    thresholds.forEach((t, i) => {
      const prop = `metricThresholds[${i}]`;
      check(t !== null && typeof t === 'object', this, prop, t, 'It must be a MetricThreshold');
      check(!Token.isUnresolved(t.metricJsonPath), this, `${prop}.metricJsonPath`, t.metricJsonPath,
        'It must be a literal path: the handler reads it at run time');
      const problem = metricPathProblem(t.metricJsonPath);
      if (problem) { throw propError(this, `${prop}.metricJsonPath`, t.metricJsonPath, problem); }
      check(Object.values(MetricComparison).includes(t.comparison), this, `${prop}.comparison`, t.comparison,
        `It must be one of MetricComparison.${Object.keys(MetricComparison).join(', MetricComparison.')}`);
      check(isLiteralNumber(t.value) && Number.isFinite(t.value), this, `${prop}.value`, t.value,
        'It must be a finite number (not NaN, Infinity or a token)');
    });
    const seen = new Set<string>();
    thresholds.forEach((t, i) => {
      const key = `${t.metricJsonPath} ${t.comparison}`;
      check(!seen.has(key), this, `metricThresholds[${i}]`, t,
        'Another threshold already compares this metric the same way; keep one');
      seen.add(key);
    });

    if (props.metricsKeyPrefix !== undefined) {
      check(props.metricsBucket !== undefined, this, 'metricsKeyPrefix', props.metricsKeyPrefix, 'It needs `metricsBucket`');
      if (isLiteralString(props.metricsKeyPrefix)) {
        check(!props.metricsKeyPrefix.startsWith('/') && !/[*?]/.test(props.metricsKeyPrefix) && props.metricsKeyPrefix.length <= 1024,
          this, 'metricsKeyPrefix', props.metricsKeyPrefix,
          'It must be a plain S3 key prefix: no leading "/", no wildcards, at most 1024 characters');
      }
    }
    if (props.metricsEncryptionKey !== undefined) {
      check(props.metricsBucket !== undefined, this, 'metricsEncryptionKey', 'a key', 'It needs `metricsBucket`');
    }
    checkExclusive(this, 'notificationTopic', props.notificationTopic, 'notificationEmails', props.notificationEmails);
    for (const email of props.notificationEmails ?? []) {
      if (isLiteralString(email)) {
        check(/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email), this, 'notificationEmails', email, 'It must be an e-mail address');
      }
    }
    if (props.auditLogRetention !== undefined) {
      check(props.auditLog !== false, this, 'auditLogRetention', props.auditLogRetention, 'It has no effect when `auditLog` is false');
    }
  }
}

/** Check a literal group name against SageMaker's rule (tokens are checked by SageMaker). */
function checkGroupName(scope: Construct, prop: string, name: string | undefined): void {
  if (!isLiteralString(name)) { return; }
  check(name.length >= 1 && name.length <= 63, scope, prop, name, 'A model package group name has 1 to 63 characters');
  check(SAGEMAKER_NAME_PATTERN.test(name), scope, prop, name,
    'A model package group name has letters, digits and single or repeated dashes, and starts and ends with a letter or digit');
}

/** The name as it appears in an ARN: SageMaker writes ARNs in lower case. Tokens are kept. */
function arnName(name: string): string {
  return Token.isUnresolved(name) ? name : name.toLowerCase();
}

