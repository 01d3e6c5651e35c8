import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { ArtifactBucket, ManagedPolicyRole, ProjectKey } from '../lib';
import { MetricComparison } from '../lib/core';
import { ApprovalPolicy, ModelRegistryApproval } from '../lib/model-registry';

/**
 * Register and approve: a model package group whose new versions are rejected automatically when
 * they fail the metric thresholds and left for a person when they pass; approvals and rejections
 * are sent to the team's SNS topic and recorded in the audit log; the pipeline role may register
 * versions and the reviewers may approve them.
 */
export function addModelRegistryExample(app: App): Stack {
  const stack = new Stack(app, 'MlopsModelRegistryExample', {
    description: 'cdk-sagemaker-mlops example: model package group with metric-threshold and manual approval, events and audit log',
  });
  const key = new ProjectKey(stack, 'ProjectKey', { alias: 'mlops/model-registry-example' });
  const artifacts = new ArtifactBucket(stack, 'Artifacts', { encryptionKey: key });

  const registry = new ModelRegistryApproval(stack, 'ChurnModels', {
    encryptionKey: key,
    approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS_THEN_MANUAL,
    metricThresholds: [
      { metricJsonPath: 'binary_classification_metrics.accuracy.value', comparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO, value: 0.9 },
      { metricJsonPath: 'binary_classification_metrics.auc.value', comparison: MetricComparison.GREATER_THAN, value: 0.85 },
    ],
    metricsBucket: artifacts.bucket,
    metricsKeyPrefix: 'evaluation/',
    notificationEmails: ['ml-reviewers@example.com'],
  });

  // Decisions reach the same topic as the handler's notifications (approvals deploy elsewhere).
  registry.onApproved('NotifyApproved', new targets.SnsTopic(registry.notificationTopic));
  registry.onRejected('NotifyRejected', new targets.SnsTopic(registry.notificationTopic));

  const pipelineRole = new ManagedPolicyRole(stack, 'PipelineRole', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    description: 'Registers new versions of the churn model',
  });
  registry.grantRegister(pipelineRole);
  const reviewers = new ManagedPolicyRole(stack, 'Reviewers', {
    assumedBy: new iam.AccountRootPrincipal(),
    description: 'People who approve or reject versions of the churn model',
  });
  registry.grantApprove(reviewers);

  const versions = `arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model-package/${registry.modelPackageGroupName}/*`;
  for (const role of [pipelineRole, reviewers]) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${versions}]`,
      reason: 'Model package versions are numbered by SageMaker at registration; the grant is limited to this group\'s versions.',
    });
  }
  return stack;
}
