import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ContainerImage, ModelPackageGroup } from '../../lib/core';
import {
  PipelineParameter, QualityCheckStep, QualityCheckType, RegisterModelStep, TrainingPipeline, TrainingStep,
} from '../../lib/training-pipeline';
import { compliantApp, expectCompliant } from '../helpers/compliance';
import { bodyOf, statementsOf } from './structural';

const IMAGE = ContainerImage.fromImageUri('111122223333.dkr.ecr.us-east-1.amazonaws.com/algo:1');
const arnOf = (resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]],
});

function pipelineWith(stack: Stack, register?: Partial<ConstructorParameters<typeof RegisterModelStep>[1]>, check?: any): TrainingPipeline {
  const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'groups' });
  const train = new TrainingStep('Train', { image: IMAGE });
  pipeline.addStep(train);
  if (register) {
    pipeline.addStep(new RegisterModelStep('Register', {
      image: IMAGE, modelDataUrl: train.properties.modelArtifacts.s3ModelArtifacts.asString, ...register,
    } as any));
  }
  if (check) {
    pipeline.addStep(new QualityCheckStep('DataQuality', {
      checkType: QualityCheckType.DATA_QUALITY, baselineDatasetUri: 's3://data/train/', outputUri: 's3://data/baselines', ...check,
    }));
  }
  return pipeline;
}

const createsPackages = (s: any) => s.Effect === 'Allow' && [s.Action].flat().includes('sagemaker:CreateModelPackage');
const deniesSelfApproval = (s: any) => s.Effect === 'Deny' && [s.Action].flat().includes('sagemaker:CreateModelPackage');
const SELF_APPROVAL_DENY = {
  Action: ['sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage'],
  Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
  Effect: 'Deny',
};

describe('a register step with the model package group as an object', () => {
  let stack: Stack;
  let template: Template;
  let group: ModelPackageGroup;

  beforeAll(() => {
    const app = compliantApp();
    stack = new Stack(app, 'Groups');
    group = new ModelPackageGroup(stack, 'Models', { modelPackageGroupName: 'churn' });
    pipelineWith(stack, { modelPackageGroup: group });
    expectCompliant(stack);
    template = Template.fromStack(stack);
  });

  test('renders a reference to the group resource (its ARN: CreateModelPackage takes a name or an ARN), never a literal', () => {
    const register = bodyOf(template).Steps[1].Arguments;
    expect(register.ModelPackageGroupName).toBe(`<${stack.getLogicalId(group.cfnModelPackageGroup)}>`);
  });

  test('the execution role may create model packages in that group and its versions only', () => {
    const statements = statementsOf(template, 'PipelineExecutionRole').filter(createsPackages);
    expect(statements).toEqual([{
      Action: ['sagemaker:CreateModelPackage', 'sagemaker:AddTags', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup'],
      Effect: 'Allow',
      Resource: [arnOf('model-package-group/churn'), arnOf('model-package/churn/*')],
    }]);
    // The versions ARN is the group's own.
    expect(stack.resolve(statements[0].Resource[1])).toEqual(stack.resolve(group.modelPackageVersionsArn));
    // Nothing else may list or read model packages.
    expect(statementsOf(template, 'PipelineExecutionRole').flatMap((s) => [s.Action].flat())).not.toContain('sagemaker:ListModelPackages');
    // The group's own self-approval guard (grantRegister) is on the role.
    expect(statementsOf(template, 'PipelineExecutionRole').filter(deniesSelfApproval)).toEqual([{
      ...SELF_APPROVAL_DENY, Resource: [arnOf('model-package-group/churn'), arnOf('model-package/churn/*')],
    }]);
  });

  test('the pipeline is created after the group through the Ref in its definition, with no redundant DependsOn (cfn-lint W3005)', () => {
    const pipeline = Object.values(template.findResources('AWS::SageMaker::Pipeline'))[0];
    const groupId = stack.getLogicalId(group.cfnModelPackageGroup);
    expect(JSON.stringify(pipeline.Properties.PipelineDefinition)).toContain(`{"Ref":"${groupId}"}`);
    expect(pipeline.DependsOn ?? []).not.toContain(groupId);
  });
});

describe('model package groups by object, in other forms', () => {
  test('a group with a derived name renders that name, and a group imported by name is granted by its ARN', () => {
    const stack = new Stack();
    const derived = new ModelPackageGroup(stack, 'Derived');
    pipelineWith(stack, { modelPackageGroup: derived });
    expect(bodyOf(Template.fromStack(stack)).Steps[1].Arguments.ModelPackageGroupName).toBe(`<${stack.getLogicalId(derived.cfnModelPackageGroup)}>`);

    const other = new Stack();
    const imported = ModelPackageGroup.fromModelPackageGroupName(other, 'Existing', 'Legacy-Models');
    pipelineWith(other, { modelPackageGroup: imported });
    const template = Template.fromStack(other);
    expect(bodyOf(template).Steps[1].Arguments.ModelPackageGroupName)
      .toBe('arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model-package-group/legacy-models');
    const statement = statementsOf(template, 'PipelineExecutionRole').find(createsPackages);
    // SageMaker writes group names in ARNs in lower case.
    expect(statement.Resource).toEqual([arnOf('model-package-group/legacy-models'), arnOf('model-package/legacy-models/*')]);
    expect(Object.values(template.findResources('AWS::SageMaker::Pipeline'))[0].DependsOn).not.toContainEqual(expect.stringMatching(/Existing/));
  });

  test('a check step reads the baselines of its group: describe and list, never create', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Check');
    const group = new ModelPackageGroup(stack, 'Models', { modelPackageGroupName: 'churn' });
    pipelineWith(stack, undefined, { modelPackageGroup: group });
    expectCompliant(stack);
    const template = Template.fromStack(stack);
    expect(bodyOf(template).Steps[1].ModelPackageGroupName).toBe(`<${stack.getLogicalId(group.cfnModelPackageGroup)}>`);
    const statements = statementsOf(template, 'PipelineExecutionRole');
    expect(statements.filter(createsPackages)).toEqual([]);
    expect(statements).toContainEqual({
      Action: ['sagemaker:DescribeModelPackageGroup', 'sagemaker:DescribeModelPackage'],
      Effect: 'Allow',
      Resource: [arnOf('model-package-group/churn'), arnOf('model-package/churn/*')],
    });
    expect(statements).toContainEqual({ Action: 'sagemaker:ListModelPackages', Effect: 'Allow', Resource: '*' });
  });

  test('one group that a check step reads and a register step registers into: one register grant and one list statement', () => {
    const stack = new Stack();
    const group = new ModelPackageGroup(stack, 'Models', { modelPackageGroupName: 'churn' });
    pipelineWith(stack, { modelPackageGroup: group }, { modelPackageGroup: group });
    const statements = statementsOf(Template.fromStack(stack), 'PipelineExecutionRole');
    expect(statements.filter(createsPackages)).toHaveLength(1);
    expect(statements.filter((s) => s.Action === 'sagemaker:ListModelPackages')).toHaveLength(1);
  });

  test('the name stays an escape hatch (a literal or a parameter), granted from the name as before', () => {
    const stack = new Stack();
    const pipeline = pipelineWith(stack, { modelPackageGroupName: 'by-name' });
    const template = Template.fromStack(stack);
    expect(bodyOf(template).Steps[1].Arguments.ModelPackageGroupName).toBe('by-name');
    expect(JSON.stringify(statementsOf(template, 'PipelineExecutionRole').find(createsPackages).Resource)).toContain(':model-package-group/by-name');
    // The group given by name gets the guard grantRegister gives a group object (issue 10 item 2).
    expect(statementsOf(template, 'PipelineExecutionRole').filter(deniesSelfApproval)).toEqual([{
      ...SELF_APPROVAL_DENY, Resource: [arnOf('model-package-group/by-name'), arnOf('model-package/by-name/*')],
    }]);
    const groupParam = PipelineParameter.string('Group', { defaultValue: 'churn' });
    pipeline.addParameter(groupParam);
    const step = new RegisterModelStep('ByParameter', { modelPackageGroupName: groupParam.asString, image: IMAGE, modelDataUrl: 's3://m/model.tar.gz' });
    expect(step.modelPackageGroupName).toBe(groupParam.asString);
    expect(step.modelPackageGroup).toBeUndefined();
  });
});

