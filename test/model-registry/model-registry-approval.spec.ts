import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IModelPackageGroup, MetricComparison, ModelPackageGroup } from '../../lib/core';
import { ApprovalPolicy, ModelRegistryApproval, ModelRegistryApprovalProps } from '../../lib/model-registry';
import { loadEvent } from '../helpers/fixtures';

const MSE = { metricJsonPath: 'regression_metrics.mse.value', comparison: MetricComparison.LESS_THAN, value: 5 };

type Props = ModelRegistryApprovalProps | ((stack: Stack) => ModelRegistryApprovalProps);

function synth(props: Props = {}, stackName = 'Stack'): { stack: Stack; registry: ModelRegistryApproval; group: IModelPackageGroup; template: Template } {
  const stack = new Stack(new App(), stackName, { env: { account: '123456789012', region: 'us-east-2' } });
  const registry = new ModelRegistryApproval(stack, 'Registry', typeof props === 'function' ? props(stack) : props);
  return { stack, registry, group: registry.modelPackageGroup, template: Template.fromStack(stack) };
}

function metricsBucket(stack: Stack): s3.IBucket {
  return s3.Bucket.fromBucketAttributes(stack, 'Metrics', {
    bucketName: 'metrics-bucket',
    encryptionKey: kms.Key.fromKeyArn(stack, 'MetricsKey', 'arn:aws:kms:us-east-2:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd'),
  });
}

