import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ContainerImage } from '../core/container-image';
import { InstanceType } from '../core/instance-type';
import { MetricComparison } from '../core/metric-comparison';
import { ModelApprovalStatus } from '../core/model-approval-status';
import { IModelPackageGroup } from '../core/model-package-group';
import { check, childPath } from '../private/errors';
import { metricPathProblem } from '../private/metric-path';
import { resolveLayout } from '../private/resources';
import { QualityCheckStep, QualityCheckType } from './check-steps';
import { Condition } from './conditions';
import { ConditionStep, FailStep } from './control-steps';
import { StandardPipelineInputParameters } from './input-parameters';
import { checkPropsGiven } from './private/checks';
import { checkInputParameters, standardInputs } from './private/input-parameters';
import { checkInstanceTypeFor } from './private/jobs';
import { chooseModelPackageGroup } from './private/model-package-group';
import { ProcessingCode, ProcessingStep } from './processing-step';
import { RegisterModelStep } from './register-model-step';
import { TrainingPipeline, TrainingPipelineProps } from './training-pipeline';
import { TrainingStep } from './training-step';
import { ExecutionVariable, PipelineParameter, PipelineValue, PipelineValueType, PropertyFile } from './values';

/**
 * Props of a {@link StandardTrainingPipeline}.
 *
 * @example
 * import { ContainerImage, InstanceType, MlopsFoundation, StandardTrainingPipeline } from 'cdk-sagemaker-mlops';
 *
 * // The training image, instance type and hyperparameters of your model.
 * const foundation = new MlopsFoundation(this, 'Foundation');
 * new StandardTrainingPipeline(this, 'Training', {
 *   foundation,
 *   modelPackageGroupName: 'churn',
 *   inputDataUri: 's3://my-data/churn/',
 *   preprocessingScript: { s3Uri: 's3://my-code/churn/preprocess.py' },
 *   evaluationScript: { s3Uri: 's3://my-code/churn/evaluate.py' },
 *   metricJsonPath: 'binary_classification_metrics.auc.value',
 *   metricThreshold: 0.8,
 *   trainingImage: ContainerImage.xgboost('1.7-1'),
 *   trainingInstanceType: InstanceType.ML_M5_2XLARGE,
 *   hyperparameters: { objective: 'binary:logistic', num_round: '100' },
 * });
 */
