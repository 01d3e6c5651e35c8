import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ModelApprovalStatus } from '../core/model-approval-status';
import { SAGEMAKER_NAME_PATTERN } from '../core/names';
import { check, propError } from '../private/errors';
import { JobImage } from './job-image';
import type { StepRenderContext } from './private/render-context';
import { checkInstance } from './processing-step';
import { JobStepOptions, Step, StepType } from './step';
import { PipelineValue } from './values';

/** Props of a {@link ModelStep}. */
export interface ModelStepProps extends JobStepOptions {
  /** The inference image. */
  readonly image: JobImage;
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
  readonly enableNetworkIsolation?: boolean;
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
    this.props = props;
    this._checkJobOptions();
    if (!(props.image instanceof JobImage)) {
      throw propError(`step ${stepName}`, 'image', props.image, 'It must be a JobImage');
    }
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
      EnableNetworkIsolation: this.props.enableNetworkIsolation ?? r.networkIsolation,
      VpcConfig: r.vpcConfig(),
    };
  }
}

/** A metrics or baseline file in S3. */
export interface MetricsSource {
  /** The S3 URI (a literal, a token, or the token of a pipeline value). */
  readonly s3Uri: string;
  /**
   * The file's MIME type.
   *
   * @default "application/json"
   */
  readonly contentType?: string;
}

/** Metrics attached to a model version. */
export interface ModelMetrics {
  /**
   * Model quality statistics (the evaluation report).
   * @default - none
   */
  readonly modelQualityStatistics?: MetricsSource;
  /**
   * Model quality constraints.
   * @default - none
   */
  readonly modelQualityConstraints?: MetricsSource;
  /**
   * Data quality statistics.
   * @default - none
   */
  readonly dataQualityStatistics?: MetricsSource;
  /**
   * Data quality constraints.
   * @default - none
   */
  readonly dataQualityConstraints?: MetricsSource;
  /**
   * A bias report.
   * @default - none
   */
  readonly biasReport?: MetricsSource;
  /**
   * An explainability report.
   * @default - none
   */
  readonly explainabilityReport?: MetricsSource;
}

/** Baselines that Model Monitor and later check steps compare against. */
export interface DriftCheckBaselines {
  /**
   * Data quality statistics.
   * @default - none
   */
  readonly modelDataQualityStatistics?: MetricsSource;
  /**
   * Data quality constraints.
   * @default - none
   */
  readonly modelDataQualityConstraints?: MetricsSource;
  /**
   * Model quality statistics.
   * @default - none
   */
  readonly modelQualityStatistics?: MetricsSource;
  /**
   * Model quality constraints.
   * @default - none
   */
  readonly modelQualityConstraints?: MetricsSource;
  /**
   * Bias pre-training constraints.
   * @default - none
   */
  readonly biasPreTrainingConstraints?: MetricsSource;
  /**
   * Bias post-training constraints.
   * @default - none
   */
  readonly biasPostTrainingConstraints?: MetricsSource;
  /**
   * Bias analysis config file.
   * @default - none
   */
  readonly biasConfigFile?: MetricsSource;
  /**
   * Explainability constraints.
   * @default - none
   */
  readonly explainabilityConstraints?: MetricsSource;
  /**
   * Explainability analysis config file.
   * @default - none
   */
  readonly explainabilityConfigFile?: MetricsSource;
}

/** Props of a {@link RegisterModelStep}. */
export interface RegisterModelStepProps extends JobStepOptions {
  /** The model package group the version goes into. */
  readonly modelPackageGroupName: string;
  /** The inference image. */
  readonly image: JobImage;
  /** The S3 URI of the model artifacts (usually `trainingStep.properties.modelArtifacts.s3ModelArtifacts.asString`). */
  readonly modelDataUrl: string;
  /**
   * Environment variables of the inference container.
   * @default - none
   */
  readonly environment?: { [key: string]: string };
  /**
   * The status the version starts with.
   *
   * @default ModelApprovalStatus.PENDING_MANUAL_APPROVAL
   */
  readonly approvalStatus?: ModelApprovalStatus;
  /**
   * Request MIME types.
   * @default ["text/csv"]
   */
  readonly contentTypes?: string[];
  /**
   * Response MIME types.
   * @default ["text/csv"]
   */
  readonly responseTypes?: string[];
  /**
   * Instance types for real-time inference.
   * @default ["ml.m5.large"]
   */
  readonly inferenceInstanceTypes?: string[];
  /**
   * Instance types for batch transform.
   * @default ["ml.m5.large"]
   */
  readonly transformInstanceTypes?: string[];
  /**
   * Metrics to attach.
   * @default - none
   */
  readonly modelMetrics?: ModelMetrics;
  /**
   * Drift-check baselines to attach (read later by Model Monitor).
   * @default - none
   */
  readonly driftCheckBaselines?: DriftCheckBaselines;
  /**
   * A description of the version.
   * @default - none
   */
  readonly modelPackageDescription?: string;
  /**
   * Custom metadata (up to 50 entries).
   * @default - none
   */
  readonly customerMetadata?: { [key: string]: string };
}

