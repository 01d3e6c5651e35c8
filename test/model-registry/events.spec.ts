import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MetricComparison, ModelPackageGroup } from '../../lib/core';
import { ApprovalPolicy, ModelRegistryApproval } from '../../lib/model-registry';
import { matchesEventPattern } from '../helpers/event-pattern';
import { allEventNames, loadEvent } from '../helpers/fixtures';
import { patternOfRule, resolveIntrinsics } from './util';

const APPROVED = ['sagemaker-model-package-state-change.approved.derived', 'sagemaker-model-package-state-change.approved.drift-sample'];
const REJECTED = 'sagemaker-model-package-state-change.rejected';
/** The account and region of the sample events: the rules filter on the group's account. */
const ENV = { account: '123456789012', region: 'us-east-2' };

function loadFixture(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'model-registry', name), 'utf-8'));
}

/** A registration: the documented sample with the status a new version has. */
function registrationEvent(): any {
  const e = loadEvent(REJECTED);
  e.detail.ModelApprovalStatus = 'PendingManualApproval';
  return e;
}

describe('approval events of a created group', () => {
  let template: any;
  beforeAll(() => {
    const stack = new Stack(new App(), 'Events', { env: ENV });
    const registry = new ModelRegistryApproval(stack, 'Registry');
    const topic = new sns.Topic(stack, 'Topic');
    registry.modelPackageGroup.onApproved('Approved', { target: new targets.SnsTopic(topic) });
    registry.modelPackageGroup.onRejected('Rejected', { target: new targets.SnsTopic(topic) });
    registry.modelPackageGroup.onRegistered('Registered', { target: new targets.SnsTopic(topic) });
    template = Template.fromStack(stack).toJSON();
  });

  /** The logical ID prefix of a rule: the group's rules are its children, the audit rule the registry's. */
  function ruleId(rule: string): string {
    return rule === 'AuditRule' || rule === 'NotifyOnRegistration' ? `Registry${rule}` : `RegistryGroup${rule}`;
  }

  /** The rule's pattern as CloudFormation deploys it for a group named like the event's. */
  function deployedPattern(rule: string, event: any) {
    return resolveIntrinsics(patternOfRule(template, ruleId(rule)), event.detail.ModelPackageGroupName) as any;
  }

  test('filters on the account, on the group name from the group resource (never a literal) and on the status', () => {
    const pattern = patternOfRule(template, 'RegistryGroupApproved');
    expect(pattern).toEqual({
      'source': ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Package State Change'],
      'account': ['123456789012'],
      'detail': {
        ModelPackageGroupName: [{ 'equals-ignore-case': { 'Fn::Select': [1, { 'Fn::Split': ['/', { Ref: expect.stringMatching(/^RegistryGroup/) }] }] } }],
        ModelApprovalStatus: ['Approved'],
      },
    });
  });

  test.each(APPROVED)('approved event %s matches onApproved only', (name) => {
    const event = loadEvent(name);
    expect(matchesEventPattern(deployedPattern('Approved', event), event)).toBe(true);
    expect(matchesEventPattern(deployedPattern('Rejected', event), event)).toBe(false);
    expect(matchesEventPattern(deployedPattern('Registered', event), event)).toBe(false);
  });

  test('the rejected event matches onRejected only', () => {
    const event = loadEvent(REJECTED);
    expect(matchesEventPattern(deployedPattern('Rejected', event), event)).toBe(true);
    expect(matchesEventPattern(deployedPattern('Approved', event), event)).toBe(false);
    expect(matchesEventPattern(deployedPattern('Registered', event), event)).toBe(false);
  });

  test('a registration (PendingManualApproval) matches onRegistered and never onApproved', () => {
    const event = registrationEvent();
    expect(matchesEventPattern(deployedPattern('Registered', event), event)).toBe(true);
    expect(matchesEventPattern(deployedPattern('Approved', event), event)).toBe(false);
    expect(matchesEventPattern(deployedPattern('Rejected', event), event)).toBe(false);
  });

  test('events of another group match no rule', () => {
    for (const name of [...APPROVED, REJECTED]) {
      const event = loadEvent(name);
      for (const rule of ['Approved', 'Rejected', 'Registered', 'AuditRule']) {
        const pattern = resolveIntrinsics(patternOfRule(template, ruleId(rule)), 'some-other-group') as any;
        expect(matchesEventPattern(pattern, event)).toBe(false);
      }
    }
  });

  test('the group name matches in any case (SageMaker ARNs, the source of the name, are lower case)', () => {
    const event = loadEvent(APPROVED[0]);
    const pattern = resolveIntrinsics(patternOfRule(template, 'RegistryGroupApproved'), event.detail.ModelPackageGroupName.toUpperCase()) as any;
    expect(matchesEventPattern(pattern, event)).toBe(true);
  });

  test('an event of the same group in another account matches no rule (SageMaker events are per account)', () => {
    for (const name of [...APPROVED, REJECTED]) {
      const event = { ...loadEvent(name), account: '210987654321' };
      for (const rule of ['Approved', 'Rejected', 'Registered', 'AuditRule']) {
        expect(matchesEventPattern(deployedPattern(rule, event), event)).toBe(false);
      }
    }
    const registration = { ...registrationEvent(), account: '210987654321' };
    expect(matchesEventPattern(deployedPattern('Registered', registration), registration)).toBe(false);
  });

  test('no other sample event matches any rule', () => {
    const others = allEventNames().filter((n) => !n.startsWith('sagemaker-model-package-state-change'));
    expect(others.length).toBeGreaterThan(3);
    for (const name of others) {
      const event = loadEvent(name);
      for (const rule of ['Approved', 'Rejected', 'Registered', 'AuditRule']) {
        expect(matchesEventPattern(resolveIntrinsics(patternOfRule(template, ruleId(rule)), 'versionedmp-p-idy6c3e1fiqj') as any, event)).toBe(false);
      }
    }
  });

  test('the registration notification of the manual policy matches registrations only', () => {
    const registration = registrationEvent();
    expect(matchesEventPattern(deployedPattern('NotifyOnRegistration', registration), registration)).toBe(true);
    for (const name of [...APPROVED, REJECTED]) {
      const event = loadEvent(name);
      expect(matchesEventPattern(deployedPattern('NotifyOnRegistration', event), event)).toBe(false);
    }
  });

  test('the audit rule matches approvals and rejections, not registrations', () => {
    for (const name of [...APPROVED, REJECTED]) {
      const event = loadEvent(name);
      expect(matchesEventPattern(deployedPattern('AuditRule', event), event)).toBe(true);
    }
    const registration = registrationEvent();
    expect(matchesEventPattern(deployedPattern('AuditRule', registration), registration)).toBe(false);
  });
});

