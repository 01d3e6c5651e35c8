/**
 * How a model metric is compared with a threshold: the metric must be ... than the threshold.
 * The values are the condition types of SageMaker Pipelines (`ConditionGreaterThanOrEqualTo` ...).
 */
export enum MetricComparison {
  /** The metric must be greater than the threshold (scores: AUC, accuracy). */
  GREATER_THAN = 'GreaterThan',
  /** The metric must be greater than or equal to the threshold. */
  GREATER_THAN_OR_EQUAL_TO = 'GreaterThanOrEqualTo',
  /** The metric must be less than the threshold (errors: MSE, RMSE). */
  LESS_THAN = 'LessThan',
  /** The metric must be less than or equal to the threshold. */
  LESS_THAN_OR_EQUAL_TO = 'LessThanOrEqualTo',
}
