import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { ContainerImage, MlopsFoundation } from '../../lib/core';
import { StandardPipelineParameterNames, StandardTrainingPipeline, StandardTrainingPipelineProps } from '../../lib/training-pipeline';
import { bodyOf, statementsOf } from './structural';

const SCRIPT = path.join(__dirname, 'scripts', 'preprocess.py');
const BASE: StandardTrainingPipelineProps = {
  pipelineName: 'churn',
  modelPackageGroupName: 'churn-models',
  inputDataUri: 's3://landing-bucket/churn/',
  preprocessingScript: { localFile: SCRIPT },
  evaluationScript: { s3Uri: 's3://code-bucket/evaluate.py' },
  metricJsonPath: 'regression_metrics.mse.value',
  metricThreshold: 6,
};

function build(props: Partial<StandardTrainingPipelineProps>): { template: Template; body: any; stack: Stack } {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  new StandardTrainingPipeline(stack, 'Pipeline', { ...BASE, foundation: new MlopsFoundation(stack, 'Foundation'), ...props });
  const template = Template.fromStack(stack);
  return { template, body: bodyOf(template), stack };
}

const stepOf = (body: any, name: string): any => {
  const all = body.Steps.flatMap((s: any) => [s, ...(s.Arguments?.IfSteps ?? []), ...(s.Arguments?.ElseSteps ?? [])]);
  return all.find((s: any) => s.Name === name);
};

const XGBOOST = '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1';