describe('approval events of an existing group', () => {
  test('by name: the literal name the user gave, matched in any case', () => {
    const stack = new Stack(new App(), 'Existing', { env: ENV });
    const registry = new ModelRegistryApproval(stack, 'Registry', {
      modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(stack, 'Existing', 'drift-example'),
    });
    registry.modelPackageGroup.onApproved('Approved', { target: new targets.SnsTopic(new sns.Topic(stack, 'T')) });
    const pattern = patternOfRule(Template.fromStack(stack).toJSON(), 'ExistingApproved');
    expect((pattern.detail as any).ModelPackageGroupName).toEqual([{ 'equals-ignore-case': 'drift-example' }]);
    expect(matchesEventPattern(pattern, loadEvent(APPROVED[1]))).toBe(true);
    expect(matchesEventPattern(pattern, loadEvent(APPROVED[0]))).toBe(false);
  });

  test('by ARN: the name is the last part of the ARN', () => {
    const stack = new Stack(new App(), 'ExistingArn', { env: ENV });
    const registry = new ModelRegistryApproval(stack, 'Registry', {
      modelPackageGroup: ModelPackageGroup.fromModelPackageGroupArn(stack, 'Existing',
        'arn:aws:sagemaker:us-east-2:123456789012:model-package-group/versionedmp-p-idy6c3e1fiqj'),
    });
    registry.modelPackageGroup.onRejected('Rejected', { target: new targets.SnsTopic(new sns.Topic(stack, 'T')) });
    const pattern = patternOfRule(Template.fromStack(stack).toJSON(), 'ExistingRejected');
    expect(matchesEventPattern(pattern, loadEvent(REJECTED))).toBe(true);
    expect(matchesEventPattern(pattern, loadEvent(APPROVED[0]))).toBe(false);
    expect(registry.modelPackageGroup.modelPackageGroupName).toBe('versionedmp-p-idy6c3e1fiqj');
  });
});

