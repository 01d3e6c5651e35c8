import { Duration } from 'aws-cdk-lib';
import { check, checkIntegerRange, propError } from '../private/errors';
import type { PipelineExpression } from './private/expression';
import type { StepRenderContext } from './private/render-context';
import { PipelineValue, PipelineValueType } from './values';

/** SageMaker's rule for step names (PipelineExecutionStep.StepName: at most 64 characters). */
const STEP_NAME = /^[A-Za-z0-9\-_]{1,64}$/;

/**
 * The step types of a SageMaker pipeline definition.
 */
export enum StepType {
  /** A processing job. */
  PROCESSING = 'Processing',
  /** A training job. */
  TRAINING = 'Training',
  /** A hyperparameter tuning job. */
  TUNING = 'Tuning',
  /** A model (CreateModel). */
  MODEL = 'Model',
  /** A model package version in a model package group. */
  REGISTER_MODEL = 'RegisterModel',
  /** A batch transform job. */
  TRANSFORM = 'Transform',
  /** A condition with if and else branches. */
  CONDITION = 'Condition',
  /** Stops the execution as failed. */
  FAIL = 'Fail',
  /** Invokes a Lambda function. */
  LAMBDA = 'Lambda',
  /** A data or model quality check (Model Monitor). */
  QUALITY_CHECK = 'QualityCheck',
  /** A bias or explainability check (Clarify). */
  CLARIFY_CHECK = 'ClarifyCheck',
  /** Sends a message to SQS and waits for the callback. */
  CALLBACK = 'Callback',
}

/**
 * The errors a retry policy retries on.
 */
export enum RetryExceptionType {
  /** The pipeline service had an internal fault (any step). */
  SERVICE_FAULT = 'Step.SERVICE_FAULT',
  /** A call was throttled (any step). */
  THROTTLING = 'Step.THROTTLING',
  /** The SageMaker job failed on an internal error (job steps). */
  JOB_INTERNAL_ERROR = 'SageMaker.JOB_INTERNAL_ERROR',
  /** Not enough capacity for the job (job steps). */
  CAPACITY_ERROR = 'SageMaker.CAPACITY_ERROR',
  /** A SageMaker resource limit was hit (job steps). */
  RESOURCE_LIMIT = 'SageMaker.RESOURCE_LIMIT',
}

/**
 * A retry policy of a step.
 */
export interface RetryPolicy {
  /** The errors to retry on. */
  readonly exceptionTypes: RetryExceptionType[];
  /**
   * The wait before the first retry.
   *
   * @default Duration.seconds(1)
   */
  readonly interval?: Duration;
  /**
   * The factor by which the wait grows with each retry.
   *
   * @default 2
   */
  readonly backoffRate?: number;
  /**
   * The most retries, from 1 to 20. Give either this or `expireAfter`.
   *
   * @default 3 when `expireAfter` is not given
   */
  readonly maxAttempts?: number;
  /**
   * Stop retrying after this time (up to 14,400 minutes). Give either this or `maxAttempts`.
   *
   * @default - limited by `maxAttempts`
   */
  readonly expireAfter?: Duration;
}

/**
 * Step caching: a step whose arguments did not change reuses a successful earlier run.
 */
export interface CacheConfig {
  /**
   * How long a cached run may be reused.
   *
   * @default - no expiry
   */
  readonly expireAfter?: Duration;
}

/**
 * Options every step has.
 */
export interface StepOptions {
  /**
   * A display name shown in SageMaker Studio.
   *
   * @default - the step name
   */
  readonly displayName?: string;
  /**
   * A description of the step.
   *
   * @default - none
   */
  readonly description?: string;
  /**
   * Steps that must finish before this one starts, besides those whose properties it uses.
   *
   * @default - only the data dependencies
   */
  readonly dependsOn?: Step[];
}

/**
 * Options of steps that can be retried and cached (jobs).
 */
export interface JobStepOptions extends StepOptions {
  /**
   * Retry policies.
   *
   * @default - none: the pipeline service retries only its own faults and throttling
   */
  readonly retryPolicies?: RetryPolicy[];
  /**
   * Reuse an earlier successful run with the same arguments.
   *
   * @default - no caching
   */
  readonly cache?: CacheConfig;
}

/**
 * A step of a SageMaker pipeline. Steps are values, not constructs: create them, then add them to
 * a pipeline (`pipeline.addStep`) or to a branch of a condition step.
 */
export abstract class Step {
  /** The step's name, unique in the pipeline. */
  public readonly stepName: string;
  /** The step's type. */
  public readonly stepType: StepType;
  private readonly options: StepOptions;
  private readonly explicitDependencies: Step[] = [];
  private readonly overrides: Array<{ path: string[]; value: any }> = [];

