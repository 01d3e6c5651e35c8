import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { checkIntegerRange, childPath } from '../private/errors';

/**
 * Props of a {@link ProjectKey}.
 */
export interface ProjectKeyProps {
  /**
   * An alias for the key, without the `alias/` prefix.
   *
   * @default - no alias
   */
  readonly alias?: string;

  /**
   * A description of the key.
   *
   * @default "cdk-sagemaker-mlops project key: artifacts, models, endpoints, logs and notifications"
   */
  readonly description?: string;

  /**
   * What happens to the key when it leaves the stack. Everything this library encrypts (model
   * artifacts, feature store offline data, captured traffic, logs) is unreadable without it.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long a deleted key waits before it is gone, from 7 to 30 days.
   *
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;

  /**
   * Principals that administer the key (besides the account root, which the key policy trusts so
   * that IAM policies can grant use of the key).
   *
   * @default - none
   */
  readonly admins?: iam.IPrincipal[];

  /**
   * Let CloudWatch Logs encrypt log groups of this account and region with the key.
   *
   * @default true
   */
  readonly allowCloudWatchLogs?: boolean;

  /**
   * Let EventBridge and CloudWatch alarms publish to SNS topics encrypted with the key
   * (`kms:GenerateDataKey*` and `kms:Decrypt`, limited to this account).
   *
   * @default true
   */
  readonly allowNotifications?: boolean;
}

/**
 * The project KMS key: a customer managed key with yearly rotation, retained when the stack is
 * deleted, and a key policy that lets the services this library wires together use it.
 *
 * SageMaker, S3, ECR and Lambda use the key on behalf of a role; those roles get grants from the
 * constructs that create them, through IAM (the key policy trusts the account). Services that act
 * as themselves (CloudWatch Logs, EventBridge, CloudWatch alarms) are named in the key policy and
 * limited to this account with `aws:SourceAccount` or an encryption context.
 *
 * @example
 * import * as iam from 'aws-cdk-lib/aws-iam';
 * import { ProjectKey } from 'cdk-sagemaker-mlops';
 *
 * new ProjectKey(this, 'Key', {
 *   alias: 'mlops/churn',
 *   admins: [new iam.ArnPrincipal('arn:aws:iam::123456789012:role/KeyAdmins')],
 * });
 */
export class ProjectKey extends kms.Key {
  constructor(scope: Construct, id: string, props: ProjectKeyProps = {}) {
    if (props.pendingWindow !== undefined) {
      checkIntegerRange(childPath(scope, id), 'pendingWindow (days)', props.pendingWindow.toDays({ integral: false }), 7, 30);
    }
    super(scope, id, {
      description: props.description ?? 'cdk-sagemaker-mlops project key: artifacts, models, endpoints, logs and notifications',
      alias: props.alias,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      pendingWindow: props.pendingWindow ?? Duration.days(30),
      admins: props.admins,
    });

    const stack = Stack.of(this);
    // Only AWS services may create grants, and only for their own resources (Control Tower CT.KMS.PR.3).
    // SageMaker, Lambda and EBS create their grants as services, so nothing this library deploys needs more.
    this.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyGrantsExceptForAwsResources',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        BoolIfExists: {
          'kms:GrantIsForAWSResource': 'false',
          'aws:PrincipalIsAWSService': 'false',
        },
      },
    }));
    // Every statement for a service principal carries a condition (issue 10, confused deputy):
    // CloudWatch Logs the encryption context AWS documents for it (the log group ARN of this account
    // and region: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html),
    // the publishers to encrypted topics aws:SourceAccount.
    if (props.allowCloudWatchLogs ?? true) {
      this.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
          },
        },
      }));
    }
    if (props.allowNotifications ?? true) {
      // SNS's guide ("Enable compatibility between event sources from AWS services and encrypted
      // topics", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html) names the service
      // principal; aws:SourceAccount keeps the statement to this account's rules and alarms.
      this.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowEncryptedNotificationsOfThisAccount',
        principals: [
          new iam.ServicePrincipal('events.amazonaws.com'),
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }));
    }
  }
}
