import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { metricPathProblem } from './thresholds';
import { MetricComparison } from '../../core/metric-comparison';
import { check, checkExclusive, isLiteralNumber, isLiteralString, propError } from '../../private/errors';
import { ApprovalPolicy } from '../approval-policy';
import { ModelRegistryApprovalProps } from '../model-registry-approval-props';

/** The most thresholds one construct accepts (they travel in the handler's environment). */
export const MAX_THRESHOLDS = 20;

/** Props of earlier versions, and what replaced them (JavaScript callers get no type error). */
const REMOVED_PROPS: { [prop: string]: string } = {
  existingModelPackageGroupName: '`modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(scope, id, name)`',
  existingModelPackageGroupArn: '`modelPackageGroup: ModelPackageGroup.fromModelPackageGroupArn(scope, id, arn)`',
  modelPackageGroupName: '`modelPackageGroupProps.modelPackageGroupName`',
  modelPackageGroupDescription: '`modelPackageGroupProps.description`',
  removalPolicy: '`modelPackageGroupProps.removalPolicy`',
  allowAccounts: '`modelPackageGroupProps.allowAccounts`',
  metricsBucket: '`artifactBucket` (or a `foundation`)',
};

/**
 * Check the props of a ModelRegistryApproval at once. The group's own props
 * (`modelPackageGroupProps`) are checked by the ModelPackageGroup it creates.
 */
export function validateRegistryProps(scope: Construct, props: ModelRegistryApprovalProps): void {
  for (const [prop, replacement] of Object.entries(REMOVED_PROPS)) {
    const value = (props as { [key: string]: unknown })[prop];
    check(value === undefined, scope, prop, value, `It was removed: use ${replacement}`);
  }
  checkExclusive(scope, 'modelPackageGroup', props.modelPackageGroup, 'modelPackageGroupProps', props.modelPackageGroupProps);
  if (props.modelPackageGroup !== undefined) {
    const group = props.modelPackageGroup as unknown;
    check(typeof group === 'object' && group !== null && typeof (group as { modelPackageGroupArn?: unknown }).modelPackageGroupArn === 'string',
      scope, 'modelPackageGroup', group,
      'It must be an IModelPackageGroup: a ModelPackageGroup, or an existing group by ' +
      'ModelPackageGroup.fromModelPackageGroupName / fromModelPackageGroupArn');
  }
  validatePolicy(scope, props);
  validateMetricsLocation(scope, props);
  checkExclusive(scope, 'notificationTopic', props.notificationTopic, 'notificationEmails', props.notificationEmails);
  for (const email of props.notificationEmails ?? []) {
    if (isLiteralString(email)) {
      check(/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email), scope, 'notificationEmails', email, 'It must be an e-mail address');
    }
  }
  if (props.auditLogRetention !== undefined) {
    check(props.auditLog !== false, scope, 'auditLogRetention', props.auditLogRetention, 'It has no effect when `auditLog` is false');
  }
}

/** True when the props name a bucket the handler can read metrics from (explicit or the foundation's). */
export function hasMetricsBucket(props: ModelRegistryApprovalProps): boolean {
  return props.artifactBucket !== undefined || props.foundation !== undefined;
}

function validatePolicy(scope: Construct, props: ModelRegistryApprovalProps): void {
  const policy = props.approvalPolicy ?? ApprovalPolicy.MANUAL;
  check(Object.values(ApprovalPolicy).includes(policy), scope, 'approvalPolicy', policy,
    `It must be one of ${Object.values(ApprovalPolicy).join(', ')}`);
  const thresholds = props.metricThresholds ?? [];
  if (policy !== ApprovalPolicy.MANUAL) {
    check(thresholds.length > 0, scope, 'metricThresholds', props.metricThresholds,
      `The ${policy} policy needs at least one metric threshold`);
    check(hasMetricsBucket(props), scope, 'artifactBucket', props.artifactBucket,
      `The ${policy} policy reads each version's metrics document from S3: give the bucket that holds it, ` +
      'or a `foundation` (whose bucket the training pipeline writes its evaluation reports to)');
  } else if (thresholds.length > 0) {
    check(hasMetricsBucket(props), scope, 'metricThresholds', props.metricThresholds,
      'With the MANUAL policy, thresholds are only shown in the notification, which needs a bucket to read the metrics from; ' +
      'give `artifactBucket` or a `foundation`, or choose a metric-threshold policy');
  }
  check(thresholds.length <= MAX_THRESHOLDS, scope, 'metricThresholds', `${thresholds.length} thresholds`,
    `At most ${MAX_THRESHOLDS} thresholds are allowed`);
  thresholds.forEach((t, i) => {
    const prop = `metricThresholds[${i}]`;
    check(t !== null && typeof t === 'object', scope, prop, t, 'It must be a MetricThreshold');
    check(!Token.isUnresolved(t.metricJsonPath), scope, `${prop}.metricJsonPath`, t.metricJsonPath,
      'It must be a literal path: the handler reads it at run time');
    const problem = metricPathProblem(t.metricJsonPath);
    if (problem) { throw propError(scope, `${prop}.metricJsonPath`, t.metricJsonPath, problem); }
    check(Object.values(MetricComparison).includes(t.comparison), scope, `${prop}.comparison`, t.comparison,
      `It must be one of MetricComparison.${Object.keys(MetricComparison).join(', MetricComparison.')}`);
    check(isLiteralNumber(t.value) && Number.isFinite(t.value), scope, `${prop}.value`, t.value,
      'It must be a finite number (not NaN, Infinity or a token)');
  });
  const seen = new Set<string>();
  thresholds.forEach((t, i) => {
    const key = `${t.metricJsonPath} ${t.comparison}`;
    check(!seen.has(key), scope, `metricThresholds[${i}]`, t, 'Another threshold already compares this metric the same way; keep one');
    seen.add(key);
  });
}

function validateMetricsLocation(scope: Construct, props: ModelRegistryApprovalProps): void {
  const needs = 'It needs a bucket to read from: `artifactBucket` or a `foundation`';
  if (props.metricsKeyPrefix !== undefined) {
    check(hasMetricsBucket(props), scope, 'metricsKeyPrefix', props.metricsKeyPrefix, needs);
    if (isLiteralString(props.metricsKeyPrefix)) {
      check(!props.metricsKeyPrefix.startsWith('/') && !/[*?]/.test(props.metricsKeyPrefix) && props.metricsKeyPrefix.length <= 1024,
        scope, 'metricsKeyPrefix', props.metricsKeyPrefix,
        'It must be a plain S3 key prefix: no leading "/", no wildcards, at most 1024 characters');
    }
  }
  if (props.metricsEncryptionKey !== undefined) {
    check(hasMetricsBucket(props), scope, 'metricsEncryptionKey', 'a key', needs);
  }
}
