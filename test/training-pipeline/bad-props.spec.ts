import { App, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ContainerImage, InstanceType, ModelApprovalStatus, ModelPackageGroup } from '../../lib/core';
import {
  ClarifyCheckStep, ClarifyCheckType, PipelineDefinition, PipelineParameter, ProcessingStep, QualityCheckStep, QualityCheckType, RegisterModelStep,
  StandardTrainingPipeline, TrainingPipeline, TrainingStep, TransformStep, TuningStep,
} from '../../lib/training-pipeline';

/*
 * Bad props of the training pipeline that passed synth before issue 10 and failed at deploy time
 * or at the first run. Each is a prop error naming the construct path, the prop, the value and
 * the rule (never a TypeError).
 */

const IMAGE = ContainerImage.fromImageUri('111122223333.dkr.ecr.us-east-1.amazonaws.com/algo:1');
const DAILY = events.Schedule.rate(Duration.days(1));

function pipelineIn(props: any = {}): { app: App; stack: Stack; pipeline: TrainingPipeline } {
  const app = new App();
  const stack = new Stack(app, 'S');
  const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'churn', ...props });
  pipeline.addStep(new TrainingStep('Train', { image: IMAGE, outputPath: 's3://results/models' }));
  return { app, stack, pipeline };
}

function standardIn(extra: any = {}): { app: App; stack: Stack; pipeline: StandardTrainingPipeline } {
  const app = new App();
  const stack = new Stack(app, 'S');
  const pipeline = new StandardTrainingPipeline(stack, 'Pipeline', {
    pipelineName: 'churn',
    modelPackageGroup: new ModelPackageGroup(stack, 'Models', { modelPackageGroupName: 'churn-models' }),
    inputDataUri: 's3://raw-data/churn/',
    preprocessingScript: { s3Uri: 's3://code/preprocess.py' },
    evaluationScript: { s3Uri: 's3://code/evaluate.py' },
    metricJsonPath: 'regression_metrics.mse.value',
    metricThreshold: 6,
    ...extra,
  });
  return { app, stack, pipeline };
}

/** The error `build` throws at once. */
function thrown(build: () => unknown): Error {
  try {
    build();
  } catch (e: any) {
    return e;
  }
  throw new Error('nothing was thrown');
}

/** The error synthesis reports. */
function atSynth(app: App): Error {
  try {
    app.synth();
  } catch (e: any) {
    return e;
  }
  throw new Error('synth succeeded');
}

