import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  CallbackStep, ClarifyCheckStep, ClarifyCheckType, ExecutionVariable, LambdaStep, ModelStep,
  PipelineDefinition, PipelineParameter, PipelineValueType, ProcessingStep, QualityCheckStep, QualityCheckType, RetryExceptionType, ScalingType, TrainingPipeline,
  TrainingStep, TransformStep, TuningObjectiveType, TuningStep,
} from '../../lib/training-pipeline';
import { ContainerImage } from '../../lib/core';
import { bodyOf, statementsOf } from './structural';

const IMAGE = ContainerImage.fromImageUri('111122223333.dkr.ecr.us-east-1.amazonaws.com/algo:1');

function render(stack: Stack, def: PipelineDefinition): any {
  const role = iam.Role.fromRoleArn(stack, 'JobRole', 'arn:aws:iam::111122223333:role/job', { mutable: false });
  const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'artifacts');
  return stack.resolve(def.render(stack, { defaultRole: role, defaultBucket: bucket, outputPrefix: 'p/' }));
}

describe('step rendering', () => {
  test('a tuning step renders the tuning job config and its best training job property', () => {
    const stack = new Stack();
    const tune = new TuningStep('Tune', {
      image: IMAGE,
      objectiveMetricName: 'validation:rmse',
      objectiveType: TuningObjectiveType.MINIMIZE,
      continuousRanges: [{ name: 'eta', minValue: 0.1, maxValue: 0.5, scalingType: ScalingType.LOGARITHMIC }],
      integerRanges: [{ name: 'max_depth', minValue: 3, maxValue: 9 }],
      categoricalRanges: [{ name: 'booster', values: ['gbtree', 'dart'] }],
      maxJobs: 6,
      maxParallelJobs: 3,
      hyperparameters: { objective: 'reg:squarederror' },
      outputPath: 's3://artifacts/tuning',
    });
    const model = new ModelStep('CreateModel', { image: IMAGE, modelDataUrl: tune.topModelUri(0, 's3://artifacts/tuning').asString });
    const out = render(stack, new PipelineDefinition({ steps: [tune, model] }));
    expect(out.Steps[0].Arguments.HyperParameterTuningJobConfig).toEqual({
      Strategy: 'Bayesian',
      ResourceLimits: { MaxNumberOfTrainingJobs: 6, MaxParallelTrainingJobs: 3 },
      TrainingJobEarlyStoppingType: 'Off',
      HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'validation:rmse' },
      ParameterRanges: {
        ContinuousParameterRanges: [{ Name: 'eta', MinValue: '0.1', MaxValue: '0.5', ScalingType: 'Logarithmic' }],
        IntegerParameterRanges: [{ Name: 'max_depth', MinValue: '3', MaxValue: '9', ScalingType: 'Auto' }],
        CategoricalParameterRanges: [{ Name: 'booster', Values: ['gbtree', 'dart'] }],
      },
    });
    expect(out.Steps[0].Arguments.TrainingJobDefinition.StaticHyperParameters).toEqual({ objective: 'reg:squarederror' });
    expect(out.Steps[0].Arguments.TrainingJobDefinition.HyperParameters).toBeUndefined();
    expect(out.Steps[1].Arguments.PrimaryContainer.ModelDataUrl).toEqual({
      'Std:Join': { On: '/', Values: ['s3://artifacts/tuning', { Get: 'Steps.Tune.TrainingJobSummaries[0].TrainingJobName' }, 'output/model.tar.gz'] },
    });
    expect(tune.bestTrainingJobName.describe()).toBe('Steps.Tune.BestTrainingJob.TrainingJobName');
  });

  test('a transform step uses the model step\'s name and exposes its output path', () => {
    const stack = new Stack();
    const model = new ModelStep('CreateModel', { image: IMAGE, modelDataUrl: 's3://artifacts/model.tar.gz' });
    const transform = new TransformStep('Transform', { modelName: model.modelName.asString, inputUri: 's3://artifacts/batch/', instanceCount: 2 });
    const out = render(stack, new PipelineDefinition({ steps: [model, transform] }));
    expect(out.Steps[1]).toEqual({
      Name: 'Transform', Type: 'Transform',
      Arguments: {
        ModelName: { Get: 'Steps.CreateModel.ModelName' },
        TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://artifacts/batch/' } }, ContentType: 'text/csv', SplitType: 'Line' },
        TransformOutput: {
          S3OutputPath: { 'Std:Join': { On: '/', Values: ['s3://artifacts/p', { Get: 'Execution.PipelineExecutionId' }, 'Transform', 'transform'] } },
          AssembleWith: 'Line',
        },
        TransformResources: { InstanceCount: 2, InstanceType: 'ml.m5.large' },
      },
    });
    expect(transform.outputPath.describe()).toBe('Steps.Transform.TransformOutput.S3OutputPath');
  });

  test('Lambda and callback steps render their function, queue and typed output parameters', () => {
    const stack = new Stack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:us-east-1:111122223333:function:check');
    const queue = sqs.Queue.fromQueueArn(stack, 'Queue', 'arn:aws:sqs:us-east-1:111122223333:approvals');
    const run = PipelineParameter.string('RunId', { defaultValue: 'r1' });
    const call = new LambdaStep('Check', {
      lambdaFunction: fn,
      inputs: { run: run.asString, path: `s3://bucket/${ExecutionVariable.PIPELINE_EXECUTION_ID}/x` },
      outputs: [{ name: 'ok', type: PipelineValueType.BOOLEAN }, { name: 'note' }],
      cache: { expireAfter: Duration.hours(1) },
    });
    const wait = new CallbackStep('WaitApproval', { queue, inputs: { ok: call.output('ok').asString }, outputs: [{ name: 'by' }] });
    const out = render(stack, new PipelineDefinition({ parameters: [run], steps: [call, wait] }));
    expect(out.Steps[0]).toEqual({
      Name: 'Check', Type: 'Lambda',
      Arguments: {
        run: { Get: 'Parameters.RunId' },
        path: { 'Std:Join': { On: '', Values: ['s3://bucket/', { Get: 'Execution.PipelineExecutionId' }, '/x'] } },
      },
      FunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:check',
      OutputParameters: [{ OutputName: 'ok', OutputType: 'Boolean' }, { OutputName: 'note', OutputType: 'String' }],
      CacheConfig: { Enabled: true, ExpireAfter: 'PT1H' },
    });
    expect(out.Steps[1]).toMatchObject({
      Type: 'Callback',
      Arguments: { ok: { Get: "Steps.Check.OutputParameters['ok']" } },
      SqsQueueUrl: expect.anything(),
      OutputParameters: [{ OutputName: 'by', OutputType: 'String' }],
    });
    expect(() => call.output('missing')).toThrow(/The step declares no such output; its outputs are: ok, note/);
  });

  test('quality and Clarify check steps render their check flags, inputs and properties', () => {
    const stack = new Stack();
    const quality = new QualityCheckStep('ModelQuality', {
      checkType: QualityCheckType.MODEL_QUALITY,
      baselineDatasetUri: 's3://artifacts/predictions/',
      image: IMAGE,
      problemType: 'BinaryClassification',
      inferenceAttribute: 'prediction',
      groundTruthAttribute: 'label',
      modelPackageGroupName: 'churn',
      suppliedBaselineConstraints: 's3://artifacts/constraints.json',
    });
    const clarify = new ClarifyCheckStep('Bias', {
      checkType: ClarifyCheckType.DATA_BIAS,
      image: IMAGE,
      analysisConfigUri: 's3://artifacts/analysis_config.json',
      datasetUri: 's3://artifacts/train/',
      skipCheck: true,
      registerNewBaseline: true,
    });
    const out = render(stack, new PipelineDefinition({ steps: [quality, clarify] }));
    expect(out.Steps[0]).toMatchObject({
      Type: 'QualityCheck', CheckType: 'MODEL_QUALITY', ModelPackageGroupName: 'churn', SkipCheck: false, FailOnViolation: true,
      RegisterNewBaseline: false, SuppliedBaselineConstraints: 's3://artifacts/constraints.json',
    });
    expect(out.Steps[0].Arguments.Environment).toMatchObject({
      analysis_type: 'MODEL_QUALITY', problem_type: 'BinaryClassification', inference_attribute: 'prediction', ground_truth_attribute: 'label',
    });
    expect(out.Steps[1]).toMatchObject({ Type: 'ClarifyCheck', CheckType: 'DATA_BIAS', SkipCheck: true, RegisterNewBaseline: true });
    expect(out.Steps[1].Arguments.ProcessingInputs.map((i: any) => i.InputName)).toEqual(['analysis_config', 'dataset']);
    expect(quality.properties.calculatedBaselineStatistics!.describe()).toBe('Steps.ModelQuality.CalculatedBaselineStatistics');
    expect(clarify.properties.calculatedBaselineStatistics).toBeUndefined();
    expect(clarify.properties.baselineUsedForDriftCheckConstraints.describe()).toBe('Steps.Bias.BaselineUsedForDriftCheckConstraints');
  });

  test('retry policies, caching, dependencies, display names and descriptions render as the SDK does', () => {
    const stack = new Stack();
    const first = new TrainingStep('First', { image: IMAGE, outputPath: 's3://artifacts/first' });
    const second = new TrainingStep('Second', {
      image: IMAGE,
      outputPath: 's3://artifacts/second',
      displayName: 'Second training',
      description: 'Trains again',
      dependsOn: [first],
      cache: {},
      retryPolicies: [
        { exceptionTypes: [RetryExceptionType.SERVICE_FAULT, RetryExceptionType.THROTTLING], interval: Duration.seconds(10), backoffRate: 1.5, maxAttempts: 5 },
        { exceptionTypes: [RetryExceptionType.CAPACITY_ERROR], expireAfter: Duration.minutes(120) },
      ],
    });
    const out = render(stack, new PipelineDefinition({ steps: [first, second], experimentConfig: false }));
    expect(out.PipelineExperimentConfig).toBeUndefined();
    expect(out.Steps[1]).toMatchObject({
      DependsOn: ['First'],
      DisplayName: 'Second training',
      Description: 'Trains again',
      CacheConfig: { Enabled: true },
      RetryPolicies: [
        { BackoffRate: 1.5, IntervalSeconds: 10, MaxAttempts: 5, ExceptionType: ['Step.SERVICE_FAULT', 'Step.THROTTLING'] },
        { BackoffRate: 2, IntervalSeconds: 1, ExpireAfterMin: 120, ExceptionType: ['SageMaker.CAPACITY_ERROR'] },
      ],
    });
    expect(out.Steps[0].DependsOn).toBeUndefined();
  });

  test('parameters render with types, defaults and enum values', () => {
    const stack = new Stack();
    const params = [
      PipelineParameter.string('Mode', { defaultValue: 'fast', enumValues: ['fast', 'full'] }),
      PipelineParameter.integer('Count', { defaultValue: 2 }),
      PipelineParameter.float('Rate', { defaultValue: 0.5 }),
      PipelineParameter.boolean('Flag', { defaultValue: false }),
    ];
    const step = new TrainingStep('Train', { image: IMAGE, outputPath: 's3://a/b', instanceCount: params[1].asNumber, hyperparameters: { mode: params[0].asString } });
    const out = render(stack, new PipelineDefinition({ parameters: params, steps: [step] }));
    expect(out.Parameters).toEqual([
      { Name: 'Mode', Type: 'String', DefaultValue: 'fast', EnumValues: ['fast', 'full'] },
      { Name: 'Count', Type: 'Integer', DefaultValue: 2 },
      { Name: 'Rate', Type: 'Float', DefaultValue: 0.5 },
      { Name: 'Flag', Type: 'Boolean', DefaultValue: false },
    ]);
    expect(out.Steps[0].Arguments.ResourceConfig.InstanceCount).toEqual({ Get: 'Parameters.Count' });
    expect(out.Steps[0].Arguments.HyperParameters.mode).toEqual({ Get: 'Parameters.Mode' });
  });

  test('a step key given explicitly wins over the pipeline key', () => {
    const stack = new Stack();
    const key = kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:us-east-1:111122223333:key/abcd');
    const out = render(stack, new PipelineDefinition({ steps: [new TrainingStep('T', { image: IMAGE, outputPath: 's3://a/b', encryptionKey: key })] }));
    expect(out.Steps[0].Arguments.OutputDataConfig.KmsKeyId).toBe('arn:aws:kms:us-east-1:111122223333:key/abcd');
    expect(out.Steps[0].Arguments.ResourceConfig.VolumeKmsKeyId).toBe('arn:aws:kms:us-east-1:111122223333:key/abcd');
  });
});

