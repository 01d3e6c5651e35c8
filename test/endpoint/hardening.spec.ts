import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { addEndpointExample } from '../fixtures/stacks/endpoint';
import { ArtifactBucket } from '../../lib/core';
import { EndpointStageParameters, EndpointWithMonitor, ModelPackageBaselines, ModelSource, MonitoringBaseline } from '../../lib/endpoint';
import { ACCOUNT, build, PACKAGE_ARN, REGION } from './util';

/*
 * The security and reliability holes of the hardening issue (issue 10) in the endpoint's area:
 * confused-deputy conditions on the service roles' trust, SNS targets published with a role,
 * DependsOn on a role's policies instead of the role (cfn-lint W3005), the service timeout of the
 * baselines custom resource.
 */

const baseline = () => MonitoringBaseline.fromS3Uris({
  statisticsUri: 's3://baselines-123/churn/3/statistics.json',
  constraintsUri: 's3://baselines-123/churn/3/constraints.json',
});

/** The resources of a type, by logical id. */
const resources = (template: Template, type: string) => template.findResources(type);

/** The role whose trust names `service`, and its logical id. */
const roleTrusting = (template: Template, service: string) => Object.entries(resources(template, 'AWS::IAM::Role'))
  .filter(([, r]: [string, any]) => r.Properties.AssumeRolePolicyDocument.Statement.some((s: any) => s.Principal?.Service === service));

/** The logical ids of the managed policies attached to the role `roleId`. */
const policiesOfRole = (template: Template, roleId: string) => Object.entries(resources(template, 'AWS::IAM::ManagedPolicy'))
  .filter(([, p]: [string, any]) => JSON.stringify(p.Properties.Roles ?? []).includes(`"${roleId}"`)).map(([id]) => id);

