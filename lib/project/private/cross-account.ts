import { Annotations, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { roleArn, StageName, targetAlarmNames, targetRoleNames } from './account-names';
import { ProjectSettings } from './settings';
import { IModelPackageGroup, ModelPackageGroup } from '../../core/model-package-group';
import { StorageLayout } from '../../core/storage-layout';
import { snsTarget } from '../../private/event-targets';

/** A stage that runs in another account, and the roles its MlopsTargetAccount stack creates there. */
export interface TargetStage {
  readonly stage: StageName;
  readonly account: string;
  readonly deployRoleArn: string;
  readonly cloudFormationRoleArn: string;
  readonly modelRoleArn: string;
  readonly monitoringRoleArn: string;
  readonly testRoleArn: string;
  readonly alarmTopicArn: string;
}

/** The stages of the project in other accounts (none for a single-account project). */
export function targetStages(stack: Stack, settings: ProjectSettings): TargetStage[] {
  return (['staging', 'prod'] as const).flatMap((stage) => {
    const account = settings[stage].account;
    if (account === undefined) { return []; }
    const names = targetRoleNames(settings.name, stage);
    const arn = (name: string) => roleArn(stack.partition, account, name);
    return [{
      stage,
      account,
      deployRoleArn: arn(names.deploy),
      cloudFormationRoleArn: arn(names.cloudFormation),
      modelRoleArn: arn(names.model),
      monitoringRoleArn: arn(names.monitoring),
      testRoleArn: arn(names.test),
      alarmTopicArn: `arn:${stack.partition}:sns:${stack.region}:${account}:${targetAlarmNames(settings.name, stage).topic}`,
    }];
  });
}

/**
 * A role of a target account, for the deploy pipeline's actions. What aws-cdk-lib grants it on
 * this account's resources (the pipeline's artifact bucket and key) lands in their resource
 * policies; a resource policy naming a role that does not exist yet is refused, and the target
 * account's roles are created after the project stack. So the grants name the account, with the
 * role's ARN as `aws:PrincipalArn` condition: valid before the role exists, and for that role only.
 */
export function importTargetRole(scope: Construct, id: string, arn: string, account: string): iam.IRole {
  const role = iam.Role.fromRoleArn(scope, id, arn, { mutable: false });
  const principal = new iam.AccountPrincipal(account).withConditions({ ArnEquals: { 'aws:PrincipalArn': arn } });
  // aws-cdk-lib's actions grant through the role itself (as the principal of a statement) or
  // through its grantPrincipal: both render the account with the condition.
  Object.defineProperty(role, 'grantPrincipal', { value: principal, configurable: true });
  Object.defineProperty(role, 'policyFragment', { get: () => principal.policyFragment, configurable: true });
  return role;
}

/** What the tooling account's resource policies open to the target accounts. */
export interface CrossAccountPolicyScope {
  readonly settings: ProjectSettings;
  readonly targets: TargetStage[];
  readonly key: kms.IKey;
  readonly bucket: s3.IBucket;
  readonly layout: StorageLayout;
  readonly group: IModelPackageGroup;
  readonly pipelineArtifacts: s3.IBucket;
  readonly topic: sns.ITopic;
}

/**
 * The tooling account's resource policies, written for each target account's named roles only:
 * the project key (model data, release artifacts, captured data, reports), the artifact bucket
 * (model data and baselines to read; captured data and monitoring reports to write, owned by the
 * bucket owner as the bucket enforces), the deploy pipeline's artifact bucket (the release to
 * deploy), the model package group (describe, list and deploy its versions), the default event
 * bus (the stages' forwarded alarm state changes, which a rule passes to the project's topic).
 */
export function addCrossAccountPolicies(scope: Construct, s: CrossAccountPolicyScope): void {
  if (s.targets.length === 0) { return; }
  const stack = Stack.of(scope);
  for (const t of s.targets) {
    const of = (...arns: string[]) => new iam.AccountPrincipal(t.account).withConditions({ ArnEquals: { 'aws:PrincipalArn': arns } });
    const stagePrefix = `${s.settings.name}-${t.stage}`;
    const sid = (what: string) => `${t.stage === 'staging' ? 'Staging' : 'Prod'}${t.account}${what}`;

    // The key: SageMaker in the target account decrypts model data and encrypts what the endpoint
    // and the monitors write, through grants for AWS resources only.
    const keyStatements = [
      new iam.PolicyStatement({
        sid: sid('UseProjectKey'),
        principals: [of(t.modelRoleArn, t.monitoringRoleArn, t.cloudFormationRoleArn, t.deployRoleArn)],
        actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: sid('GrantsForSageMaker'),
        principals: [of(t.modelRoleArn, t.monitoringRoleArn, t.cloudFormationRoleArn)],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    ];
    for (const statement of keyStatements) {
      if (!s.key.addToResourcePolicy(statement, true).statementAdded) {
        Annotations.of(scope).addWarningV2('cdk-sagemaker-mlops:crossAccountKeyPolicy',
          `The project's key is imported, so its key policy cannot be changed here: add this statement to it for the ${t.stage} ` +
          `account ${t.account}: ${JSON.stringify(stack.resolve(statement.toStatementJson()))}`);
      }
    }

    // The artifact bucket: the stage's model and monitoring roles, by prefix.
    const group = s.group.modelPackageGroupName;
    const bucketStatements = [
      new iam.PolicyStatement({
        sid: sid('ReadModelData'),
        principals: [of(t.modelRoleArn)],
        actions: ['s3:GetObject'],
        resources: [s.bucket.arnForObjects(`${s.layout.modelPrefix(group)}/*`)],
      }),
      new iam.PolicyStatement({
        sid: sid('WriteCapturedData'),
        principals: [of(t.modelRoleArn)],
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [s.bucket.arnForObjects(`${s.layout.dataCapture}/${stagePrefix}*`)],
      }),
      new iam.PolicyStatement({
        sid: sid('MonitorReads'),
        principals: [of(t.monitoringRoleArn)],
        actions: ['s3:GetObject'],
        resources: [s.bucket.arnForObjects(`${s.layout.dataCapture}/${stagePrefix}*`), s.bucket.arnForObjects(`${s.layout.baselinePrefix(group)}/*`)],
      }),
      new iam.PolicyStatement({
        sid: sid('MonitorLists'),
        principals: [of(t.monitoringRoleArn)],
        actions: ['s3:ListBucket'],
        resources: [s.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${s.layout.dataCapture}/${stagePrefix}*`] } },
      }),
      new iam.PolicyStatement({
        sid: sid('MonitorReports'),
        principals: [of(t.monitoringRoleArn)],
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [s.bucket.arnForObjects(`${s.layout.monitoringReports}/${stagePrefix}*`)],
      }),
    ];
    for (const statement of bucketStatements) {
      if (!s.bucket.addToResourcePolicy(statement).statementAdded) {
        Annotations.of(scope).addWarningV2('cdk-sagemaker-mlops:crossAccountBucketPolicy',
          `The artifact bucket is imported, so its bucket policy cannot be changed here: add this statement to it for the ${t.stage} ` +
          `account ${t.account}: ${JSON.stringify(stack.resolve(statement.toStatementJson()))}`);
      }
    }

    // The release artifacts the deploy role deploys (CodePipeline hands them to its actions).
    s.pipelineArtifacts.addToResourcePolicy(new iam.PolicyStatement({
      sid: sid('ReadReleaseArtifacts'),
      principals: [of(t.deployRoleArn)],
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [s.pipelineArtifacts.arnForObjects('*')],
    }));

    // The group: describe and deploy its versions (never approve).
    if (s.group instanceof ModelPackageGroup) {
      s.group.allowAccount(t.account);
    } else {
      Annotations.of(scope).addWarningV2('cdk-sagemaker-mlops:crossAccountGroupPolicy',
        `The model package group ${group} is imported: give account ${t.account} sagemaker:DescribeModelPackageGroup, DescribeModelPackage, ` +
        'ListModelPackages and CreateModel on it through its resource policy (PutModelPackageGroupPolicy)');
    }

    // The default event bus takes the stage's forwarded alarm state changes, from its forwarder role only.
    new events.CfnEventBusPolicy(scope, `${sid('ForwardedAlarms')}BusPolicy`, {
      statementId: sid('ForwardedAlarms'),
      eventBusName: 'default',
      statement: {
        Effect: 'Allow',
        Principal: { AWS: `arn:${stack.partition}:iam::${t.account}:root` },
        Action: 'events:PutEvents',
        Resource: `arn:${stack.partition}:events:${stack.region}:${stack.account}:event-bus/default`,
        Condition: { ArnEquals: { 'aws:PrincipalArn': roleArn(stack.partition, t.account, targetRoleNames(s.settings.name, t.stage).forwarder) } },
      },
    });
  }

  // The forwarded alarm state changes reach the project's topic.
  new events.Rule(scope, 'NotifyStageAlarms', {
    description: `Notifies the alarms of project ${s.settings.name}'s stages in other accounts (forwarded by their MlopsTargetAccount stacks)`,
    eventPattern: {
      source: ['aws.cloudwatch'],
      detailType: ['CloudWatch Alarm State Change'],
      account: s.targets.map((t) => t.account),
      detail: { alarmName: s.targets.map((t) => ({ prefix: `${s.settings.name}-${t.stage}-` })) },
    },
    targets: [snsTarget(scope, 'NotificationsPublisher', s.topic, events.RuleTargetInput.fromText(
      `Alarm ${events.EventField.fromPath('$.detail.alarmName')} of account ${events.EventField.fromPath('$.account')} is ` +
      `${events.EventField.fromPath('$.detail.state.value')}: ${events.EventField.fromPath('$.detail.state.reason')}`))],
  });
}

/**
 * The inference image repository lets each target account's model role pull (SageMaker pulls the
 * image there with the model's execution role).
 */
export function allowTargetImagePulls(targets: TargetStage[], repository: ecr.IRepository | undefined): void {
  if (!repository) { return; }
  for (const t of targets) {
    repository.addToResourcePolicy(new iam.PolicyStatement({
      sid: `${t.stage === 'staging' ? 'Staging' : 'Prod'}${t.account}PullInferenceImage`,
      principals: [new iam.AccountPrincipal(t.account).withConditions({ ArnEquals: { 'aws:PrincipalArn': t.modelRoleArn } })],
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
    }));
  }
}
