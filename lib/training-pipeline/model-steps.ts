import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ContainerImage } from '../core/container-image';
import { InstanceType } from '../core/instance-type';
import { check } from '../private/errors';
import { checkPropsGiven } from './private/checks';
import { checkInstance, checkInstanceTypeFor, checkJobProps } from './private/jobs';
import type { StepRenderContext } from './private/render-context';
import { JobStepOptions, Step, StepType } from './step';
import { PipelineValue } from './values';

/** Props of a {@link ModelStep}. */
export interface ModelStepProps extends JobStepOptions {
  /** The inference image. */
  readonly image: ContainerImage;
  /**
   * The S3 URI of the model artifacts (usually `trainingStep.properties.modelArtifacts.s3ModelArtifacts.asString`).
   *
   * @default - none (the image holds the model)
   */
  readonly modelDataUrl?: string;
  /**
   * The role the model runs with.
   *
   * @default - the pipeline's job role
   */
  readonly role?: iam.IRole;
  /**
   * Environment variables of the container.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };
  /**
   * Isolate the container from the network.
   *
   * @default - not set (SageMaker's default, false)
   */
  readonly networkIsolation?: boolean;
}

/**
 * A model step: creates a SageMaker model (`"Type": "Model"`), for a transform step to use.
 */
export class ModelStep extends Step {
  /** `ModelName`: the name of the created model. */
  public readonly modelName: PipelineValue;
  private readonly props: ModelStepProps;

  constructor(stepName: string, props: ModelStepProps) {
    super(stepName, StepType.MODEL, props);
    checkPropsGiven(`step ${stepName}`, props, 'the image');
    this.props = props;
    this._checkJobOptions();
    checkJobProps(`step ${stepName}`, 'hosting', props);
    this.modelName = this.property('ModelName');
  }

  /** @internal */
  public _renderArguments(r: StepRenderContext): any {
    return {
      ExecutionRoleArn: r.role(this.props.role, 'role'),
      PrimaryContainer: {
        Image: r.image(this.props.image),
        Environment: this.props.environment ?? {},
        ModelDataUrl: this.props.modelDataUrl,
      },
      EnableNetworkIsolation: this.props.networkIsolation ?? r.networkIsolation,
      VpcConfig: r.vpcConfig(),
    };
  }
}

/** Props of a {@link TransformStep}. */
export interface TransformStepProps extends JobStepOptions {
  /** The model to use (usually `modelStep.modelName.asString`). */
  readonly modelName: string;
  /** The S3 URI of the input data. */
  readonly inputUri: string;
  /**
   * Where results go.
   * @default - `s3://<pipeline bucket>/<prefix><execution id>/<step>/transform`
   */
  readonly outputPath?: string;
  /**
   * The instance type; for a pipeline parameter, `InstanceType.of(param.asString)`.
   * @default InstanceType.ML_M5_LARGE
   */
  readonly instanceType?: InstanceType;
  /**
   * The number of instances.
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * The input MIME type.
   * @default "text/csv"
   */
  readonly contentType?: string;
  /**
   * How input files are split into records (`Line`, `RecordIO`, `TFRecord`, `None`).
   * @default "Line"
   */
  readonly splitType?: string;
  /**
   * How results are assembled (`Line` or `None`).
   * @default "Line"
   */
  readonly assembleWith?: string;
  /**
   * The key of the volumes and results.
   * @default - the pipeline's key
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * A transform step: runs a batch transform job.
 */
export class TransformStep extends Step {
  /** `TransformOutput.S3OutputPath`. */
  public readonly outputPath: PipelineValue;
  private readonly props: TransformStepProps;

  constructor(stepName: string, props: TransformStepProps) {
    super(stepName, StepType.TRANSFORM, props);
    checkPropsGiven(`step ${stepName}`, props, 'the model and the input');
    this.props = props;
    this._checkJobOptions();
    const where = `step ${stepName}`;
    check(typeof props.modelName === 'string', where, 'modelName', props.modelName, 'It is required: the model to use (usually `modelStep.modelName.asString`)');
    check(typeof props.inputUri === 'string', where, 'inputUri', props.inputUri, 'It is required: the S3 URI of the input data');
    checkInstanceTypeFor(where, 'instanceType', props.instanceType, 'transform');
    checkInstance(where, props.instanceCount, undefined);
    this.outputPath = this.property('TransformOutput.S3OutputPath');
  }

  /** @internal */
  protected _allowsJobRetries(): boolean {
    return true;
  }

  /** @internal */
  public _renderArguments(r: StepRenderContext): any {
    const p = this.props;
    const key = r.keyArn(p.encryptionKey);
    return {
      ModelName: p.modelName,
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: p.inputUri } },
        ContentType: p.contentType ?? 'text/csv',
        SplitType: p.splitType ?? 'Line',
      },
      TransformOutput: {
        S3OutputPath: p.outputPath ?? r.defaultOutput('outputPath', 'transform'),
        AssembleWith: p.assembleWith ?? 'Line',
        KmsKeyId: key,
      },
      TransformResources: {
        InstanceCount: p.instanceCount ?? 1,
        InstanceType: (p.instanceType ?? InstanceType.ML_M5_LARGE).name,
        VolumeKmsKeyId: key,
      },
    };
  }
}