describe('an endpoint with its own roles and topic, and a monitor', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = build(() => ({ dataCapture: {}, dataQualityMonitor: { baseline: baseline() } })));
  });

  test('SageMaker may assume the execution and monitoring roles for this account and region only (confused deputy)', () => {
    const sagemakerRoles = roleTrusting(template, 'sagemaker.amazonaws.com');
    expect(sagemakerRoles.map(([id]) => id).sort()).toEqual([expect.stringMatching(/^EndpointExecutionRole/), expect.stringMatching(/^EndpointMonitoringRole/)]);
    for (const [, role] of sagemakerRoles as Array<[string, any]>) {
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'sagemaker.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          // The inference form of the SageMaker guide, exactly: the `*` is not a wildcard there.
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:sagemaker:${REGION}:${ACCOUNT}:*`]] } },
        },
      }]);
    }
  });

  test('the violation rule publishes through a role trusting EventBridge rules of this account only', () => {
    const rule = Object.values(resources(template, 'AWS::Events::Rule'))[0] as any;
    const [target] = rule.Properties.Targets;
    expect(target.Arn).toEqual({ Ref: expect.stringMatching(/^EndpointAlarmTopic/) });
    expect(target.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^EndpointViolationsPublisher/), 'Arn'] });
    const [[, publisher]] = roleTrusting(template, 'events.amazonaws.com') as Array<[string, any]>;
    expect(publisher.Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({
      Principal: { Service: 'events.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    })]);
  });

  test('no topic policy has an unconditioned events.amazonaws.com statement', () => {
    const statements = Object.values(resources(template, 'AWS::SNS::TopicPolicy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const forEvents = statements.filter((s: any) => JSON.stringify(s.Principal ?? {}).includes('events.amazonaws.com'));
    expect(forEvents.filter((s: any) => s.Condition === undefined)).toEqual([]);
  });

  test('the job definition waits for the monitoring role\'s policies, not for the role its GetAtt already waits for (cfn-lint W3005)', () => {
    const [[roleId]] = roleTrusting(template, 'sagemaker.amazonaws.com').filter(([id]) => /MonitoringRole/.test(id));
    const policies = policiesOfRole(template, roleId);
    expect(policies.length).toBeGreaterThan(0);
    const job = Object.values(resources(template, 'AWS::SageMaker::DataQualityJobDefinition'))[0] as any;
    expect(job.Properties.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(job.DependsOn).toEqual(expect.arrayContaining(policies));
    expect(job.DependsOn).not.toContain(roleId);
  });

  test('the model waits for the execution role\'s policies only', () => {
    const [[roleId]] = roleTrusting(template, 'sagemaker.amazonaws.com').filter(([id]) => /ExecutionRole/.test(id));
    const model = Object.values(resources(template, 'AWS::SageMaker::Model'))[0] as any;
    expect(model.DependsOn).toEqual(expect.arrayContaining(policiesOfRole(template, roleId)));
    expect(model.DependsOn).not.toContain(roleId);
  });

  test('the schedule waits for its job definition (named by a literal) and not for the endpoint its GetAtt waits for', () => {
    const schedule = Object.values(resources(template, 'AWS::SageMaker::MonitoringSchedule'))[0] as any;
    const endpointId = Object.keys(resources(template, 'AWS::SageMaker::Endpoint'))[0];
    expect(schedule.Properties.EndpointName).toEqual({ 'Fn::GetAtt': [endpointId, 'EndpointName'] });
    expect(schedule.DependsOn).toEqual([expect.stringMatching(/^EndpointDataQualityJobDefinition/)]);
  });
});

describe('a given topic of the same app', () => {
  test('is published to with a role: its policy gets no events.amazonaws.com statement', () => {
    const { template } = build((_a, stack) => ({
      alarms: { topic: new sns.Topic(stack, 'Alarms', { enforceSSL: true }) },
      dataCapture: {},
      dataQualityMonitor: { baseline: baseline() },
    }));
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0] as any;
    expect(rule.Properties.Targets[0]).toEqual(expect.objectContaining({
      Arn: { Ref: expect.stringMatching(/^Alarms/) },
      RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^EndpointViolationsPublisher/), 'Arn'] },
    }));
    const statements = Object.values(template.findResources('AWS::SNS::TopicPolicy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(JSON.stringify(statements)).not.toMatch(/events\.amazonaws\.com/);
  });
});

describe('a monitored stage template (parameters in the configuration)', () => {
  let template: Template;
  beforeAll(() => {
    const stack = new Stack(new App(), 'Stage', { env: { account: ACCOUNT, region: REGION } });
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    const params = new EndpointStageParameters(stack, 'Params');
    new EndpointWithMonitor(stack, 'Endpoint', {
      model: ModelSource.fromModelPackageArn(params.modelPackageArn, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models' }),
      artifactBucket: artifacts.bucket,
      endpointName: params.endpointName('churn'),
      // No stage parameters given: the job definition has no derived name and is read from its ARN.
      dataCapture: { samplingPercentage: params.samplingPercentage },
      dataQualityMonitor: { baseline: MonitoringBaseline.fromS3Uris({ statisticsUri: params.baselineStatisticsUri, constraintsUri: params.baselineConstraintsUri, bucket: artifacts.bucket }) },
    });
    template = Template.fromStack(stack);
  });

  test('a monitor raises the sampling parameter\'s minimum to 1: CloudFormation refuses 0 before any change', () => {
    expect(template.toJSON().Parameters.SamplingPercentage).toEqual(expect.objectContaining({ MinValue: 1, MaxValue: 100, Default: 20 }));
  });

  test('the schedule reads the job definition\'s name from its ARN: no DependsOn on it either (W3005)', () => {
    const schedule = Object.values(template.findResources('AWS::SageMaker::MonitoringSchedule'))[0] as any;
    const jobId = Object.keys(template.findResources('AWS::SageMaker::DataQualityJobDefinition'))[0];
    expect(JSON.stringify(schedule.Properties.MonitoringScheduleConfig.MonitoringJobDefinitionName)).toContain(`["${jobId}","JobDefinitionArn"]`);
    expect(schedule.DependsOn ?? []).not.toContain(jobId);
  });
});

test('without a monitor the sampling parameter keeps its minimum of 0', () => {
  const stack = new Stack(new App(), 'Stage', { env: { account: ACCOUNT, region: REGION } });
  const artifacts = new ArtifactBucket(stack, 'Artifacts');
  const params = new EndpointStageParameters(stack, 'Params');
  new EndpointWithMonitor(stack, 'Endpoint', {
    model: ModelSource.fromModelPackageArn(params.modelPackageArn, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models' }),
    artifactBucket: artifacts.bucket,
    stageParameters: params,
    dataCapture: { samplingPercentage: params.samplingPercentage },
  });
  expect(Template.fromStack(stack).toJSON().Parameters.SamplingPercentage.MinValue).toBe(0);
});

describe('the ModelPackageBaselines custom resource', () => {
  let template: Template;
  beforeAll(() => {
    const stack = new Stack(new App(), 'Baselines', { env: { account: ACCOUNT, region: REGION } });
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    const baselines = new ModelPackageBaselines(stack, 'Baselines', { modelPackageArn: PACKAGE_ARN, artifactBucket: artifacts.bucket, baselinesKeyPrefix: 'baselines/churn' });
    new EndpointWithMonitor(stack, 'Endpoint', {
      model: ModelSource.fromModelPackageArn(PACKAGE_ARN, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models' }),
      artifactBucket: artifacts.bucket,
      dataCapture: {},
      dataQualityMonitor: { baseline: baselines.dataQuality },
    });
    template = Template.fromStack(stack);
  });

  test('fails the stack within minutes when the handler never answers (a service timeout, not the default hour)', () => {
    const [reader] = Object.values(template.findResources('Custom::ModelPackageBaselines')) as any[];
    expect(Number(reader.Properties.ServiceTimeout)).toBe(300);
  });

  test('waits for the reader role\'s policies (DescribeModelPackage), not for the role itself (a guard: it did so before)', () => {
    const [reader] = Object.values(template.findResources('Custom::ModelPackageBaselines')) as any[];
    const [[roleId]] = roleTrusting(template, 'lambda.amazonaws.com').filter(([id]) => /^BaselinesReader/.test(id));
    const policies = policiesOfRole(template, roleId);
    expect(policies.length).toBeGreaterThan(0);
    expect(reader.DependsOn).toEqual(expect.arrayContaining(policies));
    expect(reader.DependsOn).not.toContain(roleId);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sagemaker:DescribeModelPackage', Resource: PACKAGE_ARN })]) },
    });
  });
});

/** The logical ids a value refers to by Ref or GetAtt. */
function referenced(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) { value.forEach((v) => referenced(v, into)); return into; }
  if (value === null || typeof value !== 'object') { return into; }
  for (const [k, v] of Object.entries(value)) {
    if (k === 'Ref' && typeof v === 'string') { into.add(v); }
    if (k === 'Fn::GetAtt') { into.add(Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]); }
    referenced(v, into);
  }
  return into;
}

test('no DependsOn repeats an order a Ref or GetAtt already gives (cfn-lint W3005), in the example and a full configuration', () => {
  const example = Template.fromStack(addEndpointExample(new App())).toJSON();
  const full = build((a) => ({
    dataCapture: {}, autoscaling: { maxCapacity: 4 },
    dataQualityMonitor: { baseline: baseline() },
    modelBiasMonitor: { baseline: MonitoringBaseline.fromS3Uris({ constraintsUri: 's3://b-123/bias.json', analysisConfigUri: 's3://b-123/a.json' }), groundTruthBucket: a.bucket },
  })).template.toJSON();
  const redundant: string[] = [];
  for (const template of [example, full]) {
    for (const [id, r] of Object.entries<any>(template.Resources)) {
      const refs = referenced(r.Properties);
      for (const d of [r.DependsOn ?? []].flat()) {
        if (refs.has(d)) { redundant.push(`${id} -> ${d}`); }
      }
    }
  }
  expect(redundant).toEqual([]);
});
