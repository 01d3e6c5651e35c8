import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { check, propError } from '../private/errors';
import { Condition } from './conditions';
import { checkPropsGiven } from './private/checks';
import { PIPELINE_ENTITY_NAME } from './private/names';
import type { StepRenderContext } from './private/render-context';
import { JobStepOptions, Step, StepOptions, StepType } from './step';
import { PipelineValue, PipelineValueType } from './values';

/** Props of a {@link ConditionStep}. */
export interface ConditionStepProps extends StepOptions {
  /** The conditions; the step's outcome is true when all of them are. */
  readonly conditions: Condition[];
  /**
   * Steps run when the outcome is true.
   * @default - none
   */
  readonly ifSteps?: Step[];
  /**
   * Steps run when the outcome is false.
   * @default - none
   */
  readonly elseSteps?: Step[];
}

/**
 * A condition step: evaluates conditions and runs the if or the else branch. Steps of the
 * branches are nested in the step (as the Python SDK renders them); do not add them to the
 * pipeline as well.
 */
export class ConditionStep extends Step {
  /** `Outcome`: the result of the conditions. */
  public readonly outcome: PipelineValue;
  private readonly conditions: Condition[];
  private readonly ifSteps: Step[];
  private readonly elseSteps: Step[];

  constructor(stepName: string, props: ConditionStepProps) {
    super(stepName, StepType.CONDITION, props);
    const where = `step ${stepName}`;
    checkPropsGiven(where, props, 'the conditions and the branches');
    check(Array.isArray(props.conditions) && props.conditions.length > 0, where, 'conditions', props.conditions, 'A condition step needs at least one condition');
    for (const c of props.conditions) {
      if (!(c instanceof Condition)) { throw propError(where, 'conditions', c, 'Each condition must be made with Condition.equalTo(), .greaterThan(), ...'); }
    }
    this.conditions = [...props.conditions];
    this.ifSteps = [...(props.ifSteps ?? [])];
    this.elseSteps = [...(props.elseSteps ?? [])];
    this.outcome = this.property('Outcome', PipelineValueType.BOOLEAN);
  }

  /** Add steps to the if branch. */
  public addIfSteps(...steps: Step[]): void {
    this.ifSteps.push(...steps);
  }

  /** Add steps to the else branch. */
  public addElseSteps(...steps: Step[]): void {
    this.elseSteps.push(...steps);
  }

  /** @internal */
  public _children(): Step[] {
    return [...this.ifSteps, ...this.elseSteps];
  }

  /** @internal */
  public _branches(): { ifSteps: Step[]; elseSteps: Step[] } {
    return { ifSteps: this.ifSteps, elseSteps: this.elseSteps };
  }

  /** @internal */
  public _renderArguments(context: StepRenderContext): any {
    for (const problem of this.conditions.flatMap((c) => c._typeProblems())) { context.issue(problem); }
    // Branch steps are rendered by the definition (each as its own current step) and spliced in.
    return { Conditions: this.conditions.map((c) => c._toJson()), IfSteps: [], ElseSteps: [] };
  }
}

/** Props of a {@link FailStep}. */
export interface FailStepProps extends StepOptions {
  /**
   * The error message (may contain tokens of pipeline values, or be a `Std:Join`'s token).
   *
   * @default ""
   */
  readonly errorMessage?: string;
}

/**
 * A fail step: stops the execution as failed, with a message.
 */
export class FailStep extends Step {
  private readonly errorMessage: string;
  constructor(stepName: string, props: FailStepProps = {}) {
    super(stepName, StepType.FAIL, props);
    this.errorMessage = props.errorMessage ?? '';
    check(this.errorMessage.length <= 3072, `step ${stepName}`, 'errorMessage', this.errorMessage, 'It must be at most 3072 characters');
  }

  /** @internal */
  public _renderArguments(_context: StepRenderContext): any {
    return { ErrorMessage: this.errorMessage };
  }
}

/** An output parameter of a Lambda or callback step. */
export interface OutputParameter {
  /** The output's name. */
  readonly name: string;
  /**
   * Its type (not `ANY`: SageMaker needs to know it).
   * @default PipelineValueType.STRING
   */
  readonly type?: PipelineValueType;
}

/** The types an output can be declared with. */
const DECLARABLE_TYPES: string[] = [PipelineValueType.STRING, PipelineValueType.INTEGER, PipelineValueType.FLOAT, PipelineValueType.BOOLEAN];

function checkOutputs(where: string, outputs: OutputParameter[]): void {
  const seen = new Set<string>();
  for (const o of outputs) {
    check(PIPELINE_ENTITY_NAME.test(o.name), where, 'outputs', o.name, 'An output name must be 1 to 256 letters, digits, dashes or underscores');
    check(!seen.has(o.name), where, 'outputs', o.name, 'Output names must be unique');
    check(o.type === undefined || DECLARABLE_TYPES.includes(o.type), where, `outputs[${o.name}].type`, o.type,
      `An output needs a concrete type: ${DECLARABLE_TYPES.join(', ')}`);
    seen.add(o.name);
  }
}

