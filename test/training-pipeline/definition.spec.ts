import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  Condition, ConditionStep, ExecutionVariable, FailStep, ModelStep, PipelineDefinition,
  PipelineParameter, PipelineValue, ProcessingStep, PropertyFile, RegisterModelStep, Step, StepType, TrainingStep,
} from '../../lib/training-pipeline';
import { ContainerImage, InstanceType, ModelApprovalStatus } from '../../lib/core';
import type { StepRenderContext } from '../../lib/training-pipeline/private/render-context';
import { loadDefinition, structuralDifferences } from './structural';

/** The SDK unit tests use training steps with empty arguments as stubs. */
class StubStep extends Step {
  constructor(name: string) {
    super(name, StepType.TRAINING);
  }
  public _renderArguments(_context: StepRenderContext): any {
    return {};
  }
}

const ROLE_ARN = 'arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-20211103T140925';
const BUCKET = 's3://sagemaker-eu-west-1-111122223333';

function abalone(stack: Stack): PipelineDefinition {
  const role = iam.Role.fromRoleArn(stack, 'Role', ROLE_ARN, { mutable: false });
  const processingImage = ContainerImage.fromImageUri('111122223333.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-r-processing:1.0');
  const trainImage = ContainerImage.fromImageUri('111122223333.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-r-train-and-deploy:1.0');
  const inputData = PipelineParameter.string('InputData', { defaultValue: `${BUCKET}/pipeline-example/data/abalone_data.csv` });

  const processing = new ProcessingStep('ProcessingStep', {
    image: processingImage,
    role,
    instanceType: InstanceType.ML_M5_LARGE,
    code: { s3Uri: `${BUCKET}/ProcessingStep-1/input/code/preprocessing.R`, command: ['Rscript'] },
    inputs: [{ inputName: 'input-1', source: inputData.asString, destination: '/opt/ml/processing/input' }],
    outputs: ['train', 'test', 'valid'].map((n) => ({
      outputName: `abalone_${n}`,
      source: `/opt/ml/processing/output/${n}`,
      destination: `${BUCKET}/pipeline-example/processing_output`,
    })),
  });

  const training = new TrainingStep('TrainingStep', {
    image: trainImage,
    role,
    metricDefinitions: [{ name: 'rmse-validation', regex: 'Calculated validation RMSE: ([0-9.]+);.*$' }],
    outputPath: `${BUCKET}/pipeline-example/training_output`,
    inputs: [{ channelName: 'training', s3Uri: processing.properties.outputUri('abalone_train').asString, contentType: 'text/csv' }],
    hyperparameters: {
      sagemaker_submit_directory: `"${BUCKET}/sagemaker-r-train-and-deploy-2022-04-13-12-48-20-557/source/sourcedir.tar.gz"`,
      sagemaker_program: '"train.R"',
      sagemaker_container_log_level: '20',
      sagemaker_job_name: '"sagemaker-r-train-and-deploy-2022-04-13-12-48-20-557"',
      sagemaker_region: '"eu-west-1"',
    },
  });
  training.addArgumentOverride('ProfilerRuleConfigurations', [{
    RuleConfigurationName: 'ProfilerReport-1649854100',
    RuleEvaluatorImage: '929884845733.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-debugger-rules:latest',
    RuleParameters: { rule_to_invoke: 'ProfilerReport' },
  }]);
  training.addArgumentOverride('ProfilerConfig.S3OutputPath', `${BUCKET}/pipeline-example/training_output`);

  const report = new PropertyFile({ name: 'EvaluationReport', outputName: 'evaluation', path: 'evaluation.json' });
  const evaluation = new ProcessingStep('EvaluateModel', {
    image: processingImage,
    role,
    instanceType: InstanceType.ML_M5_LARGE,
    code: { s3Uri: `${BUCKET}/EvaluateModel-2/input/code/evaluation.R`, command: ['Rscript'] },
    inputs: [
      { inputName: 'input-1', source: training.properties.modelArtifacts.s3ModelArtifacts.asString, destination: '/opt/ml/processing/model' },
      { inputName: 'input-2', source: processing.properties.outputUri('abalone_test').asString, destination: '/opt/ml/processing/test' },
    ],
    outputs: [{ outputName: 'evaluation', source: '/opt/ml/processing/evaluation', destination: `${BUCKET}/EvaluateModel-2/output/evaluation` }],
    propertyFiles: [report],
  });

  const register = new RegisterModelStep('RegisterModelStep', {
    modelPackageGroupName: 'AbaloneRModelPackageGroup',
    image: trainImage,
    modelDataUrl: training.properties.modelArtifacts.s3ModelArtifacts.asString,
    modelMetrics: { modelQualityStatistics: { s3Uri: `${BUCKET}/EvaluateModel-2/output/evaluation/evaluation.json` } },
    contentTypes: ['application/json'],
    responseTypes: ['application/json'],
    inferenceInstanceTypes: [InstanceType.ML_T2_MEDIUM, InstanceType.ML_M5_XLARGE],
    transformInstanceTypes: [InstanceType.ML_M5_XLARGE],
    approvalStatus: ModelApprovalStatus.APPROVED,
    // The SDK example registers as Approved: an explicit opt-in here.
    allowSelfApproval: true,
  });

  const gate = new ConditionStep('rmseConditional', {
    conditions: [Condition.lessThanOrEqualTo(report.get('regression_metrics.rmse.value'), 6.0)],
    ifSteps: [register],
    elseSteps: [],
  });

  return new PipelineDefinition({ parameters: [inputData], steps: [processing, training, evaluation, gate] });
}

