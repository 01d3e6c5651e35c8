/*
 * Integration test app for ModelRegistryApproval, for users with an AWS account:
 *
 *   npx integ-runner --directory test/integ   (aws-cdk-lib < 2.258), or
 *   npx cdk deploy --app "npx ts-node --prefer-ts-exts -P tsconfig.dev.json test/integ/integ.model-registry.ts" --all
 *
 * It deploys a model package group with the metric-threshold policy on a project foundation and
 * asserts, against the real APIs, that the group exists and that the approval handler runs on the
 * expected runtime. The jest suite synthesizes this app (test/integ/integ.test.ts) so it never rots.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicies, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { MetricComparison, MlopsFoundation } from '../../lib/core';
import { ApprovalPolicy, ModelRegistryApproval } from '../../lib/model-registry';

/** Build the integ app into `app` and return the test case. */
export function buildModelRegistryInteg(app: App): IntegTest {
  const stack = new Stack(app, 'MlopsIntegModelRegistry');
  const foundation = new MlopsFoundation(stack, 'Foundation', {
    encryptionKeyProps: { removalPolicy: RemovalPolicy.DESTROY },
    artifactBucketProps: { removalPolicy: RemovalPolicy.DESTROY },
  });
  const registry = new ModelRegistryApproval(stack, 'Registry', {
    foundation,
    approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS,
    metricThresholds: [{ metricJsonPath: 'regression_metrics.mse.value', comparison: MetricComparison.LESS_THAN, value: 5 }],
    modelPackageGroupProps: { removalPolicy: RemovalPolicy.DESTROY },
  });

  // The handler's dead-letter queue is retained by default (its messages are the only record of an
  // unevaluated version); the test stack leaves nothing behind.
  RemovalPolicies.of(stack).destroy({ applyToResourceTypes: ['AWS::SQS::Queue'] });

  const integ = new IntegTest(app, 'ModelRegistryInteg', { testCases: [stack] });
  integ.assertions
    .awsApiCall('SageMaker', 'describeModelPackageGroup', { ModelPackageGroupName: registry.modelPackageGroup.modelPackageGroupName })
    .expect(ExpectedResult.objectLike({ ModelPackageGroupStatus: 'Completed' }));
  if (registry.approvalFunction) {
    integ.assertions
      .awsApiCall('Lambda', 'getFunctionConfiguration', { FunctionName: registry.approvalFunction.functionName })
      .expect(ExpectedResult.objectLike({ Runtime: 'nodejs24.x', Architectures: ['arm64'] }));
  }
  return integ;
}

if (require.main === module) {
  const app = new App();
  buildModelRegistryInteg(app);
  app.synth();
}
