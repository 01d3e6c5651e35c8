import { App, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { ModelApprovalStatus, ModelPackageGroup } from '../../lib';
import { matchesEventPattern } from '../helpers/event-pattern';
import { loadEvent } from '../helpers/fixtures';
import { evaluate, statementsOfRole } from '../model-registry/iam-eval';

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
    const approve = policy.find((s: any) => s.Effect === 'Allow' && s.Action.includes('sagemaker:UpdateModelPackage'));
    expect(approve.Action).toEqual(['sagemaker:UpdateModelPackage', 'sagemaker:DescribeModelPackage']);
    expect(arns(approve)).not.toContain('model-package-group');
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

  describe('approval cannot be bypassed by registering (issue 10, item 2)', () => {
    const VERSION = 'arn:aws:sagemaker:us-east-2:123456789012:model-package/churn/7';
    const GROUP = 'arn:aws:sagemaker:us-east-2:123456789012:model-package-group/churn';
    let stack: Stack;
    let template: any;
    let registrar: iam.Role; let approver: iam.Role; let both: iam.Role; let broad: iam.Role;
    let group: ModelPackageGroup;
    beforeAll(() => {
      stack = new Stack(new App(), 'S', { env: ENV });
      group = new ModelPackageGroup(stack, 'G', { modelPackageGroupName: 'churn' });
      const role = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
      registrar = role('Registrar'); approver = role('Approver'); both = role('Both'); broad = role('Broad');
      group.grantRegister(registrar);
      group.grantApprove(approver);
      group.grantRegister(both);
      group.grantApprove(both);
      group.grantRegister(broad);
      broad.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:*'], resources: ['*'] }));
      template = Template.fromStack(stack).toJSON();
    });
    const can = (role: iam.Role, action: string, resource: string, status?: string) =>
      evaluate(statementsOfRole(template, stack, role), {
        action: `sagemaker:${action}`, resource, context: status ? { 'sagemaker:ModelApprovalStatus': status } : {},
      });

    test('grantRegister adds an explicit Deny of CreateModelPackage and UpdateModelPackage with ModelApprovalStatus = Approved (StringEquals)', () => {
      const statements = statementsOfRole(template, stack, registrar);
      const deny = statements.filter((s: any) => s.Effect === 'Deny');
      expect(deny).toEqual([{
        Effect: 'Deny',
        Action: ['sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage'],
        Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
        Resource: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-2:123456789012:model-package-group/churn']] },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-2:123456789012:model-package/churn/*']] },
        ],
      }]);
    });

    test('a principal with grantRegister only registers pending versions but can neither register as Approved nor approve', () => {
      expect(can(registrar, 'CreateModelPackage', GROUP, 'PendingManualApproval')).toBe('Allow');
      expect(can(registrar, 'CreateModelPackage', VERSION, 'PendingManualApproval')).toBe('Allow');
      expect(can(registrar, 'CreateModelPackage', GROUP, 'Approved')).toBe('ExplicitDeny');
      expect(can(registrar, 'CreateModelPackage', VERSION, 'Approved')).toBe('ExplicitDeny');
      expect(can(registrar, 'UpdateModelPackage', VERSION, 'Approved')).toBe('ExplicitDeny');
      expect(can(registrar, 'UpdateModelPackage', VERSION, 'Rejected')).toBe('ImplicitDeny');
    });

    test('a registration that leaves the status out is not denied (StringEquals is false without the key)', () => {
      expect(can(registrar, 'CreateModelPackage', VERSION)).toBe('Allow');
    });

    test('the Deny holds against a broad Allow of another policy (sagemaker:* on *)', () => {
      expect(can(broad, 'UpdateModelPackage', VERSION, 'Approved')).toBe('ExplicitDeny');
      expect(can(broad, 'CreateModelPackage', GROUP, 'Approved')).toBe('ExplicitDeny');
      expect(can(broad, 'UpdateModelPackage', VERSION, 'Rejected')).toBe('Allow');
      // another group's versions are not this group's business
      expect(can(broad, 'UpdateModelPackage', 'arn:aws:sagemaker:us-east-2:123456789012:model-package/other/1', 'Approved')).toBe('Allow');
    });

    test('grantApprove stays the way to approve; a principal with both grants can only reject, and is warned about', () => {
      expect(can(approver, 'UpdateModelPackage', VERSION, 'Approved')).toBe('Allow');
      expect(can(approver, 'CreateModelPackage', VERSION, 'PendingManualApproval')).toBe('ImplicitDeny');
      expect(can(both, 'UpdateModelPackage', VERSION, 'Approved')).toBe('ExplicitDeny');
      expect(can(both, 'UpdateModelPackage', VERSION, 'Rejected')).toBe('Allow');
      Annotations.fromStack(stack).hasWarning('/S/G', Match.stringLikeRegexp('S/Both was given both grantRegister and grantApprove.*never approve'));
      const warnings = Annotations.fromStack(stack).findWarning('/S/G', Match.stringLikeRegexp('given both'));
      expect(warnings).toHaveLength(1);
    });
  });

  describe('events of a group elsewhere (issue 10, item 5)', () => {
    test('the pattern alone (rules built by other constructs) warns about a group of another account', () => {
      const stack = new Stack(new App(), 'S', { env: ENV });
      const group = ModelPackageGroup.fromModelPackageGroupArn(stack, 'G', 'arn:aws:sagemaker:us-east-2:111122223333:model-package-group/shared');
      group.approvalStatusPattern([ModelApprovalStatus.PENDING_MANUAL_APPROVAL]);
      Annotations.fromStack(stack).hasWarning('/S/G', Match.stringLikeRegexp('account 111122223333, this stack in 123456789012'));
    });

    test('a group of another region is warned about', () => {
      const stack = new Stack(new App(), 'S', { env: ENV });
      const group = ModelPackageGroup.fromModelPackageGroupArn(stack, 'G', 'arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/shared');
      group.onApproved('Deploy');
      Annotations.fromStack(stack).hasWarning('/S/G', Match.stringLikeRegexp('region eu-west-1, this stack in us-east-2.*default event bus of its own region'));
      Annotations.fromStack(stack).hasNoWarning('/S/G', Match.stringLikeRegexp('account'));
    });

    test('a group of this account and region, or of an environment-agnostic stack, is not warned about', () => {
      const stack = new Stack(new App(), 'S', { env: ENV });
      new ModelPackageGroup(stack, 'G').onApproved('Deploy');
      ModelPackageGroup.fromModelPackageGroupName(stack, 'H', 'churn').onRejected('R');
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
      const agnostic = new Stack(new App(), 'A');
      ModelPackageGroup.fromModelPackageGroupArn(agnostic, 'G', 'arn:aws:sagemaker:eu-west-1:111122223333:model-package-group/shared').onApproved('D');
      Annotations.fromStack(agnostic).hasNoWarning('*', Match.anyValue());
    });
  });

  describe('bad props found at synth', () => {
    test('two groups of the app with the same name in one account and region (any case)', () => {
      const app = new App();
      const one = new Stack(app, 'One', { env: ENV });
      const two = new Stack(app, 'Two', { env: ENV });
      new ModelPackageGroup(one, 'G', { modelPackageGroupName: 'churn' });
      new ModelPackageGroup(two, 'G', { modelPackageGroupName: 'Churn' });
      expect(() => app.synth()).toThrow(/\[One\/G\] Invalid prop `modelPackageGroupName`: received "churn"\. Another model package group of this app has the same name in the same account and region \(Two\/G\)/);
    });

    test('the same name in another region is accepted', () => {
      const app = new App();
      new ModelPackageGroup(new Stack(app, 'One', { env: ENV }), 'G', { modelPackageGroupName: 'churn' });
      new ModelPackageGroup(new Stack(app, 'Two', { env: { ...ENV, region: 'eu-west-1' } }), 'G', { modelPackageGroupName: 'churn' });
      expect(() => app.synth()).not.toThrow();
    });

    test.each([
      ['an empty key', '', /received ""\. A tag key has 1 to 128 characters and is not blank/],
      ['a blank key', '  ', /received " {2}"\. A tag key has 1 to 128 characters and is not blank/],
      ['a key longer than 128 characters', 'k'.repeat(129), /A tag key has at most 128 characters/],
      ['a key with the reserved aws: prefix', 'AWS:team', /received "AWS:team"\. Tag keys starting with "aws:" are reserved for AWS/],
    ])('a tag with %s (set with Tags.of)', (_what, key, rule) => {
      const app = new App();
      const stack = new Stack(app, 'S', { env: ENV });
      new ModelPackageGroup(stack, 'G', { modelPackageGroupName: 'churn' });
      Tags.of(stack).add(key, 'ml');
      expect(() => app.synth()).toThrow(/\[S\/G\] Invalid prop `tags`/);
      expect(() => app.synth()).toThrow(rule);
    });

    test('a tag value longer than 256 characters', () => {
      const app = new App();
      const stack = new Stack(app, 'S', { env: ENV });
      new ModelPackageGroup(stack, 'G');
      Tags.of(stack).add('team', 'v'.repeat(257));
      expect(() => app.synth()).toThrow(/\[S\/G\] Invalid prop `tags`: received "team"\. A tag value has at most 256 characters \(a tag set with Tags\.of\(\.\.\.\)\.add, found on 1 resource\(s\), such as S\/G\/Resource\)/);
    });
  });
});