describe('execution role statements for the other step types', () => {
  test('Lambda, callback, tuning and transform steps add exactly their permissions', () => {
    const stack = new Stack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:us-east-1:111122223333:function:check');
    const queue = sqs.Queue.fromQueueArn(stack, 'Queue', 'arn:aws:sqs:us-east-1:111122223333:approvals');
    const pipeline = new TrainingPipeline(stack, 'P', { pipelineName: 'others' });
    const tune = new TuningStep('Tune', { image: IMAGE, objectiveMetricName: 'auc', continuousRanges: [{ name: 'eta', minValue: 0, maxValue: 1 }] });
    const model = new ModelStep('Model', { image: IMAGE, modelDataUrl: 's3://artifacts/model.tar.gz' });
    pipeline.addStep(tune, model, new TransformStep('Batch', { modelName: model.modelName.asString, inputUri: 's3://artifacts/batch/' }),
      new LambdaStep('Check', { lambdaFunction: fn }), new CallbackStep('Wait', { queue }));
    const statements = statementsOf(Template.fromStack(stack), 'PExecutionRole');
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining([
      'sagemaker:CreateHyperParameterTuningJob', 'sagemaker:CreateModel', 'sagemaker:CreateTransformJob', 'lambda:InvokeFunction', 'sqs:SendMessage',
    ]));
    expect(actions).not.toContain('sagemaker:CreateProcessingJob');
    expect(statements.find((s) => s.Action === 'lambda:InvokeFunction').Resource).toBe('arn:aws:lambda:us-east-1:111122223333:function:check');
    expect(statements.find((s) => s.Action === 'sqs:SendMessage').Resource).toBe('arn:aws:sqs:us-east-1:111122223333:approvals');
  });
});

