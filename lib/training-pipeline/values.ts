import { IResolvable, IResolveContext, ResolutionTypeHint, Token, Tokenization } from 'aws-cdk-lib';
import { check } from '../private/errors';
import type { Renderer } from './private/render';
import type { Step } from './step';

/**
 * The type of a value a pipeline computes at run time, as far as it is known at synth time.
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
  /** Not known until the pipeline runs (a JSON value read from a property file, for example). */
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
    return reversePipelineValue(value);
  }

  /** The type of the value, as far as it is known at synth time. */
  public abstract readonly valueType: PipelineValueType;

  /** Where the value was created (part of IResolvable; empty). */
  public readonly creationStack: string[] = [];

  /** How the value resolves (part of IResolvable): not declared, it depends on where it is used. */
  public readonly typeHint?: ResolutionTypeHint;

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

  /**
   * The definition JSON of this value.
   * @internal
   */
  public _render(_renderer: Renderer): any {
    throw new Error(`${this.describe()} cannot be rendered`);
  }
}

/** The pipeline value behind a token (string or number), if it is exactly one. */
export function reversePipelineValue(value: any): PipelineValue | undefined {
  if (value instanceof PipelineValue) { return value; }
  if (typeof value === 'string' && Token.isUnresolved(value)) {
    const fragments = Tokenization.reverseString(value);
    if (fragments.length === 1 && fragments.tokens.length === 1 && fragments.tokens[0] instanceof PipelineValue) {
      return fragments.tokens[0];
    }
    return undefined;
  }
  if (typeof value === 'number' && Token.isUnresolved(value)) {
    const token = Tokenization.reverseNumber(value);
    return token instanceof PipelineValue ? token : undefined;
  }
  return undefined;
}

/**
 * The types a pipeline parameter can have.
 */
export enum ParameterType {
  /** A string. */
  STRING = 'String',
  /** An integer. */
  INTEGER = 'Integer',
  /** A float. */
  FLOAT = 'Float',
  /** A boolean. */
  BOOLEAN = 'Boolean',
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

/** SageMaker's rule for parameter, step and property file names. */
export const PIPELINE_ENTITY_NAME = /^[A-Za-z0-9\-_]{1,256}$/;

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
    return new PipelineParameter(name, ParameterType.STRING, options.defaultValue, options.enumValues);
  }

  /** An integer parameter. */
  public static integer(name: string, options: NumberParameterOptions = {}): PipelineParameter {
    check(options.defaultValue === undefined || Token.isUnresolved(options.defaultValue) || Number.isInteger(options.defaultValue),
      `parameter ${name}`, 'defaultValue', options.defaultValue, 'An integer parameter needs an integer default');
    return new PipelineParameter(name, ParameterType.INTEGER, options.defaultValue);
  }

  /** A float parameter. */
  public static float(name: string, options: NumberParameterOptions = {}): PipelineParameter {
    return new PipelineParameter(name, ParameterType.FLOAT, options.defaultValue);
  }

  /** A boolean parameter. */
  public static boolean(name: string, options: BooleanParameterOptions = {}): PipelineParameter {
    return new PipelineParameter(name, ParameterType.BOOLEAN, options.defaultValue);
  }

  /** The parameter's name. */
  public readonly name: string;
  /** The parameter's type. */
  public readonly parameterType: ParameterType;
  /** The default value, if any. */
  public readonly defaultValue?: any;
  /** The allowed values of a string parameter, if restricted. */
  public readonly enumValues?: string[];

  private constructor(name: string, type: ParameterType, defaultValue: any, enumValues?: string[]) {
    super();
    this.enumValues = enumValues;
    check(PIPELINE_ENTITY_NAME.test(name), 'PipelineParameter', 'name', name,
      'A parameter name must be 1 to 256 letters, digits, dashes or underscores');
    this.name = name;
    this.parameterType = type;
    this.defaultValue = defaultValue;
  }

  public get valueType(): PipelineValueType {
    return this.parameterType as unknown as PipelineValueType;
  }

  public describe(): string {
    return `Parameters.${this.name}`;
  }

  /** @internal */
  public _render(renderer: Renderer): any {
    renderer.useParameter(this);
    return { Get: `Parameters.${this.name}` };
  }

  /**
   * The entry of this parameter in the definition's `Parameters` list.
   * @internal
   */
  public _renderDeclaration(): any {
    return {
      Name: this.name,
      Type: this.parameterType,
      ...(this.defaultValue !== undefined ? { DefaultValue: this.defaultValue } : {}),
      ...(this.enumValues !== undefined ? { EnumValues: this.enumValues } : {}),
    };
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

  public describe(): string {
    return `Execution.${this.name}`;
  }

  /** @internal */
  public _render(_renderer: Renderer): any {
    return { Get: `Execution.${this.name}` };
  }
}