describe('bad props throw at once, naming the construct, the prop, the value and the rule', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    // Schedules EventBridge refuses at deploy time.
    ['an hour of 25 in Schedule.cron', () => pipelineIn().pipeline.addScheduleTrigger('Nightly', { schedule: events.Schedule.cron({ hour: '25', minute: '0' }) }),
      /\[S\/Pipeline\/Nightly\] Invalid prop `schedule`: received "cron\(0 25 \* \* \? \*\)"\. hours "25" is out of range: it must be from 0 to 23/],
    ['a minute of 60', () => pipelineIn().pipeline.addScheduleTrigger('Nightly', { schedule: events.Schedule.cron({ hour: '1', minute: '60' }) }),
      /received "cron\(60 1 \* \* \? \*\)"\. minutes "60" is out of range: it must be from 0 to 59/],
    ['a five-field (Unix) cron expression', () => pipelineIn().pipeline.addScheduleTrigger('Nightly', { schedule: events.Schedule.expression('cron(0 2 * * *)') }),
      /\[S\/Pipeline\/Nightly\] Invalid prop `schedule`: received "cron\(0 2 \* \* \*\)"\. An EventBridge cron expression has six fields \(minutes hours day-of-month month day-of-week year\), this one has 5/],
    ['both day-of-month and day-of-week', () => pipelineIn().pipeline.addScheduleTrigger('Monthly', { schedule: events.Schedule.expression('cron(0 2 1 * MON *)') }),
      /received "cron\(0 2 1 \* MON \*\)"\. Exactly one of day-of-month and day-of-week must be "\?"/],
    ['a month that does not exist', () => pipelineIn().pipeline.addScheduleTrigger('Yearly', { schedule: events.Schedule.expression('cron(0 2 1 13 ? *)') }),
      /month "13" is out of range: it must be from 1 to 12/],
    ['a plural unit for a rate of 1', () => pipelineIn().pipeline.addScheduleTrigger('Hourly', { schedule: events.Schedule.expression('rate(1 hours)') }),
      /\[S\/Pipeline\/Hourly\] Invalid prop `schedule`: received "rate\(1 hours\)"\. EventBridge wants the unit "hour" for a value of 1/],
    ['a schedule that is neither cron nor rate', () => pipelineIn().pipeline.addScheduleTrigger('Once', { schedule: events.Schedule.expression('at(2030-01-01T00:00:00)') }),
      /received "at\(2030-01-01T00:00:00\)"\. An EventBridge rule takes a schedule expression cron\(\.\.\.\) or rate\(\.\.\.\)/],
    // Output prefixes that are not key prefixes.
    ['an output prefix starting with /', () => pipelineIn({ outputPrefix: '/outputs' }),
      /\[S\/Pipeline\] Invalid prop `outputPrefix`: received "\/outputs"\. It must be a plain S3 key prefix in the artifact bucket .*without a leading slash/],
    ['an output prefix that is an S3 URI', () => pipelineIn({ outputPrefix: 's3://bucket/outputs' }),
      /\[S\/Pipeline\] Invalid prop `outputPrefix`: received "s3:\/\/bucket\/outputs"\. It must be a plain S3 key prefix/],
    // The metric path rule the model registry applies.
    ['a metric path with a leading $', () => standardIn({ metricJsonPath: '$.regression_metrics.mse.value' }),
      /\[S\/Pipeline\] Invalid prop `metricJsonPath`: received "\$\.regression_metrics\.mse\.value"\. Write the path without a leading "\$" or "\$\."/],
    ['a metric path with brackets', () => standardIn({ metricJsonPath: 'metrics[0].mse' }),
      /\[S\/Pipeline\] Invalid prop `metricJsonPath`: received "metrics\[0\]\.mse"\. It must be dot-separated keys/],
    // Instance types SageMaker does not offer for the job.
    ['an inference-only type on a training step', () => new TrainingStep('Train', { image: IMAGE, instanceType: InstanceType.ML_INF1_XLARGE }),
      /\[step Train\] Invalid prop `instanceType`: received "ml\.inf1\.xlarge"\. SageMaker does not offer it for training and tuning jobs/],
    ['a hosting-only type on a tuning step', () => new TuningStep('Tune', {
      image: IMAGE, instanceType: InstanceType.ML_T2_MEDIUM, objectiveMetricName: 'rmse', continuousRanges: [{ name: 'eta', minValue: 0, maxValue: 1 }],
    }), /\[step Tune\] Invalid prop `instanceType`: received "ml\.t2\.medium"\. SageMaker does not offer it for training and tuning jobs/],
    ['a training-only type on a processing step', () => new ProcessingStep('Prep', { image: IMAGE, instanceType: InstanceType.of('ml.p4d.24xlarge') }),
      /\[step Prep\] Invalid prop `instanceType`: received "ml\.p4d\.24xlarge"\. SageMaker does not offer it for processing jobs, check steps and Model Monitor jobs/],
    ['an inference type on a check step', () => new QualityCheckStep('Quality', {
      checkType: QualityCheckType.DATA_QUALITY, baselineDatasetUri: 's3://b/d/', instanceType: InstanceType.ML_INF2_XLARGE,
    }), /\[step Quality\] Invalid prop `instanceType`: received "ml\.inf2\.xlarge"\. SageMaker does not offer it for processing jobs/],
    ['a training and processing type on a transform step', () => new TransformStep('Batch', { modelName: 'm', inputUri: 's3://in/', instanceType: InstanceType.ML_T3_MEDIUM }),
      /\[step Batch\] Invalid prop `instanceType`: received "ml\.t3\.medium"\. SageMaker does not offer it for batch transform jobs/],
    ['a non-hosting type among the register step\'s inference types', () => new RegisterModelStep('Register', {
      modelPackageGroupName: 'churn', image: IMAGE, modelDataUrl: 's3://m/model.tar.gz', inferenceInstanceTypes: [InstanceType.ML_M5_LARGE, InstanceType.ML_T3_MEDIUM],
    }), /\[step Register\] Invalid prop `inferenceInstanceTypes\[1\]`: received "ml\.t3\.medium"\. SageMaker does not offer it for endpoints \(hosting\)/],
    ['a non-transform type among the register step\'s transform types', () => new RegisterModelStep('Register', {
      modelPackageGroupName: 'churn', image: IMAGE, modelDataUrl: 's3://m/model.tar.gz', transformInstanceTypes: [InstanceType.of('ml.p4d.24xlarge')],
    }), /\[step Register\] Invalid prop `transformInstanceTypes\[0\]`: received "ml\.p4d\.24xlarge"\. SageMaker does not offer it for batch transform jobs/],
    ['a training-only type as the standard pipeline\'s processing type', () => standardIn({ processingInstanceType: InstanceType.of('ml.p5.48xlarge') }),
      /\[S\/Pipeline\] Invalid prop `processingInstanceType`: received "ml\.p5\.48xlarge"\. SageMaker does not offer it for processing jobs/],
    // Self-approval (issue 10 item 2).
    ['a register step that approves its own versions', () => new RegisterModelStep('Register', {
      modelPackageGroupName: 'churn', image: IMAGE, modelDataUrl: 's3://m/model.tar.gz', approvalStatus: ModelApprovalStatus.APPROVED,
    }), /\[step Register\] Invalid prop `approvalStatus`: received "Approved"\. .*set `allowSelfApproval: true` to opt in/],
    // Clarify's model (issue 10 item 13).
    ['a model bias check without a model', () => new ClarifyCheckStep('Bias', {
      checkType: ClarifyCheckType.MODEL_BIAS, analysisConfigUri: 's3://b/a.json', datasetUri: 's3://b/d/',
    }), /\[step Bias\] Invalid prop `modelName`: received undefined\. It is required for a MODEL_BIAS check/],
    ['a data bias check with a model', () => new ClarifyCheckStep('Bias', {
      checkType: ClarifyCheckType.DATA_BIAS, analysisConfigUri: 's3://b/a.json', datasetUri: 's3://b/d/', modelName: 'churn-model',
    }), /\[step Bias\] Invalid prop `modelName`: received "churn-model"\. A DATA_BIAS check analyzes the data only/],
    ['a model name SageMaker refuses', () => new ClarifyCheckStep('Explain', {
      checkType: ClarifyCheckType.MODEL_EXPLAINABILITY, analysisConfigUri: 's3://b/a.json', datasetUri: 's3://b/d/', modelName: 'churn_model',
    }), /\[step Explain\] Invalid prop `modelName`: received "churn_model"\. A SageMaker model name is 1 to 63 letters, digits or dashes/],
  ];

  test.each(cases)('%s', (_name, build, message) => {
    const e = thrown(build);
    expect(e.name).toBe('MlopsPropError');
    expect(e.message).toMatch(message);
  });
});