describe('processing code from a local file', () => {
  test('is uploaded as an asset that the job reads, and named in the entrypoint', () => {
    const stack = new Stack();
    const pipeline = new TrainingPipeline(stack, 'P', { pipelineName: 'local-code' });
    pipeline.addStep(new ProcessingStep('Prep', {
      image: IMAGE,
      code: { localFile: path.join(__dirname, 'scripts', 'preprocess.py'), command: ['python3', '-u'] },
    }));
    const template = Template.fromStack(stack);
    const body = bodyOf(template);
    const entry = body.Steps[0].Arguments.AppSpecification.ContainerEntrypoint;
    expect(entry.slice(0, 2)).toEqual(['python3', '-u']);
    expect(entry[2]).toMatch(/^\/opt\/ml\/processing\/input\/code\/[0-9a-f]{64}\.py$/);
    const input = body.Steps[0].Arguments.ProcessingInputs[0];
    expect(input.InputName).toBe('code');
    expect(input.S3Input.S3Uri).toMatch(/^s3:\/\/cdk-[a-z0-9]+-assets-.*\/[0-9a-f]{64}\.py$/);
    const read = statementsOf(template, 'PJobRole').find((s) => s.Action === 's3:GetObject');
    expect(JSON.stringify(read.Resource)).toMatch(/cdk-[a-z0-9]+-assets-.*[0-9a-f]{64}\.py\*/);
  });

  test('a missing file or both sources are refused at once', () => {
    expect(() => new ProcessingStep('Prep', { image: IMAGE, code: { localFile: '/does/not/exist.py' } }))
      .toThrow(/\[step Prep\] Invalid prop `code.localFile`: received "\/does\/not\/exist.py"\. It must be an existing file/);
    expect(() => new ProcessingStep('Prep', { image: IMAGE, code: { localFile: 'a.py', s3Uri: 's3://b/a.py' } }))
      .toThrow(/Give exactly one of `s3Uri` and `localFile`/);
  });
});

