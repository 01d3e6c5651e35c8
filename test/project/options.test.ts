import { App, Duration, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  ApprovalPolicy, InstanceType, MetricComparison, MlopsFoundation, MlopsProject, MlopsProjectProps, ModelPackageGroup, StagingMode,
  TrafficRouting, TrainingPipeline,
} from '../../lib';
import { matchesEventPattern } from '../helpers/event-pattern';
import { loadEvent } from '../helpers/fixtures';
import { buildProject, ENV, PROJECT_TRAINING, resourcesOf, SAMPLES, stagesOf } from './util';

const training = PROJECT_TRAINING;

describe('staging modes', () => {
  test('persistent staging stays up: CREATE_UPDATE, never deleted, no clean-up rule', () => {
    const { json } = buildProject({ staging: { mode: StagingMode.PERSISTENT } }, { compliance: false });
    const staging = stagesOf(json)[1].Actions;
    expect(staging.map((a: any) => a.Name)).toEqual(['Deploy', 'Test', 'Approve', 'CheckRelease']);
    expect(staging[0].Configuration.ActionMode).toBe('CREATE_UPDATE');
    expect(resourcesOf(json, 'AWS::Events::Rule').map(([id]) => id)).not.toContainEqual(expect.stringMatching(/CleanUpStaging/));
  });

  test('ephemeral staging (the default) is also deleted after a rejected or failed execution', () => {
    const { json } = buildProject({}, { compliance: false });
    const rule = resourcesOf(json, 'AWS::Events::Rule').find(([id]) => id.startsWith('ProjectCleanUpStagingAfterFailure'))![1];
    expect(rule.Properties.EventPattern.detail).toEqual({ pipeline: ['churn-deploy'], state: ['FAILED', 'STOPPED', 'SUPERSEDED'] });
  });

  test('serverless staging: one template whose variant is serverless when the stage says so; compliance clean', () => {
    const { stageTemplate, json, findings } = buildProject({
      staging: { mode: StagingMode.SERVERLESS, serverlessMemoryMiB: 3072, serverlessMaxConcurrency: 10 },
      endpoint: { networkIsolation: false },
    });
    expect(findings).toEqual([]);
    expect(stageTemplate.Parameters.Serverless).toEqual(expect.objectContaining({ AllowedValues: ['true', 'false'], Default: 'false' }));
    const config = Object.values(stageTemplate.Resources as Record<string, any>).find((r) => r.Type === 'AWS::SageMaker::EndpointConfig')!;
    const [condition, serverless, instance] = config.Properties.ProductionVariants[0]['Fn::If'];
    expect(condition).toBe('IsServerless');
    expect(serverless.ServerlessConfig).toEqual({ MemorySizeInMB: 3072, MaxConcurrency: 10 });
    expect(instance.InstanceType).toEqual({ Ref: 'InstanceType' });
    expect(config.Properties.KmsKeyId['Fn::If'][0]).toBe('IsServerless');
    const env = resourcesOf(json, 'AWS::Lambda::Function').find(([, f]) => f.Properties.Environment?.Variables?.STAGES)![1];
    const stages = JSON.stringify(env.Properties.Environment.Variables.STAGES);
    expect(stages).toContain('\\"Serverless\\":\\"true\\"');
    expect(stages).toContain('\\"Serverless\\":\\"false\\"');
  });

  test.each([
    ['network isolation (the default)', {}, /`endpoint.networkIsolation`: received true. Serverless staging cannot test an endpoint with network isolation/],
    ['data capture', { endpoint: { networkIsolation: false, dataCapturePercentage: 10 } }, /`endpoint.dataCapturePercentage`: received 10/],
    ['a monitor', { endpoint: { networkIsolation: false, dataQualityMonitor: true } }, /`endpoint.dataCapturePercentage`: received 20/],
    ['autoscaling', { endpoint: { networkIsolation: false, autoscalingMaxCapacity: 4 } }, /`endpoint.autoscalingMaxCapacity`: received 4. Serverless staging cannot test an endpoint with autoscaling/],
    ['canary traffic shifting', { endpoint: { networkIsolation: false, deployment: { trafficRouting: TrafficRouting.canary({ canarySize: undefined as any }) } } }, /`endpoint.deployment.trafficRouting`/],
    ['a GPU instance type', { endpoint: { networkIsolation: false }, prod: { instanceType: InstanceType.ML_G5_XLARGE } }, /`prod.instanceType`: received "ml.g5.xlarge". Serverless staging cannot test an endpoint with a GPU/],
  ])('serverless staging is refused with %s', (_name, extra, message) => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    expect(() => new MlopsProject(stack, 'P', { projectName: 'churn', staging: { mode: StagingMode.SERVERLESS }, ...extra } as MlopsProjectProps))
      .toThrow(message);
  });
});