describe('StandardTrainingPipeline inputParameters', () => {
  let fixed: ReturnType<typeof build>;
  let all: ReturnType<typeof build>;
  beforeAll(() => {
    fixed = build({});
    all = build({ inputParameters: { trainingImage: true, inferenceImage: true, scripts: true } });
  });

  test('without the prop, the definition is what it was: no new parameter, the scripts and images fixed', () => {
    expect(fixed.body.Parameters.map((p: any) => p.Name)).toEqual([
      'InputData', 'MetricThreshold', 'ProcessingInstanceType', 'TrainingInstanceType', 'SkipDataQualityCheck', 'RegisterNewDataQualityBaseline',
    ]);
    const preprocess = stepOf(fixed.body, 'Preprocess').Arguments;
    expect(preprocess.AppSpecification.ContainerEntrypoint).toEqual(['python3', expect.stringMatching(/^\/opt\/ml\/processing\/input\/code\/[0-9a-f]{64}\.py$/)]);
    expect(stepOf(fixed.body, 'Train').Arguments.AlgorithmSpecification.TrainingImage).toBe(XGBOOST);
    expect(stepOf(fixed.body, 'Register').Arguments.InferenceSpecification.Containers[0].Image).toBe(XGBOOST);
    expect(JSON.stringify(fixed.body)).not.toContain('/bin/sh');
  });

  test('declares the four parameters after the existing ones, each defaulting to what the props give', () => {
    const params = all.body.Parameters;
    expect(params.slice(0, 6).map((p: any) => p.Name)).toEqual(fixed.body.Parameters.map((p: any) => p.Name));
    const added = Object.fromEntries(params.slice(6).map((p: any) => [p.Name, [p.Type, p.DefaultValue]]));
    expect(added).toEqual({
      [StandardPipelineParameterNames.TRAINING_IMAGE_URI]: ['String', XGBOOST],
      [StandardPipelineParameterNames.INFERENCE_IMAGE_URI]: ['String', XGBOOST],
      [StandardPipelineParameterNames.PREPROCESSING_SCRIPT_URI]: ['String', expect.stringMatching(/^s3:\/\/cdk-[a-z0-9]+-assets-123456789012-eu-west-1\/[0-9a-f]{64}\.py$/)],
      [StandardPipelineParameterNames.EVALUATION_SCRIPT_URI]: ['String', 's3://code-bucket/evaluate.py'],
    });
    // The same asset as the fixed definition's script.
    const fixedKey = stepOf(fixed.body, 'Preprocess').Arguments.ProcessingInputs.find((i: any) => i.InputName === 'code').S3Input.S3Uri;
    expect(added.PreprocessingScriptUri[1]).toBe(fixedKey);
  });

  test('the steps take the images and the scripts from the parameters', () => {
    expect(stepOf(all.body, 'Train').Arguments.AlgorithmSpecification.TrainingImage).toEqual({ Get: 'Parameters.TrainingImageUri' });
    expect(stepOf(all.body, 'Register').Arguments.InferenceSpecification.Containers[0].Image).toEqual({ Get: 'Parameters.InferenceImageUri' });
    for (const [step, parameter] of [['Preprocess', 'PreprocessingScriptUri'], ['Evaluate', 'EvaluationScriptUri']]) {
      const args = stepOf(all.body, step).Arguments;
      const code = args.ProcessingInputs.find((i: any) => i.InputName === 'code');
      expect(code.S3Input).toMatchObject({ S3Uri: { Get: `Parameters.${parameter}` }, LocalPath: '/opt/ml/processing/input/code', S3DataType: 'S3Prefix' });
      // The last input, as with a fixed script.
      expect(args.ProcessingInputs[args.ProcessingInputs.length - 1]).toBe(code);
      // Run under whatever name the object has.
      expect(args.AppSpecification.ContainerEntrypoint).toEqual(['/bin/sh', '-c', 'exec "$@" /opt/ml/processing/input/code/*', 'run-script', 'python3']);
    }
  });

  test('the job role may still read the default scripts and pull the default images (grants follow the defaults)', () => {
    const reads = statementsOf(fixed.template, 'PipelineJobRole').filter((s: any) => [s.Action].flat().includes('s3:GetObject'));
    const readsAll = statementsOf(all.template, 'PipelineJobRole').filter((s: any) => [s.Action].flat().includes('s3:GetObject'));
    expect(JSON.stringify(readsAll)).toContain('code-bucket/evaluate.py');
    expect(readsAll).toEqual(reads);
    const pulls = (t: Template) => statementsOf(t, 'PipelineJobRole').filter((s: any) => [s.Action].flat().includes('ecr:BatchGetImage'));
    expect(pulls(all.template)).toEqual(pulls(fixed.template));
    expect(JSON.stringify(pulls(all.template))).toContain('repository/sagemaker-xgboost');
  });

  test('with the training image only, the model registers the training image parameter', () => {
    const { body } = build({ inputParameters: { trainingImage: true } });
    expect(body.Parameters.slice(6).map((p: any) => p.Name)).toEqual(['TrainingImageUri']);
    expect(stepOf(body, 'Register').Arguments.InferenceSpecification.Containers[0].Image).toEqual({ Get: 'Parameters.TrainingImageUri' });
    expect(stepOf(body, 'Preprocess').Arguments.AppSpecification.ContainerEntrypoint[0]).toBe('python3');
  });

  test('an inference image of its own is the default of InferenceImageUri; the training image stays fixed without its parameter', () => {
    const stack = new Stack(new App(), 'Own', { env: { account: '123456789012', region: 'eu-west-1' } });
    const repo = ecr.Repository.fromRepositoryName(stack, 'Repo', 'serving');
    new StandardTrainingPipeline(stack, 'Pipeline', {
      ...BASE, foundation: new MlopsFoundation(stack, 'Foundation'),
      inferenceImage: ContainerImage.fromEcrRepository(repo, 'v1'), inputParameters: { inferenceImage: true },
    });
    const body = bodyOf(Template.fromStack(stack));
    expect(body.Parameters.slice(6)).toEqual([{ Name: 'InferenceImageUri', Type: 'String', DefaultValue: '123456789012.dkr.ecr.eu-west-1.<AWS::URLSuffix>/serving:v1' }]);
    expect(stepOf(body, 'Train').Arguments.AlgorithmSpecification.TrainingImage).toBe(XGBOOST);
  });

  test('a script command of its own is kept after the shell', () => {
    const { body } = build({ evaluationScript: { s3Uri: 's3://code-bucket/evaluate.py', command: ['python3', '-u'] }, inputParameters: { scripts: true } });
    expect(stepOf(body, 'Evaluate').Arguments.AppSpecification.ContainerEntrypoint.slice(3)).toEqual(['run-script', 'python3', '-u']);
  });

  test.each([
    [{ inputParameters: 'yes' as any }, /Invalid prop `inputParameters`: received "yes". It must be an object/],
    [{ inputParameters: { scripts: 'true' as any } }, /Invalid prop `inputParameters.scripts`: received "true". It must be a boolean/],
    [{ inputParameters: { scripts: true }, preprocessingScript: { localFile: '/no/such/file.py' } }, /Invalid prop `preprocessingScript.localFile`: received "\/no\/such\/file.py". It must be an existing file/],
    [{ inputParameters: { scripts: true }, evaluationScript: { s3Uri: 's3://b/e.py', localFile: SCRIPT } }, /Invalid prop `evaluationScript`.*Give exactly one of `s3Uri` and `localFile`/],
  ])('refuses bad input %#', (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
