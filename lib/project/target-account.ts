import { Arn, ArnFormat, CfnOutput, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  pipelineArtifactsBucketName, roleArn, StageName, targetAlarmNames, targetRoleNames, TargetRoleNames, toolingRoleNames,
} from './private/account-names';
import { createDeploymentRole } from './private/deployment-role';
import { createModelRole, createMonitoringRole, sageMakerArn } from './private/stage-roles';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { ModelPackageGroup } from '../core/model-package-group';
import { ProjectKey } from '../core/project-key';
import { StorageLayout } from '../core/storage-layout';
import { check } from '../private/errors';
import { acknowledgeWildcardResources } from '../private/nag';

/** A stage of an MlopsProject. */
export enum ProjectStage {
  /** The stage a release is tested in before a person approves it for prod. */
  STAGING = 'staging',
  /** The stage that serves the approved, verified version. */
  PROD = 'prod',
}

/**
 * Props of {@link MlopsTargetAccount}.
 *
 * @example
 * import { MlopsTargetAccount, ProjectStage } from 'cdk-sagemaker-mlops';
 *
 * // A staging account whose alarms stay in the account, for a project that serves an image of its own.
 * new MlopsTargetAccount(this, 'FraudStaging', {
 *   projectName: 'fraud',
 *   stage: ProjectStage.STAGING,
 *   toolingAccount: '111122223333',
 *   encryptionKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
 *   artifactBucketName: 'fraud-artifacts-111122223333-eu-west-1',
 *   forwardAlarms: false,
 *   imageRepositoryArns: ['arn:aws:ecr:eu-west-1:111122223333:repository/fraud-inference'],
 * });
 */
export interface MlopsTargetAccountProps {
  /** The `projectName` of the MlopsProject whose stage runs in this account. */
  readonly projectName: string;

  /** The stage this account runs (`staging.account` or `prod.account` of the project). */
  readonly stage: ProjectStage;

  /** The account of the project stack (the tooling account), 12 digits. */
  readonly toolingAccount: string;

  /**
   * The ARN of the project's KMS key (the project stack's `EncryptionKeyArn` output), in the
   * tooling account and this stack's region: the model data, the release artifacts, captured data
   * and monitoring reports are encrypted with it. An alias is refused: key policies and grants
   * need the key's ARN across accounts.
   */
  readonly encryptionKeyArn: string;

  /** The name of the project's artifact bucket (the project stack's `ArtifactBucketName` output). */
  readonly artifactBucketName: string;

  /**
   * The project's model package group.
   *
   * @default "<projectName>-models" (the project's default)
   */
  readonly modelPackageGroupName?: string;

  /**
   * The storage layout of the project's foundation (where model data, captured data, baselines and
   * monitoring reports go in the artifact bucket).
   *
   * @default StorageLayout.DEFAULT
   */
  readonly storageLayout?: StorageLayout;

  /**
   * ECR repositories of the tooling account whose images the stage's models run (your own
   * inference images): the model role may pull from them. AWS's built-in images need nothing.
   * The inference image a project's `buildPipeline` builds is in
   * `arn:<partition>:ecr:<region>:<tooling account>:repository/<projectName>/inference`.
   *
   * @default - none
   */
  readonly imageRepositoryArns?: string[];

  /**
   * Forward the state changes of the stage's alarms (errors, latency, monitor violations) to the
   * tooling account's default event bus, where the project notifies its topic and may retrain.
   *
   * @default true
   */
  readonly forwardAlarms?: boolean;
}

/**
 * What the account of one stage of an MlopsProject (staging or prod) needs, deployed once in that
 * account, after the project stack and before the first approval: instead of `cdk bootstrap
 * --trust` with administrator policies,
 *
 * - a deploy role that only the project's deploy pipeline role (tooling account) may assume: it
 *   deploys and deletes the stage's stack and reads the release artifacts;
 * - the CloudFormation execution role of the stage stack, limited to what the stage template
 *   creates (model, endpoint config, endpoint, monitoring, alarms, the endpoint's log group,
 *   autoscaling) and passing only the model and monitoring roles to SageMaker;
 * - the model execution role and the monitoring role of the stage's endpoint;
 * - the test role that only the project's deploy actions function may assume (the staging test,
 *   the prod checks, the ephemeral staging clean-up);
 * - the topic of the stage's alarms (encrypted with a key of this account) and an EventBridge rule
 *   that forwards their state changes to the tooling account's default event bus.
 *
 * Every role has the name the project stack expects (`<project>-<stage>-deploy`, ...), so neither
 * side needs the other's outputs beyond the key ARN and the bucket name.
 *
 * @example
 * import { MlopsTargetAccount, ProjectStage } from 'cdk-sagemaker-mlops';
 *
 * // In a stack of the prod account, deployed once after the project stack of the tooling account.
 * new MlopsTargetAccount(this, 'FraudProd', {
 *   projectName: 'fraud',
 *   stage: ProjectStage.PROD,
 *   toolingAccount: '111122223333',
 *   // The project stack's EncryptionKeyArn output and its artifact bucket's name.
 *   encryptionKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
 *   artifactBucketName: 'fraud-artifacts-111122223333-eu-west-1',
 * });
 */