describe('training, approval and pipeline options', () => {
  test('the standard pipeline registers into the project\'s group on its foundation, with metric-threshold approval', () => {
    const { project, json, findings } = buildProject({
      training,
      approval: { policy: ApprovalPolicy.METRIC_THRESHOLDS, metricThresholds: [{ metricJsonPath: training.metricJsonPath, comparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO, value: 0.8 }] },
    });
    expect(findings).toEqual([]);
    expect(project.trainingPipeline!.pipelineName).toBe('churn-training');
    const [[, pipeline]] = resourcesOf(json, 'AWS::SageMaker::Pipeline');
    expect(JSON.stringify(pipeline.Properties.PipelineDefinition)).toContain(resourcesOf(json, 'AWS::SageMaker::ModelPackageGroup')[0][0]);
    expect(resourcesOf(json, 'AWS::KMS::Key')).toHaveLength(1);
  });

  test('your own training pipeline and an existing group; SUPERSEDED execution, approval timeout and bake time', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const mine = TrainingPipeline.fromPipelineName(stack, 'Mine', 'my-training');
    const project = new MlopsProject(stack, 'P', {
      projectName: 'fraud',
      trainingPipeline: mine,
      approval: { modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(stack, 'Existing', 'fraud-detector') },
      executionMode: codepipeline.ExecutionMode.SUPERSEDED,
      approvalTimeout: Duration.hours(4),
      prod: { bakeTime: Duration.minutes(30), instanceType: InstanceType.ML_C5_XLARGE, instanceCount: 3 },
    });
    expect(project.trainingPipeline).toBe(mine);
    const json = app.synth().getStackByName('S').template;
    expect(resourcesOf(json, 'AWS::SageMaker::ModelPackageGroup')).toEqual([]);
    const [[, pipeline]] = resourcesOf(json, 'AWS::CodePipeline::Pipeline');
    expect(pipeline.Properties.ExecutionMode).toBe('SUPERSEDED');
    const stages = pipeline.Properties.Stages;
    expect(stages[1].Actions[2].TimeoutInMinutes).toBe(240);
    expect(stages[2].OnSuccess.Conditions[0].Rules[0].Configuration.WaitTime).toBe('30');
    expect(JSON.stringify(resourcesOf(json, 'AWS::Lambda::Function'))).toContain('\\"InstanceType\\":\\"ml.c5.xlarge\\",\\"InstanceCount\\":\\"3\\"');
  });

  test('your own test commands run in CodeBuild after the sample test, with the endpoint\'s name', () => {
    const { json, findings } = buildProject({ stagingTest: { samplesDirectory: SAMPLES, commands: ['python tests/smoke.py'] } });
    expect(findings).toEqual([]);
    const staging = stagesOf(json)[1].Actions;
    expect(staging.map((a: any) => `${a.Name}:${a.RunOrder}`)).toEqual(['Deploy:1', 'Test:2', 'YourTests:3', 'Approve:4', 'CheckRelease:5', 'DeleteStaging:5']);
    expect(JSON.parse(staging[2].Configuration.EnvironmentVariables)).toContainEqual({ name: 'ENDPOINT_NAME', type: 'PLAINTEXT', value: 'churn-staging' });
    const [[, project]] = resourcesOf(json, 'AWS::CodeBuild::Project');
    expect(project.Properties.Environment.PrivilegedMode).toBe(false);
    expect(project.Properties.Source.BuildSpec).toContain('python tests/smoke.py');
  });
});

