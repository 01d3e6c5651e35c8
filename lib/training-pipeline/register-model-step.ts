import { ContainerImage } from '../core/container-image';
import { InstanceType } from '../core/instance-type';
import { ModelApprovalStatus } from '../core/model-approval-status';
import { IModelPackageGroup } from '../core/model-package-group';
import { check } from '../private/errors';
import { checkPropsGiven } from './private/checks';
import { checkInstanceTypeFor } from './private/jobs';
import { chooseModelPackageGroup } from './private/model-package-group';
import type { StepRenderContext } from './private/render-context';
import { JobStepOptions, Step, StepType } from './step';
import { PipelineValue } from './values';

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
  /**
   * The model package group the version goes into. The pipeline's execution role may then create
   * model packages in this group only. Give this or `modelPackageGroupName`.
   *
   * @default - none: give `modelPackageGroupName`
   */
  readonly modelPackageGroup?: IModelPackageGroup;
  /**
   * The name of the group, as an escape hatch for a group known only by its name (a literal, or
   * the token of a pipeline parameter). Give this or `modelPackageGroup`.
   *
   * @default - the name of `modelPackageGroup`
   */
  readonly modelPackageGroupName?: string;
  /** The inference image. */
  readonly image: ContainerImage;
  /** The S3 URI of the model artifacts (usually `trainingStep.properties.modelArtifacts.s3ModelArtifacts.asString`). */
  readonly modelDataUrl: string;
  /**
   * Environment variables of the inference container.
   * @default - none
   */
  readonly environment?: { [key: string]: string };
  /**
   * The status the version starts with. `ModelApprovalStatus.APPROVED` needs `allowSelfApproval`:
   * the approval policy of the group (a person, metric thresholds) decides otherwise.
   *
   * @default ModelApprovalStatus.PENDING_MANUAL_APPROVAL
   */
  readonly approvalStatus?: ModelApprovalStatus;
  /**
   * Let the step register versions as `Approved` (`approvalStatus: ModelApprovalStatus.APPROVED`).
   * An approved version fires the group's `onApproved` rules (a deployment, say) without the
   * approval policy ever running, so this is refused unless set. With it, the pipeline's execution
   * role may register approved versions in this group: the self-approval guard (an explicit deny of
   * `CreateModelPackage` with `sagemaker:ModelApprovalStatus` = `Approved`) is left out for it.
   *
   * @default false
   */
  readonly allowSelfApproval?: boolean;
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
   * @default [InstanceType.ML_M5_LARGE]
   */
  readonly inferenceInstanceTypes?: InstanceType[];
  /**
   * Instance types for batch transform.
   * @default [InstanceType.ML_M5_LARGE]
   */
  readonly transformInstanceTypes?: InstanceType[];
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
  /** The model package group, when the step was given the object. */
  public readonly modelPackageGroup?: IModelPackageGroup;
  /** The name of the model package group (the group's name, or the name given). */
  public readonly modelPackageGroupName: string;
  private readonly props: RegisterModelStepProps;

  constructor(stepName: string, props: RegisterModelStepProps) {
    super(stepName, StepType.REGISTER_MODEL, props);
    const where = `step ${stepName}`;
    checkPropsGiven(where, props, 'the model package group, the image and the model data');
    this.props = props;
    this._checkJobOptions();
    const group = chooseModelPackageGroup(where, props, true);
    this.modelPackageGroup = group.group;
    this.modelPackageGroupName = group.name!;
    check(props.image instanceof ContainerImage, where, 'image', props.image,
      'It must be a ContainerImage (ContainerImage.xgboost(), .fromEcrRepository(), .fromImageUri(), ...)');
    check(typeof props.modelDataUrl === 'string', where, 'modelDataUrl', props.modelDataUrl,
      'It is required: the S3 URI of the model artifacts (usually `trainingStep.properties.modelArtifacts.s3ModelArtifacts.asString`)');
    check(Object.values(ModelApprovalStatus).includes(props.approvalStatus ?? ModelApprovalStatus.PENDING_MANUAL_APPROVAL), where, 'approvalStatus',
      props.approvalStatus, `It must be one of ${Object.values(ModelApprovalStatus).join(', ')}`);
    check(props.approvalStatus !== ModelApprovalStatus.APPROVED || props.allowSelfApproval === true, where, 'approvalStatus', props.approvalStatus,
      'A version registered as Approved skips the approval policy of its group (its onApproved rules fire at once): ' +
      'register it PendingManualApproval and let the policy decide, or set `allowSelfApproval: true` to opt in');
    for (const [prop, use] of [['inferenceInstanceTypes', 'hosting'], ['transformInstanceTypes', 'transform']] as const) {
      (props[prop] ?? []).forEach((t, i) => checkInstanceTypeFor(where, `${prop}[${i}]`, t, use));
    }
    check(Object.keys(props.customerMetadata ?? {}).length <= 50, where, 'customerMetadata', props.customerMetadata, 'At most 50 entries');
    this.modelPackageArn = this.property('ModelPackageArn');
  }


  /** @internal */
  public _renderArguments(r: StepRenderContext): any {
    const p = this.props;
    const m = p.modelMetrics;
    const d = p.driftCheckBaselines;
    if (this.modelPackageGroup) { r.useModelPackageGroup(this.modelPackageGroup, 'register'); }
    return {
      ModelPackageGroupName: this.modelPackageGroupName,
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
        SupportedRealtimeInferenceInstanceTypes: (p.inferenceInstanceTypes ?? [InstanceType.ML_M5_LARGE]).map((t) => t.name),
        SupportedTransformInstanceTypes: (p.transformInstanceTypes ?? [InstanceType.ML_M5_LARGE]).map((t) => t.name),
      },
      ModelApprovalStatus: p.approvalStatus ?? ModelApprovalStatus.PENDING_MANUAL_APPROVAL,
      CustomerMetadataProperties: p.customerMetadata,
    };
  }
}