describe('the model package group (defaults: manual policy)', () => {
  let stack: Stack;
  let registry: ModelRegistryApproval;
  let template: Template;
  beforeAll(() => ({ stack, registry, template } = synth()));

  test('is created, retained, with a stable lower-case derived name and no policy', () => {
    template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    template.hasResource('AWS::SageMaker::ModelPackageGroup', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        ModelPackageGroupName: Match.stringLikeRegexp('^stack-registry-[0-9a-f]{8}$'),
        ModelPackageGroupPolicy: Match.absent(),
        ModelPackageGroupDescription: Match.absent(),
      },
    });
    expect(registry.modelPackageGroup.modelPackageGroupName).toMatch(/^stack-registry-[0-9a-f]{8}$/);
    expect(registry.modelPackageGroup).toBeInstanceOf(ModelPackageGroup);
    expect(registry.modelPackageGroup.node.path).toBe('Stack/Registry/Group');
  });

  test('the name does not change with the configuration (groups are stable)', () => {
    const other = synth({ approvalPolicy: ApprovalPolicy.MANUAL, notificationEmails: ['ml-team@example.com'] });
    expect(other.group.modelPackageGroupName).toBe(registry.modelPackageGroup.modelPackageGroupName);
  });

  test('the ARN is the Ref of the group, the versions ARN is scoped to this group', () => {
    const group = registry.modelPackageGroup;
    expect(stack.resolve(group.modelPackageGroupArn)).toEqual({ Ref: expect.stringMatching(/^RegistryGroup/) });
    expect(stack.resolve(group.modelPackageVersionsArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:sagemaker:us-east-2:123456789012:model-package/${group.modelPackageGroupName}/*`]],
    });
  });

  test('a KMS-encrypted, TLS-only notification topic', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RegistryKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('manual policy without metrics: no alarm', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(registry.approvalFailureAlarm).toBeUndefined();
  });

  test('manual policy: no Lambda; registrations notify the topic with version, metrics location and console link', () => {
    template.resourceCountIs('AWS::Lambda::Function', 0);
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { detail: { ModelApprovalStatus: ['PendingManualApproval'] } } },
    });
    expect(Object.keys(rules)).toHaveLength(1);
    const target = (Object.values(rules)[0] as any).Properties.Targets[0];
    expect(target.Arn).toEqual({ Ref: expect.stringMatching(/^RegistryNotifications/) });
    expect(target.InputTransformer.InputPathsMap).toEqual({
      'region': '$.region',
      'detail-ModelPackageGroupName': '$.detail.ModelPackageGroupName',
      'detail-ModelPackageVersion': '$.detail.ModelPackageVersion',
      'detail-ModelPackageArn': '$.detail.ModelPackageArn',
      'detail-ModelMetrics-ModelQuality-Statistics-S3Uri': '$.detail.ModelMetrics.ModelQuality.Statistics.S3Uri',
    });
    expect(target.InputTransformer.InputTemplate).toContain(
      'https://<region>.console.aws.amazon.com/sagemaker/home?region=<region>#/model-registry/<detail-ModelPackageGroupName>');
    expect(target.InputTransformer.InputTemplate).toContain('Version <detail-ModelPackageVersion> of model package group');
  });

  test('the registration message, rendered from the documented sample event, carries version, metrics and console link', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { detail: { ModelApprovalStatus: ['PendingManualApproval'] } } },
    }))[0] as any;
    const { InputPathsMap: paths, InputTemplate: inputTemplate } = rule.Properties.Targets[0].InputTransformer;
    const event = loadEvent('sagemaker-model-package-state-change.rejected');
    event.detail.ModelApprovalStatus = 'PendingManualApproval';
    let message = JSON.parse(inputTemplate) as string;
    for (const [name, jsonPath] of Object.entries(paths as Record<string, string>)) {
      const value = jsonPath.slice(2).split('.').reduce((v: any, k) => v?.[k], event);
      expect(value).toBeDefined();
      message = message.split(`<${name}>`).join(String(value));
    }
    expect(message).toBe('Version 2 of model package group versionedmp-p-idy6c3e1fiqj is waiting for approval (PendingManualApproval). ' +
      'Model package: arn:aws:sagemaker:us-east-2:123456789012:model-package/versionedmp-p-idy6c3e1fiqj/2. ' +
      'Model-quality metrics: s3://sagemaker-project-p-idy6c3e1fiqj/versionedmp-p-idy6c3e1fiqj/script-2021-02-24-10-55-15-413/output/evaluation/evaluation.json. ' +
      'Review it and approve or reject it in the SageMaker console: ' +
      'https://us-east-2.console.aws.amazon.com/sagemaker/home?region=us-east-2#/model-registry/versionedmp-p-idy6c3e1fiqj');
  });

  test('audit: approvals and rejections go to a retained, encrypted log group through a rule with no Lambda', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: {
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RegistryKey'), 'Arn'] },
        RetentionInDays: 1827,
      },
    });
    const audit = template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { detail: { ModelApprovalStatus: ['Approved', 'Rejected'] } } },
    });
    expect(Object.keys(audit)).toHaveLength(1);
    const [auditId, auditRule] = Object.entries(audit)[0] as [string, any];
    expect(auditRule.Properties.Targets).toHaveLength(1);
    expect(auditRule.Properties.Targets[0].InputTransformer).toBeUndefined();
    expect(JSON.stringify(auditRule.Properties.Targets[0].Arn)).toContain(':log-group:');
    // the log group resource policy EventBridge needs, without a custom resource
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    template.resourceCountIs('Custom::CloudwatchLogResourcePolicy', 0);
    const policy = Object.values(template.findResources('AWS::Logs::ResourcePolicy'))[0] as any;
    const doc = JSON.stringify(stack.resolve(policy.Properties.PolicyDocument));
    expect(doc).toContain('events.amazonaws.com');
    expect(doc).toContain('logs:PutLogEvents');
    expect(doc).toContain(auditId);
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toHaveLength(0);
  });

  test('no warning when the group name and description are left to the construct', () => {
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('group props', () => {
  test('an explicit name and description are used, with a warning that changing them replaces the group', () => {
    const { stack, template } = synth({ modelPackageGroupProps: { modelPackageGroupName: 'Churn-Model', description: 'Churn models' } });
    template.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', {
      ModelPackageGroupName: 'Churn-Model',
      ModelPackageGroupDescription: 'Churn models',
    });
    Annotations.fromStack(stack).hasWarning('/Stack/Registry',
      Match.stringLikeRegexp('`modelPackageGroupProps.modelPackageGroupName` and `modelPackageGroupProps.description` cannot be changed in place.*starts empty'));
  });

  test('ARNs use the lower-case name, as SageMaker writes them', () => {
    const { stack, group } = synth({ modelPackageGroupProps: { modelPackageGroupName: 'Churn-Model' } });
    expect(JSON.stringify(stack.resolve(group.modelPackageVersionsArn))).toContain('model-package/churn-model/*');
  });

  test('removalPolicy DESTROY is honoured', () => {
    synth({ modelPackageGroupProps: { removalPolicy: RemovalPolicy.DESTROY } }).template.hasResource('AWS::SageMaker::ModelPackageGroup', { DeletionPolicy: 'Delete' });
  });

  test('an existing group by name: no group resource, ARN of this account and region', () => {
    let existing: IModelPackageGroup | undefined;
    const { stack, group, template } = synth((s) => {
      existing = ModelPackageGroup.fromModelPackageGroupName(s, 'Existing', 'Existing-Group');
      return { modelPackageGroup: existing };
    });
    template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 0);
    expect(group).toBe(existing);
    expect(stack.resolve(group.modelPackageGroupArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-2:123456789012:model-package-group/existing-group']],
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('an existing group by ARN: its account and region scope the versions ARN', () => {
    const { stack, group } = synth((s) => ({
      modelPackageGroup: ModelPackageGroup.fromModelPackageGroupArn(s, 'Existing', 'arn:aws:sagemaker:eu-west-1:210987654321:model-package-group/shared'),
    }));
    expect(group.modelPackageGroupName).toBe('shared');
    expect(JSON.stringify(stack.resolve(group.modelPackageVersionsArn))).toContain(':sagemaker:eu-west-1:210987654321:model-package/shared/*');
  });

  test('notification e-mails subscribe to the topic', () => {
    const { template } = synth({ notificationEmails: ['ml-team@example.com', 'risk@example.com'] });
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'risk@example.com' });
  });

  test('auditLog false: no log group, no resource policy, no audit rule', () => {
    const { registry, template } = synth({ auditLog: false });
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 0);
    expect(registry.auditLogGroup).toBeUndefined();
  });

  test('auditLogRetention is honoured', () => {
    synth({ auditLogRetention: logs.RetentionDays.TEN_YEARS }).template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 3653 });
  });

  test('an existing key encrypts the topic and the audit log; no key is created', () => {
    const stack = new Stack(new App(), 'K');
    const key = new kms.Key(stack, 'MyKey');
    new ModelRegistryApproval(stack, 'Registry', { encryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyKey'), 'Arn'] } });
  });
});

describe('cross-account', () => {
  test('modelPackageGroupProps.allowAccounts render the group resource policy: read and deploy, no approval', () => {
    const stack = new Stack(new App(), 'Cross', { env: { account: '123456789012', region: 'us-east-2' } });
    const registry = new ModelRegistryApproval(stack, 'Registry', {
      modelPackageGroupProps: { allowAccounts: ['111122223333', '444455556666', '111122223333'] }, // once only
    });
    const groupName = registry.modelPackageGroup.modelPackageGroupName;
    const group = Object.values(Template.fromStack(stack).findResources('AWS::SageMaker::ModelPackageGroup'))[0] as any;
    const policy = group.Properties.ModelPackageGroupPolicy;
    const root = (account: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] });
    expect(policy.Statement).toHaveLength(2);
    for (const statement of policy.Statement) {
      expect(statement.Principal.AWS).toEqual([root('111122223333'), root('444455556666')]);
      expect(statement.Effect).toBe('Allow');
    }
    expect(policy.Statement[0].Action).toBe('sagemaker:DescribeModelPackageGroup');
    expect(JSON.stringify(policy.Statement[0].Resource)).toContain(`:model-package-group/${groupName}"`);
    expect(policy.Statement[1].Action).toEqual(['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages', 'sagemaker:CreateModel']);
    expect(JSON.stringify(policy.Statement[1].Resource)).toContain(`:model-package/${groupName}/*`);
    expect(JSON.stringify(policy)).not.toContain('UpdateModelPackage');
  });
});

describe('grants', () => {
  let stack: Stack;
  let registry: ModelRegistryApproval;
  let approver: iam.Role; let reader: iam.Role; let registrar: iam.Role;
  beforeAll(() => {
    stack = new Stack(new App(), 'Grants', { env: { account: '123456789012', region: 'us-east-2' } });
    registry = new ModelRegistryApproval(stack, 'Registry', { modelPackageGroupProps: { modelPackageGroupName: 'churn' } });
    approver = new iam.Role(stack, 'Approver', { assumedBy: new iam.AccountRootPrincipal() });
    reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    registrar = new iam.Role(stack, 'Registrar', { assumedBy: new iam.AccountRootPrincipal() });
    registry.modelPackageGroup.grantApprove(approver);
    registry.modelPackageGroup.grantRead(reader);
    registry.modelPackageGroup.grantRegister(registrar);
  });

  function statementsOf(role: iam.Role): any[] {
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const id = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    return Object.values(policies).filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === id))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
  }
  const versions = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-2:123456789012:model-package/churn/*']] };
  const group = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-2:123456789012:model-package-group/churn']] };

  test('grantApprove: UpdateModelPackage on this group\'s versions only', () => {
    expect(statementsOf(approver)).toEqual([{
      Effect: 'Allow',
      Action: ['sagemaker:UpdateModelPackage', 'sagemaker:DescribeModelPackage'],
      Resource: versions,
    }]);
  });

  test('grantRead: describe the group and its versions; list (not resource-scoped by IAM)', () => {
    const statements = statementsOf(reader);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['sagemaker:DescribeModelPackageGroup', 'sagemaker:DescribeModelPackage'],
      Resource: [group, versions],
    });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'sagemaker:ListModelPackages', Resource: '*' });
    expect(JSON.stringify(statements)).not.toContain('UpdateModelPackage');
  });

  test('grantRegister: CreateModelPackage on this group, and an explicit Deny of approving (at registration or later)', () => {
    const statements = statementsOf(registrar);
    expect(statements).toEqual([{
      Effect: 'Allow',
      Action: ['sagemaker:CreateModelPackage', 'sagemaker:AddTags', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup'],
      Resource: [group, versions],
    }, {
      Effect: 'Deny',
      Action: ['sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage'],
      Resource: [group, versions],
      Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
    }]);
  });
});

describe('metric-threshold policy', () => {
  let stack: Stack;
  let template: Template;
  let registry: ModelRegistryApproval;
  beforeAll(() => {
    stack = new Stack(new App(), 'Metric', { env: { account: '123456789012', region: 'us-east-2' } });
    registry = new ModelRegistryApproval(stack, 'Registry', {
      modelPackageGroupProps: { modelPackageGroupName: 'churn' },
      approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS,
      metricThresholds: [MSE, { metricJsonPath: 'regression_metrics.r2.value', comparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO, value: 0.8 }],
      artifactBucket: metricsBucket(stack),
      metricsKeyPrefix: 'evaluation/',
    });
    template = Template.fromStack(stack);
  });

  test('a handler with the group, policy and thresholds in its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: {
          GROUP_NAME: 'churn',
          POLICY: 'METRIC_THRESHOLDS',
          THRESHOLDS: JSON.stringify([
            { metricJsonPath: 'regression_metrics.mse.value', comparison: 'LessThan', value: 5 },
            { metricJsonPath: 'regression_metrics.r2.value', comparison: 'GreaterThanOrEqualTo', value: 0.8 },
          ]),
          METRICS_BUCKET: 'metrics-bucket',
          METRICS_KEY_PREFIX: 'evaluation/',
          RESULT_SOURCE: 'cdk-sagemaker-mlops/approval-policy',
        },
      },
    });
    expect(registry.approvalFunction).toBeDefined();
  });

  test('the handler may update only this group\'s versions, read only the metrics prefix, decrypt with the metrics key', () => {
    const policies = template.findResources('AWS::IAM::ManagedPolicy');
    const statements = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['sagemaker:UpdateModelPackage', 'sagemaker:DescribeModelPackage'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-2:123456789012:model-package/churn/*']] },
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::metrics-bucket/evaluation/*']] },
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: 'arn:aws:kms:us-east-2:123456789012:key/1111aaaa-2222-bbbb-3333-cccc4444dddd',
    });
    const all = JSON.stringify(statements);
    expect(all).not.toContain('sagemaker:*');
    expect(all).not.toContain('"s3:*"');
  });

  test('registrations of this group invoke the handler, with retries and a dead-letter queue', () => {
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { detail: { ModelApprovalStatus: ['PendingManualApproval'] } } },
    });
    expect(Object.keys(rules)).toHaveLength(1);
    const target = (Object.values(rules)[0] as any).Properties.Targets[0];
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RegistryApprovalHandlerFunction/), 'Arn'] });
    expect(target.DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^RegistryApprovalHandlerDeadLetters/), 'Arn'] });
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 4 });
  });

  test('the handler\'s results that need attention reach the topic through EventBridge (no SNS client in the handler)', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: { OnSuccess: { Destination: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-2:123456789012:event-bus/default']] } } },
      MaximumRetryAttempts: 2,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['lambda'],
        'detail-type': ['Lambda Function Invocation Result - Success'],
        'detail': {
          requestContext: { functionArn: [{ prefix: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RegistryApprovalHandlerFunction'), 'Arn'] } }] },
          responsePayload: { source: ['cdk-sagemaker-mlops/approval-policy'], notify: [true] },
        },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^RegistryNotifications') }, InputPath: '$.detail.responsePayload' })],
    });
  });

  test('an alarm on the dead-letter queue tells the topic when an event could not be handled', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RegistryApprovalHandlerDeadLetters'), 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^RegistryNotifications') }],
    });
    expect(registry.approvalFailureAlarm).toBeDefined();
  });

  test('no input-transformer registration notification (the handler notifies with the metrics)', () => {
    const rules = template.findResources('AWS::Events::Rule');
    expect(JSON.stringify(rules)).not.toContain('InputTransformer');
  });
});

describe('manual policy with a metrics bucket', () => {
  test('the handler only describes (NOTIFY_ONLY) and never updates', () => {
    const stack = new Stack(new App(), 'Notify', { env: { account: '123456789012', region: 'us-east-2' } });
    new ModelRegistryApproval(stack, 'Registry', { artifactBucket: metricsBucket(stack), metricThresholds: [MSE] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ POLICY: 'NOTIFY_ONLY' }) } });
    expect(JSON.stringify(template.findResources('AWS::IAM::ManagedPolicy'))).not.toContain('UpdateModelPackage');
  });

  test('METRIC_THRESHOLDS_THEN_MANUAL runs the handler in that mode, reading the group\'s evaluation reports by default', () => {
    const stack = new Stack(new App(), 'Both');
    const registry = new ModelRegistryApproval(stack, 'Registry', {
      approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS_THEN_MANUAL, artifactBucket: metricsBucket(stack), metricThresholds: [MSE],
    });
    const prefix = `evaluation-reports/${registry.modelPackageGroup.modelPackageGroupName}/`;
    expect(registry.metricsKeyPrefix).toBe(prefix);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POLICY: 'METRIC_THRESHOLDS_THEN_MANUAL', METRICS_KEY_PREFIX: prefix }) },
    });
  });
});
