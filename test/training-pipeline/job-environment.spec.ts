import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MlopsFoundation } from '../../lib/core';
import { StandardTrainingPipeline, StandardTrainingPipelineProps } from '../../lib/training-pipeline';
import { bodyOf } from './structural';

const BASE: StandardTrainingPipelineProps = {
  pipelineName: 'churn',
  modelPackageGroupName: 'churn-models',
  inputDataUri: 's3://landing-bucket/churn/',
  preprocessingScript: { s3Uri: 's3://code-bucket/preprocess.py' },
  evaluationScript: { s3Uri: 's3://code-bucket/evaluate.py' },
  metricJsonPath: 'regression_metrics.mse.value',
  metricThreshold: 6,
};

function build(props: Partial<StandardTrainingPipelineProps>): any {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  new StandardTrainingPipeline(stack, 'Pipeline', { ...BASE, foundation: new MlopsFoundation(stack, 'Foundation'), ...props });
  return bodyOf(Template.fromStack(stack));
}

describe('StandardTrainingPipeline environment', () => {
  test('the preprocessing, training and evaluation jobs get the variables; the check step keeps its own', () => {
    const body = build({ environment: { MLFLOW_TRACKING_URI: 'arn:aws:sagemaker:eu-west-1:123456789012:mlflow-app/app-x', MLFLOW_EXPERIMENT_NAME: 'churn' } });
    const env = Object.fromEntries(body.Steps.map((s: any) => [s.Name, s.Arguments?.Environment]));
    const expected = { MLFLOW_TRACKING_URI: 'arn:aws:sagemaker:eu-west-1:123456789012:mlflow-app/app-x', MLFLOW_EXPERIMENT_NAME: 'churn' };
    expect(env.Preprocess).toEqual(expected);
    expect(env.Train).toEqual(expected);
    expect(env.Evaluate).toEqual(expected);
    expect(JSON.stringify(env.DataQualityBaseline ?? {})).not.toContain('MLFLOW');
  });

  test('without it, no job has an environment of the pipeline\'s', () => {
    const body = build({});
    for (const name of ['Preprocess', 'Train', 'Evaluate']) {
      const step = body.Steps.find((s: any) => s.Name === name);
      expect(JSON.stringify(step.Arguments.Environment ?? {})).not.toContain('MLFLOW');
    }
  });

  test.each([
    [{ '1ABC': 'x' }, /environment\.1ABC.*letters, digits and `_`/s],
    [{ 'MY-VAR': 'x' }, /environment\.MY-VAR.*letters, digits and `_`/s],
    [{ LONG: 'x'.repeat(513) }, /environment\.LONG.*at most 512 characters/s],
    [Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`V${i}`, 'x'])), /49 variables.*at most 48/s],
    [['A=1'], /environment.*object of variable names/s],
  ])('bad environment %# is refused at synth', (environment, message) => {
    expect(() => build({ environment: environment as any })).toThrow(message);
  });
});
