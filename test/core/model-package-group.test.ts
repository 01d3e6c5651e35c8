import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { ModelApprovalStatus, ModelPackageGroup } from '../../lib';
import { matchesEventPattern } from '../helpers/event-pattern';
import { loadEvent } from '../helpers/fixtures';

/** The account and region of the sample events (test/fixtures/events). */
const ENV = { account: '123456789012', region: 'us-east-2' };
const APPROVED = loadEvent('sagemaker-model-package-state-change.approved.derived');
const REJECTED = loadEvent('sagemaker-model-package-state-change.rejected');
const SAMPLE_GROUP = REJECTED.detail.ModelPackageGroupName as string;

function withStatus(event: any, status: string): any {
  return { ...event, detail: { ...event.detail, ModelApprovalStatus: status } };
}

describe('ModelPackageGroup', () => {
  test('a created group is retained, named from the stack and path in lower case, its ARN is the Ref', () => {
    const stack = new Stack(new App(), 'Churn', { env: ENV });
    const group = new ModelPackageGroup(stack, 'Models');
    const t = Template.fromStack(stack);
    t.hasResource('AWS::SageMaker::ModelPackageGroup', {
      DeletionPolicy: 'Retain',
      Properties: { ModelPackageGroupName: Match.stringLikeRegexp('^churn-models-[0-9a-f]{8}$') },
    });
    expect(stack.resolve(group.modelPackageGroupArn)).toEqual({ Ref: expect.stringMatching(/^Models/) });
    expect(stack.resolve(group.modelPackageVersionsArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:sagemaker:us-east-2:123456789012:model-package/${group.modelPackageGroupName}/*`]],
    });
  });

  test('name, description, removal policy and cross-account readers', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const group = new ModelPackageGroup(stack, 'G', {
      modelPackageGroupName: 'Churn-Model', description: 'churn', removalPolicy: RemovalPolicy.DESTROY, allowAccounts: ['111122223333'],
    });
    group.allowAccount('444455556666');
    group.allowAccount('111122223333'); // once only
    const t = Template.fromStack(stack);
    t.hasResource('AWS::SageMaker::ModelPackageGroup', { DeletionPolicy: 'Delete' });
    const props = Object.values(t.findResources('AWS::SageMaker::ModelPackageGroup'))[0].Properties;
    expect(props.ModelPackageGroupDescription).toBe('churn');
    const [readGroup, readVersions] = props.ModelPackageGroupPolicy.Statement;
    expect(readGroup.Principal.AWS).toHaveLength(2);
    expect(readGroup.Action).toBe('sagemaker:DescribeModelPackageGroup');
    expect(JSON.stringify(readGroup.Resource)).toContain(':model-package-group/churn-model'); // ARNs are lower case
    expect(readVersions.Action).toEqual(['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages', 'sagemaker:CreateModel']);
    expect(JSON.stringify(readVersions.Resource)).toContain(':model-package/churn-model/*');
  });

  test('grants are limited to the group and its versions', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const group = ModelPackageGroup.fromModelPackageGroupName(stack, 'G', 'churn');
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    group.grantRegister(role);
    group.grantApprove(role);
    group.grantRead(role);
    const statements = Template.fromStack(stack).toJSON().Resources;
    const policy = Object.values(statements as Record<string, any>).find((r) => r.Type === 'AWS::IAM::Policy')!.Properties.PolicyDocument.Statement;
    const arns = (s: any) => JSON.stringify(s.Resource);
    expect(policy[0].Action).toEqual(['sagemaker:CreateModelPackage', 'sagemaker:AddTags', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup']);
    expect(arns(policy[0])).toContain(':model-package-group/churn"');
    expect(arns(policy[0])).toContain(':model-package/churn/*"');
    expect(policy[1].Action).toEqual(['sagemaker:UpdateModelPackage', 'sagemaker:DescribeModelPackage']);
    expect(arns(policy[1])).not.toContain('model-package-group');
    expect(policy.find((s: any) => s.Action === 'sagemaker:ListModelPackages').Resource).toBe('*');
  });

  test('imported by ARN: name, account and region come from the ARN', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const group = ModelPackageGroup.fromModelPackageGroupArn(stack, 'G', 'arn:aws:sagemaker:eu-west-1:111122223333:model-package-group/shared');
    expect(group.modelPackageGroupName).toBe('shared');
    expect(group.env).toEqual({ account: '111122223333', region: 'eu-west-1' });
    expect(stack.resolve(group.approvalStatusPattern([ModelApprovalStatus.APPROVED]).account)).toEqual(['111122223333']);
  });

  test('rules on a group of another account warn that its events stay in that account', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const group = ModelPackageGroup.fromModelPackageGroupArn(stack, 'G', 'arn:aws:sagemaker:us-east-2:111122223333:model-package-group/shared');
    group.onApproved('Deploy');
    Annotations.fromStack(stack).hasWarning('/S/G', Match.stringLikeRegexp('events to its own account'));
  });

  describe('event rules against the real sample events', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const group = ModelPackageGroup.fromModelPackageGroupName(stack, 'G', SAMPLE_GROUP);
    const topic = new sns.Topic(stack, 'T');
    group.onApproved('Approved', { target: new targets.SnsTopic(topic) });
    group.onRejected('Rejected', { target: new targets.SnsTopic(topic) });
    group.onRegistered('Registered', { target: new targets.SnsTopic(topic), description: 'new version' });
    const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
    const pattern = (id: string) => Object.entries(rules).find(([k]) => k.startsWith(`G${id}`))![1].Properties.EventPattern;

    test('each rule filters on the account, the group (any case) and one status', () => {
      expect(pattern('Approved')).toEqual({
        'source': ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Package State Change'],
        'account': ['123456789012'],
        'detail': { ModelPackageGroupName: [{ 'equals-ignore-case': SAMPLE_GROUP }], ModelApprovalStatus: ['Approved'] },
      });
      expect(Object.values(rules).map((r) => r.Properties.Description)).toContain('new version');
    });

    test.each([
      ['Approved', APPROVED, true], ['Rejected', APPROVED, false], ['Registered', APPROVED, false],
      ['Rejected', REJECTED, true], ['Approved', REJECTED, false],
      ['Registered', withStatus(REJECTED, 'PendingManualApproval'), true], ['Approved', withStatus(REJECTED, 'PendingManualApproval'), false],
    ])('%s rule on %#', (rule, event, expected) => {
      const e = { ...event, detail: { ...event.detail, ModelPackageGroupName: SAMPLE_GROUP } };
      expect(matchesEventPattern(pattern(rule as string), e)).toBe(expected);
    });

    test('events of another group or another account never match', () => {
      const otherGroup = { ...APPROVED, detail: { ...APPROVED.detail, ModelPackageGroupName: 'other' } };
      const otherAccount = { ...APPROVED, account: '999999999999', detail: { ...APPROVED.detail, ModelPackageGroupName: SAMPLE_GROUP } };
      expect(matchesEventPattern(pattern('Approved'), otherGroup)).toBe(false);
      expect(matchesEventPattern(pattern('Approved'), otherAccount)).toBe(false);
      expect(matchesEventPattern(pattern('Approved'), { ...otherAccount, account: '123456789012' })).toBe(true);
    });
  });

  test('bad input names the construct, the prop, the value and the rule', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => new ModelPackageGroup(stack, 'A', { modelPackageGroupName: 'has_underscore' }))
      .toThrow(/\[S\/A\] Invalid prop `modelPackageGroupName`: received "has_underscore"/);
    expect(() => new ModelPackageGroup(stack, 'B', { description: 'x'.repeat(1025) })).toThrow(/\[S\/B\] Invalid prop `description`.*1024/);
    expect(() => ModelPackageGroup.fromModelPackageGroupArn(stack, 'C', 'arn:aws:sagemaker:us-east-1:1:model-package/x/1'))
      .toThrow(/\[S\/C\] Invalid prop `modelPackageGroupArn`.*model package group ARN/);
    expect(() => new ModelPackageGroup(stack, 'D', { allowAccounts: ['12345'] })).toThrow(/\[S\/D\] Invalid prop `allowAccounts`: received "12345". An account ID is exactly 12 digits/);
    const own = new Stack(new App(), 'Own', { env: ENV });
    expect(() => new ModelPackageGroup(own, 'E', { allowAccounts: [ENV.account] })).toThrow(/own account needs no resource policy/);
  });
});
