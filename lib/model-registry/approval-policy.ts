import { MetricComparison } from '../core/metric-comparison';
/**
 * How new model versions of a {@link ModelRegistryApproval} are approved.
 */
export enum ApprovalPolicy {
  /**
   * A person approves or rejects every version. When a version is registered with the status
   * `PendingManualApproval`, the notification topic receives its version, its metrics and a link
   * to the SageMaker console.
   */
  MANUAL = 'MANUAL',

  /**
   * A Lambda handler reads the version's model-quality metrics document from S3, compares it with
   * the metric thresholds, and approves the version when every threshold passes or rejects it when
   * one fails. A version whose metrics are missing or unreadable is never approved: it stays
   * pending and the notification topic is told why.
   */
  METRIC_THRESHOLDS = 'METRIC_THRESHOLDS',

  /**
   * Both: the handler rejects a version that fails a threshold and leaves a version that passes
   * them all for a person to approve (the notification topic receives its metrics).
   */
  METRIC_THRESHOLDS_THEN_MANUAL = 'METRIC_THRESHOLDS_THEN_MANUAL',
}


/**
 * One rule a model version's metrics must meet.
 */
export interface MetricThreshold {
  /**
   * Where the metric is in the model-quality metrics document: dot-separated keys, without a
   * leading `$`, e.g. `regression_metrics.mse.value` or `binary_classification_metrics.accuracy.value`
   * (the shape SageMaker Model Monitor and the SageMaker Python SDK write, and the path
   * `Std:JsonGet` uses in a pipeline condition).
   */
  readonly metricJsonPath: string;

  /** How the metric is compared with `value`. */
  readonly comparison: MetricComparison;

  /** The threshold: a finite number. */
  readonly value: number;
}