export interface StandardTrainingPipelineProps extends TrainingPipelineProps {
  /** The S3 URI of the raw data (the default of the `InputData` parameter). */
  readonly inputDataUri: string;
  /**
   * The model package group the pipeline registers into (a ModelPackageGroup, the group of a
   * ModelRegistryApproval, or ModelPackageGroup.fromModelPackageGroupName() for one that exists).
   * The evaluation reports, model artifacts and drift-check baselines go under the group's
   * prefixes of the storage layout, and the execution role may create model packages in this
   * group only. Give this or `modelPackageGroupName`.
   *
   * @default - none: give `modelPackageGroupName`
   */
  readonly modelPackageGroup?: IModelPackageGroup;
  /**
   * The name of the group, as an escape hatch for a group known only by its name. Give this or
   * `modelPackageGroup`.
   *
   * @default - the name of `modelPackageGroup`
   */
  readonly modelPackageGroupName?: string;
  /**
   * The preprocessing script. It reads `/opt/ml/processing/input` and writes CSV files (label first,
   * no header) to `/opt/ml/processing/train`, `/opt/ml/processing/validation` and `/opt/ml/processing/test`.
   */
  readonly preprocessingScript: ProcessingCode;
  /**
   * The evaluation script. It reads the model from `/opt/ml/processing/model` and the test split from
   * `/opt/ml/processing/test`, and writes `/opt/ml/processing/evaluation/evaluation.json`.
   */
  readonly evaluationScript: ProcessingCode;
  /**
   * The JSON path of the metric in evaluation.json, such as `regression_metrics.mse.value`: dot-separated
   * keys, without a leading `$` (the form `Std:JsonGet` and ModelRegistryApproval's thresholds take).
   */
  readonly metricJsonPath: string;
  /** The threshold the metric is compared with (the default of the `MetricThreshold` parameter). */
  readonly metricThreshold: number;
  /**
   * How the metric is compared with the threshold: the model passes when the metric is ... than
   * the threshold.
   * @default MetricComparison.LESS_THAN_OR_EQUAL_TO
   */
  readonly metricComparison?: MetricComparison;
  /**
   * The training image.
   * @default ContainerImage.xgboost()
   */
  readonly trainingImage?: ContainerImage;
  /**
   * The image of the preprocessing job.
   * @default ContainerImage.scikitLearn()
   */
  readonly processingImage?: ContainerImage;
  /**
   * The image of the evaluation job, which loads the trained model: an image with the model's
   * framework (the SageMaker XGBoost image has xgboost, scikit-learn and pandas).
   * @default - the training image
   */
  readonly evaluationImage?: ContainerImage;
  /**
   * The inference image registered with the model.
   * @default - the training image
   */
  readonly inferenceImage?: ContainerImage;
  /**
   * The instance type of processing jobs (the default of the `ProcessingInstanceType` parameter).
   * @default InstanceType.ML_M5_XLARGE
   */
  readonly processingInstanceType?: InstanceType;
  /**
   * The instance type of the training job (the default of the `TrainingInstanceType` parameter).
   * @default InstanceType.ML_M5_XLARGE
   */
  readonly trainingInstanceType?: InstanceType;
  /**
   * Hyperparameters of the training job.
   * @default - for XGBoost: objective reg:squarederror, num_round 50
   */
  readonly hyperparameters?: { [key: string]: string };
  /**
   * Whether the training split has a header row (for the data quality baseline).
   * @default false
   */
  readonly trainingDataHasHeader?: boolean;
  /**
   * Environment variables of the preprocessing, training and evaluation jobs (for example
   * `MLFLOW_TRACKING_URI`, which MlopsProject sets when it tracks experiments). Up to 48 variables
   * (SageMaker's limit for training jobs); names are letters, digits and `_`, not starting with a
   * digit; values at most 512 characters.
   *
   * @default - none
   */
  readonly environment?: { [name: string]: string };
  /**
   * Pipeline parameters through which an execution runs other images and scripts than these
   * props give (`TrainingImageUri`, `InferenceImageUri`, `PreprocessingScriptUri`,
   * `EvaluationScriptUri`), each defaulting to what the props give. MlopsProject's build pipeline
   * passes each commit's.
   *
   * @default - none: the images and scripts are fixed in the definition
   */
  readonly inputParameters?: StandardPipelineInputParameters;
}

/** The condition of the metric gate for each comparison. */
const GATES: Record<MetricComparison, (metric: any, threshold: any) => Condition> = {
  [MetricComparison.LESS_THAN_OR_EQUAL_TO]: Condition.lessThanOrEqualTo,
  [MetricComparison.LESS_THAN]: Condition.lessThan,
  [MetricComparison.GREATER_THAN_OR_EQUAL_TO]: Condition.greaterThanOrEqualTo,
  [MetricComparison.GREATER_THAN]: Condition.greaterThan,
};

/**
 * The standard pipeline: preprocess -> data quality baseline -> train -> evaluate -> metric gate
 * -> register (PendingManualApproval, with model metrics and drift-check baselines), else fail.
 *
 * Parameters: `InputData`, `MetricThreshold`, `ProcessingInstanceType`, `TrainingInstanceType`,
 * `SkipDataQualityCheck` and `RegisterNewDataQualityBaseline` (both true by default).
 * With `inputParameters`, also those of the images and scripts an execution may replace.
 * The registered model version carries the evaluation report (model quality), the data quality
 * statistics and constraints, and the data quality drift-check baselines that Model Monitor reads.
 *
 * Where things go in the artifact bucket, per execution, under the prefixes of the storage layout
 * for the model package group: the evaluation report at
 * `<evaluation report prefix>/<execution id>/evaluation.json` (where the group's approval handler
 * reads it), the model artifacts under `<model prefix>/<execution id>/`, and the data quality
 * baselines under `<baseline prefix>/<execution id>/`.
 *
 * @example
 * import * as events from 'aws-cdk-lib/aws-events';
 * import { MetricComparison, MlopsFoundation, ModelPackageGroup, StandardTrainingPipeline } from 'cdk-sagemaker-mlops';
 *
 * const foundation = new MlopsFoundation(this, 'Foundation');
 * const pipeline = new StandardTrainingPipeline(this, 'Training', {
 *   foundation,
 *   modelPackageGroup: new ModelPackageGroup(this, 'ChurnModels', { modelPackageGroupName: 'churn' }),
 *   inputDataUri: 's3://my-data/churn/',
 *   preprocessingScript: { s3Uri: 's3://my-code/churn/preprocess.py' },
 *   evaluationScript: { s3Uri: 's3://my-code/churn/evaluate.py' },
 *   metricJsonPath: 'regression_metrics.mse.value', // in the evaluation report the script writes
 *   metricThreshold: 6,
 *   metricComparison: MetricComparison.LESS_THAN_OR_EQUAL_TO,
 * });
 * pipeline.addScheduleTrigger('Nightly', { schedule: events.Schedule.cron({ hour: '2', minute: '0' }) });
 */
