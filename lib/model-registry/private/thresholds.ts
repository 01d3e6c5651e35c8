/**
 * Metric threshold logic shared by the construct (synth-time checks) and the approval-policy
 * handler (run-time evaluation). Pure TypeScript: no aws-cdk-lib, so the handler bundle stays small.
 */

/** The comparison operators, as written in the handler's environment. */
export type ComparisonOperator = 'GreaterThan' | 'GreaterThanOrEqualTo' | 'LessThan' | 'LessThanOrEqualTo';

/** One threshold as the handler receives it (in the THRESHOLDS environment variable, as JSON). */
export interface ThresholdSpec {
  readonly metricJsonPath: string;
  readonly comparison: ComparisonOperator;
  readonly value: number;
}

/** What a threshold gave for one metrics document. */
export interface ThresholdResult {
  readonly spec: ThresholdSpec;
  /** PASSED, FAILED, or MISSING (the path is absent or not a finite number). */
  readonly status: 'PASSED' | 'FAILED' | 'MISSING';
  /** The value found at the path, when it is a number. */
  readonly actual?: number;
}

// One rule for metric paths in the whole library (the registry's thresholds and the pipeline's gate).
export { METRIC_PATH_MAX_LENGTH, METRIC_PATH_PATTERN, metricPathProblem } from '../../private/metric-path';

/** The symbol of each operator, for descriptions a person reads. */
export const OPERATOR_SYMBOL: Record<ComparisonOperator, string> = {
  GreaterThan: '>',
  GreaterThanOrEqualTo: '>=',
  LessThan: '<',
  LessThanOrEqualTo: '<=',
};


/** The value at a dot-separated path of a parsed JSON document, or undefined. */
export function valueAtPath(doc: unknown, path: string): unknown {
  let current: unknown = doc;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) { return undefined; }
    if (!Object.prototype.hasOwnProperty.call(current, key)) { return undefined; }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Compare one value with one threshold. */
export function compare(actual: number, comparison: ComparisonOperator, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThan': return actual > threshold;
    case 'GreaterThanOrEqualTo': return actual >= threshold;
    case 'LessThan': return actual < threshold;
    case 'LessThanOrEqualTo': return actual <= threshold;
    default: throw new Error(`Unknown comparison ${JSON.stringify(comparison)}`);
  }
}

/** Evaluate every threshold against a parsed metrics document. */
export function evaluateThresholds(doc: unknown, specs: ThresholdSpec[]): ThresholdResult[] {
  return specs.map((spec) => {
    const found = valueAtPath(doc, spec.metricJsonPath);
    if (typeof found !== 'number' || !Number.isFinite(found)) {
      return { spec, status: 'MISSING' as const };
    }
    return { spec, status: compare(found, spec.comparison, spec.value) ? 'PASSED' as const : 'FAILED' as const, actual: found };
  });
}

/** One line per threshold, e.g. `PASSED regression_metrics.mse.value = 4.1 (required < 5)`. */
export function describeResult(r: ThresholdResult): string {
  const rule = `required ${OPERATOR_SYMBOL[r.spec.comparison]} ${r.spec.value}`;
  if (r.status === 'MISSING') {
    return `MISSING ${r.spec.metricJsonPath} (${rule}): not a number in the metrics document`;
  }
  return `${r.status} ${r.spec.metricJsonPath} = ${r.actual} (${rule})`;
}