function source(m?: MetricsSource): any {
  return m ? { ContentType: m.contentType ?? 'application/json', S3Uri: m.s3Uri } : undefined;
}

function pair(a?: MetricsSource, b?: MetricsSource, aKey = 'Statistics', bKey = 'Constraints'): any {
  return a || b ? { [aKey]: source(a), [bKey]: source(b) } : undefined;
}

/**
 * A register-model step: adds a model version to a model package group.
 */
export class RegisterModelStep extends Step {
  /** `ModelPackageArn`: the ARN of the new version. */
  public readonly modelPackageArn: PipelineValue;
  private readonly props: RegisterModelStepProps;

  constructor(stepName: string, props: RegisterModelStepProps) {
    super(stepName, StepType.REGISTER_MODEL, props);
    this.props = props;
    this._checkJobOptions();
    const where = `step ${stepName}`;
    if (!(props.image instanceof JobImage)) {
      throw propError(where, 'image', props.image, 'It must be a JobImage');
    }
    const group = props.modelPackageGroupName;
    check(PipelineValue.fromToken(group) !== undefined || /\$\{Token/.test(group) ||
      (group.length <= 63 && SAGEMAKER_NAME_PATTERN.test(group)), where, 'modelPackageGroupName', group,
    'A model package group name must be 1 to 63 letters, digits or dashes, starting and ending with a letter or digit');
    check(Object.keys(props.customerMetadata ?? {}).length <= 50, where, 'customerMetadata', props.customerMetadata, 'At most 50 entries');
    this.modelPackageArn = this.property('ModelPackageArn');
  }

  /** The model package group name. */
  public get modelPackageGroupName(): string {
    return this.props.modelPackageGroupName;
  }

  /** @internal */
  public _renderArguments(r: StepRenderContext): any {
    const p = this.props;
    const m = p.modelMetrics;
    const d = p.driftCheckBaselines;
    return {
      ModelPackageGroupName: p.modelPackageGroupName,
      ModelPackageDescription: p.modelPackageDescription,
      ModelMetrics: m ? {
        ModelQuality: pair(m.modelQualityStatistics, m.modelQualityConstraints),
        ModelDataQuality: pair(m.dataQualityStatistics, m.dataQualityConstraints),
        Bias: m.biasReport ? { Report: source(m.biasReport) } : {},
        Explainability: m.explainabilityReport ? { Report: source(m.explainabilityReport) } : {},
      } : undefined,
      DriftCheckBaselines: d ? {
        ModelDataQuality: pair(d.modelDataQualityStatistics, d.modelDataQualityConstraints),
        ModelQuality: pair(d.modelQualityStatistics, d.modelQualityConstraints),
        Bias: d.biasConfigFile || d.biasPreTrainingConstraints || d.biasPostTrainingConstraints ? {
          ConfigFile: source(d.biasConfigFile),
          PreTrainingConstraints: source(d.biasPreTrainingConstraints),
          PostTrainingConstraints: source(d.biasPostTrainingConstraints),
        } : undefined,
        Explainability: pair(d.explainabilityConstraints, d.explainabilityConfigFile, 'Constraints', 'ConfigFile'),
      } : undefined,
      InferenceSpecification: {
        Containers: [{
          Image: r.image(p.image),
          Environment: p.environment,
          ModelDataUrl: p.modelDataUrl,
        }],
        SupportedContentTypes: p.contentTypes ?? ['text/csv'],
        SupportedResponseMIMETypes: p.responseTypes ?? ['text/csv'],
        SupportedRealtimeInferenceInstanceTypes: p.inferenceInstanceTypes ?? ['ml.m5.large'],
        SupportedTransformInstanceTypes: p.transformInstanceTypes ?? ['ml.m5.large'],
      },
      ModelApprovalStatus: p.approvalStatus ?? ModelApprovalStatus.PENDING_MANUAL_APPROVAL,
      CustomerMetadataProperties: p.customerMetadata,
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
   * The instance type.
   * @default "ml.m5.large"
   */
  readonly instanceType?: string;
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
    this.props = props;
    this._checkJobOptions();
    checkInstance(`step ${stepName}`, props.instanceCount, undefined);
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
        InstanceType: p.instanceType ?? 'ml.m5.large',
        VolumeKmsKeyId: key,
      },
    };
  }
}