describe('bad input (construct path, prop, value and rule)', () => {
  const make = (props: Partial<MlopsProjectProps> | undefined, stack = new Stack(new App(), 'S', { env: ENV })) =>
    () => new MlopsProject(stack, 'P', props === undefined ? undefined as any : { projectName: 'churn', ...props } as MlopsProjectProps);

  test.each([
    ['no props at all (JavaScript)', undefined, /\[S\/P\] Invalid prop `props`: received undefined. They are required/],
    ['an upper-case project name', { projectName: 'Churn' }, /`projectName`: received "Churn". It must be 2 to 24 lower-case letters/],
    ['a too long project name', { projectName: 'a'.repeat(25) }, /`projectName`.*2 to 24/],
    ['a project name with a double dash', { projectName: 'churn--x' }, /`projectName`: received "churn--x"/],
    ['both training and a training pipeline', { training, trainingPipeline: {} as any }, /`trainingPipeline`.*Give either `training`/],
    ['a group given to the training props', { training: { ...training, modelPackageGroupName: 'x' } }, /`training.modelPackageGroupName`: received "x". The project sets it/],
    ['a foundation given to the training props', { training: { ...training, foundation: {} as any } }, /`training.foundation`.*The project sets it/],
    ['PARALLEL execution', { executionMode: codepipeline.ExecutionMode.PARALLEL }, /`executionMode`: received "PARALLEL". PARALLEL has no stage rollback/],
    ['an instance type SageMaker does not host', { prod: { instanceType: InstanceType.ML_T3_MEDIUM } }, /`prod.instanceType`: received "ml.t3.medium". SageMaker does not offer it for endpoints/],
    ['a staging type outside the allowed ones', { staging: { instanceType: InstanceType.ML_C5_LARGE }, endpoint: { allowedInstanceTypes: [InstanceType.ML_M5_LARGE] } }, /`staging.instanceType`: received "ml.c5.large". It must be one of `endpoint.allowedInstanceTypes`/],
    ['no prod instance', { prod: { instanceCount: 0 } }, /`prod.instanceCount`: received 0. It must be an integer from 1 to 100/],
    ['a bake time of zero', { prod: { bakeTime: Duration.seconds(0) } }, /`prod.bakeTime \(minutes\)`: received 0/],
    ['an approval timeout under 5 minutes', { approvalTimeout: Duration.minutes(1) }, /`approvalTimeout \(minutes\)`: received 1. It must be an integer from 5 to 86400/],
    ['an approval timeout over 60 days', { approvalTimeout: Duration.days(61) }, /`approvalTimeout \(minutes\)`/],
    ['a capture percentage of 0', { endpoint: { dataCapturePercentage: 0 } }, /`endpoint.dataCapturePercentage`: received 0. It must be an integer from 1 to 100/],
    ['autoscaling below the instance count', { endpoint: { autoscalingMaxCapacity: 1 } }, /`endpoint.autoscalingMaxCapacity`: received 1. It must be an integer from 2 to 100/],
    ['a serverless memory size SageMaker does not offer', { staging: { mode: StagingMode.SERVERLESS, serverlessMemoryMiB: 1000 }, endpoint: { networkIsolation: false } }, /`staging.serverlessMemoryMiB`: received 1000/],
    ['an unknown staging mode (JavaScript)', { staging: { mode: 'CHEAP' as any } }, /`staging.mode`: received "CHEAP". It must be one of StagingMode.EPHEMERAL/],
    ['a staging test without a folder', { stagingTest: { samplesDirectory: '' } }, /`stagingTest.samplesDirectory`: received "". It is required/],
    ['a latency percentile of 0', { stagingTest: { samplesDirectory: SAMPLES, latencyPercentile: 0 } }, /`stagingTest.latencyPercentile`: received 0/],
    ['no invocations per sample', { stagingTest: { samplesDirectory: SAMPLES, invocationsPerSample: 0 } }, /`stagingTest.invocationsPerSample`: received 0/],
    ['a bad e-mail address', { notificationEmails: ['not-an-address'] }, /`notificationEmails`: received "not-an-address". It must be an e-mail address/],
  ])('%s', (_name, props, message) => {
    expect(make(props as any)).toThrow(message);
  });

  test('a foundation with a VPC is refused with the reason (not yet supported by the deploy flow)', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const foundation = new MlopsFoundation(stack, 'F', { vpc: new ec2.Vpc(stack, 'Vpc') });
    expect(make({ foundation }, stack)).toThrow(/\[S\/P\] Invalid prop `foundation.vpc`: received "a VPC". The deploy flow does not run endpoints in a VPC yet/);
  });
});

describe('training notifications', () => {
  test('every project with a training pipeline notifies the completion and failure of its runs; none without one', () => {
    const { json } = buildProject({ training }, { compliance: false });
    const [, rule] = resourcesOf(json, 'AWS::Events::Rule').find(([id]) => id.startsWith('ProjectNotifyTrainingExecutions'))!;
    const sample = loadEvent('sagemaker-pipeline-execution-status-change.succeeded');
    const arn = `arn:aws:sagemaker:${ENV.region}:${ENV.account}:pipeline/churn-training`;
    const ours = { ...sample, region: ENV.region, detail: { ...sample.detail, pipelineArn: arn } };
    const pattern = JSON.parse(JSON.stringify(rule.Properties.EventPattern).replace(/\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":sagemaker:([^"]+)"\]\]\}/g, '"arn:aws:sagemaker:$1"'));
    expect(matchesEventPattern(pattern, ours)).toBe(true);
    expect(matchesEventPattern(pattern, { ...ours, detail: { ...ours.detail, currentPipelineExecutionStatus: 'Failed' } })).toBe(true);
    expect(matchesEventPattern(pattern, { ...ours, detail: { ...ours.detail, currentPipelineExecutionStatus: 'Executing' } })).toBe(false);
    expect(matchesEventPattern(pattern, sample)).toBe(false);
    const none = buildProject({}, { compliance: false });
    expect(resourcesOf(none.json, 'AWS::Events::Rule').map(([id]) => id)).not.toContainEqual(expect.stringMatching(/NotifyTrainingExecutions/));
  });
});