describe('the rules of the registry over an existing group', () => {
  let template: any;
  beforeAll(() => {
    const stack = new Stack(new App(), 'Imported', { env: ENV });
    new ModelRegistryApproval(stack, 'Registry', {
      modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(stack, 'Existing', 'versionedmp-p-idy6c3e1fiqj'),
      approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS,
      metricThresholds: [{ metricJsonPath: 'regression_metrics.mse.value', comparison: MetricComparison.LESS_THAN, value: 5 }],
      artifactBucket: s3.Bucket.fromBucketName(stack, 'M', 'metrics'),
    });
    template = Template.fromStack(stack).toJSON();
  });

  test('the handler runs on registrations of the group in its account only', () => {
    const pattern = patternOfRule(template, 'RegistryApplyApprovalPolicy');
    expect(pattern.account).toEqual(['123456789012']);
    expect(matchesEventPattern(pattern, registrationEvent())).toBe(true);
    expect(matchesEventPattern(pattern, { ...registrationEvent(), account: '210987654321' })).toBe(false);
    for (const name of [...APPROVED, REJECTED]) {
      expect(matchesEventPattern(pattern, loadEvent(name))).toBe(false);
    }
  });

  test('the audit rule records the group\'s decisions in its account only', () => {
    const pattern = patternOfRule(template, 'RegistryAuditRule');
    expect(matchesEventPattern(pattern, loadEvent(REJECTED))).toBe(true);
    expect(matchesEventPattern(pattern, { ...loadEvent(REJECTED), account: '210987654321' })).toBe(false);
    expect(matchesEventPattern(pattern, loadEvent(APPROVED[1]))).toBe(false); // another group (drift-example)
  });
});

describe('the handler-result notification rule', () => {
  const FUNCTION_ARN = 'arn:aws:lambda:us-east-2:123456789012:function:approval-handler';
  let pattern: any;
  beforeAll(() => {
    const stack = new Stack(new App(), 'Results', { env: ENV });
    new ModelRegistryApproval(stack, 'Registry', {
      approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS,
      metricThresholds: [{ metricJsonPath: 'regression_metrics.mse.value', comparison: MetricComparison.LESS_THAN, value: 5 }],
      artifactBucket: s3.Bucket.fromBucketName(stack, 'M', 'metrics'),
    });
    pattern = resolveIntrinsics(patternOfRule(Template.fromStack(stack).toJSON(), 'RegistryNotifyHandlerResults'), FUNCTION_ARN);
  });

  function resultEvent(responsePayload: any, functionArn = `${FUNCTION_ARN}:$LATEST`): any {
    const e = loadFixture('lambda-destination-success.derived.json');
    e.detail.requestContext.functionArn = functionArn;
    e.detail.requestPayload = loadEvent(REJECTED);
    e.detail.responsePayload = responsePayload;
    return e;
  }
  const decided = { source: 'cdk-sagemaker-mlops/approval-policy', notify: true, outcome: 'REJECTED', summary: 'Version 2 was rejected' };

  test('a decision of this handler is notified', () => {
    expect(matchesEventPattern(pattern, resultEvent(decided))).toBe(true);
  });

  test('an ignored or repeated event is not notified', () => {
    expect(matchesEventPattern(pattern, resultEvent({ ...decided, notify: false, outcome: 'ALREADY_DECIDED' }))).toBe(false);
  });

  test('results of another function are not notified', () => {
    expect(matchesEventPattern(pattern, resultEvent(decided, 'arn:aws:lambda:us-east-2:123456789012:function:something-else:$LATEST'))).toBe(false);
  });

  test('a handler that returned something else (or nothing) is not notified', () => {
    expect(matchesEventPattern(pattern, resultEvent(null))).toBe(false);
    expect(matchesEventPattern(pattern, resultEvent({ notify: true }))).toBe(false);
  });

  test('SageMaker events never match it', () => {
    for (const name of [...APPROVED, REJECTED]) {
      expect(matchesEventPattern(pattern, loadEvent(name))).toBe(false);
    }
  });
});