describe('rendering compared with SDK-produced definitions', () => {
  test('rebuilds the abalone workshop pipeline (Processing, Training, PropertyFiles, JsonGet, Condition, RegisterModel)', () => {
    const stack = new Stack();
    const rendered = stack.resolve(abalone(stack).render(stack));
    const expected = loadDefinition('abalone-r-rstudio-workshop');
    expect(structuralDifferences(rendered, expected)).toEqual([]);
    // The comparison really looks at references: the training input is the processing output.
    expect(rendered.Steps[1].Arguments.InputDataConfig[0].DataSource.S3DataSource.S3Uri).toEqual({
      Get: "Steps.ProcessingStep.ProcessingOutputConfig.Outputs['abalone_train'].S3Output.S3Uri",
    });
    expect(rendered.Steps[3].Arguments.Conditions[0].LeftValue).toEqual({
      'Std:JsonGet': { PropertyFile: { Get: 'Steps.EvaluateModel.PropertyFiles.EvaluationReport' }, Path: 'regression_metrics.rmse.value' },
    });
  });

  test('the structural comparison catches a changed reference, key or type', () => {
    const stack = new Stack();
    const rendered = stack.resolve(abalone(stack).render(stack));
    const expected = loadDefinition('abalone-r-rstudio-workshop');
    const broken = JSON.parse(JSON.stringify(rendered));
    broken.Steps[2].Arguments.ProcessingInputs[0].S3Input.S3Uri = { Get: 'Steps.TrainingStep.TrainingJobName' };
    broken.Steps[0].Arguments.ProcessingResources.ClusterConfig.InstanceCount = '1';
    delete broken.Steps[2].PropertyFiles;
    expect(structuralDifferences(broken, expected).sort()).toEqual([
      '$.Steps[0].Arguments.ProcessingResources.ClusterConfig.InstanceCount: expected 1, got "1"',
      '$.Steps[2].Arguments.ProcessingInputs[0].S3Input.S3Uri.Get: expected "Steps.TrainingStep.ModelArtifacts.S3ModelArtifacts", got "Steps.TrainingStep.TrainingJobName"',
      '$.Steps[2].PropertyFiles: missing',
    ]);
  });

  test('renders every condition type exactly as the SDK unit test expects', () => {
    const stack = new Stack();
    const int1 = PipelineParameter.integer('MyInt1');
    const int2 = PipelineParameter.integer('MyInt2');
    const str = PipelineParameter.string('MyStr');
    const step0 = new StubStep('MyStep0');
    const start = ExecutionVariable.START_DATE_TIME;
    const inAbcDef = Condition.isIn(str, ['abc', 'def']);
    const cond = new ConditionStep('MyConditionStep', {
      conditions: [
        Condition.equalTo(int1, int2),
        Condition.greaterThan(start, '2020-12-01'),
        Condition.greaterThanOrEqualTo(start, str),
        Condition.lessThan(start, '2020-12-01'),
        Condition.lessThanOrEqualTo(start, str.asString),
        inAbcDef,
        Condition.isIn(str, ['abc', step0.property('TrainingJobName'), start]),
        Condition.not(Condition.equalTo(int1, int2)),
        Condition.not(inAbcDef),
        Condition.or(Condition.greaterThan(start, '2020-12-01'), inAbcDef),
      ],
      ifSteps: [new StubStep('MyStep1')],
      elseSteps: [new StubStep('MyStep2')],
    });
    const def = new PipelineDefinition({ parameters: [int1, int2, str], steps: [cond, step0] });
    expect(stack.resolve(def.render(stack))).toEqual(loadDefinition('sdk-unittest-condition-types'));
  });

  test('renders a fail step whose message joins the condition outcome, as the SDK does', () => {
    const stack = new Stack();
    const myInt = PipelineParameter.integer('MyInt');
    const cond = new ConditionStep('CondStep', { conditions: [Condition.equalTo(myInt, 1)] });
    const fail = new FailStep('FailStep', {
      errorMessage: PipelineValue.join(['Failed due to xxx == yyy returns', cond.outcome], ': ').asString,
    });
    const def = new PipelineDefinition({ parameters: [myInt], steps: [cond, fail] });
    expect(stack.resolve(def.render(stack)).Steps).toEqual(loadDefinition('sdk-unittest-fail-step-join.steps-fragment'));
  });

  test('renders the ACK processing step with an integer parameter as instance count', () => {
    const stack = new Stack();
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::111122223333:role/SageMakerExecutionRole', { mutable: false });
    const instanceType = PipelineParameter.string('ProcessingInstanceType', { defaultValue: 'ml.m5.xlarge' });
    const count = PipelineParameter.integer('ProcessingInstanceCount', { defaultValue: 1 });
    const input = PipelineParameter.string('InputData', { defaultValue: 's3://example-bucket/sagemaker/processing/algorithms/kmeans/mnist/mnist.pkl.gz' });
    const bucket = 's3://example-bucket/sagemaker/processing';
    const step = new ProcessingStep('PreprocessData', {
      image: ContainerImage.fromImageUri('763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:1.5.0-cpu-py36-ubuntu16.04'),
      role,
      instanceType: InstanceType.ML_M5_LARGE,
      instanceCount: count.asNumber,
      volumeSize: undefined,
      code: { s3Uri: `${bucket}/kmeans_preprocessing.py`, command: ['python'] },
      inputs: [{ inputName: 'input-1', source: input.asString, destination: '/opt/ml/processing/input' }],
      outputs: [
        { outputName: 'valid', source: '/opt/ml/processing/output_valid', destination: `${bucket}/` },
        { outputName: 'train', source: '/opt/ml/processing/output_train', destination: `${bucket}/output` },
        { outputName: 'test', source: '/opt/ml/processing/output_test', destination: `${bucket}/output` },
      ],
    });
    // The ACK sample keeps the script under /opt/ml/processing/code and a 20 GB volume.
    step.addArgumentOverride('ProcessingResources.ClusterConfig.VolumeSizeInGB', 20);
    step.addArgumentOverride('AppSpecification.ContainerEntrypoint', ['python', '/opt/ml/processing/code/kmeans_preprocessing.py']);
    step.addArgumentOverride('ProcessingInputs', [
      { InputName: 'input-1', AppManaged: false, S3Input: { S3Uri: input, LocalPath: '/opt/ml/processing/input', S3DataType: 'S3Prefix', S3InputMode: 'File', S3DataDistributionType: 'FullyReplicated', S3CompressionType: 'None' } },
      { InputName: 'code', AppManaged: false, S3Input: { S3Uri: `${bucket}/kmeans_preprocessing.py`, LocalPath: '/opt/ml/processing/code', S3DataType: 'S3Prefix', S3InputMode: 'File', S3DataDistributionType: 'FullyReplicated', S3CompressionType: 'None' } },
    ]);
    const def = new PipelineDefinition({ parameters: [instanceType, count, input], steps: [step] });
    const rendered = stack.resolve(def.render(stack));
    expect(structuralDifferences(rendered, loadDefinition('ack-processing-step'))).toEqual([]);
    expect(rendered.Steps[0].Arguments.ProcessingResources.ClusterConfig.InstanceCount).toEqual({ Get: 'Parameters.ProcessingInstanceCount' });
  });

  test('renders the ACK CreateModel step', () => {
    const stack = new Stack();
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::111122223333:role/SageMakerExecutionRole', { mutable: false });
    const step = new ModelStep('MyModelCreationStep-CreateModel', {
      image: ContainerImage.fromImageUri('433757028032.dkr.ecr.us-west-2.amazonaws.com/xgboost:latest'),
      role,
      modelDataUrl: 's3://example-bucket/sagemaker/model/xgboost-mnist-model.tar.gz',
    });
    const rendered = stack.resolve(new PipelineDefinition({ steps: [step] }).render(stack));
    expect(structuralDifferences(rendered, loadDefinition('ack-modelstep-createmodel'))).toEqual([]);
  });
});
