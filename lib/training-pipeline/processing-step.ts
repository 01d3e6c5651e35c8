import * as fs from 'fs';
import * as path from 'path';
import { Duration, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { check, checkIntegerRange, propError } from '../private/errors';
import { JobImage } from './job-image';
import type { StepRenderContext } from './private/render-context';
import { JobStepOptions, Step, StepType } from './step';
import { PipelineValue, PropertyFile } from './values';

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

/** The script a processing job runs: in S3 already, or a local file uploaded as an asset. */
export interface ProcessingCode {
  /**
   * The S3 URI of the script.
   *
   * @default - none: give `localFile`
   */
  readonly s3Uri?: string;
  /**
   * A local file, uploaded as an S3 asset with the stack (the job role may read it).
   *
   * @default - none: give `s3Uri`
   */
  readonly localFile?: string;
  /**
   * The file name of the script (the last part of the URI when it is a literal).
   *
   * @default - the part of `s3Uri` after the last '/'
   */
  readonly fileName?: string;
  /**
   * The command that runs the script.
   *
   * @default ["python3"]
   */
  readonly command?: string[];
}

/** The job configuration shared by processing, quality check and clarify check steps. */
export interface ProcessingJobProps {
  /** The container image. */
  readonly image: JobImage;
  /**
   * The role of the job.
   *
   * @default - the pipeline's job role
   */
  readonly role?: iam.IRole;
  /**
   * The instance type (a literal or the token of a parameter).
   *
   * @default "ml.m5.xlarge"
   */
  readonly instanceType?: string;
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

/** Props of a {@link ProcessingStep}. */
export interface ProcessingStepProps extends ProcessingJobProps, JobStepOptions {
  /**
   * A script to run: it is added as the input `code` (`/opt/ml/processing/input/code`) and
   * becomes the entrypoint, as the SageMaker Python SDK's ScriptProcessor does.
   *
   * @default - the image's own entrypoint
   */
  readonly code?: ProcessingCode;
  /**
   * JSON files the job writes that later steps read with `Std:JsonGet`.
   *
   * @default - none
   */
  readonly propertyFiles?: PropertyFile[];
}

const CODE_DIR = '/opt/ml/processing/input/code';

/**
 * Render a processing job request (shared by processing and check steps).
 * @internal
 */
export function renderProcessingJob(r: StepRenderContext, props: ProcessingJobProps, extraInputs: any[] = [], entrypoint?: string[]): any {
  const where = r.where();
  checkInstance(where, props.instanceCount, props.volumeSize);
  const volumeKey = r.keyArn(props.encryptionKey);
  const outputs = (props.outputs ?? []).map((o) => ({
    OutputName: o.outputName,
    AppManaged: false,
    S3Output: {
      S3Uri: o.destination ?? r.defaultOutput(`outputs[${o.outputName}].destination`, 'output', o.outputName),
      LocalPath: o.source,
      S3UploadMode: o.continuousUpload ? 'Continuous' : 'EndOfJob',
    },
  }));
  const names = new Set<string>();
  for (const n of [...(props.inputs ?? []).map((i) => i.inputName), ...extraInputs.map((i) => i.InputName), ...outputs.map((o) => o.OutputName)]) {
    if (names.has(n)) { r.issue(`The input or output name "${n}" is used twice; names must be unique within a job`); }
    names.add(n);
  }
  return {
    ProcessingResources: {
      ClusterConfig: {
        InstanceType: props.instanceType ?? 'ml.m5.xlarge',
        InstanceCount: props.instanceCount ?? 1,
        VolumeSizeInGB: props.volumeSize?.toGibibytes() ?? 30,
        VolumeKmsKeyId: volumeKey,
      },
    },
    AppSpecification: {
      ImageUri: r.image(props.image),
      ContainerEntrypoint: entrypoint ?? props.entrypoint,
      ContainerArguments: props.containerArguments,
    },
    RoleArn: r.role(props.role, 'role'),
    ProcessingInputs: [...(props.inputs ?? []).map(renderProcessingInput), ...extraInputs],
    ProcessingOutputConfig: outputs.length > 0 ? { Outputs: outputs, KmsKeyId: volumeKey } : undefined,
    Environment: props.environment,
    StoppingCondition: props.maxRuntime ? { MaxRuntimeInSeconds: props.maxRuntime.toSeconds() } : undefined,
    NetworkConfig: r.inVpc || r.networkIsolation ? {
      EnableInterContainerTrafficEncryption: r.inVpc ? true : undefined,
      EnableNetworkIsolation: r.networkIsolation,
      VpcConfig: r.vpcConfig(),
    } : undefined,
  };
}

/** @internal */
export function renderProcessingInput(i: ProcessingInput): any {
  return {
    InputName: i.inputName,
    AppManaged: false,
    S3Input: {
      S3Uri: i.source,
      LocalPath: i.destination,
      S3DataType: i.s3DataType ?? S3DataType.S3_PREFIX,
      S3InputMode: i.inputMode ?? InputMode.FILE,
      S3DataDistributionType: i.distribution ?? S3DataDistribution.FULLY_REPLICATED,
      S3CompressionType: i.gzip ? 'Gzip' : 'None',
    },
  };
}

/** @internal */
export function checkInstance(where: string, count?: number, volume?: Size): void {
  if (count !== undefined && !Token.isUnresolved(count)) { checkIntegerRange(where, 'instanceCount', count, 1, 100); }
  if (volume !== undefined) { checkIntegerRange(where, 'volumeSize (GiB)', volume.toGibibytes({ rounding: SizeRoundingBehavior.NONE }), 1, 16384); }
}

/**
 * A processing step: runs a SageMaker processing job (data preparation, evaluation...).
 */
export class ProcessingStep extends Step {
  /** The step's properties. */
  public readonly properties: ProcessingStepProperties;
  private readonly props: ProcessingStepProps;

  constructor(stepName: string, props: ProcessingStepProps) {
    super(stepName, StepType.PROCESSING, props);
    this.props = props;
    this._checkJobOptions();
    const where = `step ${stepName}`;
    if (!(props.image instanceof JobImage)) {
      throw propError(where, 'image', props.image, 'It must be a JobImage (JobImage.fromImageUri(), .xgboost(), ...)');
    }
    checkInstance(where, props.instanceCount, props.volumeSize);
    if (props.code) {
      check((props.code.s3Uri === undefined) !== (props.code.localFile === undefined), where, 'code', props.code,
        'Give exactly one of `s3Uri` and `localFile`');
      if (props.code.localFile !== undefined) {
        check(fs.existsSync(props.code.localFile) && fs.statSync(props.code.localFile).isFile(), where, 'code.localFile', props.code.localFile,
          'It must be an existing file');
      }
    }
    if (props.code && props.entrypoint) {
      throw propError(where, 'entrypoint', props.entrypoint, 'Give either `code` (which sets the entrypoint) or `entrypoint`, not both');
    }
    const outputNames = new Set((props.outputs ?? []).map((o) => o.outputName));
    for (const f of props.propertyFiles ?? []) {
      if (f._owner && f._owner !== this) {
        throw propError(where, 'propertyFiles', f.name, `The property file is already declared by step "${f._owner.stepName}"`);
      }
      check(outputNames.has(f.outputName), where, 'propertyFiles', f.name,
        `The property file's output "${f.outputName}" is not one of the step's outputs (${[...outputNames].join(', ') || 'none'})`);
      f._owner = this;
    }
    this.properties = new ProcessingStepProperties(this, [...outputNames]);
  }

  /** @internal */
  protected _allowsJobRetries(): boolean {
    return true;
  }

  /** @internal */
  public _renderArguments(r: StepRenderContext): any {
    const code = this.props.code;
    const extra: any[] = [];
    let entrypoint: string[] | undefined;
    if (code) {
      let s3Uri = code.s3Uri ?? '';
      let localName: string | undefined;
      if (code.localFile !== undefined) {
        const scope = r.scope;
        const id = `Code${this.stepName}`;
        const asset = (scope.node.tryFindChild(id) as s3assets.Asset | undefined) ??
          new s3assets.Asset(scope as Construct, id, { path: code.localFile });
        s3Uri = `s3://${asset.s3BucketName}/${asset.s3ObjectKey}`;
        localName = Token.isUnresolved(asset.s3ObjectKey)
          ? `${asset.assetHash}${path.extname(code.localFile)}`
          : asset.s3ObjectKey.split('/').pop();
      }
      const last = localName ?? s3Uri.split('/').pop() ?? '';
      const fileName = code.fileName ?? (last.length > 0 && !Token.isUnresolved(last) ? last : undefined);
      if (!fileName) {
        r.issue('The file name of `code.s3Uri` is not known at synth time: give `code.fileName` so that the entrypoint can name the script');
      }
      extra.push(renderProcessingInput({ inputName: 'code', source: s3Uri, destination: CODE_DIR }));
      entrypoint = [...(code.command ?? ['python3']), `${CODE_DIR}/${fileName ?? 'script'}`];
    }
    return renderProcessingJob(r, this.props, extra, entrypoint);
  }

  /** @internal */
  public _renderExtras(_r: StepRenderContext): Record<string, any> {
    const files = this.props.propertyFiles ?? [];
    return files.length > 0 ? { PropertyFiles: files.map((f) => ({ PropertyFileName: f.name, OutputName: f.outputName, FilePath: f.path })) } : {};
  }
}

/** The properties of a processing step. */
export class ProcessingStepProperties {
  /** `ProcessingJobName`. */
  public readonly processingJobName: PipelineValue;
  /** `ProcessingJobArn`. */
  public readonly processingJobArn: PipelineValue;

  /**
   * @param step the step
   * @param outputNames the names of its outputs
   */
  constructor(private readonly step: Step, private readonly outputNames: string[]) {
    this.processingJobName = step.property('ProcessingJobName');
    this.processingJobArn = step.property('ProcessingJobArn');
  }

  /**
   * The S3 URI of an output: `ProcessingOutputConfig.Outputs['name'].S3Output.S3Uri`.
   *
   * @param outputName the output's name
   */
  public outputUri(outputName: string): PipelineValue {
    check(this.outputNames.includes(outputName), `step ${this.step.stepName}`, 'outputName', outputName,
      `The step has no such output; its outputs are: ${this.outputNames.join(', ') || 'none'}`);
    return this.step.property(`ProcessingOutputConfig.Outputs['${outputName}'].S3Output.S3Uri`);
  }
}
