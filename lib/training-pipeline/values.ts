import { IResolvable, IResolveContext, ResolutionTypeHint, Token, Tokenization } from 'aws-cdk-lib';
import { check } from '../private/errors';
import type { PipelineExpression, StepReference } from './private/expression';
import { PIPELINE_ENTITY_NAME } from './private/names';

/*
 * Pipeline values are passive data, as the JsonPath tokens of aws-cdk-lib's Step Functions are:
 * each is recognised by a brand (a registered symbol, so that two copies of this library still
 * recognise each other's values) and describes itself as an expression; one walker
 * (private/render.ts) turns them into definition JSON.
 */
const PIPELINE_VALUE = Symbol.for('cdk-sagemaker-mlops.PipelineValue');

/**
 * The type of a value of a pipeline: of a parameter, of an output of a Lambda or callback step,
 * or of a value computed at run time, as far as it is known at synth time.
 */
export enum PipelineValueType {
  /** A string. */
  STRING = 'String',
  /** An integer. */
  INTEGER = 'Integer',
  /** A floating point number. */
  FLOAT = 'Float',
  /** A boolean. */
  BOOLEAN = 'Boolean',
  /**
   * Not known until the pipeline runs (a JSON value read from a property file, for example).
   * Declarations (parameters, step outputs) need one of the other types.
   */
  ANY = 'Any',
}

/**
 * A value that SageMaker Pipelines computes when the pipeline runs: a parameter, an execution
 * variable, a property of a step, a `Std:Join` or a `Std:JsonGet`.
 *
 * It renders as `{"Get": "..."}` (or the function object) inside the pipeline definition. Like
 * `JsonPath.stringAt` of Step Functions, it can travel inside ordinary typed props as a token:
 * use `value.asString` for a string prop and `value.asNumber` for a number prop. A string that
 * mixes literal text with pipeline values is rendered as a `Std:Join`.
 *
 * A pipeline value means nothing outside a pipeline definition: resolving it anywhere else (a
 * Lambda environment, a tag) fails at synth with an explanation.
 */
export abstract class PipelineValue implements IResolvable {
  /**
   * Whether `x` is a pipeline value (of this copy of the library or another).
   *
   * @param x anything
   */
  public static isPipelineValue(x: any): x is PipelineValue {
    return x !== null && typeof x === 'object' && (x as any)[PIPELINE_VALUE] === true;
  }

  /**
   * `Std:Join`: the values (literals, tokens of pipeline values, or pipeline values) joined with
   * `separator` when the pipeline runs.
   *
   * @param values the parts, in order
   * @param separator put between the parts
   * @default separator ""
   */
  public static join(values: any[], separator?: string): PipelineValue {
    return new JoinValue(values, separator ?? '');
  }

  /**
   * `Std:JsonGet`: a value read at run time from a property file that a processing step declares.
   *
   * @param propertyFile the property file (declared in the `propertyFiles` of a processing step)
   * @param jsonPath the JSON path inside the file, e.g. `regression_metrics.mse.value`
   * @param valueType the type of the value at that path, used to check conditions
   * @default valueType PipelineValueType.ANY
   */
  public static jsonGet(propertyFile: PropertyFile, jsonPath: string, valueType?: PipelineValueType): PipelineValue {
    return new JsonGetValue(propertyFile, jsonPath, valueType ?? PipelineValueType.ANY);
  }

  /**
   * The pipeline value a token stands for, when `value` is (exactly) the token of one.
   *
   * @param value a string or number token produced by `asString` / `asNumber`
   * @returns the pipeline value, or undefined when `value` is not the token of a pipeline value
   */
  public static fromToken(value: any): PipelineValue | undefined {
    if (PipelineValue.isPipelineValue(value)) { return value; }
    if (typeof value === 'string' && Token.isUnresolved(value)) {
      const fragments = Tokenization.reverseString(value);
      const token = fragments.length === 1 && fragments.tokens.length === 1 ? fragments.tokens[0] : undefined;
      return PipelineValue.isPipelineValue(token) ? token : undefined;
    }
    if (typeof value === 'number' && Token.isUnresolved(value)) {
      const token = Tokenization.reverseNumber(value);
      return PipelineValue.isPipelineValue(token) ? token : undefined;
    }
    return undefined;
  }

  /** The type of the value, as far as it is known at synth time. */
  public abstract readonly valueType: PipelineValueType;

  /** Where the value was created (part of IResolvable; empty). */
  public readonly creationStack: string[] = [];

  /** How the value resolves (part of IResolvable): not declared, it depends on where it is used. */
  public readonly typeHint?: ResolutionTypeHint;

