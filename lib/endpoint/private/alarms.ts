import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { EndpointContext } from './context';
import type { IEndpoint } from '../endpoint-base';
import { check, checkIntegerRange, isLiteralNumber } from '../../private/errors';

/** The endpoint's alarms and the topic they notify. */
export interface EndpointAlarms {
  readonly topic: sns.ITopic;
  readonly errorAlarm: cloudwatch.Alarm;
  readonly latencyAlarm: cloudwatch.Alarm;
}

/**
 * The alarm topic ("AlarmTopic", encrypted with the endpoint's key, unless one is given) and the
 * 5XX error and p99 model latency alarms of the production variant, which notify it on alarm and
 * on recovery (and roll deployments back, unless turned off).
 */
export function createAlarms(ctx: EndpointContext, endpoint: IEndpoint): EndpointAlarms {
  const scope = ctx.scope;
  const s = ctx.settings.alarms;
  const topic = ctx.props.alarms?.topic ?? new sns.Topic(scope, 'AlarmTopic', {
    masterKey: ctx.encryptionKey,
    enforceSSL: true,
    displayName: 'SageMaker endpoint alarms',
  });
  checkIntegerRange(scope, 'alarms.evaluationPeriods', s.evaluationPeriods, 1, 60);
  check(!isLiteralNumber(s.invocationErrorThreshold) || s.invocationErrorThreshold >= 1, scope, 'alarms.invocationErrorThreshold',
    s.invocationErrorThreshold, 'It must be at least 1');
  check(s.modelLatencyThreshold.toMilliseconds() > 0, scope, 'alarms.modelLatencyThreshold', s.modelLatencyThreshold, 'It must be longer than zero');
  const prefix = ctx.props.alarms?.alarmNamePrefix;
  const errorAlarm = new cloudwatch.Alarm(scope, 'ErrorAlarm', {
    alarmName: prefix === undefined ? undefined : `${prefix}-errors`,
    alarmDescription: 'Invocation 5XX errors of the SageMaker endpoint (also rolls a deployment back)',
    metric: endpoint.metricInvocation5XXErrors({ period: Duration.minutes(1) }),
    threshold: s.invocationErrorThreshold,
    evaluationPeriods: s.evaluationPeriods,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const latencyAlarm = new cloudwatch.Alarm(scope, 'LatencyAlarm', {
    alarmName: prefix === undefined ? undefined : `${prefix}-latency`,
    alarmDescription: 'p99 model latency of the SageMaker endpoint, in microseconds (also rolls a deployment back)',
    metric: endpoint.metricModelLatency({ period: Duration.minutes(1), statistic: 'p99' }),
    threshold: s.modelLatencyThreshold.toMilliseconds() * 1000,
    evaluationPeriods: s.evaluationPeriods,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  for (const alarm of [errorAlarm, latencyAlarm]) {
    notify(alarm, topic);
  }
  return { topic, errorAlarm, latencyAlarm };
}

/** Notify `topic` when `alarm` fires and when it recovers. */
export function notify(alarm: cloudwatch.Alarm, topic: sns.ITopic): void {
  alarm.addAlarmAction(new cw_actions.SnsAction(topic));
  alarm.addOkAction(new cw_actions.SnsAction(topic));
}
