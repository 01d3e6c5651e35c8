import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addTrainingPipelineExample } from '../fixtures/stacks/training-pipeline';
import { ContainerImage, InstanceType, MetricComparison, MlopsFoundation, ModelPackageGroup, StorageLayout } from '../../lib/core';
import { StandardTrainingPipeline } from '../../lib/training-pipeline';
import { compliantApp, expectCompliant } from '../helpers/compliance';
import { matchesEventPattern } from '../helpers/event-pattern';
import { loadEvent } from '../helpers/fixtures';
import { bodyOf, statementsOf } from './structural';

describe('StandardTrainingPipeline (the example stack)', () => {
  let stack: Stack;
  let template: Template;
  let body: any;

  beforeAll(() => {
    const app = compliantApp();
    stack = addTrainingPipelineExample(app);
    expectCompliant(stack);
    template = Template.fromStack(stack);
    body = bodyOf(template);
  });

  test('runs preprocess -> data quality -> train -> evaluate -> gate -> register, else fail', () => {
    expect(body.Parameters.map((p: any) => [p.Name, p.Type])).toEqual([
      ['InputData', 'String'], ['MetricThreshold', 'Float'], ['ProcessingInstanceType', 'String'], ['TrainingInstanceType', 'String'],
      ['SkipDataQualityCheck', 'Boolean'], ['RegisterNewDataQualityBaseline', 'Boolean'],
    ]);
    expect(body.Steps.map((s: any) => [s.Name, s.Type])).toEqual([
      ['Preprocess', 'Processing'], ['DataQualityBaseline', 'QualityCheck'], ['Train', 'Training'], ['Evaluate', 'Processing'], ['CheckMetric', 'Condition'],
    ]);
    const gate = body.Steps[4].Arguments;
    expect(gate.Conditions).toEqual([{
      Type: 'LessThanOrEqualTo',
      LeftValue: { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' }, Path: 'regression_metrics.mse.value' } },
      RightValue: { Get: 'Parameters.MetricThreshold' },
    }]);
    expect(gate.IfSteps.map((s: any) => s.Type)).toEqual(['RegisterModel']);
    expect(gate.ElseSteps.map((s: any) => s.Type)).toEqual(['Fail']);
    expect(gate.ElseSteps[0].Arguments.ErrorMessage['Std:Join'].Values[1]).toEqual({ Get: 'Parameters.MetricThreshold' });
  });

  test('registers with PendingManualApproval, the evaluation report and the data quality baselines', () => {
    const register = body.Steps[4].Arguments.IfSteps[0].Arguments;
    // The group resource of the example (by reference: its ARN), never a literal.
    expect(register.ModelPackageGroupName).toMatch(/^<ChurnModels[0-9A-F]{8}>$/);
    expect(register.ModelApprovalStatus).toBe('PendingManualApproval');
    // The report the evaluation step writes, under the group's evaluation report prefix of the layout.
    expect(register.ModelMetrics.ModelQuality.Statistics).toEqual({
      ContentType: 'application/json',
      S3Uri: { 'Std:Join': { On: '/', Values: [expect.stringMatching(/^s3:\/\/<FoundationArtifactsBucket[0-9A-F]+>\/evaluation-reports\/churn$/), { Get: 'Execution.PipelineExecutionId' }, 'evaluation.json'] } },
    });
    expect(register.ModelMetrics.ModelDataQuality).toEqual({
      Statistics: { ContentType: 'application/json', S3Uri: { Get: 'Steps.DataQualityBaseline.CalculatedBaselineStatistics' } },
      Constraints: { ContentType: 'application/json', S3Uri: { Get: 'Steps.DataQualityBaseline.CalculatedBaselineConstraints' } },
    });
    expect(register.DriftCheckBaselines.ModelDataQuality).toEqual({
      Statistics: { ContentType: 'application/json', S3Uri: { Get: 'Steps.DataQualityBaseline.BaselineUsedForDriftCheckStatistics' } },
      Constraints: { ContentType: 'application/json', S3Uri: { Get: 'Steps.DataQualityBaseline.BaselineUsedForDriftCheckConstraints' } },
    });
    expect(register.InferenceSpecification.Containers[0].ModelDataUrl).toEqual({ Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' });
  });

  test('the data quality step computes a baseline with the Model Monitor analyzer of the region; parameters decide skip and register', () => {
    const q = body.Steps[1];
    expect(q).toMatchObject({
      CheckType: 'DATA_QUALITY', FailOnViolation: true, ModelPackageGroupName: expect.stringMatching(/^<ChurnModels[0-9A-F]{8}>$/),
      SkipCheck: { Get: 'Parameters.SkipDataQualityCheck' }, RegisterNewBaseline: { Get: 'Parameters.RegisterNewDataQualityBaseline' },
    });
    expect(body.Parameters.filter((p: any) => p.Type === 'Boolean').map((p: any) => p.DefaultValue)).toEqual([true, true]);
    expect(q.Arguments.AppSpecification.ImageUri).toBe('468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer:latest');
    expect(q.Arguments.ProcessingInputs[0].S3Input.S3Uri).toEqual({ Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" });
    expect(body.Steps[2].Arguments.AlgorithmSpecification.TrainingImage).toBe('141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1');
    expect(body.Steps[2].Arguments.ResourceConfig.InstanceType).toEqual({ Get: 'Parameters.TrainingInstanceType' });
  });

  test('the new-data trigger starts on objects under incoming/ of the artifact bucket', () => {
    const rules = template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.s3'] } } });
    const pattern = Object.values(rules)[0].Properties.EventPattern;
    expect(pattern.detail.object.key).toEqual([{ prefix: 'incoming/' }]);
    const event = loadEvent('s3-object-created');
    // The bucket name in the rule is a reference; check the key filter on the real event shape.
    const withLiteralBucket = { ...pattern, detail: { ...pattern.detail, bucket: { name: ['example-bucket'] } } };
    expect(matchesEventPattern(withLiteralBucket, { ...event, detail: { ...event.detail, object: { key: 'incoming/2024.csv' } } })).toBe(true);
    expect(matchesEventPattern(withLiteralBucket, event)).toBe(false);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 2 * * ? *)' });
  });
});

describe('StandardTrainingPipeline props', () => {
  const base = {
    inputDataUri: 's3://data/in/', modelPackageGroupName: 'churn', metricJsonPath: 'binary_classification_metrics.auc.value', metricThreshold: 0.8,
    preprocessingScript: { s3Uri: 's3://code/preprocess.py' }, evaluationScript: { s3Uri: 's3://code/evaluate.py' },
  };

  test('a score gate uses the comparison given', () => {
    const stack = new Stack();
    const p = new StandardTrainingPipeline(stack, 'P', { ...base, metricComparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO });
    expect(stack.resolve(p.definition.render(stack, { defaultRole: p.jobRole, defaultBucket: p.artifactBucket })).Steps[4].Arguments.Conditions[0].Type)
      .toBe('GreaterThanOrEqualTo');
  });

  test('the evaluation job runs in the training image, which can load the model it trained; evaluationImage overrides it', () => {
    const stepsOf = (props: any) => {
      const stack = new Stack(undefined, undefined, { env: { account: '123456789012', region: 'us-east-1' } });
      const p = new StandardTrainingPipeline(stack, 'P', { ...base, ...props });
      return Object.fromEntries(stack.resolve(p.definition.render(stack, { defaultRole: p.jobRole, defaultBucket: p.artifactBucket })).Steps
        .map((step: any) => [step.Name, step.Arguments.AppSpecification?.ImageUri ?? step.Arguments.AlgorithmSpecification?.TrainingImage]));
    };
    const xgboost = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
    expect(stepsOf({})).toMatchObject({
      Preprocess: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3', Train: xgboost, Evaluate: xgboost,
    });
    expect(stepsOf({ evaluationImage: ContainerImage.fromImageUri('123456789012.dkr.ecr.us-east-1.amazonaws.com/eval:1') }))
      .toMatchObject({ Train: xgboost, Evaluate: '123456789012.dkr.ecr.us-east-1.amazonaws.com/eval:1' });
    expect(() => stepsOf({ evaluationImage: 'python:3.12' }))
      .toThrow(/\[Default\/P\] Invalid prop `evaluationImage`: received "python:3\.12"\. It must be a ContainerImage/);
  });

  test('bad props are refused at once', () => {
    expect(() => new StandardTrainingPipeline(new Stack(), 'P', { ...base, inputDataUri: '/local/data' }))
      .toThrow(/\[Default\/P\] Invalid prop `inputDataUri`: received "\/local\/data"\. It must be an S3 URI/);
    expect(() => new StandardTrainingPipeline(new Stack(), 'P', { ...base, modelPackageGroupName: 'bad_name' }))
      .toThrow(/Invalid prop `modelPackageGroupName`: received "bad_name"/);
    expect(() => new StandardTrainingPipeline(new Stack(), 'P', { ...base, metricThreshold: NaN }))
      .toThrow(/Invalid prop `metricThreshold`/);
    expect(() => new StandardTrainingPipeline(new Stack(), 'P', { ...base, processingInstanceType: 'ml.m5.large' as any }))
      .toThrow(/\[Default\/P\] Invalid prop `processingInstanceType`: received "ml\.m5\.large"\. It must be an InstanceType/);
    expect(() => new StandardTrainingPipeline(new Stack(), 'P', { ...base, metricComparison: 'AtMost' as any }))
      .toThrow(/\[Default\/P\] Invalid prop `metricComparison`: received "AtMost"\. It must be one of GreaterThan, /);
  });

  test('a missing required prop is a MlopsPropError naming the construct, the prop and the rule, never a TypeError', () => {
    const without = (prop: string) => {
      const props: any = { ...base };
      delete props[prop];
      try {
        new StandardTrainingPipeline(new Stack(), 'P', props);
      } catch (e: any) {
        return e;
      }
      throw new Error(`no error without ${prop}`);
    };
    for (const [prop, rule] of [
      ['metricJsonPath', /\[Default\/P\] Invalid prop `metricJsonPath`: received undefined\. It is required: the JSON path of the metric/],
      ['metricThreshold', /\[Default\/P\] Invalid prop `metricThreshold`: received undefined\. It is required: a finite number/],
      ['inputDataUri', /\[Default\/P\] Invalid prop `inputDataUri`: received undefined\. It must be an S3 URI/],
      ['preprocessingScript', /\[Default\/P\] Invalid prop `preprocessingScript`: received undefined\. It is required: the script/],
      ['evaluationScript', /\[Default\/P\] Invalid prop `evaluationScript`: received undefined\. It is required: the script/],
      ['modelPackageGroupName', /\[Default\/P\] Invalid prop `modelPackageGroup`: received undefined\. It is required: the model package group/],
    ] as Array<[string, RegExp]>) {
      const error = without(prop);
      expect(error.name).toBe('MlopsPropError');
      expect(error.message).toMatch(rule);
    }
    expect(() => new StandardTrainingPipeline(new Stack(), 'P', undefined as any))
      .toThrow(/\[Default\/P\] Invalid prop `props`: received undefined\. It is required: the input data, the model package group/);
  });
});

describe('StandardTrainingPipeline on a foundation, with the model package group as an object', () => {
  let stack: Stack;
  let template: Template;
  let body: any;
  let group: ModelPackageGroup;
  let foundation: MlopsFoundation;
  const head = (prefix: string) => `s3://<${stack.getLogicalId(foundation.artifactBucket.node.defaultChild as any)}>/${prefix}`;
  const objects = (prefix: string) => ({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: stack.getLogicalId(foundation.artifactBucket.node.defaultChild as any) }, `/${prefix}/*`]],
  });

  beforeAll(() => {
    const app = compliantApp();
    stack = new Stack(app, 'Composed');
    foundation = new MlopsFoundation(stack, 'Foundation', {
      storageLayout: StorageLayout.of({ evaluationReports: 'reports', models: 'model-artifacts', baselines: 'drift-baselines' }),
    });
    group = new ModelPackageGroup(stack, 'Models', { modelPackageGroupName: 'churn-models' });
    new StandardTrainingPipeline(stack, 'Pipeline', {
      foundation,
      modelPackageGroup: group,
      pipelineName: 'churn',
      inputDataUri: 's3://landing-bucket/churn/',
      preprocessingScript: { s3Uri: 's3://code-bucket/preprocess.py' },
      evaluationScript: { s3Uri: 's3://code-bucket/evaluate.py' },
      metricJsonPath: 'regression_metrics.mse.value',
      metricThreshold: 6,
      processingInstanceType: InstanceType.ML_M5_LARGE,
      trainingInstanceType: InstanceType.ML_C5_XLARGE,
      trainingImage: ContainerImage.xgboost('1.7-1'),
    });
    expectCompliant(stack);
    template = Template.fromStack(stack);
    body = bodyOf(template);
  });

  test('registers into the group (a reference to it), with the report under the group\'s evaluation report prefix', () => {
    const register = body.Steps[4].Arguments.IfSteps[0].Arguments;
    expect(register.ModelPackageGroupName).toBe(`<${stack.getLogicalId(group.cfnModelPackageGroup)}>`);
    const report = register.ModelMetrics.ModelQuality.Statistics.S3Uri;
    expect(report).toEqual({ 'Std:Join': { On: '/', Values: [head('reports/churn-models'), { Get: 'Execution.PipelineExecutionId' }, 'evaluation.json'] } });
    // The evaluation step writes its output (with evaluation.json in it) to the same place, per execution.
    const evaluation = body.Steps[3].Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri;
    expect(evaluation).toEqual({ 'Std:Join': { On: '/', Values: [head('reports/churn-models'), { Get: 'Execution.PipelineExecutionId' }] } });
    expect(body.Steps[3].PropertyFiles).toEqual([{ PropertyFileName: 'EvaluationReport', OutputName: 'evaluation', FilePath: 'evaluation.json' }]);
    // The data quality step reads the group's approved baselines.
    expect(body.Steps[1].ModelPackageGroupName).toBe(`<${stack.getLogicalId(group.cfnModelPackageGroup)}>`);
  });

  test('model artifacts go under the group\'s model prefix, the drift-check baselines under its baseline prefix', () => {
    expect(body.Steps[2].Arguments.OutputDataConfig.S3OutputPath)
      .toEqual({ 'Std:Join': { On: '/', Values: [head('model-artifacts/churn-models'), { Get: 'Execution.PipelineExecutionId' }] } });
    expect(body.Steps[1].Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri)
      .toEqual({ 'Std:Join': { On: '/', Values: [head('drift-baselines/churn-models'), { Get: 'Execution.PipelineExecutionId' }] } });
    // The other outputs stay under the pipeline's prefix.
    expect(body.Steps[0].Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri['Std:Join'].Values[0]).toBe(head('pipelines/churn'));
    expect(body.Steps[2].Arguments.ResourceConfig.InstanceType).toEqual({ Get: 'Parameters.TrainingInstanceType' });
    expect(body.Parameters.find((p: any) => p.Name === 'TrainingInstanceType').DefaultValue).toBe('ml.c5.xlarge');
    expect(body.Parameters.find((p: any) => p.Name === 'ProcessingInstanceType').DefaultValue).toBe('ml.m5.large');
  });

  test('the job role writes exactly those prefixes of the artifact bucket, and reads them back', () => {
    const statements = statementsOf(template, 'PipelineJobRole');
    const put = statements.find((s) => [s.Action].flat().includes('s3:PutObject'));
    expect([put.Resource].flat()).toEqual(expect.arrayContaining(
      ['pipelines/churn', 'drift-baselines/churn-models', 'model-artifacts/churn-models', 'reports/churn-models'].map(objects)));
    expect([put.Resource].flat()).toHaveLength(4);
    const get = statements.find((s) => s.Action === 's3:GetObject');
    expect([get.Resource].flat()).toEqual(expect.arrayContaining(
      ['pipelines/churn', 'drift-baselines/churn-models', 'model-artifacts/churn-models', 'reports/churn-models'].map(objects)));
    // The execution role reads the evaluation report (the gate's property file) there only.
    const reads = statementsOf(template, 'PipelineExecutionRole').filter((s) => s.Action === 's3:GetObject');
    expect(reads).toEqual([{ Action: 's3:GetObject', Effect: 'Allow', Resource: objects('reports/churn-models') }]);
  });

  test('the execution role may create model packages in that group only', () => {
    const creates = statementsOf(template, 'PipelineExecutionRole').filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes('sagemaker:CreateModelPackage'));
    expect(creates).toHaveLength(1);
    expect(stack.resolve(creates[0].Resource)).toEqual(stack.resolve([
      `arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:model-package-group/churn-models`, group.modelPackageVersionsArn,
    ]));
  });
});