export class StandardTrainingPipeline extends TrainingPipeline {
  /** The `InputData` parameter. */
  public readonly inputData: PipelineParameter;
  /** The `MetricThreshold` parameter. */
  public readonly metricThresholdParameter: PipelineParameter;
  /** Preprocessing. */
  public readonly preprocessStep: ProcessingStep;
  /** The data quality baseline of the training split. */
  public readonly dataQualityStep: QualityCheckStep;
  /** Training. */
  public readonly trainingStep: TrainingStep;
  /** Evaluation. */
  public readonly evaluationStep: ProcessingStep;
  /** The metric gate. */
  public readonly conditionStep: ConditionStep;
  /** Registration into the model package group. */
  public readonly registerStep: RegisterModelStep;
  /** The failure when the metric does not pass. */
  public readonly failStep: FailStep;
  /** The evaluation report. */
  public readonly evaluationReport: PropertyFile;

  constructor(scope: Construct, id: string, props: StandardTrainingPipelineProps) {
    const where = childPath(scope, id);
    checkStandardProps(where, props);
    const group = chooseModelPackageGroup(where, props, true);
    super(scope, id, props);

    this.inputData = PipelineParameter.string('InputData', { defaultValue: props.inputDataUri });
    this.metricThresholdParameter = PipelineParameter.float('MetricThreshold', { defaultValue: props.metricThreshold });
    const processingType = PipelineParameter.string('ProcessingInstanceType', { defaultValue: (props.processingInstanceType ?? InstanceType.ML_M5_XLARGE).name });
    const trainingType = PipelineParameter.string('TrainingInstanceType', { defaultValue: (props.trainingInstanceType ?? InstanceType.ML_M5_XLARGE).name });
    const skipCheck = PipelineParameter.boolean('SkipDataQualityCheck', { defaultValue: true });
    const registerBaseline = PipelineParameter.boolean('RegisterNewDataQualityBaseline', { defaultValue: true });
    this.addParameter(this.inputData, this.metricThresholdParameter, processingType, trainingType, skipCheck, registerBaseline);

    // Per execution, under the layout's prefixes of the group (the approval handler reads the reports there).
    const layout = resolveLayout(props);
    // Prefixes are keyed by the group's name (the definition names the group by its ARN, a reference).
    const groupName = group.group?.modelPackageGroupName ?? group.name!;
    const underPrefix = (prefix: string, ...parts: string[]) =>
      PipelineValue.join([`s3://${this.artifactBucket.bucketName}/${prefix}`, ExecutionVariable.PIPELINE_EXECUTION_ID, ...parts], '/').asString;
    const reportPrefix = layout.evaluationReportPrefix(groupName);
    this._addOwnOutput(reportPrefix, `the evaluation reports of model package group ${groupName}`);
    this._addOwnOutput(layout.modelPrefix(groupName), `the model artifacts of model package group ${groupName}`);
    this._addOwnOutput(layout.baselinePrefix(groupName), `the drift-check baselines of model package group ${groupName}`);

    const processingImage = props.processingImage ?? ContainerImage.scikitLearn();
    const trainingImage = props.trainingImage ?? ContainerImage.xgboost();
    // The props' images and scripts, or parameters that default to them (inputParameters).
    const inputs = standardInputs(this, where, props.inputParameters, { training: trainingImage, inference: props.inferenceImage ?? trainingImage },
      { preprocessing: props.preprocessingScript, evaluation: props.evaluationScript });
    this.addParameter(...inputs.parameters);

    this.preprocessStep = new ProcessingStep('Preprocess', {
      image: processingImage,
      instanceType: InstanceType.of(processingType.asString),
      code: inputs.preprocessing.code,
      entrypoint: inputs.preprocessing.entrypoint,
      inputs: [{ inputName: 'raw', source: this.inputData.asString, destination: '/opt/ml/processing/input' }, ...inputs.preprocessing.codeInputs],
      environment: props.environment,
      outputs: ['train', 'validation', 'test'].map((name) => ({ outputName: name, source: `/opt/ml/processing/${name}` })),
    });
    const trainUri = this.preprocessStep.properties.outputUri('train');

    this.dataQualityStep = new QualityCheckStep('DataQualityBaseline', {
      checkType: QualityCheckType.DATA_QUALITY,
      baselineDatasetUri: trainUri.asString,
      csvHeader: props.trainingDataHasHeader ?? false,
      modelPackageGroup: group.group,
      modelPackageGroupName: group.group ? undefined : groupName,
      // The first version of a model has no baseline to compare with: by default compute and register one;
      // run with SkipDataQualityCheck=false to fail on drift from the latest approved version's baseline.
      skipCheckParameter: skipCheck,
      registerNewBaselineParameter: registerBaseline,
      instanceType: InstanceType.of(processingType.asString),
      outputUri: underPrefix(layout.baselinePrefix(groupName)),
    });

    this.trainingStep = new TrainingStep('Train', {
      image: inputs.trainingImage,
      instanceType: InstanceType.of(trainingType.asString),
      hyperparameters: props.hyperparameters ?? { objective: 'reg:squarederror', num_round: '50' },
      environment: props.environment,
      inputs: [
        { channelName: 'train', s3Uri: trainUri.asString, contentType: 'text/csv' },
        { channelName: 'validation', s3Uri: this.preprocessStep.properties.outputUri('validation').asString, contentType: 'text/csv' },
      ],
      outputPath: underPrefix(layout.modelPrefix(groupName)),
    });
    const modelData = this.trainingStep.properties.modelArtifacts.s3ModelArtifacts;

    this.evaluationReport = new PropertyFile({ name: 'EvaluationReport', outputName: 'evaluation', path: 'evaluation.json' });
    this.evaluationStep = new ProcessingStep('Evaluate', {
      image: props.evaluationImage ?? inputs.trainingImage,
      instanceType: InstanceType.of(processingType.asString),
      code: inputs.evaluation.code,
      entrypoint: inputs.evaluation.entrypoint,
      environment: props.environment,
      inputs: [
        { inputName: 'model', source: modelData.asString, destination: '/opt/ml/processing/model' },
        { inputName: 'test', source: this.preprocessStep.properties.outputUri('test').asString, destination: '/opt/ml/processing/test' },
        ...inputs.evaluation.codeInputs,
      ],
      outputs: [{ outputName: 'evaluation', source: '/opt/ml/processing/evaluation', destination: underPrefix(reportPrefix) }],
      propertyFiles: [this.evaluationReport],
    });

    const q = this.dataQualityStep.properties;
    this.registerStep = new RegisterModelStep('Register', {
      modelPackageGroup: group.group,
      modelPackageGroupName: group.group ? undefined : groupName,
      image: inputs.inferenceImage,
      modelDataUrl: modelData.asString,
      approvalStatus: ModelApprovalStatus.PENDING_MANUAL_APPROVAL,
      modelMetrics: {
        // The report the evaluation step writes, at the place the group's approval handler reads (the
        // register step runs after the evaluation as a branch of the gate, which reads the report).
        modelQualityStatistics: { s3Uri: underPrefix(reportPrefix, 'evaluation.json') },
        dataQualityStatistics: { s3Uri: q.calculatedBaselineStatistics!.asString },
        dataQualityConstraints: { s3Uri: q.calculatedBaselineConstraints.asString },
      },
      driftCheckBaselines: {
        modelDataQualityStatistics: { s3Uri: q.baselineUsedForDriftCheckStatistics!.asString },
        modelDataQualityConstraints: { s3Uri: q.baselineUsedForDriftCheckConstraints.asString },
      },
    });

    const metric = this.evaluationReport.get(props.metricJsonPath, PipelineValueType.FLOAT);
    const comparison = props.metricComparison ?? MetricComparison.LESS_THAN_OR_EQUAL_TO;
    this.failStep = new FailStep('MetricBelowThreshold', {
      errorMessage: PipelineValue.join([
        `The model's ${props.metricJsonPath} did not pass the gate (${comparison})`, this.metricThresholdParameter,
      ], ' ').asString,
    });
    this.conditionStep = new ConditionStep('CheckMetric', {
      conditions: [GATES[comparison](metric, this.metricThresholdParameter)],
      ifSteps: [this.registerStep],
      elseSteps: [this.failStep],
    });
    this.addStep(this.preprocessStep, this.dataQualityStep, this.trainingStep, this.evaluationStep, this.conditionStep);
  }
}

