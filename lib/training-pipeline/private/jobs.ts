import { Duration, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import { ContainerImage } from '../../core/container-image';
import { InstanceType } from '../../core/instance-type';
import { check, checkIntegerRange } from '../../private/errors';
import type { InstanceTypeUse } from '../../private/instance-types';
import { InputMode, ProcessingInput, ProcessingJobProps, S3DataDistribution, S3DataType } from '../processing-job';
import type { TrainingJobProps } from '../training-job';
import type { StepRenderContext } from './render-context';

/*
 * The job requests that several steps share (processing jobs for processing and check steps,
 * training jobs for training and tuning steps), and the checks of their props.
 */

/**
 * Check what every job step is given: an image, an instance type SageMaker offers for the job's
 * use, the instance count and volume size.
 */
export function checkJobProps(where: string, use: InstanceTypeUse,
  props: { readonly image?: ContainerImage; readonly instanceType?: InstanceType; readonly instanceCount?: number; readonly volumeSize?: Size }): void {
  check(props.image instanceof ContainerImage, where, 'image', props.image,
    'It must be a ContainerImage (ContainerImage.xgboost(), .fromEcrRepository(), .fromImageUri(), ...)');
  checkInstanceTypeFor(where, 'instanceType', props.instanceType, use);
  checkInstance(where, props.instanceCount, props.volumeSize);
}

/**
 * An instance type must be an InstanceType (JavaScript and Python users can pass anything) that
 * SageMaker offers for `use` (a training-only type on a transform job fails only at run time).
 */
export function checkInstanceTypeFor(where: string, prop: string, value: unknown, use: InstanceTypeUse): void {
  check(value === undefined || value instanceof InstanceType, where, prop, value,
    'It must be an InstanceType: InstanceType.ML_M5_XLARGE, InstanceType.of("ml.m5.large"), or InstanceType.of(param.asString) for a parameter');
  (value as InstanceType | undefined)?._checkFor(where, prop, use);
}

/** Render a processing job request (shared by processing and check steps). */
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
        InstanceType: (props.instanceType ?? InstanceType.ML_M5_XLARGE).name,
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

/** One `ProcessingInputs` entry. */
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

/** Check the instance count and volume size of a job. */
export function checkInstance(where: string, count?: number, volume?: Size): void {
  if (count !== undefined && !Token.isUnresolved(count)) { checkIntegerRange(where, 'instanceCount', count, 1, 100); }
  if (volume !== undefined) { checkIntegerRange(where, 'volumeSize (GiB)', volume.toGibibytes({ rounding: SizeRoundingBehavior.NONE }), 1, 16384); }
}

/** Render a training job request (a training step's arguments, a tuning step's training job definition). */
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
      InstanceType: (props.instanceType ?? InstanceType.ML_M5_XLARGE).name,
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

/** Check the props of a training or tuning job. */
export function checkTrainingProps(where: string, props: TrainingJobProps): void {
  checkJobProps(where, 'training', props);
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
