import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  Condition, ConditionStep, FailStep, PipelineDefinition, PipelineParameter, ProcessingStep, PropertyFile,
  RegisterModelStep, TrainingPipeline, TrainingStep,
} from '../../lib/training-pipeline';
import { ArtifactBucket, ContainerImage, ManagedPolicyRole } from '../../lib/core';
import { compliantApp, expectCompliant } from '../helpers/compliance';
import { matchesEventPattern } from '../helpers/event-pattern';
import { loadEvent } from '../helpers/fixtures';
import { bodyOf, loadDefinition, statementsOf, structuralDifferences } from './structural';

function buildPipeline(stack: Stack): TrainingPipeline {
  const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'churn', maxParallelSteps: 4 });
  const input = PipelineParameter.string('InputData', { defaultValue: 's3://raw-data-bucket/churn/' });
  pipeline.addParameter(input);
  const report = new PropertyFile({ name: 'EvaluationReport', outputName: 'evaluation', path: 'evaluation.json' });
  const prep = new ProcessingStep('Preprocess', {
    image: ContainerImage.scikitLearn(),
    code: { s3Uri: 's3://code-bucket/preprocess.py' },
    inputs: [{ inputName: 'raw', source: input.asString, destination: '/opt/ml/processing/input' }],
    outputs: [{ outputName: 'train', source: '/opt/ml/processing/train' }],
  });
  const train = new TrainingStep('Train', {
    image: ContainerImage.xgboost(),
    inputs: [{ channelName: 'train', s3Uri: prep.properties.outputUri('train').asString, contentType: 'text/csv' }],
    hyperparameters: { num_round: '50' },
  });
  const evaluate = new ProcessingStep('Evaluate', {
    image: ContainerImage.scikitLearn(),
    code: { s3Uri: 's3://code-bucket/evaluate.py' },
    inputs: [{ inputName: 'model', source: train.properties.modelArtifacts.s3ModelArtifacts.asString, destination: '/opt/ml/processing/model' }],
    outputs: [{ outputName: 'evaluation', source: '/opt/ml/processing/evaluation' }],
    propertyFiles: [report],
  });
  const register = new RegisterModelStep('Register', {
    modelPackageGroupName: 'churn-models',
    image: ContainerImage.xgboost(),
    modelDataUrl: train.properties.modelArtifacts.s3ModelArtifacts.asString,
  });
  pipeline.addStep(prep, train, evaluate, new ConditionStep('Gate', {
    conditions: [Condition.lessThanOrEqualTo(report.get('regression_metrics.mse.value'), 6)],
    ifSteps: [register],
    elseSteps: [new FailStep('TooBad', { errorMessage: 'MSE above threshold' })],
  }));
  return pipeline;
}

