import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { MetricComparison, MlopsFoundation, ModelPackageGroup, StorageLayout } from '../../lib/core';
import { ApprovalPolicy, ModelRegistryApproval, ModelRegistryApprovalProps } from '../../lib/model-registry';

const ENV = { account: '123456789012', region: 'us-east-2' };
const MSE = { metricJsonPath: 'regression_metrics.mse.value', comparison: MetricComparison.LESS_THAN, value: 5 };
const METRIC_POLICY: ModelRegistryApprovalProps = { approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS, metricThresholds: [MSE] };

interface Built {
  readonly stack: Stack;
  readonly foundation: MlopsFoundation;
  readonly registry: ModelRegistryApproval;
  readonly template: Template;
}

function build(props: (stack: Stack, foundation: MlopsFoundation) => ModelRegistryApprovalProps, foundationProps = {}): Built {
  const stack = new Stack(new App(), 'Project', { env: ENV });
  const foundation = new MlopsFoundation(stack, 'Foundation', foundationProps);
  const registry = new ModelRegistryApproval(stack, 'Registry', props(stack, foundation));
  return { stack, foundation, registry, template: Template.fromStack(stack) };
}

/** The logical ID of a construct's CloudFormation resource. */
function logicalId(stack: Stack, c: IConstruct): string {
  return stack.getLogicalId(c.node.defaultChild as any);
}

/** Every statement of the approval handler's role. */
function handlerStatements(built: Built): any[] {
  const role = built.stack.getLogicalId(built.registry.node.findChild('ApprovalHandler').node.findChild('ServiceRole').node.defaultChild as any);
  return Object.values(built.template.findResources('AWS::IAM::ManagedPolicy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === role))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function s3Statements(statements: any[]): any[] {
  return statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
}

function handlerEnvironment(template: Template): Record<string, unknown> {
  const fns = Object.values(template.findResources('AWS::Lambda::Function'));
  expect(fns).toHaveLength(1);
  return (fns[0] as any).Properties.Environment.Variables;
}

describe('a registry on a foundation', () => {
  let built: Built;
  beforeAll(() => { built = build((_s, foundation) => ({ foundation, ...METRIC_POLICY })); });

  test('creates no key and no bucket of its own: the one key and the one artifact bucket (with its log bucket) are the foundation\'s', () => {
    const { template, registry, foundation } = built;
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    const own = registry.node.findAll().filter((c) => c instanceof kms.Key || c instanceof s3.Bucket);
    expect(own).toEqual([]);
    expect(registry.encryptionKey).toBe(foundation.encryptionKey);
    expect(registry.artifactBucket).toBe(foundation.artifactBucket);
  });

  test('the topic, the audit log and the handler are encrypted with the foundation\'s key', () => {
    const { stack, template, foundation } = built;
    const key = { 'Fn::GetAtt': [logicalId(stack, foundation.encryptionKey), 'Arn'] };
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: key });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: key, RetentionInDays: 1827 });
    template.hasResourceProperties('AWS::Lambda::Function', { KmsKeyArn: key });
  });

  test('the handler reads the foundation\'s bucket under the group\'s evaluation reports (the layout prefix)', () => {
    const { stack, registry, template, foundation } = built;
    const group = registry.modelPackageGroup.modelPackageGroupName;
    expect(registry.metricsKeyPrefix).toBe(`evaluation-reports/${group}/`);
    // the place the standard training pipeline writes a group's reports, from the same layout
    expect(registry.metricsKeyPrefix).toBe(`${foundation.storageLayout.evaluationReportPrefix(group)}/`);
    expect(handlerEnvironment(template)).toEqual(expect.objectContaining({
      GROUP_NAME: group,
      METRICS_BUCKET: { Ref: logicalId(stack, foundation.artifactBucket) },
      METRICS_KEY_PREFIX: `evaluation-reports/${group}/`,
    }));
  });

  test('the handler\'s S3 grant is exactly s3:GetObject on <bucket>/evaluation-reports/<group>/*', () => {
    const { stack, registry, foundation } = built;
    const group = registry.modelPackageGroup.modelPackageGroupName;
    expect(s3Statements(handlerStatements(built))).toEqual([{
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack, foundation.artifactBucket), 'Arn'] }, `/evaluation-reports/${group}/*`]] },
    }]);
  });

  test('it decrypts with the foundation\'s key (the bucket\'s), and has no wildcard KMS or S3 action', () => {
    const { stack, foundation } = built;
    const statements = handlerStatements(built);
    const key = { 'Fn::GetAtt': [logicalId(stack, foundation.encryptionKey), 'Arn'] };
    expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['kms:Decrypt']), Resource: key }));
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
  });

  test('the group is created in the registry and named as before (stack and registry path, lower case)', () => {
    built.template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    expect(built.registry.modelPackageGroup.modelPackageGroupName).toMatch(/^project-registry-[0-9a-f]{8}$/);
  });
});

