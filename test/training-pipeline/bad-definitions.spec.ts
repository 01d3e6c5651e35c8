import { App, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Template } from 'aws-cdk-lib/assertions';
import { loadDefinition } from './structural';
import {
  CallbackStep, ClarifyCheckStep, ClarifyCheckType, Condition, ConditionStep, ExecutionVariable, FailStep, LambdaStep, ModelStep,
  PipelineDefinition, PipelineParameter, PipelineValue, PipelineValueType, ProcessingStep, PropertyFile, QualityCheckStep, QualityCheckType,
  RegisterModelStep, RetryExceptionType, Step, TrainingPipeline, TrainingStep, TransformStep, TuningStep,
} from '../../lib/training-pipeline';
import { ContainerImage } from '../../lib/core';

const IMAGE = ContainerImage.fromImageUri('111122223333.dkr.ecr.us-east-1.amazonaws.com/train:1');

function train(name: string, inputUri = 's3://bucket/data/', extra: { dependsOn?: Step[] } = {}): TrainingStep {
  return new TrainingStep(name, { image: IMAGE, inputs: [{ channelName: 'train', s3Uri: inputUri }], dependsOn: extra.dependsOn });
}

/** Synthesize a pipeline with the given steps (and parameters) and return the validation error. */
function synthError(build: (p: TrainingPipeline) => void): string {
  const app = new App();
  const stack = new Stack(app, 'S');
  const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'bad' });
  build(pipeline);
  try {
    app.synth();
  } catch (e: any) {
    return String(e.message);
  }
  throw new Error('synth succeeded');
}

