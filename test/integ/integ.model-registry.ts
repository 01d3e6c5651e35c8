/*
 * Integration test app for ModelRegistryApproval, for users with an AWS account (see
 * CONTRIBUTING.md, "Integration apps"):
 *
 *   npx cdk deploy --app "npx ts-node --prefer-ts-exts --transpile-only -P tsconfig.dev.json test/integ/integ.model-registry.ts" --all
 *
 * It deploys a model package group with the metric-threshold policy on a project foundation and
 * asserts, against the real APIs, that the group exists and that the approval handler runs on the
 * expected runtime. The jest suite synthesizes this app (test/integ/apps.test.ts) so it never rots.
 * Cost: nothing measurable (no job, no endpoint). Time: about 5 minutes.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import { assertInOrder, disposable } from './support';
import { MetricComparison, MlopsFoundation } from '../../lib/core';
import { ApprovalPolicy, ModelRegistryApproval } from '../../lib/model-registry';

/** Build the integ app into `app` and return the test case. */
export function buildModelRegistryInteg(app: App): IntegTest {
  const stack = new Stack(app, 'MlopsIntegModelRegistry');
  const foundation = new MlopsFoundation(stack, 'Foundation');
  const registry = new ModelRegistryApproval(stack, 'Registry', {
    foundation,
    approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS,
    metricThresholds: [{ metricJsonPath: 'regression_metrics.mse.value', comparison: MetricComparison.LESS_THAN, value: 5 }],
  });
  // Test data only: the key, the buckets (emptied first: S3 logs the stack's own bucket calls into
  // the access-log bucket), the group and the handler's dead-letter queue go with the stack; the
  // library retains them by default.
  disposable(stack);

  const integ = new IntegTest(app, 'ModelRegistryInteg', { testCases: [stack], stackUpdateWorkflow: false });
  const calls = [integ.assertions
    .awsApiCall('SageMaker', 'describeModelPackageGroup', { ModelPackageGroupName: registry.modelPackageGroup.modelPackageGroupName })
    .expect(ExpectedResult.objectLike({ ModelPackageGroupStatus: 'Completed' }))];
  if (registry.approvalFunction) {
    calls.push(integ.assertions
      .awsApiCall('Lambda', 'getFunctionConfiguration', { FunctionName: registry.approvalFunction.functionName })
      .expect(ExpectedResult.objectLike({ Runtime: 'nodejs24.x', Architectures: ['arm64'] })));
  }
  assertInOrder(stack, ...calls);
  return integ;
}

if (require.main === module) {
  const app = new App();
  buildModelRegistryInteg(app);
  app.synth();
}