  protected constructor(stepName: string, stepType: StepType, options: StepOptions = {}) {
    check(typeof stepName === 'string' && STEP_NAME.test(stepName), `${stepType}Step`, 'stepName', stepName,
      'A step name must be 1 to 64 letters, digits, dashes or underscores (SageMaker pattern ^[A-Za-z0-9\\-_]*$, at most 64 characters)');
    check(options.displayName === undefined || options.displayName.length <= 256, `step ${stepName}`, 'displayName',
      options.displayName, 'It must be at most 256 characters');
    check(options.description === undefined || options.description.length <= 3072, `step ${stepName}`, 'description',
      options.description, 'It must be at most 3072 characters');
    this.stepName = stepName;
    this.stepType = stepType;
    this.options = options;
    this.explicitDependencies.push(...(options.dependsOn ?? []));
  }

  /**
   * Make this step wait for other steps.
   */
  public addDependency(...steps: Step[]): void {
    this.explicitDependencies.push(...steps);
  }

  /**
   * Any property of the step, by its path in the DescribeXxx response of the step's job
   * (`{"Get": "Steps.Name.Path"}`), for properties without a typed accessor.
   *
   * @param path e.g. `ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri`
   * @param valueType the type of the property
   * @default valueType PipelineValueType.STRING
   */
  public property(path: string, valueType?: PipelineValueType): PipelineValue {
    check(path.length > 0, `step ${this.stepName}`, 'path', path, 'It must not be empty');
    return new StepProperty(this, path, valueType);
  }

  /**
   * Set or replace a field of the step's `Arguments` that no prop covers (an escape hatch, like
   * `addPropertyOverride` of CloudFormation resources). Pipeline values and their tokens in
   * `value` are rendered as usual.
   *
   * @param path a dotted path below `Arguments`, e.g. `ProfilerConfig.S3OutputPath`
   * @param value the value; undefined removes the field
   */
  public addArgumentOverride(path: string, value: any): void {
    check(path.length > 0, `step ${this.stepName}`, 'path', path, 'It must not be empty');
    this.overrides.push({ path: path.split('.'), value });
  }

  /**
   * Steps this one waits for, as given with `dependsOn` or `addDependency`.
   * @internal
   */
  public get _explicitDependencies(): Step[] {
    return this.explicitDependencies;
  }

  /**
   * Steps nested in this one (the branches of a condition).
   * @internal
   */
  public _children(): Step[] {
    return [];
  }

  /**
   * The step's `Arguments`, with pipeline values left as they are (the walker renders them).
   * @internal
   */
  public _renderArguments(_context: StepRenderContext): any {
    return {};
  }

  /**
   * Keys besides `Arguments` (PropertyFiles, FunctionArn...), pipeline values left as they are.
   * @internal
   */
  public _renderExtras(_context: StepRenderContext): Record<string, any> {
    return {};
  }

  /**
   * The options of the step: display name, description, and for job steps the retry policies
   * and cache config.
   * @internal
   */
  public get _options(): JobStepOptions {
    return this.options as JobStepOptions;
  }

  /**
   * The argument overrides, in the order they were added.
   * @internal
   */
  public get _argumentOverrides(): ReadonlyArray<{ readonly path: string[]; readonly value: any }> {
    return this.overrides;
  }

  /** Whether SageMaker job exceptions may be retried on this step. @internal */
  protected _allowsJobRetries(): boolean {
    return false;
  }

  /** Check and store the job options. @internal */
  protected _checkJobOptions(): void {
    const o = this._options;
    for (const [i, p] of (o.retryPolicies ?? []).entries()) {
      const where = `step ${this.stepName}`;
      check(p.exceptionTypes.length > 0, where, `retryPolicies[${i}].exceptionTypes`, p.exceptionTypes, 'It must list at least one exception type');
      const jobTypes = p.exceptionTypes.filter((t) => t.startsWith('SageMaker.'));
      check(jobTypes.length === 0 || this._allowsJobRetries(), where, `retryPolicies[${i}].exceptionTypes`, jobTypes,
        `SageMaker job exception types apply only to Processing, Training, Tuning and Transform steps, not to a ${this.stepType} step`);
      if (p.maxAttempts !== undefined && p.expireAfter !== undefined) {
        throw propError(where, `retryPolicies[${i}]`, p, 'Give either maxAttempts or expireAfter, not both');
      }
      checkIntegerRange(where, `retryPolicies[${i}].maxAttempts`, p.maxAttempts, 1, 20);
      if (p.expireAfter) {
        checkIntegerRange(where, `retryPolicies[${i}].expireAfter (minutes)`, p.expireAfter.toMinutes({ integral: false }), 1, 14400);
      }
      check(p.backoffRate === undefined || p.backoffRate >= 0, where, `retryPolicies[${i}].backoffRate`, p.backoffRate, 'It must not be negative');
    }
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

  /** @internal */
  public get _expression(): PipelineExpression {
    return { kind: 'step-property', step: this.step, path: this.path };
  }

  public describe(): string {
    return `Steps.${this.step.stepName}.${this.path}`;
  }
}
