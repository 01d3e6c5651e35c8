import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** Autoscaling of the production variant. */
export interface AutoscalingOptions {
  /**
   * The fewest instances (or provisioned concurrency for a serverless variant).
   *
   * @default - the initial instance count (or the provisioned concurrency)
   */
  readonly minCapacity?: number;

  /** The most instances (or provisioned concurrency for a serverless variant). */
  readonly maxCapacity: number;

  /**
   * Target of the `SageMakerVariantInvocationsPerInstance` metric (requests per instance per minute).
   * Ignored for a serverless variant.
   *
   * @default 100
   */
  readonly targetInvocationsPerInstance?: number;

  /**
   * Target of provisioned concurrency utilization for a serverless variant (0.1 to 0.9).
   *
   * @default 0.7
   */
  readonly targetProvisionedConcurrencyUtilization?: number;

  /**
   * A custom metric to track as well (for example CPU utilization or a queue depth).
   *
   * @default - none
   */
  readonly customMetric?: cloudwatch.IMetric;

  /**
   * The target value of `customMetric`.
   *
   * @default - required with `customMetric`
   */
  readonly customMetricTarget?: number;

  /**
   * The wait after a scale-in before the next one.
   *
   * @default Duration.minutes(5)
   */
  readonly scaleInCooldown?: Duration;

  /**
   * The wait after a scale-out before the next one.
   *
   * @default Duration.minutes(1)
   */
  readonly scaleOutCooldown?: Duration;
}
