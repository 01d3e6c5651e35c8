import { Duration, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ContainerImage } from '../core/container-image';
import { InstanceType } from '../core/instance-type';
import { InputMode, S3DataDistribution, S3DataType } from './processing-job';

/*
 * The job configuration of training jobs, shared by training and tuning steps.
 */

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
  readonly image: ContainerImage;
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
   * The instance type; for a pipeline parameter, `InstanceType.of(param.asString)`.
   *
   * @default InstanceType.ML_M5_XLARGE
   */
  readonly instanceType?: InstanceType;
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