describe('precedence: explicit prop > foundation', () => {
  test('an explicit artifactBucket beats the foundation\'s: the handler reads it, and only it', () => {
    const built = build((stack, foundation) => ({
      foundation, ...METRIC_POLICY,
      artifactBucket: s3.Bucket.fromBucketAttributes(stack, 'Reports', {
        bucketName: 'team-reports',
        encryptionKey: kms.Key.fromKeyArn(stack, 'ReportsKey', 'arn:aws:kms:us-east-2:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd'),
      }),
    }));
    const group = built.registry.modelPackageGroup.modelPackageGroupName;
    expect(handlerEnvironment(built.template)).toEqual(expect.objectContaining({ METRICS_BUCKET: 'team-reports' }));
    const statements = handlerStatements(built);
    expect(s3Statements(statements)).toEqual([{
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::team-reports/evaluation-reports/${group}/*`]] },
    }]);
    expect(statements).toContainEqual({
      Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:us-east-2:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd',
    });
    expect(JSON.stringify(statements)).not.toContain(logicalId(built.stack, built.foundation.artifactBucket));
  });

  test('an explicit encryptionKey beats the foundation\'s', () => {
    const built = build((stack, foundation) => ({ foundation, encryptionKey: new kms.Key(stack, 'TeamKey') }));
    built.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TeamKey'), 'Arn'] } });
    expect(built.registry.encryptionKey).not.toBe(built.foundation.encryptionKey);
  });

  test('an explicit metricsKeyPrefix beats the layout', () => {
    const built = build((_s, foundation) => ({ foundation, ...METRIC_POLICY, metricsKeyPrefix: 'reports/' }));
    expect(handlerEnvironment(built.template)).toEqual(expect.objectContaining({ METRICS_KEY_PREFIX: 'reports/' }));
    expect(JSON.stringify(s3Statements(handlerStatements(built))[0].Resource)).toContain('"/reports/*"');
  });

  test('metricsEncryptionKey beats the bucket\'s key', () => {
    const built = build((stack, foundation) => ({
      foundation, ...METRIC_POLICY,
      metricsEncryptionKey: kms.Key.fromKeyArn(stack, 'Other', 'arn:aws:kms:us-east-2:123456789012:key/9999aaaa-2222-bbbb-3333-cccc4444dddd'),
    }));
    expect(handlerStatements(built)).toContainEqual({
      Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:us-east-2:123456789012:key/9999aaaa-2222-bbbb-3333-cccc4444dddd',
    });
  });

  test('the foundation\'s storage layout moves the evaluation reports, and the grant with them', () => {
    const built = build((_s, foundation) => ({ foundation, ...METRIC_POLICY }),
      { storageLayout: StorageLayout.of({ evaluationReports: 'ml/evaluations' }) });
    const group = built.registry.modelPackageGroup.modelPackageGroupName;
    expect(handlerEnvironment(built.template)).toEqual(expect.objectContaining({ METRICS_KEY_PREFIX: `ml/evaluations/${group}/` }));
    expect(JSON.stringify(s3Statements(handlerStatements(built))[0].Resource)).toContain(`"/ml/evaluations/${group}/*"`);
  });
});

describe('the manual policy on a foundation', () => {
  test('a handler only notifies (NOTIFY_ONLY) with the metrics it reads from the foundation\'s bucket, and never updates', () => {
    const built = build((_s, foundation) => ({ foundation }));
    expect(handlerEnvironment(built.template)).toEqual(expect.objectContaining({ POLICY: 'NOTIFY_ONLY' }));
    const statements = handlerStatements(built);
    expect(JSON.stringify(statements)).not.toContain('UpdateModelPackage');
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'sagemaker:DescribeModelPackage' }));
  });
});

describe('a registry over an existing group', () => {
  let built: Built;
  beforeAll(() => {
    built = build((stack, foundation) => ({
      foundation, ...METRIC_POLICY,
      modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(stack, 'Churn', 'churn'),
    }));
  });

  test('has no ModelPackageGroup resource, and uses the group it was given', () => {
    built.template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 0);
    expect(built.registry.modelPackageGroup.node.path).toBe('Project/Churn');
    expect(built.registry.node.tryFindChild('Group')).toBeUndefined();
  });

  test('the handler decides that group\'s versions and reads its evaluation reports only', () => {
    const { stack, foundation } = built;
    expect(handlerEnvironment(built.template)).toEqual(expect.objectContaining({ GROUP_NAME: 'churn', METRICS_KEY_PREFIX: 'evaluation-reports/churn/' }));
    const statements = handlerStatements(built);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['sagemaker:UpdateModelPackage', 'sagemaker:DescribeModelPackage'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-2:123456789012:model-package/churn/*']] },
    });
    expect(s3Statements(statements)).toEqual([{
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack, foundation.artifactBucket), 'Arn'] }, '/evaluation-reports/churn/*']] },
    }]);
  });
});