/**
 * A property of a step (`{"Get": "Steps.Name.Path"}`), known when the step has run.
 * Typed accessors on each step create these (`trainingStep.properties.modelArtifacts.s3ModelArtifacts`).
 */
export class StepProperty extends PipelineValue {
  /** The step the property belongs to. */
  public readonly step: Step;
  /** The path below the step, such as `ModelArtifacts.S3ModelArtifacts`. */
  public readonly path: string;
  public readonly valueType: PipelineValueType;

  /**
   * @param step the step
   * @param path the property path below the step, as in the DescribeXxx API response
   * @param valueType the type of the property
   */
  constructor(step: Step, path: string, valueType?: PipelineValueType) {
    super();
    this.step = step;
    this.path = path;
    this.valueType = valueType ?? PipelineValueType.STRING;
  }

  public describe(): string {
    return `Steps.${this.step.stepName}.${this.path}`;
  }

  /** @internal */
  public _render(renderer: Renderer): any {
    renderer.useStep(this.step, this.describe());
    return { Get: this.describe() };
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

  /** @internal */
  public _owner?: Step;

  constructor(props: PropertyFileProps) {
    check(PIPELINE_ENTITY_NAME.test(props.name), 'PropertyFile', 'name', props.name,
      'A property file name must be 1 to 256 letters, digits, dashes or underscores');
    check(props.path.length > 0, `PropertyFile ${props.name}`, 'path', props.path, 'It must not be empty');
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

  /** @internal */
  public _renderDeclaration(): any {
    return { PropertyFileName: this.name, OutputName: this.outputName, FilePath: this.path };
  }
}

class JoinValue extends PipelineValue {
  public readonly valueType = PipelineValueType.STRING;
  constructor(private readonly values: any[], private readonly separator: string) {
    super();
  }

  public describe(): string {
    return `Std:Join(${JSON.stringify(this.separator)})`;
  }

  /** @internal */
  public _render(renderer: Renderer): any {
    return { 'Std:Join': { On: this.separator, Values: this.values.map((v) => renderer.value(v)) } };
  }
}

class JsonGetValue extends PipelineValue {
  constructor(private readonly file: PropertyFile, private readonly jsonPath: string, public readonly valueType: PipelineValueType) {
    super();
    check(jsonPath.length > 0, `PropertyFile ${file.name}`, 'jsonPath', jsonPath, 'It must not be empty');
  }

  public describe(): string {
    return `Std:JsonGet(${this.file._owner ? `Steps.${this.file._owner.stepName}.` : ''}PropertyFiles.${this.file.name}, ${this.jsonPath})`;
  }

  /** @internal */
  public _render(renderer: Renderer): any {
    const owner = this.file._owner;
    if (!owner) {
      renderer.issue(`Std:JsonGet(${this.file.name})`,
        `Std:JsonGet reads the property file "${this.file.name}", which no processing step declares; ` +
        'add it to the `propertyFiles` of the step that writes it');
      return { 'Std:JsonGet': { PropertyFile: { Get: `Steps.?.PropertyFiles.${this.file.name}` }, Path: this.jsonPath } };
    }
    renderer.useStep(owner, this.describe());
    renderer.usePropertyFile(owner, this.file);
    return {
      'Std:JsonGet': {
        PropertyFile: { Get: `Steps.${owner.stepName}.PropertyFiles.${this.file.name}` },
        Path: this.jsonPath,
      },
    };
  }
}