describe('TrainingPipeline', () => {
  let stack: Stack;
  let template: Template;
  let pipeline: TrainingPipeline;
  let dataBucket: s3.IBucket;
  let operator: ManagedPolicyRole;

  beforeAll(() => {
    const app = compliantApp();
    stack = new Stack(app, 'Train');
    pipeline = buildPipeline(stack);
    dataBucket = s3.Bucket.fromBucketName(stack, 'Data', 'example-bucket');
    pipeline.addScheduleTrigger('Nightly', { schedule: events.Schedule.cron({ hour: '3', minute: '0' }) });
    pipeline.addNewDataTrigger('NewData', { bucket: dataBucket, prefix: 'IMG_', parameters: { InputData: 's3://example-bucket/IMG_' } });
    const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'Drift', 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:churn-drift');
    pipeline.addAlarmTrigger('OnDrift', { alarm });
    operator = new ManagedPolicyRole(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    pipeline.grantStartExecution(operator);
    expectCompliant(stack);
    template = Template.fromStack(stack);
  });

  test('creates the pipeline with its name, role, parallelism and an inline definition', () => {
    template.hasResourceProperties('AWS::SageMaker::Pipeline', {
      PipelineName: 'churn',
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineExecutionRole'), 'Arn'] },
      ParallelismConfiguration: { MaxParallelExecutionSteps: 4 },
      PipelineDefinition: { PipelineDefinitionBody: Match.anyValue() },
    });
    expect(pipeline.definitionStorage).toBe('inline');
  });

  test('the definition gives jobs the job role, the key and outputs under the pipeline prefix', () => {
    const body = bodyOf(template);
    expect(body.Version).toBe('2020-12-01');
    expect(body.Steps.map((s: any) => s.Name)).toEqual(['Preprocess', 'Train', 'Evaluate', 'Gate']);
    const prep = body.Steps[0].Arguments;
    expect(prep.RoleArn).toMatch(/^<PipelineJobRole[0-9A-F]+\.Arn>$/);
    expect(prep.ProcessingResources.ClusterConfig.VolumeKmsKeyId).toMatch(/^<PipelineKey[0-9A-F]+\.Arn>$/);
    expect(prep.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri).toEqual({
      'Std:Join': { On: '/', Values: [expect.stringMatching(/^s3:\/\/<PipelineArtifactsBucket[0-9A-F]+>\/pipelines\/churn$/), { Get: 'Execution.PipelineExecutionId' }, 'Preprocess', 'output', 'train'] },
    });
    expect(prep.AppSpecification.ImageUri).toBe('<FindInMap:SageMakerImageRegistriesXgboost>.dkr.ecr.<AWS::Region>.<AWS::URLSuffix>/sagemaker-scikit-learn:1.2-1-cpu-py3');
    expect(body.Steps[3].Arguments.IfSteps[0].Arguments.ModelApprovalStatus).toBe('PendingManualApproval');
  });

  test('the execution role passes only the job role, to SageMaker only, and creates only pipeline jobs', () => {
    const statements = statementsOf(template, 'PipelineExecutionRole');
    const passRoles = statements.filter((s) => s.Action === 'iam:PassRole');
    expect(passRoles).toHaveLength(1);
    expect(passRoles[0].Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
    expect(passRoles[0].Resource['Fn::GetAtt'][0]).toMatch(/^PipelineJobRole/);
    const processing = statements.find((s) => Array.isArray(s.Action) && s.Action.includes('sagemaker:CreateProcessingJob'));
    expect(processing.Resource['Fn::Join'][1].slice(-1)[0]).toBe(':processing-job/pipelines-*');
    const register = statements.find((s) => Array.isArray(s.Action) && s.Action.includes('sagemaker:CreateModelPackage'));
    expect(JSON.stringify(register.Resource)).toContain(':model-package-group/churn-models');
    // The property file is read from the evaluation output only.
    const read = statements.find((s) => s.Action === 's3:GetObject');
    expect(read.Resource['Fn::Join'][1].slice(-1)[0]).toBe('/pipelines/churn/*');
    // No action wildcards, no Resource "*".
    for (const s of statements) {
      expect([s.Action].flat().some((a: string) => a.includes('*'))).toBe(false);
      expect(s.Resource).not.toEqual('*');
    }
  });

  test('the job role reads the inputs (including the parameter default), writes the prefix and pulls the images', () => {
    const statements = statementsOf(template, 'PipelineJobRole');
    const read = statements.find((s) => s.Action === 's3:GetObject');
    const readArns = JSON.stringify(read.Resource);
    expect(readArns).toContain(':s3:::raw-data-bucket/churn/*');
    expect(readArns).toContain(':s3:::code-bucket/preprocess.py*');
    const write = statements.find((s) => Array.isArray(s.Action) && s.Action.includes('s3:PutObject'));
    expect(write.Resource['Fn::Join'][1].slice(-1)[0]).toBe('/pipelines/churn/*');
    const pull = statements.find((s) => Array.isArray(s.Action) && s.Action.includes('ecr:BatchGetImage'));
    expect(JSON.stringify(pull.Resource)).toContain(':repository/sagemaker-xgboost');
    expect(JSON.stringify(pull.Resource)).toContain(':repository/sagemaker-scikit-learn');
    expect(statements).toContainEqual({ Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' });
  });

  test('a built-in image resolves per region with a mapping when the region is a token', () => {
    const mapping = template.toJSON().Mappings.SageMakerImageRegistriesXgboost;
    expect(mapping['us-east-1']).toEqual({ account: '683313688378' });
    expect(mapping['eu-west-1']).toEqual({ account: '141502667606' });
  });

  test('a built-in image resolves to a literal account when the region is known', () => {
    const s = new Stack(new App(), 'Known', { env: { region: 'eu-west-1', account: '111122223333' } });
    const p = buildPipeline(s);
    const body = Template.fromStack(s);
    expect(body.toJSON().Mappings).toBeUndefined();
    expect(bodyOf(body).Steps[1].Arguments.AlgorithmSpecification.TrainingImage).toBe('141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1');
    expect(p.pipelineArn).toMatch(/:sagemaker:eu-west-1:111122223333:pipeline\/churn$/);
  });

  test('the schedule trigger starts the pipeline through a role allowed to start only it', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      Targets: [Match.objectLike({
        Arn: { 'Fn::Join': ['', Match.arrayWith([':pipeline/churn'])] },
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineTriggerRole'), 'Arn'] },
      })],
    });
    expect(statementsOf(template, 'PipelineTriggerRole')).toEqual([{
      Action: 'sagemaker:StartPipelineExecution', Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':pipeline/churn']] },
    }]);
  });

  test('the new-data trigger matches the real S3 Object Created event under the prefix only, and passes parameters', () => {
    const rules = template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.s3'] } } });
    const rule = Object.values(rules)[0].Properties;
    const event = loadEvent('s3-object-created');
    expect(matchesEventPattern(rule.EventPattern, event)).toBe(true);
    expect(matchesEventPattern(rule.EventPattern, { ...event, detail: { ...event.detail, object: { key: 'other/x.csv' } } })).toBe(false);
    expect(matchesEventPattern(rule.EventPattern, { ...event, detail: { ...event.detail, bucket: { name: 'another-bucket' } } })).toBe(false);
    expect(rule.Targets[0].SageMakerPipelineParameters).toEqual({ PipelineParameterList: [{ Name: 'InputData', Value: 's3://example-bucket/IMG_' }] });
  });

  test('the alarm trigger starts on ALARM of that alarm only', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        'resources': ['arn:aws:cloudwatch:us-east-1:111122223333:alarm:churn-drift'],
        'detail': { state: { value: ['ALARM'] } },
      },
    });
  });

  test('grantStartExecution allows StartPipelineExecution on this pipeline only', () => {
    expect(statementsOf(template, 'Operator')).toEqual([{
      Action: 'sagemaker:StartPipelineExecution', Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':pipeline/churn']] },
    }]);
    expect(operator.node.path).toBe('Train/Operator');
  });

  test('metrics use the SageMaker Pipelines namespace and the pipeline name', () => {
    const m = pipeline.metricExecutionFailed();
    expect(m.namespace).toBe('AWS/Sagemaker/ModelBuildingPipeline');
    expect(m.metricName).toBe('ExecutionFailed');
    expect(m.dimensions).toEqual({ PipelineName: 'churn' });
    expect(m.statistic).toBe('Sum');
    expect(pipeline.metricExecutionDuration().statistic).toBe('Average');
    expect(pipeline.metricExecutionStarted().metricName).toBe('ExecutionStarted');
    expect(pipeline.metricExecutionSucceeded().metricName).toBe('ExecutionSucceeded');
    expect(pipeline.metricExecutionStopped().metricName).toBe('ExecutionStopped');
    const step = pipeline.metricStep('Train', 'StepFailed');
    expect(step.dimensions).toEqual({ PipelineName: 'churn', StepName: 'Train' });
    expect(step.statistic).toBe('Sum');
    expect(pipeline.metricStep('Train', 'StepDuration').statistic).toBe('Average');
  });
});