export class MlopsTargetAccount extends Construct {
  /** The role the deploy pipeline's actions of this stage run with. */
  public readonly deployRole: iam.IRole;
  /** The role CloudFormation deploys the stage stack with. */
  public readonly cloudFormationRole: iam.IRole;
  /** The execution role of the stage's models. */
  public readonly modelRole: iam.IRole;
  /** The role of the stage's Model Monitor jobs. */
  public readonly monitoringRole: iam.IRole;
  /** The role of the staging test and the prod checks. */
  public readonly testRole: iam.IRole;
  /** The topic of the stage's alarms. */
  public readonly alarmTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: MlopsTargetAccountProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const p = checkTargetProps(this, props);
    const names = targetRoleNames(p.projectName, p.stage);
    const tooling = toolingRoleNames(p.projectName);
    const toolingPrincipal = (roleName: string) => new iam.AccountPrincipal(p.toolingAccount).withConditions({
      ArnEquals: { 'aws:PrincipalArn': roleArn(stack.partition, p.toolingAccount, roleName) },
    });
    const key = kms.Key.fromKeyArn(this, 'ProjectKey', p.encryptionKeyArn);
    const bucket = s3.Bucket.fromBucketAttributes(this, 'ArtifactBucket', {
      bucketName: p.artifactBucketName, account: p.toolingAccount, region: stack.region,
    });
    const group = ModelPackageGroup.fromModelPackageGroupArn(this, 'ModelPackageGroup',
      `arn:${stack.partition}:sagemaker:${stack.region}:${p.toolingAccount}:model-package-group/${p.modelPackageGroupName}`);
    const stagePrefix = `${p.projectName}-${p.stage}`;
    const roleScope = {
      projectName: p.projectName, group, key, bucket, layout: p.layout, endpointNamePrefix: stagePrefix,
    };

