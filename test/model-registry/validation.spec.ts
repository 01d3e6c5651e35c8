import { App, Aws, CfnParameter, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MetricComparison, ModelPackageGroup } from '../../lib/core';
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
  ({ approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS, artifactBucket: bucket(stack), metricThresholds: thresholds });

describe('bad input is refused at synth with the construct path, the prop, the value and the rule', () => {
  test('a group name SageMaker would reject (checked by the group the registry creates)', () => {
    expect(make(() => ({ modelPackageGroupProps: { modelPackageGroupName: 'churn_model' } })))
      .toThrow('[Bad/Registry/Group] Invalid prop `modelPackageGroupName`: received "churn_model". A model package group name has letters, digits');
  });

  test('a group name that is too long', () => {
    expect(make(() => ({ modelPackageGroupProps: { modelPackageGroupName: 'a'.repeat(64) } })))
      .toThrow(/^\[Bad\/Registry\/Group\] Invalid prop `modelPackageGroupName`: received "a{64}". A model package group name has 1 to 63 characters/);
  });

  test('an empty existing group name', () => {
    expect(make((s) => ({ modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(s, 'Existing', '') })))
      .toThrow(/^\[Bad\/Existing\] Invalid prop `modelPackageGroupName`: received "". .*1 to 63 characters/);
  });

  test('a description longer than SageMaker allows', () => {
    expect(make(() => ({ modelPackageGroupProps: { description: 'x'.repeat(1025) } })))
      .toThrow(/^\[Bad\/Registry\/Group\] Invalid prop `description`: received "x+\.\.\.". It must be at most 1024 characters/);
  });

  test('an existing group and props to create one at once', () => {
    const existing = (s: Stack) => ModelPackageGroup.fromModelPackageGroupName(s, 'Existing', 'a');
    expect(make((s) => ({ modelPackageGroup: existing(s), modelPackageGroupProps: { modelPackageGroupName: 'b' } })))
      .toThrow('[Bad/Registry] Invalid prop `modelPackageGroupProps`: received {"modelPackageGroupName":"b"}. It cannot be combined with ' +
        '`modelPackageGroup`: give either an existing resource or the props to create one');
    expect(make((s) => ({ modelPackageGroup: existing(s), modelPackageGroupProps: { allowAccounts: ['111122223333'] } })))
      .toThrow(/^\[Bad\/Registry\] Invalid prop `modelPackageGroupProps`: received .*111122223333.*It cannot be combined with `modelPackageGroup`/);
    expect(make((s) => ({ modelPackageGroup: existing(s), modelPackageGroupProps: {} })))
      .toThrow(/`modelPackageGroupProps`: received \{\}. It cannot be combined with `modelPackageGroup`/);
  });

  test('a group that is not an IModelPackageGroup (a name, from JavaScript)', () => {
    expect(make(() => ({ modelPackageGroup: 'churn' as any })))
      .toThrow('[Bad/Registry] Invalid prop `modelPackageGroup`: received "churn". It must be an IModelPackageGroup: a ModelPackageGroup, ' +
        'or an existing group by ModelPackageGroup.fromModelPackageGroupName / fromModelPackageGroupArn');
  });

  test.each([
    ['existingModelPackageGroupName', 'churn', /use `modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName\(scope, id, name\)`/],
    ['existingModelPackageGroupArn', 'arn:aws:sagemaker:us-east-2:123456789012:model-package-group/a', /fromModelPackageGroupArn\(scope, id, arn\)/],
    ['modelPackageGroupName', 'churn', /use `modelPackageGroupProps.modelPackageGroupName`/],
    ['modelPackageGroupDescription', 'churn models', /use `modelPackageGroupProps.description`/],
    ['allowAccounts', ['111122223333'], /use `modelPackageGroupProps.allowAccounts`/],
    ['removalPolicy', 'retain', /use `modelPackageGroupProps.removalPolicy`/],
  ])('a prop of earlier versions (from JavaScript): %s', (prop, value, rule) => {
    expect(make(() => ({ [prop]: value } as any))).toThrow(new RegExp(`^\\[Bad/Registry\\] Invalid prop \`${prop}\`: received .*It was removed`));
    expect(make(() => ({ [prop]: value } as any))).toThrow(rule);
  });

  test('metricsBucket of earlier versions (from JavaScript)', () => {
    expect(make((s) => ({ metricsBucket: bucket(s) } as any)))
      .toThrow(/^\[Bad\/Registry\] Invalid prop `metricsBucket`: received .*It was removed: use `artifactBucket` \(or a `foundation`\)/);
  });

  test('an ARN that is not a model package group ARN', () => {
    expect(make((s) => ({ modelPackageGroup: ModelPackageGroup.fromModelPackageGroupArn(s, 'Existing', 'arn:aws:sagemaker:us-east-2:123456789012:model-package/churn/3') })))
      .toThrow(/^\[Bad\/Existing\] Invalid prop `modelPackageGroupArn`: received "arn:.*model-package\/churn\/3". It must be a model package group ARN/);
  });

  test('an account ID that is not 12 digits', () => {
    expect(make(() => ({ modelPackageGroupProps: { allowAccounts: ['12345'] } })))
      .toThrow('[Bad/Registry/Group] Invalid prop `allowAccounts`: received "12345". An account ID is exactly 12 digits');
  });

  test('the group\'s own account in allowAccounts', () => {
    expect(make(() => ({ modelPackageGroupProps: { allowAccounts: ['123456789012'] } })))
      .toThrow(/^\[Bad\/Registry\/Group\] Invalid prop `allowAccounts`: received "123456789012". The group's own account needs no resource policy/);
  });

  test('a metric policy without thresholds', () => {
    expect(make((s) => ({ approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS, artifactBucket: bucket(s) })))
      .toThrow('[Bad/Registry] Invalid prop `metricThresholds`: received undefined. The METRIC_THRESHOLDS policy needs at least one metric threshold');
    expect(make((s) => ({ approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS_THEN_MANUAL, artifactBucket: bucket(s), metricThresholds: [] })))
      .toThrow(/`metricThresholds`: received \[\]. The METRIC_THRESHOLDS_THEN_MANUAL policy needs at least one/);
  });

  test('a metric policy without a bucket (no artifactBucket, no foundation)', () => {
    expect(make(() => ({ approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS, metricThresholds: [MSE] })))
      .toThrow('[Bad/Registry] Invalid prop `artifactBucket`: received undefined. The METRIC_THRESHOLDS policy reads each version\'s ' +
        'metrics document from S3: give the bucket that holds it, or a `foundation`');
  });

  test('thresholds with the manual policy and nothing to read them from', () => {
    expect(make(() => ({ metricThresholds: [MSE] })))
      .toThrow(/^\[Bad\/Registry\] Invalid prop `metricThresholds`: received \[.*\]. With the MANUAL policy.*give `artifactBucket` or a `foundation`/);
  });

  test.each([
    ['a JSONPath root', '$.regression_metrics.mse.value', /without a leading "\$"/],
    ['a leading $ without a dot (the rule the pipeline\'s gate shares)', '$regression_metrics.mse.value', /without a leading "\$" or "\$\."/],
    ['a lone $', '$', /without a leading "\$"/],
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
    expect(make(() => ({ metricsKeyPrefix: 'evaluation/' })))
      .toThrow('[Bad/Registry] Invalid prop `metricsKeyPrefix`: received "evaluation/". It needs a bucket to read from: `artifactBucket` or a `foundation`');
  });

  test('a metrics key without a bucket', () => {
    expect(make((s) => ({ metricsEncryptionKey: new kms.Key(s, 'K') })))
      .toThrow('[Bad/Registry] Invalid prop `metricsEncryptionKey`: received "a key". It needs a bucket to read from');
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
      modelPackageGroupProps: {
        modelPackageGroupName: new CfnParameter(s, 'GroupName').valueAsString,
        allowAccounts: [new CfnParameter(s, 'Account').valueAsString],
      },
    }))).not.toThrow();
    expect(make((s) => ({
      modelPackageGroup: ModelPackageGroup.fromModelPackageGroupArn(s, 'Existing', `arn:aws:sagemaker:${Aws.REGION}:${Aws.ACCOUNT_ID}:model-package-group/churn`),
    }))).not.toThrow();
  });
});
