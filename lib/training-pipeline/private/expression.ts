/*
 * What a pipeline value is, as data: the one walker (private/render.ts) reads these and renders
 * them, so that values know nothing of rendering. A leaf file: it imports nothing of this module.
 */

/** A step as a value refers to it: by identity, with its name (the walker maps it back to the step). */
export interface StepReference {
  readonly stepName: string;
}

/** A property file as a `Std:JsonGet` refers to it. */
export interface PropertyFileReference {
  readonly name: string;
  /** The processing step that declares the file, once one does. */
  readonly _owner?: StepReference;
}

/** `{"Get": "Parameters.<name>"}`. */
export interface ParameterExpression {
  readonly kind: 'parameter';
  readonly name: string;
}

/** `{"Get": "Execution.<name>"}`. */
export interface ExecutionExpression {
  readonly kind: 'execution';
  readonly name: string;
}

/** `{"Get": "Steps.<step>.<path>"}`. */
export interface StepPropertyExpression {
  readonly kind: 'step-property';
  readonly step: StepReference;
  readonly path: string;
}

/** `{"Std:Join": {"On": <separator>, "Values": [...]}}`; the values are rendered in turn. */
export interface JoinExpression {
  readonly kind: 'join';
  readonly separator: string;
  readonly values: readonly unknown[];
}

/** `{"Std:JsonGet": {"PropertyFile": {"Get": "Steps.<owner>.PropertyFiles.<file>"}, "Path": <path>}}`. */
export interface JsonGetExpression {
  readonly kind: 'json-get';
  readonly file: PropertyFileReference;
  readonly path: string;
}

/** Every kind of pipeline value. */
export type PipelineExpression = ParameterExpression | ExecutionExpression | StepPropertyExpression | JoinExpression | JsonGetExpression;
