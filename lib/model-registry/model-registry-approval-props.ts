import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ApprovalPolicy, MetricThreshold } from './approval-policy';
import { FoundationOptions } from '../core/foundation';
import { IModelPackageGroup, ModelPackageGroupProps } from '../core/model-package-group';

/**
 * Props of a {@link ModelRegistryApproval}.
 *
 * Storage follows the precedence of {@link FoundationOptions}: an explicit `encryptionKey` or
 * `artifactBucket` wins over the `foundation`'s, and the foundation's wins over the default (a new
 * key; no bucket, so no metrics are read).
 *
 * @example
 * import { ApprovalPolicy, ModelPackageGroup, ModelRegistryApproval } from 'cdk-sagemaker-mlops';
 *
 * // Manual approval of a group that already exists: each new version is announced by email.
 * new ModelRegistryApproval(this, 'Registry', {
 *   modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(this, 'ChurnModels', 'churn'),
 *   approvalPolicy: ApprovalPolicy.MANUAL,
 *   notificationEmails: ['ml-reviewers@example.com'],
 * });
 */
export interface ModelRegistryApprovalProps extends FoundationOptions {
  /**
   * The model package group whose versions this construct approves, when it exists already
   * (`ModelPackageGroup.fromModelPackageGroupName` / `fromModelPackageGroupArn`, or a
   * {@link ModelPackageGroup} made elsewhere). SageMaker sends a group's events to its own account
   * and region only, so use a group of the stack's account and region: a group of another account
   * or region is warned about at synth (the handler, the notifications and the audit log would see
   * its events only if they are forwarded to this stack's default event bus).
   *
   * @default - a new group, made with `modelPackageGroupProps`
   */
  readonly modelPackageGroup?: IModelPackageGroup;

  /**
   * Settings of the model package group this construct creates (name, description, accounts
   * allowed to deploy its versions, removal policy). Not with `modelPackageGroup`.
   *
   * A group cannot be renamed or have its description changed in place: a change makes
   * CloudFormation replace the group, and the new group starts without the old one's versions.
   *
   * @default - a group retained on stack deletion, named from the stack name and this
   *   construct's path (stable, lower case), with no description and no other account
   */
  readonly modelPackageGroupProps?: ModelPackageGroupProps;

  /**
   * How new versions are approved.
   *
   * @default ApprovalPolicy.MANUAL
   */
  readonly approvalPolicy?: ApprovalPolicy;

  /**
   * The rules a version's model-quality metrics must meet. Required (at least one) by the
   * metric-threshold policies. With the manual policy they are evaluated and shown in the
   * notification only (which needs a bucket to read the metrics from).
   *
   * @default - none
   */
  readonly metricThresholds?: MetricThreshold[];

  /**
   * Where the approval handler reads each version's model-quality metrics document
   * (`ModelMetrics.ModelQuality.Statistics.S3Uri`) in the artifact bucket (`artifactBucket`, else
   * the foundation's). It may read keys under this prefix only, and leaves a version whose
   * document lies elsewhere pending. A bucket is needed by the metric-threshold policies; with the
   * manual policy a bucket makes the notification carry the metric values.
   *
   * @default - the evaluation reports of the group in the foundation's storage layout,
   *   `<evaluationReports>/<group name>/` (where the standard training pipeline writes them)
   */
  readonly metricsKeyPrefix?: string;

  /**
   * The KMS key that encrypts the metrics documents, if it is not the artifact bucket's own
   * `encryptionKey` (for example for an imported bucket).
   *
   * @default - the `encryptionKey` of the artifact bucket, if any
   */
  readonly metricsEncryptionKey?: kms.IKey;

  /**
   * An existing topic for the approval notifications. The registry's rules publish to it with a
   * role of their own (an SNS target authorized by a role that only EventBridge rules of this
   * account can assume), which is granted `sns:Publish` on the topic and, for a topic of this app
   * with a key, the use of that key. The handler's failure alarm publishes as
   * `cloudwatch.amazonaws.com`: a topic of this app gets a policy statement for that alarm only;
   * the policy of a topic imported by ARN must allow it (and its key policy must let the role and
   * CloudWatch use the key).
   *
   * @default - a new topic, encrypted with the construct's key, TLS only
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
}