describe('exactly one of the group and its name', () => {
  const stack = new Stack();
  const group = ModelPackageGroup.fromModelPackageGroupName(stack, 'G', 'churn');
  const base = { image: IMAGE, modelDataUrl: 's3://m/model.tar.gz' };

  test('both, or neither, are refused, naming the step, the prop and the rule', () => {
    expect(() => new RegisterModelStep('Register', { ...base, modelPackageGroup: group, modelPackageGroupName: 'churn' }))
      .toThrow(/\[step Register\] Invalid prop `modelPackageGroupName`: received "churn"\. Give either `modelPackageGroup` \(the group object\) or `modelPackageGroupName`/);
    expect(() => new RegisterModelStep('Register', base))
      .toThrow(/\[step Register\] Invalid prop `modelPackageGroup`: received undefined\. It is required: the model package group/);
    expect(() => new QualityCheckStep('Check', {
      checkType: QualityCheckType.DATA_QUALITY, baselineDatasetUri: 's3://d/', modelPackageGroup: group, modelPackageGroupName: 'churn',
    })).toThrow(/\[step Check\] Invalid prop `modelPackageGroupName`: received "churn"\. Give either/);
  });

  test('a name where the object belongs, or a bad name, is refused', () => {
    expect(() => new RegisterModelStep('Register', { ...base, modelPackageGroup: 'churn' as any }))
      .toThrow(/\[step Register\] Invalid prop `modelPackageGroup`: received "churn"\. It must be an IModelPackageGroup/);
    expect(() => new RegisterModelStep('Register', { ...base, modelPackageGroupName: 'bad_name' }))
      .toThrow(/\[step Register\] Invalid prop `modelPackageGroupName`: received "bad_name"\. A model package group name has letters, digits/);
  });

  test('a step without props is a prop error, not a TypeError', () => {
    expect(() => new RegisterModelStep('Register', undefined as any)).toThrow(/\[step Register\] Invalid prop `props`: received undefined\. It is required/);
    expect(() => new QualityCheckStep('Check', undefined as any)).toThrow(/\[step Check\] Invalid prop `props`/);
  });
});
