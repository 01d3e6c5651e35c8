import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The one way this library reports a bad prop.
 *
 * Every message names the construct path, the prop, the value received and
 * the rule that was broken, so a user can fix the input without reading our
 * source:
 *
 *   [MyStack/Endpoint] Invalid prop `instanceCount`: received 0. It must be an integer from 1 to 100.
 *
 * Two tiers, as in aws-cdk-lib's Step Functions module:
 * - `check` / `propError`: a single bad argument, thrown at once from the constructor;
 * - `PropChecks.defer`: rules that span props (or things added after
 *   construction), collected with `node.addValidation` and reported together at synth.
 */
export class MlopsPropError extends Error {
  public readonly constructPath: string;
  public readonly prop: string;

  constructor(scope: Where, prop: string, value: unknown, rule: string) {
    super(formatPropIssue(scope, prop, value, rule));
    this.name = 'MlopsPropError';
    this.constructPath = pathOf(scope);
    this.prop = prop;
  }
}

/**
 * Where a problem is: a construct, or the path of one being constructed (before `super()`
 * returns there is no `this`; use `childPath(scope, id)`).
 */
export type Where = IConstruct | string;

/** The path a construct will have once created as `id` under `scope`. */
export function childPath(scope: IConstruct, id: string): string {
  return scope.node.path ? `${scope.node.path}/${id}` : id;
}

function pathOf(where: Where): string {
  return (typeof where === 'string' ? where : where.node.path) || '<root>';
}

/** One problem found by a deferred check. */
export interface PropIssue {
  /** Prop name, as the user wrote it (dotted for nested fields: `autoscaling.maxCapacity`). */
  readonly prop: string;
  /** The value received. */
  readonly value: unknown;
  /** The rule it breaks, as a sentence. */
  readonly rule: string;
}

/** Render a value for an error message: short, never a raw token string. */
export function describeValue(value: unknown): string {
  if (value === undefined) { return 'undefined'; }
  if (value === null) { return 'null'; }
  if (typeof value === 'string') {
    if (Token.isUnresolved(value)) { return `a token (${value}) resolved only at deploy time`; }
    return JSON.stringify(value.length > 120 ? value.slice(0, 117) + '...' : value);
  }
  if (typeof value === 'number') {
    if (Token.isUnresolved(value)) { return 'a token resolved only at deploy time'; }
    return String(value);
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') { return String(value); }
  if (typeof value === 'function') { return 'a function'; }
  if (isDuration(value)) { return value.toHumanString(); }
  try {
    const json = JSON.stringify(value);
    if (json === undefined) { return String(value); }
    return json.length > 160 ? json.slice(0, 157) + '...' : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function isDuration(value: unknown): value is { toHumanString(): string } {
  return typeof value === 'object' && value !== null && typeof (value as any).toHumanString === 'function'
    && typeof (value as any).toSeconds === 'function';
}

/** The message format shared by thrown and deferred errors. */
export function formatPropIssue(scope: Where, prop: string, value: unknown, rule: string): string {
  const path = pathOf(scope);
  const sentence = rule.endsWith('.') ? rule : `${rule}.`;
  return `[${path}] Invalid prop \`${prop}\`: received ${describeValue(value)}. ${sentence}`;
}

/** The message of a deferred check: aws-cdk-lib adds the construct path in front. */
export function formatIssueWithoutPath(prop: string, value: unknown, rule: string): string {
  const sentence = rule.endsWith('.') ? rule : `${rule}.`;
  return `Invalid prop \`${prop}\`: received ${describeValue(value)}. ${sentence}`;
}

/** Build the error for one bad prop (thrown by the caller). */
export function propError(scope: Where, prop: string, value: unknown, rule: string): MlopsPropError {
  return new MlopsPropError(scope, prop, value, rule);
}

/** Throw at once when `ok` is false. */
export function check(ok: boolean, scope: Where, prop: string, value: unknown, rule: string): void {
  if (!ok) { throw propError(scope, prop, value, rule); }
}

/**
 * Rules that span several props, or that need things added after the
 * constructor (steps, variants), run at synth time through `node.addValidation`.
 * All failures of all such rules on a construct are reported together.
 */
export class PropChecks {
  /**
   * Register a deferred rule: `fn` returns the issues it finds (an empty list when all is well).
   */
  public static defer(scope: IConstruct, fn: () => PropIssue[]): void {
    // aws-cdk-lib puts the construct path in front of every validation message itself.
    scope.node.addValidation({
      validate: () => fn().map((i) => formatIssueWithoutPath(i.prop, i.value, i.rule)),
    });
  }
}

/** True for a literal (non-token) number. */
export function isLiteralNumber(n: number | undefined): n is number {
  return n !== undefined && !Token.isUnresolved(n);
}

/** True for a literal (non-token) string. */
export function isLiteralString(s: string | undefined): s is string {
  return s !== undefined && !Token.isUnresolved(s);
}

/**
 * Check an integer range, skipping tokens (they are checked by CloudFormation).
 */
export function checkIntegerRange(scope: Where, prop: string, value: number | undefined, min: number, max: number): void {
  if (!isLiteralNumber(value)) { return; }
  check(Number.isInteger(value) && value >= min && value <= max, scope, prop, value,
    `It must be an integer from ${min} to ${max}`);
}

/**
 * Check a number range, skipping tokens.
 */
export function checkNumberRange(scope: Where, prop: string, value: number | undefined, min: number, max: number): void {
  if (!isLiteralNumber(value)) { return; }
  check(Number.isFinite(value) && value >= min && value <= max, scope, prop, value,
    `It must be a number from ${min} to ${max}`);
}

/**
 * Solutions-constructs style: either an existing resource or props to create one, never both.
 */
export function checkExclusive(scope: Where, existingProp: string, existing: unknown, createProp: string, create: unknown): void {
  if (existing !== undefined && create !== undefined) {
    throw propError(scope, createProp, create,
      `It cannot be combined with \`${existingProp}\`: give either an existing resource or the props to create one`);
  }
}