describe('bad definitions are reported at synth, naming the step and the rule', () => {
  test('two different steps with the same name', () => {
    expect(synthError((p) => p.addStep(train('Train'), train('Train'))))
      .toMatch(/\[S\/Pipeline\] Invalid prop `definition`: received "step Train"\. Two different steps are named "Train"; step names must be unique/);
  });

  test('the same step added twice (top level and in a condition branch)', () => {
    const t = train('Train');
    expect(synthError((p) => p.addStep(t, new ConditionStep('Gate', { conditions: [Condition.equalTo(1, 1)], ifSteps: [t] }))))
      .toMatch(/received "step Train"\. The step is added more than once/);
  });

  test('a reference to a step that is not part of the pipeline', () => {
    const outside = train('Outside');
    expect(synthError((p) => p.addStep(train('Train', outside.properties.modelArtifacts.s3ModelArtifacts.asString))))
      .toMatch(/received "step Train"\. It refers to step "Outside" \(Steps\.Outside\.ModelArtifacts\.S3ModelArtifacts\), which is not part of the pipeline/);
  });

  test('an explicit dependency on a step outside the pipeline', () => {
    const outside = train('Outside');
    expect(synthError((p) => p.addStep(train('Train', undefined, { dependsOn: [outside] }))))
      .toMatch(/It refers to step "Outside" \(DependsOn Outside\), which is not part of the pipeline/);
  });

  test('a parameter the pipeline does not declare', () => {
    const input = PipelineParameter.string('InputData');
    expect(synthError((p) => p.addStep(train('Train', input.asString))))
      .toMatch(/received "step Train"\. It uses parameter "InputData", which the pipeline does not declare; add it with addParameter\(\)/);
  });

  test('two parameters with the same name', () => {
    expect(synthError((p) => {
      p.addParameter(PipelineParameter.string('Input'), PipelineParameter.integer('Input'));
      p.addStep(train('Train'));
    })).toMatch(/received "parameter Input"\. Two different parameters are named "Input"/);
  });

  test('a cycle through data and explicit dependencies', () => {
    expect(synthError((p) => {
      const a = train('A');
      const b = train('B', a.properties.modelArtifacts.s3ModelArtifacts.asString);
      a.addDependency(b);
      p.addStep(a, b);
    })).toMatch(/The steps form a cycle: (A -> B -> A|B -> A -> B)/);
  });

  test('a step that depends on itself', () => {
    expect(synthError((p) => {
      const a = train('A');
      a.addDependency(a);
      p.addStep(a);
    })).toMatch(/The steps form a cycle: A -> A/);
  });

  test('a condition that compares a string with a number', () => {
    const name = PipelineParameter.string('Name', { defaultValue: 'x' });
    expect(synthError((p) => {
      p.addParameter(name);
      p.addStep(new ConditionStep('Gate', { conditions: [Condition.greaterThan(name, 3)], ifSteps: [train('Train')] }));
    })).toMatch(/received "step Gate"\. The condition GreaterThan compares Parameters\.Name \(String\) with 3: operands must be of comparable types/);
  });

  test('an ordering condition on a boolean', () => {
    const flag = PipelineParameter.boolean('Flag', { defaultValue: true });
    expect(synthError((p) => {
      p.addParameter(flag);
      p.addStep(new ConditionStep('Gate', { conditions: [Condition.lessThan(flag, true)], ifSteps: [train('Train')] }));
    })).toMatch(/The condition LessThan orders a boolean .*booleans can only be compared with Equals/);
  });

  test('an In condition whose values do not match the query type, nested in Not and Or', () => {
    const count = PipelineParameter.integer('Count', { defaultValue: 1 });
    expect(synthError((p) => {
      p.addParameter(count);
      p.addStep(new ConditionStep('Gate', {
        conditions: [Condition.or(Condition.not(Condition.isIn(count, [1, 'two'])), Condition.equalTo(ExecutionVariable.START_DATE_TIME, 'x'))],
        ifSteps: [train('Train')],
      }));
    })).toMatch(/The condition In looks for Parameters\.Count \(Integer\) among values that include "two"/);
  });

  test('Std:JsonGet on a property file no step declares', () => {
    const report = new PropertyFile({ name: 'Report', outputName: 'evaluation', path: 'evaluation.json' });
    expect(synthError((p) => p.addStep(new ConditionStep('Gate', {
      conditions: [Condition.lessThan(report.get('mse', PipelineValueType.FLOAT), 1)],
      ifSteps: [train('Train')],
    })))).toMatch(/Std:JsonGet reads the property file "Report", which no processing step declares/);
  });

  test('Std:JsonGet on a property file of a step outside the pipeline', () => {
    const report = new PropertyFile({ name: 'Report', outputName: 'evaluation', path: 'evaluation.json' });
    new ProcessingStep('Evaluate', { image: IMAGE, outputs: [{ outputName: 'evaluation', source: '/opt/ml/processing/evaluation' }], propertyFiles: [report] });
    expect(synthError((p) => p.addStep(new ConditionStep('Gate', { conditions: [Condition.lessThan(report.get('mse'), 1)], ifSteps: [train('Train')] }))))
      .toMatch(/It refers to step "Evaluate" \(Std:JsonGet\(Steps\.Evaluate\.PropertyFiles\.Report, mse\)\), which is not part of the pipeline/);
  });

  test('a pipeline without steps', () => {
    expect(synthError(() => undefined)).toMatch(/received "no steps"\. A pipeline needs at least one step/);
  });

  test('an input and an output with the same name', () => {
    expect(synthError((p) => p.addStep(new ProcessingStep('Prep', {
      image: IMAGE,
      inputs: [{ inputName: 'data', source: 's3://bucket/in', destination: '/opt/ml/processing/input' }],
      outputs: [{ outputName: 'data', source: '/opt/ml/processing/output' }],
    })))).toMatch(/received "step Prep"\. The input or output name "data" is used twice/);
  });

  test('every problem is reported together', () => {
    const message = synthError((p) => {
      const undeclared = PipelineParameter.string('Undeclared');
      p.addStep(train('Train'), train('Train'), train('Other', undeclared.asString));
    });
    expect(message).toMatch(/Two different steps are named "Train"/);
    expect(message).toMatch(/It uses parameter "Undeclared"/);
  });
});