    const modelRole = createModelRole(this, { ...roleScope, roleName: names.model });
    for (const repositoryArn of p.imageRepositoryArns) {
      modelRole.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], resources: [repositoryArn],
      }));
    }
    if (p.imageRepositoryArns.length > 0) {
      modelRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    }
    this.modelRole = modelRole;
    this.monitoringRole = createMonitoringRole(this, { ...roleScope, roleName: names.monitoring });
    this.cloudFormationRole = createDeploymentRole(this, {
      projectName: p.projectName,
      groupVersionsArn: group.modelPackageVersionsArn,
      keyArn: key.keyArn,
      passedRoleArns: [this.modelRole.roleArn, this.monitoringRole.roleArn],
      namePrefix: stagePrefix,
      roleName: names.cloudFormation,
      sourceAccount: stack.account,
    });
    this.deployRole = this.createDeployRole(p, names, toolingPrincipal(tooling.pipeline), key);
    this.testRole = this.createTestRole(p, names, toolingPrincipal(tooling.deployActions));

    // CloudWatch alarms publish only to a topic whose key lets them: a key of this account.
    const topicKey = new ProjectKey(this, 'AlarmTopicKey', {
      description: `Encrypts the ${stagePrefix} alarm topic (CloudWatch alarms of this account may publish to it)`, allowCloudWatchLogs: false,
    });
    const alarmNames = targetAlarmNames(p.projectName, p.stage);
    const topic = new sns.Topic(this, 'AlarmTopic', { topicName: alarmNames.topic, masterKey: topicKey, enforceSSL: true });
    topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'StageAlarms',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:${stagePrefix}*` },
      },
    }));
    this.alarmTopic = topic;

    if (p.forwardAlarms) {
      const bus = events.EventBus.fromEventBusArn(this, 'ToolingBus',
        `arn:${stack.partition}:events:${stack.region}:${p.toolingAccount}:event-bus/default`);
      const forwarder = new ManagedPolicyRole(this, 'AlarmForwarderRole', {
        roleName: names.forwarder,
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnEquals: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: alarmNames.forwardingRule }) },
          },
        }),
        description: `Forwards the ${stagePrefix} alarm state changes to the tooling account's default event bus`,
      });
      forwarder.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }));
      new events.Rule(this, 'ForwardAlarms', {
        ruleName: alarmNames.forwardingRule,
        description: `Forwards the state changes of the ${stagePrefix} alarms to account ${p.toolingAccount} (notifications, retraining)`,
        eventPattern: {
          source: ['aws.cloudwatch'],
          detailType: ['CloudWatch Alarm State Change'],
          account: [stack.account],
          detail: { alarmName: [{ prefix: `${stagePrefix}-` }] },
        },
        targets: [new targets.EventBus(bus, { role: forwarder })],
      });
    }

    new CfnOutput(this, 'DeployRoleArn', { description: `Assumed by the ${tooling.pipeline} role of account ${p.toolingAccount}`, value: this.deployRole.roleArn });
    new CfnOutput(this, 'AlarmTopicArn', { description: `The ${stagePrefix} alarm topic`, value: topic.topicArn });
  }

  private createDeployRole(p: TargetSettings, names: TargetRoleNames, principal: iam.IPrincipal, key: kms.IKey): iam.IRole {
    const stack = Stack.of(this);
    const role = new ManagedPolicyRole(this, 'DeployRole', {
      roleName: names.deploy,
      assumedBy: principal,
      description: `The ${p.projectName} deploy pipeline deploys the ${p.stage} stack with this role`,
    });
    const stackArn = stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${p.projectName}-${p.stage}/*` });
    const artifacts = pipelineArtifactsBucketName(p.projectName, p.toolingAccount, stack.region);
    const statements = [
      new iam.PolicyStatement({
        sid: 'TheStageStack',
        actions: ['cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DeleteStack', 'cloudformation:DescribeStacks',
          'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStackResources', 'cloudformation:GetTemplate',
          'cloudformation:GetStackPolicy', 'cloudformation:SetStackPolicy'],
        resources: [stackArn],
      }),
      new iam.PolicyStatement({ actions: ['cloudformation:ValidateTemplate'], resources: ['*'] }),
      new iam.PolicyStatement({
        sid: 'PassTheCloudFormationRole',
        actions: ['iam:PassRole'],
        resources: [this.cloudFormationRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'ReleaseArtifacts',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [`arn:${stack.partition}:s3:::${artifacts}/*`],
      }),
      new iam.PolicyStatement({ sid: 'DecryptReleaseArtifacts', actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: [key.keyArn] }),
    ];
    for (const statement of statements) { role.addToPrincipalPolicy(statement); }
    acknowledgeWildcardResources(role, statements,
      `CloudFormation adds its own id to the ${p.projectName}-${p.stage} stack's ARN; the deploy pipeline's artifacts are named per ` +
      `execution in its bucket ${artifacts}; cloudformation:ValidateTemplate has no resource scope.`);
    return role;
  }

  private createTestRole(p: TargetSettings, names: TargetRoleNames, principal: iam.IPrincipal): iam.IRole {
    const stack = Stack.of(this);
    const role = new ManagedPolicyRole(this, 'TestRole', {
      roleName: names.test,
      assumedBy: principal,
      description: `The ${p.projectName} deploy actions check and test the ${p.stage} endpoint with this role`,
    });
    const name = `${p.projectName}-${p.stage}*`;
    const statements = [
      new iam.PolicyStatement({
        sid: 'DescribeTheStageEndpoint',
        actions: ['sagemaker:DescribeEndpoint', 'sagemaker:DescribeEndpointConfig', 'sagemaker:DescribeModel'],
        resources: [sageMakerArn(stack, 'endpoint', name), sageMakerArn(stack, 'endpoint-config', name), sageMakerArn(stack, 'model', name)],
      }),
      new iam.PolicyStatement({
        sid: 'TheStageAlarms',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: [stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    ];
    if (p.stage === 'staging') {
      statements.push(
        new iam.PolicyStatement({ sid: 'InvokeStaging', actions: ['sagemaker:InvokeEndpoint'], resources: [sageMakerArn(stack, 'endpoint', name)] }),
        new iam.PolicyStatement({
          sid: 'DeleteEphemeralStaging',
          actions: ['cloudformation:DeleteStack', 'cloudformation:DescribeStacks'],
          resources: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${p.projectName}-staging/*` })],
        }),
        new iam.PolicyStatement({
          sid: 'PassTheCloudFormationRole',
          actions: ['iam:PassRole'],
          resources: [this.cloudFormationRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
        }),
      );
    }
    for (const statement of statements) { role.addToPrincipalPolicy(statement); }
    acknowledgeWildcardResources(role, statements,
      `The stage's endpoint, its configuration-hashed endpoint configs and models and its alarms are named under ${p.projectName}-${p.stage}; ` +
      'CloudFormation adds its own id to the stack\'s ARN.');
    return role;
  }
}

/** The props with defaults, checked. */
interface TargetSettings {
  readonly projectName: string;
  readonly stage: StageName;
  readonly toolingAccount: string;
  readonly encryptionKeyArn: string;
  readonly artifactBucketName: string;
  readonly modelPackageGroupName: string;
  readonly layout: StorageLayout;
  readonly imageRepositoryArns: string[];
  readonly forwardAlarms: boolean;
}

const PROJECT_NAME = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;

function checkTargetProps(scope: Construct, props: MlopsTargetAccountProps): TargetSettings {
  check(props !== null && typeof props === 'object', scope, 'props', props,
    'They are required: projectName, stage, toolingAccount, encryptionKeyArn and artifactBucketName');
  const stack = Stack.of(scope);
  check(!Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region), scope, 'env', 'an environment-agnostic stack',
    'The target account\'s stack needs its account and region as literals (`env: { account, region }`): its roles are trusted by, and ' +
    'its policies name, the tooling account\'s resources');
  check(typeof props.projectName === 'string' && PROJECT_NAME.test(props.projectName) && !props.projectName.includes('--'), scope,
    'projectName', props.projectName, 'It must be the `projectName` of the MlopsProject: 2 to 24 lower-case letters, digits and single dashes');
  check(Object.values(ProjectStage).includes(props.stage), scope, 'stage', props.stage, 'It must be ProjectStage.STAGING or ProjectStage.PROD');
  check(typeof props.toolingAccount === 'string' && /^\d{12}$/.test(props.toolingAccount), scope, 'toolingAccount', props.toolingAccount,
    'It must be the project stack\'s account ID: exactly 12 digits, a literal');
  check(props.toolingAccount !== stack.account, scope, 'toolingAccount', props.toolingAccount,
    'It is this stack\'s own account: a stage in the project\'s account needs no MlopsTargetAccount (leave `account` unset on the stage)');
  const keyArn = props.encryptionKeyArn;
  check(typeof keyArn === 'string' && !Token.isUnresolved(keyArn), scope, 'encryptionKeyArn', keyArn,
    'It must be the literal ARN of the project\'s key (the project stack\'s EncryptionKeyArn output)');
  check(!/:alias\//.test(keyArn), scope, 'encryptionKeyArn', keyArn,
    'An alias does not work across accounts for key policies and grants: give the key\'s ARN, arn:<partition>:kms:<region>:<account>:key/<key id>');
  const m = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/.exec(keyArn);
  check(m !== null, scope, 'encryptionKeyArn', keyArn, 'It must be a KMS key ARN, arn:<partition>:kms:<region>:<account>:key/<key id>');
  check(m![2] === props.toolingAccount, scope, 'encryptionKeyArn', keyArn,
    `The key must be the project's key in the tooling account ${props.toolingAccount}, not in account ${m![2]}`);
  check(m![1] === stack.region, scope, 'encryptionKeyArn', keyArn,
    `The project's stages run in the project stack's region; this stack is in ${stack.region} but the key is in ${m![1]}: ` +
    'deploy the target account\'s stack in the project stack\'s region');
  check(typeof props.artifactBucketName === 'string' && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.artifactBucketName), scope,
    'artifactBucketName', props.artifactBucketName, 'It must be the literal name of the project\'s artifact bucket (the ArtifactBucketName output)');
  const groupName = props.modelPackageGroupName ?? `${props.projectName}-models`;
  check(typeof groupName === 'string' && /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(groupName), scope, 'modelPackageGroupName', groupName,
    'It must be the project\'s model package group name: 1 to 63 letters, digits and dashes');
  const repositories = props.imageRepositoryArns ?? [];
  check(Array.isArray(repositories), scope, 'imageRepositoryArns', repositories, 'It must be a list of ECR repository ARNs');
  repositories.forEach((arn, i) => {
    check(typeof arn === 'string' && !Token.isUnresolved(arn) && /^arn:aws[a-z-]*:ecr:[a-z0-9-]+:\d{12}:repository\/[a-z0-9._\/-]+$/.test(arn), scope,
      `imageRepositoryArns[${i}]`, arn, 'It must be a literal ECR repository ARN, arn:<partition>:ecr:<region>:<account>:repository/<name>');
    const parts = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
    check(parts.region === stack.region, scope, `imageRepositoryArns[${i}]`, arn, `The repository must be in this stack's region ${stack.region}`);
  });
  return {
    projectName: props.projectName,
    stage: props.stage as StageName,
    toolingAccount: props.toolingAccount,
    encryptionKeyArn: keyArn,
    artifactBucketName: props.artifactBucketName,
    modelPackageGroupName: groupName,
    layout: props.storageLayout ?? StorageLayout.DEFAULT,
    imageRepositoryArns: repositories,
    forwardAlarms: props.forwardAlarms ?? true,
  };
}
