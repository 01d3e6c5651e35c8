import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ContainerImage } from '../core/container-image';
import { InstanceType } from '../core/instance-type';
import { SAGEMAKER_NAME_PATTERN } from '../core/names';
import { check, childPath, propError } from '../private/errors';
import { QualityCheckStep, QualityCheckType } from './check-steps';
import { Condition } from './conditions';
import { ConditionStep, FailStep } from './control-steps';
import { ModelApprovalStatus } from '../core/model-approval-status';
import { RegisterModelStep } from './register-model-step';
import { ProcessingCode, ProcessingStep } from './processing-step';
import { TrainingPipeline, TrainingPipelineProps } from './training-pipeline';
import { TrainingStep } from './training-step';
import { PipelineParameter, PipelineValue, PipelineValueType, PropertyFile } from './values';

/** How the evaluation metric is compared with the threshold. */
export enum GateComparison {
  /** The model passes when the metric is at most the threshold (errors: MSE, RMSE). */
  LESS_THAN_OR_EQUAL_TO = 'LessThanOrEqualTo',
  /** The model passes when the metric is below the threshold. */
  LESS_THAN = 'LessThan',
  /** The model passes when the metric is at least the threshold (scores: AUC, accuracy). */
  GREATER_THAN_OR_EQUAL_TO = 'GreaterThanOrEqualTo',
  /** The model passes when the metric is above the threshold. */
  GREATER_THAN = 'GreaterThan',
}

/** Props of a {@link StandardTrainingPipeline}. */
export interface StandardTrainingPipelineProps extends TrainingPipelineProps {
  /** The S3 URI of the raw data (the default of the `InputData` parameter). */
  readonly inputDataUri: string;
  /** The model package group the pipeline registers into (it must exist, e.g. made by ModelRegistryApproval). */
  readonly modelPackageGroupName: string;
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
  /** The JSON path of the metric in evaluation.json, such as `regression_metrics.mse.value`. */
  readonly metricJsonPath: string;
  /** The threshold the metric is compared with (the default of the `MetricThreshold` parameter). */
  readonly metricThreshold: number;
  /**
   * How the metric is compared with the threshold.
   * @default GateComparison.LESS_THAN_OR_EQUAL_TO
   */
  readonly metricComparison?: GateComparison;
  /**
   * The training image.
   * @default ContainerImage.xgboost()
   */
  readonly trainingImage?: ContainerImage;
  /**
   * The image of the preprocessing and evaluation jobs.
   * @default ContainerImage.scikitLearn()
   */
  readonly processingImage?: ContainerImage;
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
}