describe('definition storage', () => {
  test('a definition above the inline limit goes to an S3 asset when it holds no deploy-time values', () => {
    const stack = new Stack(new App(), 'Big', { env: { account: '111122223333', region: 'us-east-1' } });
    const pipeline = new TrainingPipeline(stack, 'Pipeline', {
      pipelineName: 'big',
      role: iam.Role.fromRoleArn(stack, 'Exec', 'arn:aws:iam::111122223333:role/exec', { mutable: false }),
      jobRole: iam.Role.fromRoleArn(stack, 'Job', 'arn:aws:iam::111122223333:role/job', { mutable: false }),
      artifactBucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'artifacts-111122223333'),
      encryptionKey: kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
      maxInlineDefinitionSize: Size.bytes(1000),
    });
    for (let i = 0; i < 5; i++) {
      pipeline.addStep(new TrainingStep(`Train${i}`, { image: ContainerImage.xgboost() }));
    }
    const template = Template.fromStack(stack);
    expect(pipeline.definitionStorage).toBe('s3');
    template.hasResourceProperties('AWS::SageMaker::Pipeline', {
      PipelineDefinition: { PipelineDefinitionS3Location: { Bucket: Match.anyValue(), Key: Match.stringLikeRegexp('\\.json$') } },
    });
  });

  test('a definition above the inline limit with deploy-time values is copied to the artifact bucket with the values filled in', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'BigTokens');
    const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'big', maxInlineDefinitionSize: Size.bytes(1000) });
    pipeline.addStep(new TrainingStep('Train', { image: ContainerImage.xgboost() }), new TrainingStep('Train2', { image: ContainerImage.xgboost() }));
    expectCompliant(stack);
    const template = Template.fromStack(stack);
    expect(pipeline.definitionStorage).toBe('s3');
    template.hasResourceProperties('AWS::SageMaker::Pipeline', {
      PipelineDefinition: {
        PipelineDefinitionS3Location: {
          Bucket: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineDefinition'), 'Bucket'] },
          Key: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineDefinition'), 'Key'] },
          ETag: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineDefinition'), 'ETag'] },
        },
      },
    });
    const writer = Object.values(template.findResources('Custom::PipelineDefinition'))[0].Properties;
    // Under the storage layout's definition prefix of the pipeline.
    expect(writer.TargetKey).toMatch(/^pipeline-definitions\/big\/[0-9a-f]{64}\.json$/);
    // Every deploy-time value has a marker; the values are CloudFormation references.
    const markers = Object.keys(writer.Substitutions);
    expect(markers.length).toBeGreaterThan(2);
    expect(markers.every((m) => /^<<mlops-token:\d+>>$/.test(m))).toBe(true);
    expect(JSON.stringify(writer.Substitutions)).toContain('PipelineJobRole');
    // The writer may put objects under that prefix only.
    const statements = statementsOf(template, 'PipelineDefinitionWriter');
    const put = statements.find((st) => [st.Action].flat().includes('s3:PutObject'));
    expect(put.Resource['Fn::Join'][1].slice(-1)[0]).toBe('/pipeline-definitions/big/*');
  });
});

