import { Duration, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ContainerImage } from '../core/container-image';
import { InstanceType } from '../core/instance-type';

/*
 * The job configuration of processing jobs, shared by processing and check steps.
 */

/** How a job reads S3 data. */
export enum S3DataType {
  /** Every object under the key prefix. */
  S3_PREFIX = 'S3Prefix',
  /** The objects a manifest file lists. */
  MANIFEST_FILE = 'ManifestFile',
}

/** How input data reaches the container. */
export enum InputMode {
  /** Downloaded before the job starts. */
  FILE = 'File',
  /** Streamed. */
  PIPE = 'Pipe',
}

/** How input data is spread over instances. */
export enum S3DataDistribution {
  /** Every instance gets all data. */
  FULLY_REPLICATED = 'FullyReplicated',
  /** Each instance gets a share. */
  SHARDED_BY_S3_KEY = 'ShardedByS3Key',
}

/** One input of a processing job. */
export interface ProcessingInput {
  /** The input's name. */
  readonly inputName: string;
  /** The S3 URI to read (a literal, a token, or the token of a pipeline value). */
  readonly source: string;
  /** The local path in the container. */
  readonly destination: string;
  /**
   * How the source is interpreted.
   *
   * @default S3DataType.S3_PREFIX
   */
  readonly s3DataType?: S3DataType;
  /**
   * How the data reaches the container.
   *
   * @default InputMode.FILE
   */
  readonly inputMode?: InputMode;
  /**
   * How the data is spread over instances.
   *
   * @default S3DataDistribution.FULLY_REPLICATED
   */
  readonly distribution?: S3DataDistribution;
  /**
   * Whether the objects are gzip-compressed (`Gzip`).
   *
   * @default false
   */
  readonly gzip?: boolean;
}

/** One output of a processing job. */
export interface ProcessingOutput {
  /** The output's name. */
  readonly outputName: string;
  /** The local path in the container. */
  readonly source: string;
  /**
   * The S3 URI to upload to.
   *
   * @default - `s3://<pipeline bucket>/<prefix><execution id>/<step>/output/<outputName>`
   */
  readonly destination?: string;
  /**
   * Upload while the job runs (`Continuous`) instead of at its end.
   *
   * @default false
   */
  readonly continuousUpload?: boolean;
}

/** The job configuration shared by processing, quality check and clarify check steps. */
export interface ProcessingJobProps {
  /** The container image. */
  readonly image: ContainerImage;
  /**
   * The role of the job.
   *
   * @default - the pipeline's job role
   */
  readonly role?: iam.IRole;
  /**
   * The instance type; for a pipeline parameter, `InstanceType.of(param.asString)`.
   *
   * @default InstanceType.ML_M5_XLARGE
   */
  readonly instanceType?: InstanceType;
  /**
   * The number of instances (a literal or the token of a parameter).
   *
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * The size of each instance's storage volume.
   *
   * @default Size.gibibytes(30)
   */
  readonly volumeSize?: Size;
  /**
   * The key of the volumes and outputs.
   *
   * @default - the pipeline's key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The container entrypoint.
   *
   * @default - the image's, or `command` + the script when `code` is given
   */
  readonly entrypoint?: string[];
  /**
   * Arguments passed to the container.
   *
   * @default - none
   */
  readonly containerArguments?: string[];
  /**
   * Environment variables.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };
  /**
   * Inputs.
   *
   * @default - none
   */
  readonly inputs?: ProcessingInput[];
  /**
   * Outputs.
   *
   * @default - none
   */
  readonly outputs?: ProcessingOutput[];
  /**
   * The longest the job may run.
   *
   * @default - SageMaker's default (1 day)
   */
  readonly maxRuntime?: Duration;
}
