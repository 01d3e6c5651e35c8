import { Duration } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';

/** The alarms of the endpoint. */
export interface EndpointAlarmOptions {
  /**
   * The topic the alarms notify.
   *
   * @default - a new topic encrypted with the endpoint's key
   */
  readonly topic?: sns.ITopic;

  /**
   * The 5XX errors per minute that raise the error alarm.
   *
   * @default 1
   */
  readonly invocationErrorThreshold?: number;

  /**
   * The p99 model latency that raises the latency alarm.
   *
   * @default Duration.seconds(1)
   */
  readonly modelLatencyThreshold?: Duration;

  /**
   * Consecutive minutes above the threshold before an alarm fires.
   *
   * @default 2
   */
  readonly evaluationPeriods?: number;
}