describe('bad triggers are refused at synth, naming the trigger, the prop, the value and the rule', () => {
  test('a trigger parameter the pipeline does not declare', () => {
    const { app, pipeline } = pipelineIn();
    pipeline.addParameter(PipelineParameter.string('InputData', { defaultValue: 's3://raw/' }));
    pipeline.addScheduleTrigger('Nightly', { schedule: DAILY, parameters: { InputData: 's3://raw/today/', Input: 's3://raw/x/' } });
    expect(atSynth(app).message).toMatch(
      /\[S\/Pipeline\/Nightly\] Invalid prop `parameters\.Input`: received "Input"\. The pipeline declares no parameter "Input" \(SageMaker refuses to start an execution with it\); it declares: InputData/);
  });

  test('a trigger parameter of an imported definition that does not declare it', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const json = { Version: '2020-12-01', Parameters: [], Steps: [{ Name: 'F', Type: 'Fail', Arguments: { ErrorMessage: 'x' } }] };
    const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'imported', definition: PipelineDefinition.fromJson(json) });
    pipeline.addScheduleTrigger('Nightly', { schedule: DAILY, parameters: { Day: 'mon' } });
    expect(atSynth(app).message).toMatch(/\[S\/Pipeline\/Nightly\] Invalid prop `parameters\.Day`: received "Day"\. The pipeline declares no parameter "Day" .*it declares: none/);
  });

  const overlap = /every run would start it again/;

  test('new data under the pipeline\'s own output prefix', () => {
    const { app, pipeline } = pipelineIn();
    pipeline.addNewDataTrigger('NewData', { bucket: pipeline.artifactBucket, prefix: 'pipelines/churn/' });
    const m = atSynth(app).message;
    expect(m).toMatch(/\[S\/Pipeline\/NewData\] Invalid prop `prefix`: received "pipelines\/churn\/"\. The pipeline writes the outputs of its steps \(outputPrefix\) under "pipelines\/churn\/" in this bucket/);
    expect(m).toMatch(overlap);
  });

  test('new data on a prefix that holds the pipeline\'s outputs', () => {
    const { app, pipeline } = pipelineIn();
    pipeline.addNewDataTrigger('NewData', { bucket: pipeline.artifactBucket, prefix: 'pipelines/', suffix: '.csv' });
    expect(atSynth(app).message).toMatch(/\[S\/Pipeline\/NewData\] Invalid prop `prefix`: received "pipelines\/"\. The pipeline writes the outputs of its steps \(outputPrefix\) under "pipelines\/churn\/"/);
  });

  test('new data anywhere in the artifact bucket', () => {
    const { app, pipeline } = pipelineIn();
    pipeline.addNewDataTrigger('NewData', { bucket: pipeline.artifactBucket });
    expect(atSynth(app).message).toMatch(/\[S\/Pipeline\/NewData\] Invalid prop `prefix`: received "\(none: the whole bucket\)"\. The pipeline writes .* under "pipelines\/churn\/"/);
  });

  test('new data on any prefix when the pipeline writes to the whole bucket (outputPrefix \'\')', () => {
    const { app, pipeline } = pipelineIn({ outputPrefix: '' });
    pipeline.addNewDataTrigger('NewData', { bucket: pipeline.artifactBucket, prefix: 'incoming/' });
    expect(atSynth(app).message).toMatch(/\[S\/Pipeline\/NewData\] Invalid prop `prefix`: received "incoming\/"\. The pipeline writes the outputs of its steps \(outputPrefix\) everywhere in the bucket/);
  });

  test('new data under the stored definitions', () => {
    const { app, pipeline } = pipelineIn();
    pipeline.addNewDataTrigger('NewData', { bucket: pipeline.artifactBucket, prefix: 'pipeline-definitions/churn' });
    expect(atSynth(app).message).toMatch(/received "pipeline-definitions\/churn"\. The pipeline writes its stored definitions under "pipeline-definitions\/churn\/"/);
  });

  test('new data in the bucket a step writes to, given by another object with the same name', () => {
    const { app, stack, pipeline } = pipelineIn();
    pipeline.addNewDataTrigger('NewData', { bucket: s3.Bucket.fromBucketName(stack, 'Results', 'results'), prefix: 'models/' });
    expect(atSynth(app).message).toMatch(/\[S\/Pipeline\/NewData\] Invalid prop `prefix`: received "models\/"\. The pipeline writes the outputs of a step under "models\/"/);
  });

  test('new data under the evaluation reports the standard pipeline writes for its group', () => {
    const { app, pipeline } = standardIn();
    pipeline.addNewDataTrigger('NewData', { bucket: pipeline.artifactBucket, prefix: 'evaluation-reports/' });
    expect(atSynth(app).message).toMatch(
      /\[S\/Pipeline\/NewData\] Invalid prop `prefix`: received "evaluation-reports\/"\. The pipeline writes the evaluation reports of model package group churn-models under "evaluation-reports\/churn-models\/"/);
  });

  test('new data under the model artifacts and the baselines of the group', () => {
    const { app, pipeline } = standardIn();
    pipeline.addNewDataTrigger('Models', { bucket: pipeline.artifactBucket, prefix: 'models/churn-models/v2/' });
    pipeline.addNewDataTrigger('Baselines', { bucket: pipeline.artifactBucket, prefix: 'baselines' });
    const m = atSynth(app).message;
    expect(m).toMatch(/\[S\/Pipeline\/Models\] Invalid prop `prefix`: received "models\/churn-models\/v2\/"\. The pipeline writes the model artifacts of model package group churn-models under "models\/churn-models\/"/);
    expect(m).toMatch(/\[S\/Pipeline\/Baselines\] Invalid prop `prefix`: received "baselines"\. The pipeline writes the drift-check baselines of model package group churn-models/);
  });
});