describe('bad imported definitions are reported at synth', () => {
  test('references to missing steps, parameters and property files, and duplicate names', () => {
    const json = loadDefinition('abalone-r-rstudio-workshop');
    json.Steps[0].Name = 'Preprocessing';
    json.Parameters = [];
    delete json.Steps[2].PropertyFiles;
    json.Steps.push({ Name: 'TrainingStep', Type: 'Fail', Arguments: { ErrorMessage: '' } });
    const app = new App();
    const stack = new Stack(app, 'S');
    new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'imported', definition: PipelineDefinition.fromJson(json) });
    let text = '';
    try {
      app.synth();
    } catch (e: any) {
      text = e.message;
    }
    expect(text).toMatch(/received "step TrainingStep"\. It refers to step "ProcessingStep" \(Steps\.ProcessingStep\.ProcessingOutputConfig/);
    expect(text).toMatch(/received "step Preprocessing"\. It uses parameter "InputData", which the definition does not declare/);
    expect(text).toMatch(/received "step rmseConditional"\. Std:JsonGet reads property file "EvaluationReport", which step "EvaluateModel" does not declare/);
    expect(text).toMatch(/received "step TrainingStep"\. Two steps are named "TrainingStep"/);
  });

  test('a definition that is not JSON, or has no steps list, is refused at once', () => {
    expect(() => PipelineDefinition.fromJson('{"Version": ')).toThrow(/\[PipelineDefinition.fromJson\] Invalid prop `json`: .*It is not valid JSON/);
    expect(() => PipelineDefinition.fromJson({ Version: '2020-12-01' })).toThrow(/A pipeline definition is an object with a `Steps` list/);
  });
});

describe('bad arguments throw at once', () => {
  test('a step name SageMaker rejects', () => {
    expect(() => train('has space')).toThrow(/\[TrainingStep\] Invalid prop `stepName`: received "has space"\. A step name must be 1 to 64 letters, digits, dashes or underscores/);
    expect(() => train('x'.repeat(65))).toThrow(/at most 64 characters/);
    expect(train('x'.repeat(64)).stepName).toHaveLength(64);
  });

  test('a parameter name SageMaker rejects', () => {
    expect(() => PipelineParameter.string('a.b')).toThrow(/Invalid prop `name`: received "a\.b"\. A parameter name must be/);
  });

  test('an integer parameter with a fractional default', () => {
    expect(() => PipelineParameter.integer('Count', { defaultValue: 1.5 })).toThrow(/\[parameter Count\] Invalid prop `defaultValue`: received 1\.5\. An integer parameter needs an integer default/);
  });

  test('a string parameter whose default is not one of its enum values', () => {
    expect(() => PipelineParameter.string('Kind', { defaultValue: 'c', enumValues: ['a', 'b'] })).toThrow(/received "c"\. It must be one of the enumValues \(a, b\)/);
  });

  test('a property file whose output the step does not have', () => {
    const report = new PropertyFile({ name: 'Report', outputName: 'missing', path: 'evaluation.json' });
    expect(() => new ProcessingStep('Evaluate', { image: IMAGE, outputs: [{ outputName: 'evaluation', source: '/x' }], propertyFiles: [report] }))
      .toThrow(/\[step Evaluate\] Invalid prop `propertyFiles`: received "Report"\. The property file's output "missing" is not one of the step's outputs \(evaluation\)/);
  });

  test('a property file declared by two steps', () => {
    const report = new PropertyFile({ name: 'Report', outputName: 'evaluation', path: 'evaluation.json' });
    const outputs = [{ outputName: 'evaluation', source: '/x' }];
    new ProcessingStep('A', { image: IMAGE, outputs, propertyFiles: [report] });
    expect(() => new ProcessingStep('B', { image: IMAGE, outputs, propertyFiles: [report] })).toThrow(/The property file is already declared by step "A"/);
  });

  test('the S3 URI of an output the step does not have', () => {
    const step = new ProcessingStep('Prep', { image: IMAGE, outputs: [{ outputName: 'train', source: '/x' }] });
    expect(() => step.properties.outputUri('test')).toThrow(/\[step Prep\] Invalid prop `outputName`: received "test"\. The step has no such output; its outputs are: train/);
  });

  test('an operand that is neither a literal nor a pipeline value', () => {
    expect(() => Condition.equalTo({ a: 1 }, 1)).toThrow(/\[Condition Equals\] Invalid prop `operand`: received \{"a":1\}/);
  });

  test('a retry policy with both maxAttempts and expireAfter, and job exceptions on a Lambda step', () => {
    expect(() => new TrainingStep('T', {
      image: IMAGE, retryPolicies: [{ exceptionTypes: [RetryExceptionType.THROTTLING], maxAttempts: 2, expireAfter: Duration.minutes(5) }],
    })).toThrow(/Give either maxAttempts or expireAfter, not both/);
    const stack = new Stack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:us-east-1:111122223333:function:f');
    expect(() => new LambdaStep('Call', { lambdaFunction: fn, retryPolicies: [{ exceptionTypes: [RetryExceptionType.CAPACITY_ERROR] }] }))
      .toThrow(/SageMaker job exception types apply only to Processing, Training, Tuning and Transform steps, not to a Lambda step/);
  });

  test('a pipeline display name SageMaker rejects', () => {
    expect(() => new TrainingPipeline(new Stack(), 'P', { displayName: 'Churn training' }))
      .toThrow(/Invalid prop `displayName`: received "Churn training"\. A pipeline display name follows the name rule/);
  });

  test('a pipeline name SageMaker rejects', () => {
    expect(() => new TrainingPipeline(new Stack(), 'P', { pipelineName: 'under_score' }))
      .toThrow(/\[Default\/P\] Invalid prop `pipelineName`: received "under_score"\. A pipeline name must be/);
  });

  test('a built-in image in a region the lookup table does not know', () => {
    const stack = new Stack(new App(), 'S', { env: { region: 'xx-nowhere-1' } });
    const pipeline = new TrainingPipeline(stack, 'P');
    pipeline.addStep(new TrainingStep('Train', { image: ContainerImage.xgboost() }), new FailStep('F'));
    expect(() => Template.fromStack(stack)).toThrow(/received "step Train"\. \[S\/P\] Invalid prop `image`: received "sagemaker-xgboost:1\.7-1"\. No built-in image is known for region xx-nowhere-1/);
  });

  test('a pipeline value used outside a pipeline definition', () => {
    const stack = new Stack();
    const param = PipelineParameter.string('P');
    expect(() => stack.resolve({ x: param.asString })).toThrow(/Parameters\.P is a SageMaker pipeline value: it can only be used inside a pipeline definition/);
    expect(PipelineValue.fromToken(param.asString)).toBe(param);
  });
});

