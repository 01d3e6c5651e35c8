import { App, Aws, CfnParameter, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MetricComparison } from '../../lib/core';
import { ApprovalPolicy, MetricThreshold, ModelRegistryApproval, ModelRegistryApprovalProps } from '../../lib/model-registry';

const MSE: MetricThreshold = { metricJsonPath: 'regression_metrics.mse.value', comparison: MetricComparison.LESS_THAN, value: 5 };

function make(props: (stack: Stack) => ModelRegistryApprovalProps): () => ModelRegistryApproval {
  return () => {
    const stack = new Stack(new App(), 'Bad', { env: { account: '123456789012', region: 'us-east-2' } });
    return new ModelRegistryApproval(stack, 'Registry', props(stack));
  };
}
const bucket = (stack: Stack) => s3.Bucket.fromBucketName(stack, 'Metrics', 'metrics-bucket');
const metric = (stack: Stack, thresholds: MetricThreshold[]): ModelRegistryApprovalProps =>
  ({ approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS, metricsBucket: bucket(stack), metricThresholds: thresholds });

describe('bad input is refused at synth with the construct path, the prop, the value and the rule', () => {
  test('a group name SageMaker would reject', () => {
    expect(make(() => ({ modelPackageGroupName: 'churn_model' })))
      .toThrow('[Bad/Registry] Invalid prop `modelPackageGroupName`: received "churn_model". A model package group name has letters, digits');
  });

  test('a group name that is too long', () => {
    expect(make(() => ({ modelPackageGroupName: 'a'.repeat(64) }))).toThrow(/`modelPackageGroupName`: received "a{64}". A model package group name has 1 to 63 characters/);
  });

  test('an empty existing group name', () => {
    expect(make(() => ({ existingModelPackageGroupName: '' }))).toThrow(/`existingModelPackageGroupName`: received "". .*1 to 63 characters/);
  });

  test('a description longer than SageMaker allows', () => {
    expect(make(() => ({ modelPackageGroupDescription: 'x'.repeat(1025) }))).toThrow(/`modelPackageGroupDescription`.*at most 1024 characters/);
  });

  test('an existing group by name and by ARN at once', () => {
    expect(make(() => ({ existingModelPackageGroupName: 'a', existingModelPackageGroupArn: 'arn:aws:sagemaker:us-east-2:123456789012:model-package-group/a' })))
      .toThrow(/`existingModelPackageGroupArn`.*cannot be combined with `existingModelPackageGroupName`/);
  });

  test('an existing group with props that create one', () => {
    expect(make(() => ({ existingModelPackageGroupName: 'a', modelPackageGroupName: 'b' })))
      .toThrow(/`modelPackageGroupName`: received "b". It cannot be combined with `existingModelPackageGroupName`/);
    expect(make(() => ({ existingModelPackageGroupName: 'a', modelPackageGroupDescription: 'd' })))
      .toThrow(/`modelPackageGroupDescription`.*cannot be combined/);
  });

  test('an ARN that is not a model package group ARN', () => {
    expect(make(() => ({ existingModelPackageGroupArn: 'arn:aws:sagemaker:us-east-2:123456789012:model-package/churn/3' })))
      .toThrow(/`existingModelPackageGroupArn`.*It must be a model package group ARN/);
  });

  test('allowAccounts on an existing group (its policy is not ours to set)', () => {
    expect(make(() => ({ existingModelPackageGroupName: 'a', allowAccounts: ['111122223333'] })))
      .toThrow(/`allowAccounts`.*cannot be combined with `existingModelPackageGroupName`/);
  });

  test('addAllowedAccount on an existing group', () => {
    const registry = make(() => ({ existingModelPackageGroupName: 'a' }))();
    expect(() => registry.addAllowedAccount('111122223333')).toThrow(/`allowAccounts`.*only on a group this construct creates/);
  });

  test('an account ID that is not 12 digits', () => {
    expect(make(() => ({ allowAccounts: ['12345'] }))).toThrow(/`allowAccounts`: received "12345". An account ID is exactly 12 digits/);
  });

  test('the group\'s own account in allowAccounts', () => {
    expect(make(() => ({ allowAccounts: ['123456789012'] }))).toThrow(/own account needs no resource policy/);
  });

  test('a metric policy without thresholds', () => {
    expect(make((s) => ({ approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS, metricsBucket: bucket(s) })))
      .toThrow(/`metricThresholds`: received undefined. The METRIC_THRESHOLDS policy needs at least one metric threshold/);
    expect(make((s) => ({ approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS_THEN_MANUAL, metricsBucket: bucket(s), metricThresholds: [] })))
      .toThrow(/`metricThresholds`: received \[\]. The METRIC_THRESHOLDS_THEN_MANUAL policy needs at least one/);
  });

  test('a metric policy without a metrics bucket', () => {
    expect(make(() => ({ approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS, metricThresholds: [MSE] })))
      .toThrow(/`metricsBucket`: received undefined. The METRIC_THRESHOLDS policy reads each version's metrics document from S3/);
  });

  test('thresholds with the manual policy and nothing to read them from', () => {
    expect(make(() => ({ metricThresholds: [MSE] }))).toThrow(/`metricThresholds`.*needs `metricsBucket`/);
  });

  test.each([
    ['a JSONPath root', '$.regression_metrics.mse.value', /without a leading "\$"/],
    ['an empty key', 'regression_metrics..mse', /dot-separated keys/],
    ['brackets', 'regression_metrics.mse[0]', /no empty keys, brackets/],
    ['a space', 'regression metrics.mse', /dot-separated keys/],
    ['an empty path', '', /non-empty/],
    ['a path longer than 256 characters', 'a.'.repeat(130) + 'b', /at most 256 characters/],
  ])('a bad metric path: %s', (_what, metricJsonPath, rule) => {
    expect(make((s) => metric(s, [{ ...MSE, metricJsonPath }]))).toThrow(/`metricThresholds\[0\]\.metricJsonPath`/);
    expect(make((s) => metric(s, [{ ...MSE, metricJsonPath }]))).toThrow(rule);
  });

  test.each([NaN, Infinity, -Infinity])('a threshold value of %p', (value) => {
    expect(make((s) => metric(s, [MSE, { ...MSE, comparison: MetricComparison.GREATER_THAN, value }])))
      .toThrow(new RegExp(`\`metricThresholds\\[1\\]\\.value\`: received ${String(value)}. It must be a finite number`));
  });

  test('a threshold value that is a token', () => {
    expect(make((s) => metric(s, [{ ...MSE, value: new CfnParameter(s, 'Max', { type: 'Number' }).valueAsNumber }])))
      .toThrow(/`metricThresholds\[0\]\.value`: received a token resolved only at deploy time/);
  });

  test('a comparison that is not a MetricComparison (from JavaScript)', () => {
    expect(make((s) => metric(s, [{ ...MSE, comparison: '<' as any }])))
      .toThrow(/`metricThresholds\[0\]\.comparison`: received "<". It must be one of MetricComparison.GREATER_THAN/);
  });

  test('an approval policy that is not an ApprovalPolicy (from JavaScript)', () => {
    expect(make(() => ({ approvalPolicy: 'AUTO' as any }))).toThrow(/`approvalPolicy`: received "AUTO". It must be one of MANUAL/);
  });

  test('the same threshold twice', () => {
    expect(make((s) => metric(s, [MSE, { ...MSE, value: 6 }]))).toThrow(/`metricThresholds\[1\]`.*compares this metric the same way/);
  });

  test('more than 20 thresholds', () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ ...MSE, metricJsonPath: `m.metric${i}.value` }));
    expect(make((s) => metric(s, many))).toThrow(/`metricThresholds`: received "21 thresholds". At most 20/);
  });

  test('a metrics key prefix with a wildcard, or without a bucket', () => {
    expect(make((s) => ({ ...metric(s, [MSE]), metricsKeyPrefix: 'evaluation/*' }))).toThrow(/`metricsKeyPrefix`.*no wildcards/);
    expect(make(() => ({ metricsKeyPrefix: 'evaluation/' }))).toThrow(/`metricsKeyPrefix`: received "evaluation\/". It needs `metricsBucket`/);
  });

  test('an existing topic and e-mail subscriptions at once', () => {
    expect(make((s) => ({ notificationTopic: new sns.Topic(s, 'T'), notificationEmails: ['a@example.com'] })))
      .toThrow(/`notificationEmails`.*cannot be combined with `notificationTopic`/);
  });

  test('an e-mail address that is not one', () => {
    expect(make(() => ({ notificationEmails: ['ml-team'] }))).toThrow(/`notificationEmails`: received "ml-team". It must be an e-mail address/);
  });

  test('an audit retention with the audit log turned off', () => {
    expect(make(() => ({ auditLog: false, auditLogRetention: logs.RetentionDays.ONE_YEAR }))).toThrow(/`auditLogRetention`.*no effect when `auditLog` is false/);
  });

  test('tokens are left for CloudFormation and SageMaker to check', () => {
    expect(make((s) => ({
      modelPackageGroupName: new CfnParameter(s, 'GroupName').valueAsString,
      allowAccounts: [new CfnParameter(s, 'Account').valueAsString],
    }))).not.toThrow();
    expect(make(() => ({ existingModelPackageGroupArn: `arn:aws:sagemaker:${Aws.REGION}:${Aws.ACCOUNT_ID}:model-package-group/churn` }))).not.toThrow();
  });
});