function outputValue(step: Step, outputs: OutputParameter[], name: string): PipelineValue {
  const o = outputs.find((x) => x.name === name);
  check(o !== undefined, `step ${step.stepName}`, 'outputName', name,
    `The step declares no such output; its outputs are: ${outputs.map((x) => x.name).join(', ') || 'none'}`);
  return step.property(`OutputParameters['${name}']`, o!.type ?? PipelineValueType.STRING);
}

/** Props of a {@link LambdaStep}. */
export interface LambdaStepProps extends JobStepOptions {
  /** The function to invoke. */
  readonly lambdaFunction: lambda.IFunction;
  /**
   * The event passed to the function (values may be tokens of pipeline values).
   * @default - an empty event
   */
  readonly inputs?: { [key: string]: string };
  /**
   * Values the function returns, readable by later steps.
   * @default - none
   */
  readonly outputs?: OutputParameter[];
}

/**
 * A Lambda step: invokes a function; the pipeline execution role is allowed to invoke it.
 */
export class LambdaStep extends Step {
  private readonly props: LambdaStepProps;
  constructor(stepName: string, props: LambdaStepProps) {
    super(stepName, StepType.LAMBDA, props);
    const where = `step ${stepName}`;
    checkPropsGiven(where, props, 'the function to invoke');
    check(props.lambdaFunction !== undefined && typeof props.lambdaFunction.functionArn === 'string', where, 'lambdaFunction',
      props.lambdaFunction, 'It is required: the Lambda function to invoke (an IFunction)');
    this.props = props;
    this._checkJobOptions();
    checkOutputs(where, props.outputs ?? []);
  }

  /**
   * An output of the function: `OutputParameters['name']`.
   *
   * @param name the output's name (declared in `outputs`)
   */
  public output(name: string): PipelineValue {
    return outputValue(this, this.props.outputs ?? [], name);
  }

  /** @internal */
  public _renderArguments(_context: StepRenderContext): any {
    return this.props.inputs ?? {};
  }

  /** @internal */
  public _renderExtras(context: StepRenderContext): Record<string, any> {
    context.addExecutionStatement(new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [this.props.lambdaFunction.functionArn],
    }));
    return {
      FunctionArn: this.props.lambdaFunction.functionArn,
      OutputParameters: (this.props.outputs ?? []).map((o) => ({ OutputName: o.name, OutputType: o.type ?? PipelineValueType.STRING })),
    };
  }
}

/** Props of a {@link CallbackStep}. */
export interface CallbackStepProps extends JobStepOptions {
  /** The queue that receives the message with the callback token. */
  readonly queue: sqs.IQueue;
  /**
   * The message body fields (values may be tokens of pipeline values).
   * @default - none
   */
  readonly inputs?: { [key: string]: string };
  /**
   * Values sent back with SendPipelineExecutionStepSuccess.
   * @default - none
   */
  readonly outputs?: OutputParameter[];
}

/**
 * A callback step: sends a message to SQS and waits until someone calls back with the token.
 */
export class CallbackStep extends Step {
  private readonly props: CallbackStepProps;
  constructor(stepName: string, props: CallbackStepProps) {
    super(stepName, StepType.CALLBACK, props);
    const where = `step ${stepName}`;
    checkPropsGiven(where, props, 'the queue');
    check(props.queue !== undefined && typeof props.queue.queueArn === 'string', where, 'queue', props.queue,
      'It is required: the SQS queue that receives the message with the callback token (an IQueue)');
    this.props = props;
    this._checkJobOptions();
    checkOutputs(where, props.outputs ?? []);
  }

  /**
   * An output sent back by the callback: `OutputParameters['name']`.
   *
   * @param name the output's name (declared in `outputs`)
   */
  public output(name: string): PipelineValue {
    return outputValue(this, this.props.outputs ?? [], name);
  }

  /** @internal */
  public _renderArguments(_context: StepRenderContext): any {
    return this.props.inputs ?? {};
  }

  /** @internal */
  public _renderExtras(context: StepRenderContext): Record<string, any> {
    context.addExecutionStatement(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.props.queue.queueArn] }));
    if (this.props.queue.encryptionMasterKey) {
      context.addExecutionStatement(new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.props.queue.encryptionMasterKey.keyArn],
      }));
    }
    return {
      SqsQueueUrl: this.props.queue.queueUrl,
      OutputParameters: (this.props.outputs ?? []).map((o) => ({ OutputName: o.name, OutputType: o.type ?? PipelineValueType.STRING })),
    };
  }
}
