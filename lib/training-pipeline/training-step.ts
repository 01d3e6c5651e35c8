import { checkPropsGiven } from './private/checks';
import { checkTrainingProps, renderTrainingJob } from './private/jobs';
import type { StepRenderContext } from './private/render-context';
import { JobStepOptions, Step, StepType } from './step';
import { TrainingJobProps } from './training-job';
import { PipelineValue, PipelineValueType } from './values';

/** Props of a {@link TrainingStep}. */
export interface TrainingStepProps extends TrainingJobProps, JobStepOptions {}

/**
 * A training step: runs a SageMaker training job.
 */
export class TrainingStep extends Step {
  /** The step's properties. */
  public readonly properties: TrainingStepProperties;
  private readonly props: TrainingStepProps;

  constructor(stepName: string, props: TrainingStepProps) {
    super(stepName, StepType.TRAINING, props);
    checkPropsGiven(`step ${stepName}`, props, 'the image');
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
