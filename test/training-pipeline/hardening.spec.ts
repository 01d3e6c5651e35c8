import { App, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ContainerImage, ModelApprovalStatus, ModelPackageGroup } from '../../lib/core';
import {
  ClarifyCheckStep, ClarifyCheckType, ModelStep, PipelineDefinition, PipelineParameter, ProcessingStep, RegisterModelStep,
  TrainingPipeline, TrainingStep, TransformStep,
} from '../../lib/training-pipeline';
import { compliantApp, expectCompliant } from '../helpers/compliance';
import { bodyOf, loadDefinition, statementsOf } from './structural';

/*
 * Issue 10 (hardening), training-pipeline part: trust policies (item 6), KMS grants (item 4), the
 * self-approval guard and its opt-in (item 2), new-data triggers on the pipeline's own outputs
 * (item 7), the definition writer's service timeout (item 8), Clarify's ModelName (item 13) and
 * the DependsOn cfn-lint W3005 flags.
 */

const IMAGE = ContainerImage.fromImageUri('111122223333.dkr.ecr.us-east-1.amazonaws.com/algo:1');
const arnOf = (service: string, resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]],
});

function trustOf(template: Template, rolePrefix: string): any[] {
  const roles = template.findResources('AWS::IAM::Role');
  const entry = Object.entries(roles).find(([id]) => id.startsWith(rolePrefix));
  if (!entry) { throw new Error(`no role ${rolePrefix}`); }
  return entry[1].Properties.AssumeRolePolicyDocument.Statement;
}

function trainingPipeline(stack: Stack, props: any = {}): TrainingPipeline {
  const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'churn', ...props });
  const prep = new ProcessingStep('Prep', { image: IMAGE, outputs: [{ outputName: 'train', source: '/opt/ml/processing/train' }] });
  pipeline.addStep(prep, new TrainingStep('Train', {
    image: IMAGE, inputs: [{ channelName: 'train', s3Uri: prep.properties.outputUri('train').asString }],
  }));
  return pipeline;
}

