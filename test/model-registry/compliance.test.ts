import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addModelRegistryExample } from '../fixtures/stacks/model-registry';
import { ArtifactBucket, MlopsFoundation, ModelPackageGroup } from '../../lib/core';
import { MetricComparison } from '../../lib/core';
import { ApprovalPolicy, ModelRegistryApproval } from '../../lib/model-registry';
import { compliantApp, expectCompliant } from '../helpers/compliance';

const THRESHOLDS = [{ metricJsonPath: 'regression_metrics.mse.value', comparison: MetricComparison.LESS_THAN, value: 5 }];

describe('compliance (cdk-nag packs, Guard rules, strict CloudFormation validation)', () => {
  test('the example stack', () => {
    const app = compliantApp();
    const stack = addModelRegistryExample(app);
    expectCompliant(stack);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('the default (manual) configuration', () => {
    const stack = new Stack(compliantApp(), 'Manual');
    new ModelRegistryApproval(stack, 'Registry', {
      notificationEmails: ['ml@example.com'],
      modelPackageGroupProps: { allowAccounts: ['111122223333'] },
    });
    expectCompliant(stack);
  });

  test('the metric-threshold configuration', () => {
    const stack = new Stack(compliantApp(), 'Metric');
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    new ModelRegistryApproval(stack, 'Registry', {
      approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS,
      metricThresholds: THRESHOLDS,
      artifactBucket: artifacts.bucket,
      encryptionKey: artifacts.encryptionKey,
    });
    expectCompliant(stack);
  });

  test('the metric-threshold configuration on a foundation', () => {
    const stack = new Stack(compliantApp(), 'Foundation');
    new ModelRegistryApproval(stack, 'Registry', {
      foundation: new MlopsFoundation(stack, 'Foundation'),
      approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS,
      metricThresholds: THRESHOLDS,
    });
    expectCompliant(stack);
  });

  test('an existing group, manual policy with a metrics bucket', () => {
    const stack = new Stack(compliantApp(), 'Existing');
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    new ModelRegistryApproval(stack, 'Registry', {
      modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(stack, 'Group', 'churn'),
      artifactBucket: artifacts.bucket,
      metricsKeyPrefix: 'evaluation/',
      metricThresholds: THRESHOLDS,
    });
    expectCompliant(stack);
  });
});