  /**
   * What the value is, as data, for the walker that renders definitions (each kind of value
   * overrides it).
   * @internal
   */
  public get _expression(): PipelineExpression {
    throw new Error(`${this.describe()} is not a value SageMaker Pipelines knows how to render`);
  }

  constructor() {
    Object.defineProperty(this, PIPELINE_VALUE, { value: true });
  }

  /** This value as a string token, for string props. */
  public get asString(): string {
    return Token.asString(this);
  }

  /** This value as a number token, for number props. */
  public get asNumber(): number {
    return Token.asNumber(this);
  }

  /**
   * Pipeline values resolve only inside a pipeline definition.
   */
  public resolve(_context: IResolveContext): any {
    throw new Error(`${this.describe()} is a SageMaker pipeline value: it can only be used inside a pipeline definition ` +
      '(the props of a pipeline step or condition), not in other CloudFormation properties.');
  }

  /** A short description for error messages, such as `Steps.Train.TrainingJobName`. */
  public abstract describe(): string;

  /** A string token that stands for this value. */
  public toString(): string {
    return Token.asString(this);
  }
}

/** Options of a string parameter. */
export interface StringParameterOptions {
  /**
   * The value used when an execution does not give one.
   *
   * @default - none: every execution must give a value
   */
  readonly defaultValue?: string;
  /**
   * The only values the parameter may take.
   *
   * @default - any string
   */
  readonly enumValues?: string[];
}

/** Options of an integer or float parameter. */
export interface NumberParameterOptions {
  /**
   * The value used when an execution does not give one.
   *
   * @default - none: every execution must give a value
   */
  readonly defaultValue?: number;
}

/** Options of a boolean parameter. */
export interface BooleanParameterOptions {
  /**
   * The value used when an execution does not give one.
   *
   * @default - none: every execution must give a value
   */
  readonly defaultValue?: boolean;
}

/**
 * A pipeline parameter (`{"Get": "Parameters.Name"}`), given a value when an execution starts.
 * Declare it with `addParameter` on the pipeline.
 */
export class PipelineParameter extends PipelineValue {
  /** A string parameter. */
  public static string(name: string, options: StringParameterOptions = {}): PipelineParameter {
    if (options.enumValues !== undefined) {
      check(options.enumValues.length > 0, `parameter ${name}`, 'enumValues', options.enumValues, 'It must list at least one value');
      check(options.defaultValue === undefined || options.enumValues.includes(options.defaultValue), `parameter ${name}`,
        'defaultValue', options.defaultValue, `It must be one of the enumValues (${options.enumValues.join(', ')})`);
    }
    return new PipelineParameter(name, PipelineValueType.STRING, options.defaultValue, options.enumValues);
  }

  /** An integer parameter. */
  public static integer(name: string, options: NumberParameterOptions = {}): PipelineParameter {
    check(options.defaultValue === undefined || Token.isUnresolved(options.defaultValue) || Number.isInteger(options.defaultValue),
      `parameter ${name}`, 'defaultValue', options.defaultValue, 'An integer parameter needs an integer default');
    return new PipelineParameter(name, PipelineValueType.INTEGER, options.defaultValue);
  }

  /** A float parameter. */
  public static float(name: string, options: NumberParameterOptions = {}): PipelineParameter {
    return new PipelineParameter(name, PipelineValueType.FLOAT, options.defaultValue);
  }

  /** A boolean parameter. */
  public static boolean(name: string, options: BooleanParameterOptions = {}): PipelineParameter {
    return new PipelineParameter(name, PipelineValueType.BOOLEAN, options.defaultValue);
  }

  /** The parameter's name. */
  public readonly name: string;
  /** The parameter's type (never `ANY`). */
  public readonly valueType: PipelineValueType;
  /** The default value, if any. */
  public readonly defaultValue?: any;
  /** The allowed values of a string parameter, if restricted. */
  public readonly enumValues?: string[];

  private constructor(name: string, type: PipelineValueType, defaultValue: any, enumValues?: string[]) {
    super();
    check(typeof name === 'string' && PIPELINE_ENTITY_NAME.test(name), 'PipelineParameter', 'name', name,
      'A parameter name must be 1 to 256 letters, digits, dashes or underscores');
    this.name = name;
    this.valueType = type;
    this.defaultValue = defaultValue;
    this.enumValues = enumValues;
  }

  /** @internal */
  public get _expression(): PipelineExpression {
    return { kind: 'parameter', name: this.name };
  }

  public describe(): string {
    return `Parameters.${this.name}`;
  }
}

/**
 * Variables SageMaker Pipelines sets for every execution (`{"Get": "Execution.X"}`).
 */