/**
 * The standard pipeline: preprocess -> data quality baseline -> train -> evaluate -> metric gate
 * -> register (PendingManualApproval, with model metrics and drift-check baselines), else fail.
 *
 * Parameters: `InputData`, `MetricThreshold`, `ProcessingInstanceType`, `TrainingInstanceType`,
 * `SkipDataQualityCheck` and `RegisterNewDataQualityBaseline` (both true by default).
 * The registered model version carries the evaluation report (model quality), the data quality
 * statistics and constraints, and the data quality drift-check baselines that Model Monitor reads.
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
    if (props.definition) {
      throw propError(where, 'definition', 'a definition', 'The standard pipeline builds its own definition; use TrainingPipeline for a custom one');
    }
    check(typeof props.inputDataUri === 'string' && (Token.isUnresolved(props.inputDataUri) || props.inputDataUri.startsWith('s3://')),
      where, 'inputDataUri', props.inputDataUri, 'It must be an S3 URI (s3://bucket/prefix)');
    const group = props.modelPackageGroupName;
    check(Token.isUnresolved(group) || (group.length <= 63 && SAGEMAKER_NAME_PATTERN.test(group)), where, 'modelPackageGroupName', group,
      'A model package group name must be 1 to 63 letters, digits or dashes, starting and ending with a letter or digit');
    check(props.metricJsonPath.length > 0, where, 'metricJsonPath', props.metricJsonPath, 'It must not be empty');
    check(Number.isFinite(props.metricThreshold), where, 'metricThreshold', props.metricThreshold, 'It must be a finite number');
    super(scope, id, props);

    this.inputData = PipelineParameter.string('InputData', { defaultValue: props.inputDataUri });
    this.metricThresholdParameter = PipelineParameter.float('MetricThreshold', { defaultValue: props.metricThreshold });
    const processingType = PipelineParameter.string('ProcessingInstanceType', { defaultValue: (props.processingInstanceType ?? InstanceType.ML_M5_XLARGE).name });
    const trainingType = PipelineParameter.string('TrainingInstanceType', { defaultValue: (props.trainingInstanceType ?? InstanceType.ML_M5_XLARGE).name });
    const skipCheck = PipelineParameter.boolean('SkipDataQualityCheck', { defaultValue: true });
    const registerBaseline = PipelineParameter.boolean('RegisterNewDataQualityBaseline', { defaultValue: true });
    this.addParameter(this.inputData, this.metricThresholdParameter, processingType, trainingType, skipCheck, registerBaseline);

    const processingImage = props.processingImage ?? ContainerImage.scikitLearn();
    const trainingImage = props.trainingImage ?? ContainerImage.xgboost();

    this.preprocessStep = new ProcessingStep('Preprocess', {
      image: processingImage,
      instanceType: InstanceType.of(processingType.asString),
      code: props.preprocessingScript,
      inputs: [{ inputName: 'raw', source: this.inputData.asString, destination: '/opt/ml/processing/input' }],
      outputs: ['train', 'validation', 'test'].map((name) => ({ outputName: name, source: `/opt/ml/processing/${name}` })),
    });
    const trainUri = this.preprocessStep.properties.outputUri('train');

    this.dataQualityStep = new QualityCheckStep('DataQualityBaseline', {
      checkType: QualityCheckType.DATA_QUALITY,
      baselineDatasetUri: trainUri.asString,
      csvHeader: props.trainingDataHasHeader ?? false,
      modelPackageGroupName: group,
      // The first version of a model has no baseline to compare with: by default compute and register one;
      // run with SkipDataQualityCheck=false to fail on drift from the latest approved version's baseline.
      skipCheckParameter: skipCheck,
      registerNewBaselineParameter: registerBaseline,
      instanceType: InstanceType.of(processingType.asString),
    });

    this.trainingStep = new TrainingStep('Train', {
      image: trainingImage,
      instanceType: InstanceType.of(trainingType.asString),
      hyperparameters: props.hyperparameters ?? { objective: 'reg:squarederror', num_round: '50' },
      inputs: [
        { channelName: 'train', s3Uri: trainUri.asString, contentType: 'text/csv' },
        { channelName: 'validation', s3Uri: this.preprocessStep.properties.outputUri('validation').asString, contentType: 'text/csv' },
      ],
    });
    const modelData = this.trainingStep.properties.modelArtifacts.s3ModelArtifacts;

    this.evaluationReport = new PropertyFile({ name: 'EvaluationReport', outputName: 'evaluation', path: 'evaluation.json' });
    this.evaluationStep = new ProcessingStep('Evaluate', {
      image: processingImage,
      instanceType: InstanceType.of(processingType.asString),
      code: props.evaluationScript,
      inputs: [
        { inputName: 'model', source: modelData.asString, destination: '/opt/ml/processing/model' },
        { inputName: 'test', source: this.preprocessStep.properties.outputUri('test').asString, destination: '/opt/ml/processing/test' },
      ],
      outputs: [{ outputName: 'evaluation', source: '/opt/ml/processing/evaluation' }],
      propertyFiles: [this.evaluationReport],
    });

    const q = this.dataQualityStep.properties;
    this.registerStep = new RegisterModelStep('Register', {
      modelPackageGroupName: group,
      image: props.inferenceImage ?? trainingImage,
      modelDataUrl: modelData.asString,
      approvalStatus: ModelApprovalStatus.PENDING_MANUAL_APPROVAL,
      modelMetrics: {
        modelQualityStatistics: {
          s3Uri: PipelineValue.join([this.evaluationStep.properties.outputUri('evaluation'), 'evaluation.json'], '/').asString,
        },
        dataQualityStatistics: { s3Uri: q.calculatedBaselineStatistics!.asString },
        dataQualityConstraints: { s3Uri: q.calculatedBaselineConstraints.asString },
      },
      driftCheckBaselines: {
        modelDataQualityStatistics: { s3Uri: q.baselineUsedForDriftCheckStatistics!.asString },
        modelDataQualityConstraints: { s3Uri: q.baselineUsedForDriftCheckConstraints.asString },
      },
    });

    const metric = this.evaluationReport.get(props.metricJsonPath, PipelineValueType.FLOAT);
    const comparison = props.metricComparison ?? GateComparison.LESS_THAN_OR_EQUAL_TO;
    const condition = {
      [GateComparison.LESS_THAN_OR_EQUAL_TO]: Condition.lessThanOrEqualTo,
      [GateComparison.LESS_THAN]: Condition.lessThan,
      [GateComparison.GREATER_THAN_OR_EQUAL_TO]: Condition.greaterThanOrEqualTo,
      [GateComparison.GREATER_THAN]: Condition.greaterThan,
    }[comparison](metric, this.metricThresholdParameter);

    this.failStep = new FailStep('MetricBelowThreshold', {
      errorMessage: PipelineValue.join([
        `The model's ${props.metricJsonPath} did not pass the gate (${comparison})`, this.metricThresholdParameter,
      ], ' ').asString,
    });
    this.conditionStep = new ConditionStep('CheckMetric', {
      conditions: [condition],
      ifSteps: [this.registerStep],
      elseSteps: [this.failStep],
    });
    this.addStep(this.preprocessStep, this.dataQualityStep, this.trainingStep, this.evaluationStep, this.conditionStep);
  }
}