test('a step of the if branch that uses a step of the else branch is reported', () => {
  const a = train('A');
  const b = train('B', a.properties.modelArtifacts.s3ModelArtifacts.asString);
  expect(synthError((p) => p.addStep(new ConditionStep('Gate', { conditions: [Condition.equalTo(1, 1)], ifSteps: [b], elseSteps: [a] }))))
    .toMatch(/received "step B"\. It is in the if branch of condition "Gate" but uses step "A" of the else branch, which never runs in the same execution/);
});

test('a check step decided by a parameter that is not boolean, or by both a parameter and a literal', () => {
  const skip = PipelineParameter.string('Skip');
  expect(() => new QualityCheckStep('Q', { checkType: QualityCheckType.DATA_QUALITY, baselineDatasetUri: 's3://b/d', skipCheckParameter: skip }))
    .toThrow(/\[step Q\] Invalid prop `skipCheckParameter`: received "Skip"\. It must be a boolean parameter, not String/);
  const flag = PipelineParameter.boolean('Flag');
  expect(() => new QualityCheckStep('Q', { checkType: QualityCheckType.DATA_QUALITY, baselineDatasetUri: 's3://b/d', registerNewBaselineParameter: flag, registerNewBaseline: true }))
    .toThrow(/Give either registerNewBaselineParameter or registerNewBaseline, not both/);
});

test('trigger parameters EventBridge cannot pass are refused at once', () => {
  const pipeline = TrainingPipeline.fromPipelineName(new Stack(), 'P', 'p');
  expect(() => pipeline.addScheduleTrigger('T', { schedule: events.Schedule.rate(Duration.days(1)), parameters: { input_data: 's3://b/k' } }))
    .toThrow(/\[Default\/P\/T\] Invalid prop `parameters.input_data`: received "input_data"\. EventBridge passes only parameters named with letters, digits and dashes/);
  expect(() => pipeline.addScheduleTrigger('U', { schedule: events.Schedule.rate(Duration.days(1)), parameters: { Input: 'x'.repeat(1025) } }))
    .toThrow(/A parameter value must be a string of at most 1024 characters/);
});