/** Every required prop, checked before anything is built (JavaScript and Python users can omit any). */
function checkStandardProps(where: string, props: StandardTrainingPipelineProps): void {
  checkPropsGiven(where, props, 'the input data, the model package group, the scripts and the metric gate');
  check(props.definition === undefined, where, 'definition', 'a definition',
    'The standard pipeline builds its own definition; use TrainingPipeline for a custom one');
  check(typeof props.inputDataUri === 'string' && (Token.isUnresolved(props.inputDataUri) || props.inputDataUri.startsWith('s3://')),
    where, 'inputDataUri', props.inputDataUri, 'It must be an S3 URI (s3://bucket/prefix)');
  checkJobEnvironment(where, props.environment);
  checkInputParameters(where, props.inputParameters);
  for (const prop of ['preprocessingScript', 'evaluationScript'] as const) {
    check(props[prop] !== null && typeof props[prop] === 'object', where, prop, props[prop],
      'It is required: the script, as `{ s3Uri }` or `{ localFile }`');
  }
  check(typeof props.metricJsonPath === 'string' && props.metricJsonPath.length > 0, where, 'metricJsonPath', props.metricJsonPath,
    'It is required: the JSON path of the metric in evaluation.json, such as "regression_metrics.mse.value"');
  // The rule ModelRegistryApproval's thresholds follow too: one path, read by Std:JsonGet here and by the approval handler there.
  const pathProblem = Token.isUnresolved(props.metricJsonPath) ? undefined : metricPathProblem(props.metricJsonPath);
  check(pathProblem === undefined, where, 'metricJsonPath', props.metricJsonPath, pathProblem!);
  check(typeof props.metricThreshold === 'number' && Number.isFinite(props.metricThreshold), where, 'metricThreshold', props.metricThreshold,
    'It is required: a finite number');
  check(props.metricComparison === undefined || Object.values(MetricComparison).includes(props.metricComparison), where, 'metricComparison',
    props.metricComparison, `It must be one of ${Object.values(MetricComparison).join(', ')}`);
  for (const prop of ['trainingImage', 'processingImage', 'evaluationImage', 'inferenceImage'] as const) {
    check(props[prop] === undefined || props[prop] instanceof ContainerImage, where, prop, props[prop],
      'It must be a ContainerImage (ContainerImage.xgboost(), .fromEcrRepository(), .fromImageUri(), ...)');
  }
  checkInstanceTypeFor(where, 'processingInstanceType', props.processingInstanceType, 'processing');
  checkInstanceTypeFor(where, 'trainingInstanceType', props.trainingInstanceType, 'training');
}

/** SageMaker's rules for job environment variables (CreateTrainingJob: at most 48; keys and values by pattern and length). */
function checkJobEnvironment(where: string, environment: { [name: string]: string } | undefined): void {
  if (environment === undefined) { return; }
  check(environment !== null && typeof environment === 'object' && !Array.isArray(environment), where, 'environment', environment,
    'It must be an object of variable names to string values');
  const entries = Object.entries(environment);
  check(entries.length <= 48, where, 'environment', `${entries.length} variables`, 'SageMaker allows at most 48 environment variables per job');
  for (const [name, value] of entries) {
    check(/^[a-zA-Z_][a-zA-Z0-9_]{0,511}$/.test(name), where, `environment.${name}`, name,
      'A variable name is letters, digits and `_`, not starting with a digit, at most 512 characters');
    check(typeof value === 'string' && (Token.isUnresolved(value) || value.length <= 512), where, `environment.${name}`, value,
      'A value is a string of at most 512 characters');
  }
}