describe('images and mixed tokens', () => {
  test('an ECR repository image is pulled by the job role from that repository only', () => {
    const stack = new Stack();
    const repo = ecr.Repository.fromRepositoryName(stack, 'Repo', 'my-training');
    const pipeline = new TrainingPipeline(stack, 'P', { pipelineName: 'ecr' });
    pipeline.addStep(new TrainingStep('Train', { image: ContainerImage.fromEcrRepository(repo, 'v3') }));
    const template = Template.fromStack(stack);
    expect(bodyOf(template).Steps[0].Arguments.AlgorithmSpecification.TrainingImage)
      .toBe('<AWS::AccountId>.dkr.ecr.<AWS::Region>.<AWS::URLSuffix>/my-training:v3');
    const pull = statementsOf(template, 'PJobRole').find((s) => [s.Action].flat().includes('ecr:BatchGetImage'));
    expect(JSON.stringify(pull.Resource)).toContain(':repository/my-training');
  });

  test('built-in images in China regions use the amazonaws.com.cn domain', () => {
    const stack = new Stack(undefined, 'Cn', { env: { region: 'cn-north-1' } });
    expect(ContainerImage.xgboost().bind(stack).imageUri).toBe('450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.7-1');
    expect(ContainerImage.xgboost().bind(stack).repositoryArn).toBe('arn:aws-cn:ecr:cn-north-1:450853457545:repository/sagemaker-xgboost');
    expect(ContainerImage.scikitLearn('1.0-1').bind(stack).imageUri).toBe('450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-scikit-learn:1.0-1-cpu-py3');
  });

  test('a string mixing a bucket token and a pipeline value becomes a Std:Join that keeps the bucket reference', () => {
    const stack = new Stack();
    const bucket = new s3.Bucket(stack, 'Data');
    const pipeline = new TrainingPipeline(stack, 'P', { pipelineName: 'mixed' });
    pipeline.addStep(new TrainingStep('Train', {
      image: IMAGE,
      outputPath: `s3://${bucket.bucketName}/models/${ExecutionVariable.PIPELINE_EXECUTION_ID}`,
    }));
    const body = bodyOf(Template.fromStack(stack));
    expect(body.Steps[0].Arguments.OutputDataConfig.S3OutputPath).toEqual({
      'Std:Join': { On: '', Values: [expect.stringMatching(/^s3:\/\/<Data[0-9A-F]+>\/models\/$/), { Get: 'Execution.PipelineExecutionId' }] },
    });
  });
});