describe('required props left out (as JavaScript and Python users can) are prop errors, not TypeErrors', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['ProcessingStep', () => new ProcessingStep('Prep', undefined as any), /\[step Prep\] Invalid prop `props`: received undefined\. It is required: the image/],
    ['ProcessingStep image', () => new ProcessingStep('Prep', {} as any), /\[step Prep\] Invalid prop `image`: received undefined\. It must be a ContainerImage/],
    ['TrainingStep', () => new TrainingStep('Train', undefined as any), /\[step Train\] Invalid prop `props`: received undefined/],
    ['TrainingStep instance type', () => new TrainingStep('Train', { image: IMAGE, instanceType: 'ml.m5.xlarge' as any }),
      /\[step Train\] Invalid prop `instanceType`: received "ml\.m5\.xlarge"\. It must be an InstanceType/],
    ['TuningStep', () => new TuningStep('Tune', { image: IMAGE, continuousRanges: [{ name: 'eta', minValue: 0, maxValue: 1 }] } as any),
      /\[step Tune\] Invalid prop `objectiveMetricName`: received undefined\. It is required: the metric to optimize/],
    ['ModelStep', () => new ModelStep('Model', undefined as any), /\[step Model\] Invalid prop `props`/],
    ['TransformStep', () => new TransformStep('Batch', { inputUri: 's3://b/in/' } as any),
      /\[step Batch\] Invalid prop `modelName`: received undefined\. It is required: the model to use/],
    ['RegisterModelStep', () => new RegisterModelStep('Register', { modelPackageGroupName: 'churn', image: IMAGE } as any),
      /\[step Register\] Invalid prop `modelDataUrl`: received undefined\. It is required: the S3 URI of the model artifacts/],
    ['ConditionStep', () => new ConditionStep('Gate', undefined as any), /\[step Gate\] Invalid prop `props`: received undefined\. It is required: the conditions/],
    ['LambdaStep', () => new LambdaStep('Call', {} as any), /\[step Call\] Invalid prop `lambdaFunction`: received undefined\. It is required: the Lambda function/],
    ['CallbackStep', () => new CallbackStep('Wait', {} as any), /\[step Wait\] Invalid prop `queue`: received undefined\. It is required: the SQS queue/],
    ['QualityCheckStep', () => new QualityCheckStep('Q', { checkType: QualityCheckType.DATA_QUALITY } as any),
      /\[step Q\] Invalid prop `baselineDatasetUri`: received undefined\. It is required/],
    // The image has a default (ContainerImage.clarify()); the dataset has none.
    ['ClarifyCheckStep', () => new ClarifyCheckStep('C', { checkType: ClarifyCheckType.DATA_BIAS, analysisConfigUri: 's3://b/a.json' } as any),
      /\[step C\] Invalid prop `datasetUri`: received undefined\. It is required: an S3 URI/],
    ['PropertyFile', () => new PropertyFile(undefined as any), /\[PropertyFile\] Invalid prop `props`: received undefined/],
    ['a schedule trigger', () => TrainingPipeline.fromPipelineName(new Stack(), 'P', 'p').addScheduleTrigger('T', {} as any),
      /\[Default\/P\/T\] Invalid prop `schedule`: received undefined\. It is required/],
    ['a new-data trigger', () => TrainingPipeline.fromPipelineName(new Stack(), 'P', 'p').addNewDataTrigger('T', { prefix: 'in/' } as any),
      /\[Default\/P\/T\] Invalid prop `bucket`: received undefined\. It is required/],
    ['an output of an undeclarable type', () => new LambdaStep('Call', {
      lambdaFunction: lambda.Function.fromFunctionArn(new Stack(), 'Fn', 'arn:aws:lambda:us-east-1:111122223333:function:f'),
      outputs: [{ name: 'x', type: PipelineValueType.ANY }],
    }), /\[step Call\] Invalid prop `outputs\[x\]\.type`: received "Any"\. An output needs a concrete type: String, Integer, Float, Boolean/],
  ];
  test.each(cases)('%s', (_name, build, message) => {
    let error: any;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect(error?.name).toBe('MlopsPropError');
    expect(error.message).toMatch(message);
  });
});
