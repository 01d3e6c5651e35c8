import { Token } from 'aws-cdk-lib';
import { check, checkIntegerRange } from '../private/errors';
import { checkPropsGiven } from './private/checks';
import { checkTrainingProps, renderTrainingJob } from './private/jobs';
import type { StepRenderContext } from './private/render-context';
import { JobStepOptions, Step, StepType } from './step';
import { TrainingJobProps } from './training-job';
import { PipelineValue } from './values';

/** The objective of a tuning job. */
export enum TuningObjectiveType {
  /** Lower is better. */
  MINIMIZE = 'Minimize',
  /** Higher is better. */
  MAXIMIZE = 'Maximize',
}

/** How a tuning job scales a range. */
export enum ScalingType {
  /** Chosen by SageMaker. */
  AUTO = 'Auto',
  /** Linear. */
  LINEAR = 'Linear',
  /** Logarithmic. */
  LOGARITHMIC = 'Logarithmic',
  /** Reverse logarithmic. */
  REVERSE_LOGARITHMIC = 'ReverseLogarithmic',
}

/** A continuous or integer hyperparameter range. */
export interface NumericRange {
  /** The hyperparameter. */
  readonly name: string;
  /** The lowest value. */
  readonly minValue: number;
  /** The highest value. */
  readonly maxValue: number;
  /**
   * How the range is scaled.
   *
   * @default ScalingType.AUTO
   */
  readonly scalingType?: ScalingType;
}

/** A categorical hyperparameter range. */
export interface CategoricalRange {
  /** The hyperparameter. */
  readonly name: string;
  /** The values to try. */
  readonly values: string[];
}

/** Props of a {@link TuningStep}. */
export interface TuningStepProps extends TrainingJobProps, JobStepOptions {
  /** The metric to optimize (one of `metricDefinitions`, or a built-in algorithm metric). */
  readonly objectiveMetricName: string;
  /**
   * Whether to minimize or maximize the metric.
   *
   * @default TuningObjectiveType.MAXIMIZE
   */
  readonly objectiveType?: TuningObjectiveType;
  /**
   * Continuous ranges.
   *
   * @default - none
   */
  readonly continuousRanges?: NumericRange[];
  /**
   * Integer ranges.
   *
   * @default - none
   */
  readonly integerRanges?: NumericRange[];
  /**
   * Categorical ranges.
   *
   * @default - none
   */
  readonly categoricalRanges?: CategoricalRange[];
  /**
   * Training jobs in total.
   *
   * @default 10
   */
  readonly maxJobs?: number;
  /**
   * Training jobs at once.
   *
   * @default 2
   */
  readonly maxParallelJobs?: number;
  /**
   * The search strategy (`Bayesian`, `Random`, `Hyperband`, `Grid`).
   *
   * @default "Bayesian"
   */
  readonly strategy?: string;
  /**
   * Stop unpromising training jobs early.
   *
   * @default false
   */
  readonly earlyStopping?: boolean;
}

/**
 * A tuning step: runs a hyperparameter tuning job.
 */
export class TuningStep extends Step {
  /** `BestTrainingJob.TrainingJobName`. */
  public readonly bestTrainingJobName: PipelineValue;
  /** `HyperParameterTuningJobName`. */
  public readonly tuningJobName: PipelineValue;
  private readonly props: TuningStepProps;

  constructor(stepName: string, props: TuningStepProps) {
    super(stepName, StepType.TUNING, props);
    checkPropsGiven(`step ${stepName}`, props, 'the image, the objective metric and the ranges');
    this.props = props;
    this._checkJobOptions();
    const where = `step ${stepName}`;
    checkTrainingProps(where, props);
    check(typeof props.objectiveMetricName === 'string' && props.objectiveMetricName.length > 0, where, 'objectiveMetricName',
      props.objectiveMetricName, 'It is required: the metric to optimize');
    checkIntegerRange(where, 'maxJobs', props.maxJobs, 1, 10000);
    checkIntegerRange(where, 'maxParallelJobs', props.maxParallelJobs, 1, 100);
    const ranges = (props.continuousRanges?.length ?? 0) + (props.integerRanges?.length ?? 0) + (props.categoricalRanges?.length ?? 0);
    check(ranges > 0, where, 'continuousRanges', props.continuousRanges, 'A tuning step needs at least one hyperparameter range');
    for (const range of [...(props.continuousRanges ?? []), ...(props.integerRanges ?? [])]) {
      if (!Token.isUnresolved(range.minValue) && !Token.isUnresolved(range.maxValue)) {
        check(range.minValue < range.maxValue, where, `ranges.${range.name}`, range, 'minValue must be below maxValue');
      }
    }
    this.bestTrainingJobName = this.property('BestTrainingJob.TrainingJobName');
    this.tuningJobName = this.property('HyperParameterTuningJobName');
  }

  /**
   * The S3 URI of the model of the k-th best training job (0 is the best), as the Python SDK's
   * `get_top_model_s3_uri` builds it: `<outputPath>/<training job name>/output/model.tar.gz`.
   *
   * @param topK the rank, from 0
   * @param outputPath the `outputPath` of this step (without the trailing '/')
   */
  public topModelUri(topK: number, outputPath: string): PipelineValue {
    checkIntegerRange(`step ${this.stepName}`, 'topK', topK, 0, 10000);
    return PipelineValue.join([outputPath, this.property(`TrainingJobSummaries[${topK}].TrainingJobName`), 'output/model.tar.gz'], '/');
  }

  /** @internal */
  protected _allowsJobRetries(): boolean {
    return true;
  }

  /** @internal */
  public _renderArguments(r: StepRenderContext): any {
    const p = this.props;
    const numeric = (ranges?: NumericRange[]) => ranges && ranges.length > 0 ? ranges.map((x) => ({
      Name: x.name, MinValue: String(x.minValue), MaxValue: String(x.maxValue), ScalingType: x.scalingType ?? ScalingType.AUTO,
    })) : undefined;
    return {
      HyperParameterTuningJobConfig: {
        Strategy: p.strategy ?? 'Bayesian',
        ResourceLimits: { MaxNumberOfTrainingJobs: p.maxJobs ?? 10, MaxParallelTrainingJobs: p.maxParallelJobs ?? 2 },
        TrainingJobEarlyStoppingType: p.earlyStopping ? 'Auto' : 'Off',
        HyperParameterTuningJobObjective: { Type: p.objectiveType ?? TuningObjectiveType.MAXIMIZE, MetricName: p.objectiveMetricName },
        ParameterRanges: {
          ContinuousParameterRanges: numeric(p.continuousRanges),
          IntegerParameterRanges: numeric(p.integerRanges),
          CategoricalParameterRanges: p.categoricalRanges?.map((c) => ({ Name: c.name, Values: c.values })),
        },
      },
      TrainingJobDefinition: renderTrainingJob(r, p, true),
    };
  }
}
