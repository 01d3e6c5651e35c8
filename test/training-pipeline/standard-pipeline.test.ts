import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addTrainingPipelineExample } from '../../examples/training-pipeline';
import { GateComparison, StandardTrainingPipeline } from '../../lib/training-pipeline';
import { compliantApp, expectCompliant } from '../helpers/compliance';
import { matchesEventPattern } from '../helpers/event-pattern';
import { loadEvent } from '../helpers/fixtures';
import { bodyOf } from './structural';

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
    expect(register.ModelPackageGroupName).toBe('churn');
    expect(register.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(register.ModelMetrics.ModelQuality.Statistics).toEqual({
      ContentType: 'application/json',
      S3Uri: { 'Std:Join': { On: '/', Values: [{ Get: "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri" }, 'evaluation.json'] } },
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
      CheckType: 'DATA_QUALITY', FailOnViolation: true, ModelPackageGroupName: 'churn',
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
    const p = new StandardTrainingPipeline(stack, 'P', { ...base, metricComparison: GateComparison.GREATER_THAN_OR_EQUAL_TO });
    expect(stack.resolve(p.definition.render(stack, { defaultRole: p.jobRole, defaultBucket: p.artifactBucket })).Steps[4].Arguments.Conditions[0].Type)
      .toBe('GreaterThanOrEqualTo');
  });

  test('bad props are refused at once', () => {
    expect(() => new StandardTrainingPipeline(new Stack(), 'P', { ...base, inputDataUri: '/local/data' }))
      .toThrow(/\[Default\/P\] Invalid prop `inputDataUri`: received "\/local\/data"\. It must be an S3 URI/);
    expect(() => new StandardTrainingPipeline(new Stack(), 'P', { ...base, modelPackageGroupName: 'bad_name' }))
      .toThrow(/Invalid prop `modelPackageGroupName`: received "bad_name"/);
    expect(() => new StandardTrainingPipeline(new Stack(), 'P', { ...base, metricThreshold: NaN }))
      .toThrow(/Invalid prop `metricThreshold`/);
  });
});