export class ExecutionVariable extends PipelineValue {
  /** The execution's id. */
  public static readonly PIPELINE_EXECUTION_ID = new ExecutionVariable('PipelineExecutionId');
  /** The execution's ARN. */
  public static readonly PIPELINE_EXECUTION_ARN = new ExecutionVariable('PipelineExecutionArn');
  /** The pipeline's name. */
  public static readonly PIPELINE_NAME = new ExecutionVariable('PipelineName');
  /** The pipeline's ARN. */
  public static readonly PIPELINE_ARN = new ExecutionVariable('PipelineArn');
  /** When the execution started. */
  public static readonly START_DATE_TIME = new ExecutionVariable('StartDateTime');
  /** The time at which the variable is read. */
  public static readonly CURRENT_DATE_TIME = new ExecutionVariable('CurrentDateTime');

  /** The variable's name. */
  public readonly name: string;
  public readonly valueType = PipelineValueType.STRING;

  private constructor(name: string) {
    super();
    this.name = name;
  }

  /** @internal */
  public get _expression(): PipelineExpression {
    return { kind: 'execution', name: this.name };
  }

  public describe(): string {
    return `Execution.${this.name}`;
  }
}

/** Props of a {@link PropertyFile}. */
export interface PropertyFileProps {
  /** The name the pipeline knows the file by. */
  readonly name: string;
  /** The name of the processing output that holds the file. */
  readonly outputName: string;
  /** The path of the file inside that output, such as `evaluation.json`. */
  readonly path: string;
}

/**
 * A JSON file written by a processing step, read at run time with `PipelineValue.jsonGet`.
 * Declare it in the `propertyFiles` of the processing step that writes it.
 */
export class PropertyFile {
  /** The name the pipeline knows the file by. */
  public readonly name: string;
  /** The processing output that holds the file. */
  public readonly outputName: string;
  /** The path of the file inside the output. */
  public readonly path: string;

  /**
   * The processing step that declares the file.
   * @internal
   */
  public _owner?: StepReference;

  constructor(props: PropertyFileProps) {
    check(props !== undefined && props !== null, 'PropertyFile', 'props', props, 'It is required: the name, outputName and path of the file');
    check(typeof props.name === 'string' && PIPELINE_ENTITY_NAME.test(props.name), 'PropertyFile', 'name', props.name,
      'A property file name must be 1 to 256 letters, digits, dashes or underscores');
    check(typeof props.outputName === 'string' && props.outputName.length > 0, `PropertyFile ${props.name}`, 'outputName', props.outputName,
      'It is required: the name of the processing output that holds the file');
    check(typeof props.path === 'string' && props.path.length > 0, `PropertyFile ${props.name}`, 'path', props.path, 'It must not be empty');
    this.name = props.name;
    this.outputName = props.outputName;
    this.path = props.path;
  }

  /**
   * `Std:JsonGet` on this file.
   *
   * @param jsonPath the JSON path inside the file
   * @param valueType the type of the value at that path
   * @default valueType PipelineValueType.ANY
   */
  public get(jsonPath: string, valueType?: PipelineValueType): PipelineValue {
    return PipelineValue.jsonGet(this, jsonPath, valueType);
  }
}

class JoinValue extends PipelineValue {
  public readonly valueType = PipelineValueType.STRING;
  private readonly values: any[];

  constructor(values: any[], private readonly separator: string) {
    super();
    check(Array.isArray(values), 'PipelineValue.join', 'values', values, 'It must be a list of values');
    this.values = [...values];
  }

  /** @internal */
  public get _expression(): PipelineExpression {
    return { kind: 'join', separator: this.separator, values: this.values };
  }

  public describe(): string {
    return `Std:Join(${JSON.stringify(this.separator)})`;
  }
}

class JsonGetValue extends PipelineValue {
  constructor(private readonly file: PropertyFile, private readonly jsonPath: string, public readonly valueType: PipelineValueType) {
    super();
    check(file instanceof PropertyFile, 'PipelineValue.jsonGet', 'propertyFile', file, 'It must be a PropertyFile');
    check(typeof jsonPath === 'string' && jsonPath.length > 0, `PropertyFile ${file.name}`, 'jsonPath', jsonPath, 'It must not be empty');
  }

  /** @internal */
  public get _expression(): PipelineExpression {
    return { kind: 'json-get', file: this.file, path: this.jsonPath };
  }

  public describe(): string {
    return `Std:JsonGet(${this.file._owner ? `Steps.${this.file._owner.stepName}.` : ''}PropertyFiles.${this.file.name}, ${this.jsonPath})`;
  }
}