describe('importing a Python SDK definition', () => {
  test('substitutes the role and the bucket, keeps the rest, and gathers permissions from the JSON', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Imported');
    const bucket = new ArtifactBucket(stack, 'Data').bucket;
    const jobRole = new ManagedPolicyRole(stack, 'JobRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const json = loadDefinition('abalone-r-rstudio-workshop');
    const pipeline = new TrainingPipeline(stack, 'Pipeline', {
      pipelineName: 'abalone',
      // The SDK example registers as Approved: an explicit opt-in here.
      definition: PipelineDefinition.fromJson(json, { jobRole, artifactBucket: bucket, sourceBucketName: 'sagemaker-eu-west-1-123456789012', allowSelfApproval: true }),
    });
    expectCompliant(stack);
    const template = Template.fromStack(stack);
    const body = bodyOf(template);
    expect(structuralDifferences(body, json)).toEqual([]);
    expect(body.Steps[0].Arguments.RoleArn).toMatch(/^<JobRole[0-9A-F]+\.Arn>$/);
    expect(body.Steps[0].Arguments.ProcessingInputs[1].S3Input.S3Uri).toMatch(/^s3:\/\/<DataBucket[0-9A-F]+>\/ProcessingStep-/);
    expect(body.Steps[1].Arguments.HyperParameters.sagemaker_submit_directory).toMatch(/^"s3:\/\/<DataBucket[0-9A-F]+>\//);
    expect(pipeline.definition.stepCount).toBe(5);
    const statements = statementsOf(template, 'PipelineExecutionRole');
    const passRole = statements.find((s) => s.Action === 'iam:PassRole');
    expect(passRole.Resource['Fn::GetAtt'][0]).toMatch(/^JobRole/);
    const register = statements.find((s) => Array.isArray(s.Action) && s.Action.includes('sagemaker:CreateModelPackage'));
    expect(JSON.stringify(register.Resource)).toContain('model-package/abalonermodelpackagegroup/*');
  });
});

describe('an existing pipeline', () => {
  test('can be triggered, granted and monitored by name', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Existing');
    const existing = TrainingPipeline.fromPipelineName(stack, 'Existing', 'legacy-training');
    existing.addScheduleTrigger('Weekly', { schedule: events.Schedule.cron({ weekDay: 'MON', hour: '1', minute: '0' }) });
    const ci = new ManagedPolicyRole(stack, 'Ci', { assumedBy: new iam.AccountRootPrincipal() });
    existing.grantStartExecution(ci);
    expectCompliant(stack);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SageMaker::Pipeline', 0);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 1 ? * MON *)',
      Targets: [Match.objectLike({ Arn: { 'Fn::Join': ['', Match.arrayWith([':pipeline/legacy-training'])] } })],
    });
    expect(statementsOf(template, 'Ci')[0].Action).toBe('sagemaker:StartPipelineExecution');
    expect(existing.metricExecutionSucceeded().dimensions).toEqual({ PipelineName: 'legacy-training' });
    expect(() => TrainingPipeline.fromPipelineName(stack, 'Bad', 'no_underscores')).toThrow(/Invalid prop `pipelineName`: received "no_underscores"/);
  });
});

describe('trigger dead-letter queues', () => {
  test('failed starts go to the queue, which admits this rule only', () => {
    const stack = new Stack();
    const pipeline = TrainingPipeline.fromPipelineName(stack, 'P', 'churn');
    const dlq = new sqs.Queue(stack, 'Dlq', { enforceSSL: true });
    pipeline.addScheduleTrigger('Nightly', { schedule: events.Schedule.rate(Duration.days(1)), deadLetterQueue: dlq, maxEventAge: Duration.hours(2) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Dlq'), 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 185 },
      })],
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'sqs:SendMessage',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^PNightly'), 'Arn'] } } },
        })]),
      },
    });
    expect(() => pipeline.addScheduleTrigger('TooLong', { schedule: events.Schedule.rate(Duration.days(1)), maxEventAge: Duration.days(2) }))
      .toThrow(/Invalid prop `maxEventAge \(seconds\)`: received 172800\. It must be an integer from 60 to 86400/);
  });
});
