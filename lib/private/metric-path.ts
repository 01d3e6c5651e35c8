/*
 * The metric path rule, shared by ModelRegistryApproval's thresholds (read by its handler at run
 * time) and the standard training pipeline's gate (`Std:JsonGet` on the evaluation report). No
 * aws-cdk-lib here: the approval handler bundles it.
 */

/**
 * A metric path: dot-separated keys of letters, digits, `_` and `-`, such as
 * `regression_metrics.mse.value` (the shape SageMaker Model Monitor and the SageMaker Python SDK
 * write, and the one `Std:JsonGet` reads in a pipeline condition).
 */
export const METRIC_PATH_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** The longest metric path accepted. */
export const METRIC_PATH_MAX_LENGTH = 256;

/** Why a path is not valid, or undefined when it is. */
export function metricPathProblem(path: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0) {
    return 'It must be a non-empty dot-separated path such as "regression_metrics.mse.value"';
  }
  if (path.length > METRIC_PATH_MAX_LENGTH) {
    return `It must be at most ${METRIC_PATH_MAX_LENGTH} characters long`;
  }
  if (path.startsWith('$')) {
    return 'Write the path without a leading "$" or "$.", as in "regression_metrics.mse.value" (the Std:JsonGet form)';
  }
  if (!METRIC_PATH_PATTERN.test(path)) {
    return 'It must be dot-separated keys of letters, digits, "_" and "-", such as "regression_metrics.mse.value" ' +
      '(no empty keys, brackets, wildcards or spaces)';
  }
  return undefined;
}
