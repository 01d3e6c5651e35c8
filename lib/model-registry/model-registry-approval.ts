import { Annotations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ApprovalPolicy } from './approval-policy';
import { ModelRegistryApprovalProps } from './model-registry-approval-props';
import { createApprovalHandler, metricsKeyPrefixOf } from './private/approval-handler';
import { createAuditLog } from './private/audit-log';
import { createNotificationTopic, notifyRegistrations } from './private/notifications';
import { checkTags } from './private/tag-rules';
import { hasMetricsBucket, validateRegistryProps } from './private/validation';
import { IModelPackageGroup, ModelPackageGroup, ModelPackageGroupProps } from '../core/model-package-group';
import { SageMakerName } from '../core/names';
import { resolveBucket, resolveKey, resolveLayout } from '../private/resources';

/**
 * The approval workflow of a SageMaker model package group: an approval policy, notifications
 * and an audit log of the decisions.
 *
 * - The group: an existing {@link IModelPackageGroup} (`modelPackageGroup`), or a new
 *   {@link ModelPackageGroup} (retained by default) made with `modelPackageGroupProps`. Grants
 *   (`grantRegister`, `grantApprove`, `grantRead`), cross-account deployment and the approval
 *   rules (`onApproved`, `onRejected`, `onRegistered`) are the group's:
 *   `registry.modelPackageGroup.onApproved('Deploy', { target })`.
 * - The approval policy: manual (a notification with a console link), metric thresholds
 *   (a Lambda handler approves or rejects), or both (the handler rejects what fails, a person
 *   approves what passes). The handler reads each version's metrics document under the group's
 *   evaluation-report prefix of the artifact bucket (or `metricsKeyPrefix`) and nowhere else.
 * - An audit log of every approval and rejection.
 *
 * With a `foundation`, the key, the bucket and the evaluation-report prefix are the project's:
 * the standard training pipeline of the same foundation and group writes its reports where this
 * handler reads them.
 *
 * Security notes:
 * - Approval is never bypassed by registering: `grantRegister` denies its grantee (the training
 *   pipeline's execution role) `Approved` as a status, at registration and later, so only a
 *   principal given `grantApprove` (a person, or this construct's handler) approves (see
 *   {@link ModelPackageGroupBase} for what the Deny covers and what it does not).
 * - The handler approves a version only when SageMaker's own description of it names this group,
 *   and reads at most 1 MiB of its metrics document.
 * - The rules publish to the topic with a role of their own that only rules of this account can
 *   assume; the topic's policy names no service without a condition.
 * - SageMaker sends a group's events to its own account and region only: a group of another
 *   account or region is warned about at synth, as its rules here would never fire unless the
 *   events are forwarded.
 * - The handler's dead-letter queue is retained when the stack is deleted: its messages are the
 *   only record of a version that was never evaluated.
 *
 * @example
 * import * as iam from 'aws-cdk-lib/aws-iam';
 * import { ApprovalPolicy, ManagedPolicyRole, MetricComparison, MlopsFoundation, ModelRegistryApproval } from 'cdk-sagemaker-mlops';
 *
 * // Versions below the AUC threshold are rejected; the others wait for a person.
 * const foundation = new MlopsFoundation(this, 'Foundation');
 * const registry = new ModelRegistryApproval(this, 'Registry', {
 *   foundation,
 *   modelPackageGroupProps: { modelPackageGroupName: 'churn' },
 *   approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS_THEN_MANUAL,
 *   metricThresholds: [
 *     { metricJsonPath: 'binary_classification_metrics.auc.value', comparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO, value: 0.85 },
 *   ],
 *   notificationEmails: ['ml-reviewers@example.com'],
 * });
 * const reviewers = new ManagedPolicyRole(this, 'Reviewers', { assumedBy: new iam.AccountRootPrincipal() });
 * registry.modelPackageGroup.grantApprove(reviewers);
 */