describe('trust policies carry the confused-deputy conditions SageMaker and EventBridge document (item 6)', () => {
  let stack: Stack;
  let template: Template;

  beforeAll(() => {
    const app = compliantApp();
    stack = new Stack(app, 'Trust');
    const pipeline = trainingPipeline(stack, { pipelineName: 'Churn-Training' });
    pipeline.addScheduleTrigger('Nightly', { schedule: events.Schedule.cron({ hour: '2', minute: '0' }) });
    pipeline.addNewDataTrigger('NewData', { bucket: s3.Bucket.fromBucketName(stack, 'Data', 'raw-data'), prefix: 'incoming/' });
    expectCompliant(stack);
    template = Template.fromStack(stack);
  });

  test('the execution role trusts SageMaker for executions of this pipeline only (both spellings of its name in the ARN)', () => {
    expect(trustOf(template, 'PipelineExecutionRole')).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'sagemaker.amazonaws.com' },
      Condition: { ArnLike: { 'aws:SourceArn': [arnOf('sagemaker', 'pipeline/Churn-Training/*'), arnOf('sagemaker', 'pipeline/churn-training/*')] } },
    }]);
  });

  test('the job role trusts SageMaker for the kinds of jobs the definition runs, in this account and region', () => {
    expect(trustOf(template, 'PipelineJobRole')).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'sagemaker.amazonaws.com' },
      Condition: { ArnLike: { 'aws:SourceArn': [arnOf('sagemaker', 'processing-job/*'), arnOf('sagemaker', 'training-job/*')] } },
    }]);
  });

  test('the trigger role trusts EventBridge for the rules of this pipeline, in this account', () => {
    const rules = template.findResources('AWS::Events::Rule');
    const names = Object.values(rules).map((r: any) => r.Properties.Name);
    expect(names).toHaveLength(2);
    for (const name of names) { expect(name).toMatch(/^[A-Za-z0-9._-]{1,64}$/); }
    expect(trustOf(template, 'PipelineTriggerRole')).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnEquals: { 'aws:SourceArn': names.map((n) => arnOf('events', `rule/${n}`)) },
      },
    }]);
  });

  test('a model step or a tuning step (no documented job ARN) makes the job role trust the account-wide form', () => {
    const s = new Stack();
    const pipeline = trainingPipeline(s);
    const model = new ModelStep('Model', { image: IMAGE, modelDataUrl: 's3://m/model.tar.gz' });
    pipeline.addStep(model, new TransformStep('Batch', { modelName: model.modelName.asString, inputUri: 's3://in/' }));
    expect(trustOf(Template.fromStack(s), 'PipelineJobRole')[0].Condition).toEqual({
      ArnLike: { 'aws:SourceArn': [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*']] }] },
    });
  });

  test('roles the user gives are left as they are', () => {
    const s = new Stack();
    const role = new iam.Role(s, 'Mine', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    trainingPipeline(s, { role, jobRole: role });
    expect(trustOf(Template.fromStack(s), 'Mine')[0].Condition).toBeUndefined();
  });
});

describe('KMS grants only for AWS resources (item 4)', () => {
  test('the job role may create grants on every key, the user\'s too, only with kms:GrantIsForAWSResource', () => {
    const stack = new Stack();
    const key = kms.Key.fromKeyArn(stack, 'UserKey', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    trainingPipeline(stack, { encryptionKey: key });
    const template = Template.fromStack(stack);
    for (const role of ['PipelineJobRole', 'PipelineExecutionRole']) {
      const grants = statementsOf(template, role).filter((s) => [s.Action].flat().includes('kms:CreateGrant'));
      expect(grants.length).toBeGreaterThan(0);
      for (const g of grants) {
        expect(g.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
        expect(JSON.stringify(g.Resource)).toContain('arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
      }
    }
  });
});

describe('registering as Approved (item 2)', () => {
  const deny = (s: any) => s.Effect === 'Deny';

  test('is refused unless the step opts in; with the opt-in the group given by name carries no guard', () => {
    const base = { modelPackageGroupName: 'churn', image: IMAGE, modelDataUrl: 's3://m/model.tar.gz' };
    expect(() => new RegisterModelStep('Register', { ...base, approvalStatus: ModelApprovalStatus.APPROVED }))
      .toThrow(/\[step Register\] Invalid prop `approvalStatus`: received "Approved"\. A version registered as Approved skips the approval policy/);
    const stack = new Stack();
    const pipeline = trainingPipeline(stack);
    pipeline.addStep(new RegisterModelStep('Register', { ...base, approvalStatus: ModelApprovalStatus.APPROVED, allowSelfApproval: true }));
    const statements = statementsOf(Template.fromStack(stack), 'PipelineExecutionRole');
    expect(statements.filter(deny)).toEqual([]);
    expect(bodyOf(Template.fromStack(stack)).Steps[2].Arguments.ModelApprovalStatus).toBe('Approved');
  });

  test('with the opt-in, a group object is granted without the guard grantRegister adds', () => {
    const stack = new Stack();
    const group = new ModelPackageGroup(stack, 'Models', { modelPackageGroupName: 'Churn' });
    const pipeline = trainingPipeline(stack);
    pipeline.addStep(new RegisterModelStep('Register', {
      modelPackageGroup: group, image: IMAGE, modelDataUrl: 's3://m/model.tar.gz', approvalStatus: ModelApprovalStatus.APPROVED, allowSelfApproval: true,
    }));
    const statements = statementsOf(Template.fromStack(stack), 'PipelineExecutionRole');
    expect(statements.filter(deny)).toEqual([]);
    expect(statements).toContainEqual({
      Action: ['sagemaker:CreateModelPackage', 'sagemaker:AddTags', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup'],
      Effect: 'Allow',
      Resource: [arnOf('sagemaker', 'model-package-group/churn'), arnOf('sagemaker', 'model-package/churn/*')],
    });
  });

  test('an imported definition that registers as Approved is refused at synth unless the import opts in', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'abalone', definition: PipelineDefinition.fromJson(loadDefinition('abalone-r-rstudio-workshop')) });
    expect(() => app.synth()).toThrow(/\[S\/Pipeline\] Invalid prop `definition`: received "step RegisterModelStep"\. It registers versions as Approved/);
  });

  test('a group given by name registered Pending gets the guard on both spellings of its versions', () => {
    const stack = new Stack();
    const pipeline = trainingPipeline(stack);
    pipeline.addStep(new RegisterModelStep('Register', { modelPackageGroupName: 'Churn', image: IMAGE, modelDataUrl: 's3://m/model.tar.gz' }));
    expect(statementsOf(Template.fromStack(stack), 'PipelineExecutionRole').filter(deny)).toEqual([{
      Action: ['sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage'],
      Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
      Effect: 'Deny',
      Resource: [arnOf('sagemaker', 'model-package-group/Churn'), arnOf('sagemaker', 'model-package/Churn/*'), arnOf('sagemaker', 'model-package/churn/*')],
    }]);
  });
});

describe('new-data triggers outside the pipeline\'s own outputs are accepted (item 7)', () => {
  test('a prefix beside the outputs, or another bucket, synthesizes', () => {
    const stack = new Stack(new App(), 'S');
    const pipeline = trainingPipeline(stack);
    pipeline.addNewDataTrigger('Incoming', { bucket: pipeline.artifactBucket, prefix: 'incoming/' });
    // `pipelines/churn-data/` is not under `pipelines/churn/`.
    pipeline.addNewDataTrigger('Beside', { bucket: pipeline.artifactBucket, prefix: 'pipelines/churn-data/' });
    pipeline.addNewDataTrigger('Other', { bucket: s3.Bucket.fromBucketName(stack, 'Raw', 'raw-data') });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('the definition writer answers within minutes, and W3005-free dependencies (items 8 and CI)', () => {
  let template: Template;
  let stack: Stack;

  beforeAll(() => {
    stack = new Stack(new App(), 'Big');
    const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'big', maxInlineDefinitionSize: Size.bytes(1000) });
    pipeline.addStep(new TrainingStep('Train', { image: IMAGE }), new TrainingStep('Train2', { image: IMAGE }));
    template = Template.fromStack(stack);
  });

  test('the custom resource has a service timeout of 5 minutes (not CloudFormation\'s hour)', () => {
    template.hasResourceProperties('Custom::PipelineDefinition', { ServiceTimeout: '300' });
  });

  test('the custom resource waits for the writer\'s policies, not for the function it references (W3005)', () => {
    const [resource] = Object.values(template.findResources('Custom::PipelineDefinition')) as any[];
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    const policies = Object.keys(template.findResources('AWS::IAM::ManagedPolicy')).filter((id) => id.startsWith('PipelineDefinitionWriter'));
    expect(resource.Properties.ServiceToken['Fn::GetAtt'][0]).toBe(functions.find((f) => f.startsWith('PipelineDefinitionWriter')));
    expect(resource.DependsOn).toEqual(expect.arrayContaining(policies));
    for (const id of resource.DependsOn) {
      expect(template.toJSON().Resources[id].Type).toBe('AWS::IAM::ManagedPolicy');
    }
  });

  test('the pipeline depends on its execution role\'s policies only (the RoleArn GetAtt orders it after the role)', () => {
    const [pipeline] = Object.values(template.findResources('AWS::SageMaker::Pipeline')) as any[];
    expect(pipeline.Properties.RoleArn['Fn::GetAtt'][0]).toMatch(/^PipelineExecutionRole/);
    expect(pipeline.DependsOn.length).toBeGreaterThan(0);
    for (const id of pipeline.DependsOn) {
      expect(id).toMatch(/^PipelineExecutionRolePermissions/);
      expect(template.toJSON().Resources[id].Type).toBe('AWS::IAM::ManagedPolicy');
    }
  });
});

describe('ClarifyCheckStep writes the step-level ModelName for model checks, as the SDK does (item 13)', () => {
  test('a model bias check renders the SDK unit test\'s step', () => {
    const stack = new Stack(new App(), 'S', { env: { region: 'us-west-2', account: '123456789012' } });
    const group = PipelineParameter.string('MyModelPackageGroup', { defaultValue: '' });
    const step = new ClarifyCheckStep('ModelBiasCheckStep', {
      checkType: ClarifyCheckType.MODEL_BIAS,
      role: iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/DummyRole', { mutable: false }),
      analysisConfigUri: 's3://my_bucket/output/analysis_config.json',
      datasetUri: 's3://my_bucket/input',
      outputUri: 's3://my_bucket/output',
      modelName: 'model-name',
      modelPackageGroupName: group.asString,
      skipCheck: false,
      failOnViolation: true,
      registerNewBaseline: false,
      suppliedBaselineConstraints: 'supplied_baseline_constraints',
    });
    const rendered = stack.resolve(new PipelineDefinition({ parameters: [group], steps: [step] }).render(stack)).Steps[0];
    const expected = loadDefinition('sdk-unittest-clarify-model-bias.step');
    // The SDK's check job config has an output key only; this step encrypts volume and output with one key, and here none.
    delete expected.Arguments.ProcessingOutputConfig.KmsKeyId;
    expect(rendered).toEqual(expected);
  });

  test('model explainability has the ModelName too (a pipeline value), a data bias check has none', () => {
    const stack = new Stack();
    const model = new ModelStep('Model', { image: IMAGE, modelDataUrl: 's3://m/model.tar.gz' });
    const explain = new ClarifyCheckStep('Explain', {
      checkType: ClarifyCheckType.MODEL_EXPLAINABILITY, analysisConfigUri: 's3://b/a.json', datasetUri: 's3://b/d/', outputUri: 's3://b/o',
      modelName: model.modelName.asString, image: IMAGE,
    });
    const bias = new ClarifyCheckStep('DataBias', {
      checkType: ClarifyCheckType.DATA_BIAS, analysisConfigUri: 's3://b/a.json', datasetUri: 's3://b/d/', outputUri: 's3://b/o', image: IMAGE,
    });
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::111122223333:role/job', { mutable: false });
    const out = stack.resolve(new PipelineDefinition({ steps: [model, explain, bias] }).render(stack, { defaultRole: role }));
    expect(out.Steps[1]).toMatchObject({ CheckType: 'MODEL_EXPLAINABILITY', ModelName: { Get: 'Steps.Model.ModelName' } });
    expect(out.Steps[1].Arguments.AppSpecification.ImageUri).toBe('111122223333.dkr.ecr.us-east-1.amazonaws.com/algo:1');
    expect(out.Steps[2]).not.toHaveProperty('ModelName');
    expect(out.Steps[2].Arguments).not.toHaveProperty('ModelName');
  });

  test('the Clarify image defaults to the SDK\'s image of the region', () => {
    const stack = new Stack(new App(), 'S', { env: { region: 'ap-northeast-3', account: '123456789012' } });
    const step = new ClarifyCheckStep('Bias', {
      checkType: ClarifyCheckType.DATA_BIAS, analysisConfigUri: 's3://b/a.json', datasetUri: 's3://b/d/', outputUri: 's3://b/o',
      role: iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/job', { mutable: false }),
    });
    const out = stack.resolve(new PipelineDefinition({ steps: [step] }).render(stack));
    expect(out.Steps[0].Arguments.AppSpecification.ImageUri).toBe('912233562940.dkr.ecr.ap-northeast-3.amazonaws.com/sagemaker-clarify-processing:1.0');
  });
});

test('the trigger parameters the pipeline declares are accepted', () => {
  const stack = new Stack(new App(), 'S');
  const pipeline = trainingPipeline(stack);
  pipeline.addParameter(PipelineParameter.string('InputData', { defaultValue: 's3://raw/in/' }));
  pipeline.addScheduleTrigger('Nightly', { schedule: events.Schedule.expression('cron(0 2 * * ? *)'), parameters: { InputData: 's3://raw/today/' } });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::Events::Rule', {
    ScheduleExpression: 'cron(0 2 * * ? *)',
    Targets: [Match.objectLike({ SageMakerPipelineParameters: { PipelineParameterList: [{ Name: 'InputData', Value: 's3://raw/today/' }] } })],
  });
});
