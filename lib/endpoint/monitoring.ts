import { Duration, Size } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MonitoringBaseline } from './monitoring-baseline';
import { InstanceType } from '../core/instance-type';
import { check } from '../private/errors';

/**
 * How often a monitoring job runs. Model Monitor runs at most hourly.
 */
export class MonitoringFrequency {
  /** Every hour. */
  public static readonly HOURLY = new MonitoringFrequency('cron(0 * ? * * *)', 1);
  /** Every day at midnight UTC. */
  public static readonly DAILY = new MonitoringFrequency('cron(0 0 ? * * *)', 24);

  /**
   * Every `hours` hours, starting at midnight UTC.
   *
   * @param hours 1, 2, 3, 4, 6, 8, 12 or 24
   */
  public static everyHours(hours: number): MonitoringFrequency {
    check([1, 2, 3, 4, 6, 8, 12, 24].includes(hours), 'MonitoringFrequency.everyHours', 'hours', hours,
      'It must be 1, 2, 3, 4, 6, 8, 12 or 24 (Model Monitor runs on whole hours that divide a day)');
    return hours === 24 ? MonitoringFrequency.DAILY : new MonitoringFrequency(`cron(0 */${hours} ? * * *)`, hours);
  }

  /** The schedule expression. */
  public readonly expressionString: string;
  /** Hours between runs. */
  public readonly intervalHours: number;

  private constructor(expressionString: string, intervalHours: number) {
    this.expressionString = expressionString;
    this.intervalHours = intervalHours;
  }
}

/** Settings shared by every monitoring job. */
export interface MonitoringJobOptions {
  /**
   * How often the job runs.
   *
   * @default MonitoringFrequency.HOURLY
   */
  readonly frequency?: MonitoringFrequency;

  /**
   * The processing instance type of the job.
   *
   * @default InstanceType.ML_M5_XLARGE
   */
  readonly instanceType?: InstanceType;

  /**
   * The number of processing instances.
   *
   * @default 1
   */
  readonly instanceCount?: number;

  /**
   * The size of the job's storage volume (1 to 16384 GiB).
   *
   * @default Size.gibibytes(20)
   */
  readonly volumeSize?: Size;

  /**
   * How long a run may take. An hourly job must finish within the hour.
   *
   * @default Duration.hours(1)
   */
  readonly maxRuntime?: Duration;
}

/** The data quality monitor: captured inputs compared with the training data's baseline. */
export interface DataQualityMonitorOptions extends MonitoringJobOptions {
  /** The baseline (constraints and statistics). */
  readonly baseline: MonitoringBaseline;

  /**
   * Publish per-feature drift metrics to CloudWatch (`aws/sagemaker/Endpoints/data-metrics`).
   *
   * @default true
   */
  readonly publishMetrics?: boolean;
}

/** The problem a model solves, for the model quality monitor. */
export enum ProblemType {
  /** Two classes. */
  BINARY_CLASSIFICATION = 'BinaryClassification',
  /** More than two classes. */
  MULTICLASS_CLASSIFICATION = 'MulticlassClassification',
  /** A number. */
  REGRESSION = 'Regression',
}

/** Where the ground truth labels of a monitor come from, and which captured data they match. */
export interface GroundTruthOptions {
  /**
   * The bucket where ground truth labels are uploaded.
   *
   * @default - the endpoint's artifact bucket
   */
  readonly groundTruthBucket?: s3.IBucket;

  /**
   * The key prefix of the ground truth labels in `groundTruthBucket`.
   *
   * @default - the storage layout's `groundTruthPrefix(endpoint name)` ("ground-truth/<endpoint name>")
   */
  readonly groundTruthPrefix?: string;

  /**
   * How far before a run the analysed window of captured data starts (labels arrive late).
   *
   * @default - SageMaker's default window
   */
  readonly startTimeOffset?: Duration;

  /**
   * How far before a run the analysed window ends.
   *
   * @default - SageMaker's default window
   */
  readonly endTimeOffset?: Duration;
}

/** The model quality monitor: predictions compared with ground truth labels. */
export interface ModelQualityMonitorOptions extends MonitoringJobOptions, GroundTruthOptions {
  /** The problem type. */
  readonly problemType: ProblemType;

  /** The baseline (constraints). */
  readonly baseline: MonitoringBaseline;

  /**
   * The attribute of the endpoint output that holds the prediction (an index for CSV, a
   * JSONPath for JSON).
   *
   * @default - none (regression and CSV output: the whole output)
   */
  readonly inferenceAttribute?: string;

  /**
   * The attribute of the endpoint output that holds the probability (classification).
   *
   * @default - none
   */
  readonly probabilityAttribute?: string;

  /**
   * The threshold above which a probability counts as the positive class (binary classification).
   *
   * @default - none
   */
  readonly probabilityThresholdAttribute?: number;
}

/**
 * Settings of the SageMaker Clarify monitors: the explainability monitor (feature attribution
 * drift of live predictions) uses them as they are; the bias monitor adds ground truth.
 */
export interface ClarifyMonitorOptions extends MonitoringJobOptions {
  /** The baseline: the constraints and the Clarify analysis configuration (`analysisConfigUri`). */
  readonly baseline: MonitoringBaseline;

  /**
   * The attribute of the endpoint input that holds the features (JSON input).
   *
   * @default - none (CSV input: the whole record)
   */
  readonly featuresAttribute?: string;

  /**
   * The attribute of the endpoint output that holds the prediction.
   *
   * @default - none
   */
  readonly inferenceAttribute?: string;

  /**
   * The attribute of the endpoint output that holds the probability.
   *
   * @default - none
   */
  readonly probabilityAttribute?: string;

}

/** The bias monitor: bias metrics of live predictions against ground truth (SageMaker Clarify). */
export interface ModelBiasMonitorOptions extends ClarifyMonitorOptions, GroundTruthOptions {
  /**
   * The threshold above which a probability counts as the positive class.
   *
   * @default - none
   */
  readonly probabilityThresholdAttribute?: number;
}
