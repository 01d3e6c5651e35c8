import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { ManagedPolicyRole, MlopsFoundation } from '../lib';
import { MetricComparison } from '../lib/core';
import { ApprovalPolicy, ModelRegistryApproval } from '../lib/model-registry';

/**
 * Register and approve: a model package group whose new versions are rejected automatically when
 * they fail the metric thresholds and left for a person when they pass; approvals and rejections
 * are sent to the team's SNS topic and recorded in the audit log; the pipeline role may register
 * versions (and never approve one: `grantRegister` denies it `Approved`), the reviewers may approve
 * them.
 *
 * The project foundation gives the key and the artifact bucket; the approval handler reads each
 * version's evaluation report under the group's evaluation-report prefix of that bucket, where the
 * standard training pipeline of the same foundation and group writes it.
 */
export function addModelRegistryExample(app: App): Stack {
  const stack = new Stack(app, 'MlopsModelRegistryExample', {
    description: 'cdk-sagemaker-mlops example: model package group with metric-threshold and manual approval, events and audit log',
  });
  const foundation = new MlopsFoundation(stack, 'Foundation', { encryptionKeyProps: { alias: 'mlops/model-registry-example' } });

  const registry = new ModelRegistryApproval(stack, 'ChurnModels', {
    foundation,
    approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS_THEN_MANUAL,
    metricThresholds: [
      { metricJsonPath: 'binary_classification_metrics.accuracy.value', comparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO, value: 0.9 },
      { metricJsonPath: 'binary_classification_metrics.auc.value', comparison: MetricComparison.GREATER_THAN, value: 0.85 },
    ],
    notificationEmails: ['ml-reviewers@example.com'],
  });
  const group = registry.modelPackageGroup;

  // Decisions reach the same topic as the handler's notifications (approvals deploy elsewhere).
  // The rules publish with a role that only EventBridge rules of this account can assume: a plain
  // `targets.SnsTopic(topic)` would add a topic policy statement for events.amazonaws.com with no
  // condition, which any rule of any account could use.
  const publisher = new ManagedPolicyRole(stack, 'DecisionPublisher', {
    assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    description: 'Lets EventBridge rules of this account publish approval decisions to the notification topic',
  });
  Validations.of(publisher).acknowledge({
    id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    reason: 'aws-cdk-lib\'s topic.grantPublish names kms:GenerateDataKey* on the topic\'s key only.',
  });
  const notify = new targets.SnsTopic(registry.notificationTopic, { authorizeUsingRole: true, role: publisher });
  group.onApproved('NotifyApproved', { target: notify });
  group.onRejected('NotifyRejected', { target: notify });

  const pipelineRole = new ManagedPolicyRole(stack, 'PipelineRole', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    description: 'Registers new versions of the churn model',
  });
  group.grantRegister(pipelineRole);
  const reviewers = new ManagedPolicyRole(stack, 'Reviewers', {
    assumedBy: new iam.AccountRootPrincipal(),
    description: 'People who approve or reject versions of the churn model',
  });
  group.grantApprove(reviewers);

  const versions = `arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model-package/${group.modelPackageGroupName}/*`;
  for (const role of [pipelineRole, reviewers]) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${versions}]`,
      reason: 'Model package versions are numbered by SageMaker at registration; the grant is limited to this group\'s versions.',
    });
  }
  return stack;
}