export class ModelRegistryApproval extends Construct {
  /** The model package group (created here, or the one given). Register into it, grant on it, and rule on its events. */
  public readonly modelPackageGroup: IModelPackageGroup;

  /** The approval policy. */
  public readonly approvalPolicy: ApprovalPolicy;

  /** The key that encrypts the topic, the logs and the handler. */
  public readonly encryptionKey: kms.IKey;

  /** The bucket the handler reads the metrics documents from; undefined when no metrics are read. */
  public readonly artifactBucket?: s3.IBucket;

  /** The key prefix the handler reads the metrics documents under; undefined when no metrics are read. */
  public readonly metricsKeyPrefix?: string;

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

  constructor(scope: Construct, id: string, props: ModelRegistryApprovalProps = {}) {
    super(scope, id);
    validateRegistryProps(this, props);
    this.approvalPolicy = props.approvalPolicy ?? ApprovalPolicy.MANUAL;
    this.encryptionKey = resolveKey(this, 'Key', props);
    this.modelPackageGroup = props.modelPackageGroup ?? this.createGroup(props.modelPackageGroupProps ?? {});
    this.notificationTopic = props.notificationTopic ?? createNotificationTopic(this, this.encryptionKey, props.notificationEmails ?? []);

    // Metrics are read when a policy needs them, or (manual policy) when there is a bucket to read
    // them from, so that the notification carries them.
    if (this.approvalPolicy !== ApprovalPolicy.MANUAL || hasMetricsBucket(props)) {
      this.artifactBucket = resolveBucket(this, 'Artifacts', this.encryptionKey, props);
      this.metricsKeyPrefix = metricsKeyPrefixOf(props.metricsKeyPrefix, resolveLayout(props), this.modelPackageGroup);
      const handler = createApprovalHandler(this, {
        group: this.modelPackageGroup,
        approvalPolicy: this.approvalPolicy,
        metricThresholds: props.metricThresholds ?? [],
        metricsBucket: this.artifactBucket,
        metricsKeyPrefix: this.metricsKeyPrefix,
        metricsEncryptionKey: props.metricsEncryptionKey,
        encryptionKey: this.encryptionKey,
        notificationTopic: this.notificationTopic,
      });
      this.approvalFunction = handler.function;
      this.approvalFailureAlarm = handler.failureAlarm;
    } else {
      notifyRegistrations(this, this.modelPackageGroup, this.notificationTopic);
    }

    if (props.auditLog ?? true) {
      this.auditLogGroup = createAuditLog(this, this.modelPackageGroup, this.encryptionKey,
        props.auditLogRetention ?? logs.RetentionDays.FIVE_YEARS);
    }
    // The group checks its own tags.
    checkTags(this, (c) => c instanceof ModelPackageGroup);
  }

  /**
   * The group `Group`, named (unless the props name it) from this construct's path, as groups of
   * earlier versions of this construct were, so a group keeps its name.
   */
  private createGroup(groupProps: ModelPackageGroupProps): IModelPackageGroup {
    const group = new ModelPackageGroup(this, 'Group', {
      ...groupProps,
      modelPackageGroupName: groupProps.modelPackageGroupName ?? SageMakerName.derive(this, { maxLength: 63 }).toLowerCase(),
    });
    const replacing = [
      groupProps.modelPackageGroupName !== undefined ? 'modelPackageGroupProps.modelPackageGroupName' : undefined,
      groupProps.description !== undefined ? 'modelPackageGroupProps.description' : undefined,
    ].filter((p): p is string => p !== undefined);
    if (replacing.length > 0) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-mlops:model-registry:group-replacement',
        `${replacing.map((p) => `\`${p}\``).join(' and ')} cannot be changed in place: a change makes CloudFormation replace ` +
        'the model package group. The new group starts empty (the registered versions, their approval history and the ' +
        'deployments that follow them stay with the old group), and with the same name the replacement fails while the old ' +
        'group exists. Set it once, before versions are registered.');
    }
    return group;
  }
}
