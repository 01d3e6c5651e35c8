import { Size, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { check } from '../private/errors';
import { ContainerImage } from '../core/container-image';
import { InstanceType } from '../core/instance-type';
import { IModelPackageGroup } from '../core/model-package-group';
import { checkPropsGiven } from './private/checks';
import { checkInstance, checkInstanceTypeFor, renderProcessingJob } from './private/jobs';
import { ChosenModelPackageGroup, chooseModelPackageGroup } from './private/model-package-group';
import type { StepRenderContext } from './private/render-context';
import { JobStepOptions, Step, StepType } from './step';
import { PipelineParameter, PipelineValue, PipelineValueType } from './values';

/** What a quality check step computes. */
export enum QualityCheckType {
  /** Statistics and constraints of the data. */
  DATA_QUALITY = 'DATA_QUALITY',
  /** Quality metrics of the model's predictions against ground truth. */
  MODEL_QUALITY = 'MODEL_QUALITY',
}

/** What a Clarify check step computes. */
export enum ClarifyCheckType {
  /** Bias in the data. */
  DATA_BIAS = 'DATA_BIAS',
  /** Bias in the model's predictions. */
  MODEL_BIAS = 'MODEL_BIAS',
  /** Feature attributions (SHAP). */
  MODEL_EXPLAINABILITY = 'MODEL_EXPLAINABILITY',
}

/** The options shared by quality and Clarify check steps. */
export interface CheckStepOptions extends JobStepOptions {
  /**
   * The model package group whose latest approved baselines are the drift-check baselines. The
   * pipeline's execution role may then read this group.
   * @default - none: the supplied baselines, or none, are used
   */
  readonly modelPackageGroup?: IModelPackageGroup;
  /**
   * The name of that group, as an escape hatch for a group known only by its name. Give at most
   * one of this and `modelPackageGroup`.
   * @default - the name of `modelPackageGroup`, if any
   */
  readonly modelPackageGroupName?: string;
  /**
   * Skip the comparison with a baseline (the first run of a pipeline has none).
   * @default false
   */
  readonly skipCheck?: boolean;
  /**
   * Make the newly calculated baseline the drift-check baseline.
   * @default false
   */
  readonly registerNewBaseline?: boolean;
  /**
   * Fail the step when violations are found.
   * @default true
   */
  readonly failOnViolation?: boolean;
  /**
   * A boolean parameter that decides `SkipCheck` at run time (instead of `skipCheck`).
   * @default - `skipCheck`
   */
  readonly skipCheckParameter?: PipelineParameter;
  /**
   * A boolean parameter that decides `RegisterNewBaseline` at run time (instead of `registerNewBaseline`).
   * @default - `registerNewBaseline`
   */
  readonly registerNewBaselineParameter?: PipelineParameter;
  /**
   * Where the results go.
   * @default - `s3://<pipeline bucket>/<prefix><execution id>/<step>/check`
   */
  readonly outputUri?: string;
  /**
   * The role of the job.
   * @default - the pipeline's job role
   */
  readonly role?: iam.IRole;
  /**
   * The instance type; for a pipeline parameter, `InstanceType.of(param.asString)`.
   * @default InstanceType.ML_M5_XLARGE
   */
  readonly instanceType?: InstanceType;
  /**
   * The number of instances.
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * The volume size.
   * @default Size.gibibytes(30)
   */
  readonly volumeSize?: Size;
  /**
   * The key of the volumes and results.
   * @default - the pipeline's key
   */
  readonly encryptionKey?: kms.IKey;
}

/** Props of a {@link QualityCheckStep}. */
export interface QualityCheckStepProps extends CheckStepOptions {
  /** What to compute. */
  readonly checkType: QualityCheckType;
  /** The S3 URI of the dataset to baseline (CSV with a header row). */
  readonly baselineDatasetUri: string;
  /**
   * The analyzer image.
   * @default ContainerImage.modelMonitorAnalyzer()
   */
  readonly image?: ContainerImage;
  /**
   * Whether the CSV dataset has a header row.
   * @default true
   */
  readonly csvHeader?: boolean;
  /**
   * The problem type of a model quality check (`Regression`, `BinaryClassification`, `MulticlassClassification`).
   * @default "Regression"
   */
  readonly problemType?: string;
  /**
   * Model quality: the column with the prediction.
   * @default - none
   */
  readonly inferenceAttribute?: string;
  /**
   * Model quality: the column with the ground truth.
   * @default - none
   */
  readonly groundTruthAttribute?: string;
  /**
   * Statistics to compare with instead of the registered baseline.
   * @default - none
   */
  readonly suppliedBaselineStatistics?: string;
  /**
   * Constraints to compare with instead of the registered baseline.
   * @default - none
   */
  readonly suppliedBaselineConstraints?: string;
}

const INPUT = '/opt/ml/processing/input/baseline_dataset_input';
const OUTPUT = '/opt/ml/processing/output';

function checkCommon(where: string, o: CheckStepOptions): ChosenModelPackageGroup {
  checkInstanceTypeFor(where, 'instanceType', o.instanceType, 'processing');
  checkInstance(where, o.instanceCount, o.volumeSize);
  for (const [prop, param, literal] of [
    ['skipCheckParameter', o.skipCheckParameter, o.skipCheck],
    ['registerNewBaselineParameter', o.registerNewBaselineParameter, o.registerNewBaseline],
  ] as Array<[string, PipelineParameter | undefined, boolean | undefined]>) {
    if (param === undefined) { continue; }
    check(param.valueType === PipelineValueType.BOOLEAN, where, prop, param.name, `It must be a boolean parameter, not ${param.valueType}`);
    check(literal === undefined, where, prop, param.name, `Give either ${prop} or ${prop.replace('Parameter', '')}, not both`);
  }
  return chooseModelPackageGroup(where, o, false);
}

function renderCheckFlags(r: StepRenderContext, o: CheckStepOptions, group: ChosenModelPackageGroup, checkType: string): any {
  if (group.group) { r.useModelPackageGroup(group.group, 'read'); }
  return {
    CheckType: checkType,
    ModelPackageGroupName: group.name,
    SkipCheck: o.skipCheckParameter ?? o.skipCheck ?? false,
    FailOnViolation: o.failOnViolation ?? true,
    RegisterNewBaseline: o.registerNewBaselineParameter ?? o.registerNewBaseline ?? false,
  };
}

/**
 * A quality check step (Model Monitor): computes data or model quality baselines, compares them
 * with the drift-check baselines, and exposes the files for RegisterModel.
 */
export class QualityCheckStep extends Step {
  /** The step's properties. */
  public readonly properties: CheckStepProperties;
  private readonly props: QualityCheckStepProps;
  private readonly group: ChosenModelPackageGroup;

  constructor(stepName: string, props: QualityCheckStepProps) {
    super(stepName, StepType.QUALITY_CHECK, props);
    const where = `step ${stepName}`;
    checkPropsGiven(where, props, 'the check type and the dataset');
    this.props = props;
    this._checkJobOptions();
    this.group = checkCommon(where, props);
    check(Object.values(QualityCheckType).includes(props.checkType), where, 'checkType', props.checkType,
      `It is required: one of ${Object.values(QualityCheckType).join(', ')}`);
    check(typeof props.baselineDatasetUri === 'string', where, 'baselineDatasetUri', props.baselineDatasetUri,
      'It is required: the S3 URI of the dataset to baseline');
    check(props.image === undefined || props.image instanceof ContainerImage, where, 'image', props.image,
      'It must be a ContainerImage (ContainerImage.modelMonitorAnalyzer(), .fromImageUri(), ...)');
    this.properties = new CheckStepProperties(this, true);
  }

  /** @internal */
  public _renderArguments(r: StepRenderContext): any {
    const p = this.props;
    const env: Record<string, string> = {
      dataset_format: JSON.stringify({ csv: { header: p.csvHeader ?? true, output_columns_position: 'START' } }),
      dataset_source: INPUT,
      output_path: OUTPUT,
      publish_cloudwatch_metrics: 'Disabled',
    };
    if (p.checkType === QualityCheckType.MODEL_QUALITY) {
      env.analysis_type = 'MODEL_QUALITY';
      env.problem_type = p.problemType ?? 'Regression';
      if (p.inferenceAttribute) { env.inference_attribute = p.inferenceAttribute; }
      if (p.groundTruthAttribute) { env.ground_truth_attribute = p.groundTruthAttribute; }
    }
    return renderProcessingJob(r, {
      image: p.image ?? ContainerImage.modelMonitorAnalyzer(),
      role: p.role,
      instanceType: p.instanceType,
      instanceCount: p.instanceCount,
      volumeSize: p.volumeSize,
      encryptionKey: p.encryptionKey,
      environment: env,
      inputs: [{ inputName: 'baseline_dataset_input', source: p.baselineDatasetUri, destination: INPUT }],
      outputs: [{ outputName: 'quality_check_output', source: OUTPUT, destination: p.outputUri }],
    });
  }

  /** @internal */
  public _renderExtras(r: StepRenderContext): Record<string, any> {
    return {
      ...renderCheckFlags(r, this.props, this.group, this.props.checkType),
      SuppliedBaselineStatistics: this.props.suppliedBaselineStatistics,
      SuppliedBaselineConstraints: this.props.suppliedBaselineConstraints,
    };
  }
}

/** Props of a {@link ClarifyCheckStep}. */
export interface ClarifyCheckStepProps extends CheckStepOptions {
  /** What to compute. */
  readonly checkType: ClarifyCheckType;
  /**
   * The SageMaker Clarify image.
   * @default ContainerImage.clarify()
   */
  readonly image?: ContainerImage;
  /**
   * The model whose predictions a model bias or explainability check analyzes (Clarify serves it
   * on a shadow endpoint while the job runs), usually `modelStep.modelName.asString`. Required for
   * `MODEL_BIAS` and `MODEL_EXPLAINABILITY`; a data bias check has none. It goes into the step's
   * `ModelName`, as the SageMaker Python SDK writes it (not into the analysis configuration's
   * `predictor`).
   * @default - none (data bias checks)
   */
  readonly modelName?: string;
  /** The S3 URI of the Clarify analysis configuration (`analysis_config.json`). */
  readonly analysisConfigUri: string;
  /** The S3 URI of the dataset. */
  readonly datasetUri: string;
  /**
   * Constraints to compare with instead of the registered baseline.
   * @default - none
   */
  readonly suppliedBaselineConstraints?: string;
}

/**
 * A Clarify check step: computes bias or explainability baselines and compares them with the
 * drift-check baselines.
 */
export class ClarifyCheckStep extends Step {
  /** The step's properties. */
  public readonly properties: CheckStepProperties;
  private readonly props: ClarifyCheckStepProps;
  private readonly group: ChosenModelPackageGroup;

  constructor(stepName: string, props: ClarifyCheckStepProps) {
    super(stepName, StepType.CLARIFY_CHECK, props);
    const where = `step ${stepName}`;
    checkPropsGiven(where, props, 'the check type and the dataset');
    this.props = props;
    this._checkJobOptions();
    this.group = checkCommon(where, props);
    check(Object.values(ClarifyCheckType).includes(props.checkType), where, 'checkType', props.checkType,
      `It is required: one of ${Object.values(ClarifyCheckType).join(', ')}`);
    check(props.image === undefined || props.image instanceof ContainerImage, where, 'image', props.image,
      'It must be a ContainerImage (ContainerImage.clarify(), .fromImageUri(), ...)');
    const needsModel = props.checkType !== ClarifyCheckType.DATA_BIAS;
    if (needsModel) {
      check(typeof props.modelName === 'string' && props.modelName.length > 0, where, 'modelName', props.modelName,
        `It is required for a ${props.checkType} check: the model Clarify analyzes (usually \`modelStep.modelName.asString\`)`);
      check(Token.isUnresolved(props.modelName) || /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(props.modelName!), where, 'modelName', props.modelName,
        'A SageMaker model name is 1 to 63 letters, digits or dashes, starting and ending with a letter or digit');
    } else {
      check(props.modelName === undefined, where, 'modelName', props.modelName,
        'A DATA_BIAS check analyzes the data only: it takes no model (use MODEL_BIAS for the bias of a model\'s predictions)');
    }
    for (const prop of ['analysisConfigUri', 'datasetUri'] as const) {
      check(typeof props[prop] === 'string', where, prop, props[prop], 'It is required: an S3 URI');
    }
    this.properties = new CheckStepProperties(this, false);
  }

  /** @internal */
  public _renderArguments(r: StepRenderContext): any {
    const p = this.props;
    return renderProcessingJob(r, {
      image: p.image ?? ContainerImage.clarify(),
      role: p.role,
      instanceType: p.instanceType,
      instanceCount: p.instanceCount,
      volumeSize: p.volumeSize,
      encryptionKey: p.encryptionKey,
      inputs: [
        { inputName: 'analysis_config', source: p.analysisConfigUri, destination: '/opt/ml/processing/input/config' },
        { inputName: 'dataset', source: p.datasetUri, destination: '/opt/ml/processing/input/data' },
      ],
      outputs: [{ outputName: 'analysis_result', source: OUTPUT, destination: p.outputUri }],
    });
  }

  /** @internal */
  public _renderExtras(r: StepRenderContext): Record<string, any> {
    return {
      ...renderCheckFlags(r, this.props, this.group, this.props.checkType),
      SuppliedBaselineConstraints: this.props.suppliedBaselineConstraints,
      // Model bias and explainability checks: the model, at step level (where the SDK writes it).
      ModelName: this.props.modelName,
    };
  }
}

/** The properties of a quality or Clarify check step. */
export class CheckStepProperties {
  /** `CalculatedBaselineConstraints`: the S3 URI of the constraints this run computed. */
  public readonly calculatedBaselineConstraints: PipelineValue;
  /** `BaselineUsedForDriftCheckConstraints`: the S3 URI of the constraints used for the check. */
  public readonly baselineUsedForDriftCheckConstraints: PipelineValue;
  /** `CalculatedBaselineStatistics` (quality checks only). */
  public readonly calculatedBaselineStatistics?: PipelineValue;
  /** `BaselineUsedForDriftCheckStatistics` (quality checks only). */
  public readonly baselineUsedForDriftCheckStatistics?: PipelineValue;

  /**
   * @param step the check step
   * @param withStatistics whether the step computes statistics (quality checks)
   */
  constructor(step: Step, withStatistics: boolean) {
    this.calculatedBaselineConstraints = step.property('CalculatedBaselineConstraints');
    this.baselineUsedForDriftCheckConstraints = step.property('BaselineUsedForDriftCheckConstraints');
    if (withStatistics) {
      this.calculatedBaselineStatistics = step.property('CalculatedBaselineStatistics');
      this.baselineUsedForDriftCheckStatistics = step.property('BaselineUsedForDriftCheckStatistics');
    }
  }
}
