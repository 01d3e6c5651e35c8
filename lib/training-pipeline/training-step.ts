import { Duration, Size, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { check, checkIntegerRange, propError } from '../private/errors';
import { JobImage } from './job-image';
import type { StepRenderContext } from './private/render-context';
import { checkInstance, InputMode, S3DataDistribution, S3DataType } from './processing-step';
import { JobStepOptions, Step, StepType } from './step';
import { PipelineValue, PipelineValueType } from './values';

/** One input channel of a training job. */
export interface TrainingChannel {
  /** The channel name (`train`, `validation`...). */
  readonly channelName: string;
  /** The S3 URI of the data (a literal, a token, or the token of a pipeline value). */
  readonly s3Uri: string;
  /**
   * The MIME type of the data.
   *
   * @default - none
   */
  readonly contentType?: string;
  /**
   * How the URI is interpreted.
   *
   * @default S3DataType.S3_PREFIX
   */
  readonly s3DataType?: S3DataType;
  /**
   * How the data is spread over instances.
   *
   * @default S3DataDistribution.FULLY_REPLICATED
   */
  readonly distribution?: S3DataDistribution;
}

/** A metric the training job logs, captured with a regular expression. */
export interface MetricDefinition {
  /** The metric's name. */
  readonly name: string;
  /** The regular expression whose first group is the value. */
  readonly regex: string;
}

/** The job configuration shared by training and tuning steps. */
export interface TrainingJobProps {
  /** The training image. */
  readonly image: JobImage;
  /**
   * The role of the job.
   *
   * @default - the pipeline's job role
   */
  readonly role?: iam.IRole;
  /**
   * Input channels.
   *
   * @default - none
   */
  readonly inputs?: TrainingChannel[];
  /**
   * Where model artifacts go.
   *
   * @default - `s3://<pipeline bucket>/<prefix><execution id>/<step>/model`
   */
  readonly outputPath?: string;
  /**
   * The instance type (a literal or the token of a parameter).
   *
   * @default "ml.m5.xlarge"
   */
  readonly instanceType?: string;
  /**
   * The number of instances.
   *
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * The size of each instance's volume.
   *
   * @default Size.gibibytes(30)
   */
  readonly volumeSize?: Size;
  /**
   * The key of the volumes and model artifacts.
   *
   * @default - the pipeline's key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Hyperparameters (values may be tokens of pipeline values).
   *
   * @default - none
   */
  readonly hyperparameters?: { [key: string]: string };
  /**
   * Metrics captured from the logs.
   *
   * @default - none
   */
  readonly metricDefinitions?: MetricDefinition[];
  /**
   * How data reaches the container.
   *
   * @default InputMode.FILE
   */
  readonly inputMode?: InputMode;
  /**
   * The longest the job may run.
   *
   * @default Duration.days(1)
   */
  readonly maxRuntime?: Duration;
  /**
   * Environment variables.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };
  /**
   * Train on Spot capacity (up to 90% cheaper; the job waits for capacity up to `maxWait`).
   *
   * @default false
   */
  readonly useSpotInstances?: boolean;
  /**
   * With Spot: the longest the job may take, waiting included (at least `maxRuntime`).
   *
   * @default - twice `maxRuntime`
   */
  readonly maxWait?: Duration;
  /**
   * Where the job saves checkpoints, so an interrupted Spot job resumes instead of restarting.
   *
   * @default - no checkpoints
   */
  readonly checkpointS3Uri?: string;
}

/** Props of a {@link TrainingStep}. */
export interface TrainingStepProps extends TrainingJobProps, JobStepOptions {}

/** @internal */
export function renderTrainingJob(r: StepRenderContext, props: TrainingJobProps, forTuning: boolean): any {
  const key = r.keyArn(props.encryptionKey);
  const channels = props.inputs ?? [];
  const seen = new Set<string>();
  for (const c of channels) {
    if (seen.has(c.channelName)) { r.issue(`The input channel "${c.channelName}" is given twice`); }
    seen.add(c.channelName);
  }
  return {
    AlgorithmSpecification: {
      TrainingInputMode: props.inputMode ?? InputMode.FILE,
      TrainingImage: r.image(props.image),
      MetricDefinitions: props.metricDefinitions?.map((m) => ({ Name: m.name, Regex: m.regex })),
    },
    OutputDataConfig: {
      S3OutputPath: props.outputPath ?? r.defaultOutput('outputPath', 'model'),
      KmsKeyId: key,
    },
    StoppingCondition: {
      MaxRuntimeInSeconds: (props.maxRuntime ?? Duration.days(1)).toSeconds(),
      MaxWaitTimeInSeconds: props.useSpotInstances ? (props.maxWait ?? Duration.seconds((props.maxRuntime ?? Duration.days(1)).toSeconds() * 2)).toSeconds() : undefined,
    },
    EnableManagedSpotTraining: props.useSpotInstances ? true : undefined,
    CheckpointConfig: props.checkpointS3Uri ? { S3Uri: props.checkpointS3Uri, LocalPath: '/opt/ml/checkpoints' } : undefined,
    ResourceConfig: {
      InstanceCount: props.instanceCount ?? 1,
      InstanceType: props.instanceType ?? 'ml.m5.xlarge',
      VolumeSizeInGB: props.volumeSize?.toGibibytes() ?? 30,
      VolumeKmsKeyId: key,
    },
    RoleArn: r.role(props.role, 'role'),
    InputDataConfig: channels.length > 0 ? channels.map((c) => ({
      DataSource: {
        S3DataSource: {
          S3DataType: c.s3DataType ?? S3DataType.S3_PREFIX,
          S3Uri: c.s3Uri,
          S3DataDistributionType: c.distribution ?? S3DataDistribution.FULLY_REPLICATED,
        },
      },
      ContentType: c.contentType,
      ChannelName: c.channelName,
    })) : undefined,
    [forTuning ? 'StaticHyperParameters' : 'HyperParameters']: props.hyperparameters,
    Environment: props.environment,
    VpcConfig: r.vpcConfig(),
    EnableInterContainerTrafficEncryption: r.inVpc ? true : undefined,
    EnableNetworkIsolation: r.networkIsolation,
  };
}

function checkTrainingProps(where: string, props: TrainingJobProps): void {
  if (!(props.image instanceof JobImage)) {
    throw propError(where, 'image', props.image, 'It must be a JobImage (JobImage.xgboost(), .fromImageUri(), ...)');
  }
  checkInstance(where, props.instanceCount, props.volumeSize);
  if (props.maxRuntime) {
    checkIntegerRange(where, 'maxRuntime (seconds)', props.maxRuntime.toSeconds(), 1, 28 * 24 * 3600);
  }
  if (props.maxWait) {
    check(props.useSpotInstances === true, where, 'maxWait', props.maxWait.toHumanString(), 'maxWait applies to Spot training only: set useSpotInstances');
    const runtime = (props.maxRuntime ?? Duration.days(1)).toSeconds();
    check(props.maxWait.toSeconds() >= runtime, where, 'maxWait', props.maxWait.toHumanString(),
      `It must be at least maxRuntime (${runtime} seconds)`);
  }
  for (const [k, v] of Object.entries(props.hyperparameters ?? {})) {
    check(typeof v === 'string', where, `hyperparameters.${k}`, v, 'Hyperparameter values must be strings (use String(n) or param.asString)');
  }
}

/**
 * A training step: runs a SageMaker training job.
 */
export class TrainingStep extends Step {
  /** The step's properties. */
  public readonly properties: TrainingStepProperties;
  private readonly props: TrainingStepProps;

  constructor(stepName: string, props: TrainingStepProps) {
    super(stepName, StepType.TRAINING, props);
    this.props = props;
    this._checkJobOptions();
    checkTrainingProps(`step ${stepName}`, props);
    this.properties = new TrainingStepProperties(this);
  }

  /** @internal */
  protected _allowsJobRetries(): boolean {
    return true;
  }

  /** @internal */
  public _renderArguments(r: StepRenderContext): any {
    return renderTrainingJob(r, this.props, false);
  }
}

/** `ModelArtifacts` of a training job. */
export class ModelArtifactsProperties {
  /** `ModelArtifacts.S3ModelArtifacts`: the S3 URI of model.tar.gz. */
  public readonly s3ModelArtifacts: PipelineValue;
  constructor(step: Step) {
    this.s3ModelArtifacts = step.property('ModelArtifacts.S3ModelArtifacts');
  }
}

/** The properties of a training step. */
export class TrainingStepProperties {
  /** `TrainingJobName`. */
  public readonly trainingJobName: PipelineValue;
  /** `TrainingJobArn`. */
  public readonly trainingJobArn: PipelineValue;
  /** `ModelArtifacts`. */
  public readonly modelArtifacts: ModelArtifactsProperties;

  constructor(private readonly step: Step) {
    this.trainingJobName = step.property('TrainingJobName');
    this.trainingJobArn = step.property('TrainingJobArn');
    this.modelArtifacts = new ModelArtifactsProperties(step);
  }

  /**
   * A final metric of the job: `FinalMetricDataList['name'].Value`.
   *
   * @param metricName the metric's name
   */
  public finalMetric(metricName: string): PipelineValue {
    return this.step.property(`FinalMetricDataList['${metricName}'].Value`, PipelineValueType.FLOAT);
  }
}

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
    this.props = props;
    this._checkJobOptions();
    const where = `step ${stepName}`;
    checkTrainingProps(where, props);
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