test('experiment and trial names can be set, with pipeline values', () => {
  const stack = new Stack();
  const experiment = PipelineParameter.string('Experiment', { defaultValue: 'churn' });
  const def = new PipelineDefinition({
    parameters: [experiment],
    steps: [new TrainingStep('T', { image: IMAGE, outputPath: 's3://a/b' })],
    experimentName: experiment.asString,
    trialName: `nightly-${ExecutionVariable.PIPELINE_EXECUTION_ID}`,
  });
  expect(render(stack, def).PipelineExperimentConfig).toEqual({
    ExperimentName: { Get: 'Parameters.Experiment' },
    TrialName: { 'Std:Join': { On: '', Values: ['nightly-', { Get: 'Execution.PipelineExecutionId' }] } },
  });
  expect(() => new PipelineDefinition({ experimentConfig: false, trialName: 'x' })).toThrow(/Experiment and trial names need `experimentConfig`/);
});

describe('Spot training', () => {
  test('renders managed Spot training with a wait limit and checkpoints the job role may write', () => {
    const stack = new Stack();
    const pipeline = new TrainingPipeline(stack, 'P', { pipelineName: 'spot' });
    pipeline.addStep(new TrainingStep('Train', {
      image: IMAGE, useSpotInstances: true, maxRuntime: Duration.hours(2), checkpointS3Uri: 's3://ckpt-bucket/churn/',
    }));
    const template = Template.fromStack(stack);
    const args = bodyOf(template).Steps[0].Arguments;
    expect(args.EnableManagedSpotTraining).toBe(true);
    expect(args.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 7200, MaxWaitTimeInSeconds: 14400 });
    expect(args.CheckpointConfig).toEqual({ S3Uri: 's3://ckpt-bucket/churn/', LocalPath: '/opt/ml/checkpoints' });
    const statements = statementsOf(template, 'PJobRole');
    const put = statements.find((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(JSON.stringify(put.Resource)).toContain(':s3:::ckpt-bucket/churn/*');
    const get = statements.find((s) => s.Action === 's3:GetObject');
    expect(JSON.stringify(get.Resource)).toContain(':s3:::ckpt-bucket/churn/*');
  });

  test('maxWait needs Spot and must cover maxRuntime', () => {
    expect(() => new TrainingStep('T', { image: IMAGE, maxWait: Duration.hours(1) })).toThrow(/maxWait applies to Spot training only/);
    expect(() => new TrainingStep('T', { image: IMAGE, useSpotInstances: true, maxRuntime: Duration.hours(2), maxWait: Duration.hours(1) }))
      .toThrow(/\[step T\] Invalid prop `maxWait`: received "1 hour"\. It must be at least maxRuntime \(7200 seconds\)/);
  });
});
