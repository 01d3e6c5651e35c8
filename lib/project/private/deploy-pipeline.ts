import { ArnFormat, CfnCapabilities, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PIPELINE_VARIABLES, RELEASE_FILES, RELEASE_KEYS, SOURCE_ACTION_NAME } from './release-contract';
import { importTargetRole, TargetStage } from './cross-account';
import { ProjectSettings } from './settings';
import { ArtifactBucket } from '../../core/artifact-bucket';
import { ManagedPolicyRole } from '../../core/managed-policy-role';
import { IModelPackageGroup } from '../../core/model-package-group';
import { EncryptedLogGroup } from '../../core/encrypted-log-group';
import { wildcardResourceIds } from '../../private/nag';
import { StagingMode } from '../project-props';

/** What the deploy pipeline is built from. */
export interface DeployPipelineScope {
  readonly settings: ProjectSettings;
  readonly pipelineName: string;
  readonly group: IModelPackageGroup;
  readonly key: kms.IKey;
  /** The bucket of the release archive (the project's artifact bucket). */
  readonly releaseBucket: s3.IBucket;
  readonly releasePrefix: string;
  readonly deploymentRole: iam.IRole;
  readonly deployActions: lambda.IFunction;
  readonly topic: sns.ITopic;
  readonly testCommands?: string[];
  /** The stages in other accounts, whose actions run with the roles of their MlopsTargetAccount stacks. */
  readonly targets: TargetStage[];
  /** Physical names of the pipeline role and artifact bucket (the target accounts' roles trust and read them by name). */
  readonly pipelineRoleName?: string;
  readonly artifactsBucketName?: string;
}

/** The deploy pipeline and the roles it acts with. */
export interface DeployPipeline {
  readonly pipeline: codepipeline.Pipeline;
  readonly artifactBucket: s3.IBucket;
}

/** A role for the pipeline's actions, assumed by the pipeline's own role only. */
function actionRole(scope: Construct, id: string, pipelineRole: iam.IRole, description: string): ManagedPolicyRole {
  return new ManagedPolicyRole(scope, id, { assumedBy: new iam.ArnPrincipal(pipelineRole.roleArn), description });
}

/**
 * The deploy pipeline (CodePipeline V2): Release (the pinned release archive) -> Staging (deploy
 * the stage template with the staging configuration, the real staging test, then a person
 * approves the version the test report names; the version is checked to be still approved and
 * not older than prod's; ephemeral staging is deleted) -> Prod (deploy with CREATE_UPDATE, never
 * REPLACE_ON_FAILURE; verify that prod serves the release; alarms quiet for the bake time, else
 * roll back) -> Record (the deployment record later rejections roll back from).
 */
export function createDeployPipeline(scope: Construct, s: DeployPipelineScope): DeployPipeline {
  const stack = Stack.of(scope);
  const settings = s.settings;
  const ephemeral = settings.stagingMode === StagingMode.EPHEMERAL;
  // Pipeline artifacts in a bucket of their own: the pipeline's roles reach nothing else of the project.
  const artifacts = new ArtifactBucket(scope, 'PipelineArtifacts', { encryptionKey: s.key, bucketName: s.artifactsBucketName });
  const pipelineRole = new ManagedPolicyRole(scope, 'PipelineRole', {
    assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: `The ${s.pipelineName} deploy pipeline`,
    roleName: s.pipelineRoleName,
  });
  const sourceRole = actionRole(scope, 'ReleaseSourceRole', pipelineRole, 'Reads the release archive of a deploy pipeline execution');
  const deployRole = actionRole(scope, 'StageDeployActionRole', pipelineRole, 'Deploys and deletes the stage stacks through CloudFormation');
  const invokeRole = actionRole(scope, 'InvokeActionRole', pipelineRole, 'Invokes the deploy pipeline\'s Lambda actions');
  const approvalRole = actionRole(scope, 'ApprovalActionRole', pipelineRole, 'Notifies the manual approval before prod');

  const variables = PIPELINE_VARIABLES.map((name) => new codepipeline.Variable({
    variableName: name, defaultValue: 'none', description: 'Set by the release handler for each release',
  }));
  const release = new codepipeline.Artifact('Release');
  const invoke = (actionName: string, params: Record<string, string>, runOrder: number, namespace?: string) =>
    new cpactions.LambdaInvokeAction({
      actionName, lambda: s.deployActions, inputs: [release], userParameters: params, runOrder, role: invokeRole, variablesNamespace: namespace,
    });
  // A stage in another account deploys with the roles its MlopsTargetAccount stack creates there.
  const stageRoles = (stage: 'staging' | 'prod') => {
    const target = s.targets.find((t) => t.stage === stage);
    if (!target) { return { role: deployRole as iam.IRole, deploymentRole: s.deploymentRole }; }
    const id = stage === 'staging' ? 'Staging' : 'Prod';
    return {
      role: (scope.node.tryFindChild(`${id}TargetDeployRole`) as iam.IRole | undefined)
        ?? importTargetRole(scope, `${id}TargetDeployRole`, target.deployRoleArn, target.account),
      deploymentRole: (scope.node.tryFindChild(`${id}TargetCloudFormationRole`) as iam.IRole | undefined)
        ?? importTargetRole(scope, `${id}TargetCloudFormationRole`, target.cloudFormationRoleArn, target.account),
    };
  };
  const stackAction = (actionName: string, stage: 'staging' | 'prod', stackName: string, namespace: string) =>
    new cpactions.CloudFormationCreateUpdateStackAction({
      actionName,
      stackName,
      templatePath: release.atPath(RELEASE_FILES.template),
      templateConfiguration: release.atPath(RELEASE_FILES.stageConfiguration(stage)),
      adminPermissions: false,
      ...stageRoles(stage),
      cfnCapabilities: [CfnCapabilities.NONE],
      // A failed ephemeral staging stack is replaced; prod never is (its endpoint would go down).
      replaceOnFailure: stage === 'staging' && ephemeral,
      variablesNamespace: namespace,
      runOrder: 1,
    });
  const stagingStackName = settings.staging.stackName;
  // One stage holds staging from deployment to the prod decision: CodePipeline lets one execution
  // into a stage at a time, so the staging endpoint a person approves is the one the test report
  // is about, and no later release replaces (or deletes) it in the meantime.
  const stagingActions: codepipeline.IAction[] = [
    stackAction('Deploy', 'staging', stagingStackName, 'StagingDeploy'),
    invoke('Test', { action: 'test-staging' }, 2, 'StagingTest'),
  ];
  if (s.testCommands && s.testCommands.length > 0) {
    stagingActions.push(customTest(scope, s, { release, stagingStackName, actionRole: invokeRole, artifacts: artifacts.bucket }));
  }
  const decided = stagingActions.length + 2;
  stagingActions.push(
    new cpactions.ManualApprovalAction({
      actionName: 'Approve',
      notificationTopic: s.topic,
      role: approvalRole,
      timeout: settings.approvalTimeout,
      additionalInformation: `Release #{variables.RELEASE_ID} (#{variables.RELEASE_KIND}): version #{variables.MODEL_PACKAGE_VERSION} of ` +
        `model package group ${s.group.modelPackageGroupName}, #{variables.MODEL_PACKAGE_ARN}. Staging test: #{StagingTest.SUMMARY}. ` +
        'Approve to deploy it to prod; reject to stop this release.',
      externalEntityLink: '#{StagingTest.REPORT_URL}',
      runOrder: decided - 1,
    }),
    invoke('CheckRelease', { action: 'check-release' }, decided),
  );
  if (ephemeral) {
    stagingActions.push(new cpactions.CloudFormationDeleteStackAction({
      actionName: 'DeleteStaging', stackName: stagingStackName, adminPermissions: false, ...stageRoles('staging'), runOrder: decided,
    }));
  }
  const bakeMinutes = String(Math.max(1, Math.round(settings.bakeTime.toMinutes({ integral: false }))));
  // CodePipeline's CloudWatchAlarm rule reads alarms of the pipeline's account: prod in another
  // account bakes in a Lambda action instead, which reads prod's alarms with the stage's test role.
  const prodElsewhere = s.targets.some((t) => t.stage === 'prod');
  const alarmRule = (suffix: string) => new codepipeline.Rule({
    name: `Quiet-${suffix}`,
    provider: 'CloudWatchAlarm',
    version: '1',
    configuration: { AlarmName: `${settings.prod.endpointName}-${suffix}`, AlarmStates: 'ALARM', WaitTime: bakeMinutes },
  });

  const pipeline = new codepipeline.Pipeline(scope, 'DeployPipeline', {
    pipelineName: s.pipelineName,
    pipelineType: codepipeline.PipelineType.V2,
    executionMode: settings.executionMode,
    artifactBucket: artifacts.bucket,
    role: pipelineRole,
    restartExecutionOnUpdate: false,
    variables,
    stages: [
      {
        stageName: 'Release',
        actions: [new cpactions.S3SourceAction({
          actionName: SOURCE_ACTION_NAME,
          bucket: s.releaseBucket,
          bucketKey: RELEASE_KEYS.source(s.releasePrefix),
          output: release,
          // Only the release handler starts executions, pinned to one version of the archive.
          trigger: cpactions.S3Trigger.NONE,
          role: sourceRole,
        })],
      },
      { stageName: 'Staging', actions: stagingActions },
      {
        stageName: 'Prod',
        actions: [
          stackAction('Deploy', 'prod', settings.prod.stackName, 'ProdDeploy'),
          invoke('Verify', { action: 'verify-prod', endpointConfigName: '#{ProdDeploy.EndpointConfigName}' }, 2, 'ProdVerify'),
          ...(prodElsewhere ? [invoke('Bake', { action: 'bake-prod', minutes: bakeMinutes }, 3)] : []),
        ],
        onFailure: { result: codepipeline.Result.ROLLBACK },
        onSuccess: prodElsewhere
          ? undefined
          : { conditions: [{ result: codepipeline.Result.ROLLBACK, rules: [alarmRule('errors'), alarmRule('latency')] }] },
      },
      {
        stageName: 'Record',
        actions: [invoke('Record', {
          action: 'record', endpointConfigName: '#{ProdVerify.ENDPOINT_CONFIG_NAME}', executionId: '#{codepipeline.PipelineExecutionId}',
        }, 1)],
      },
    ],
  });

  // The bake condition reads prod's two alarms (named by the stage template after the endpoint).
  if (!prodElsewhere) {
    pipelineRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:DescribeAlarms'],
      resources: ['errors', 'latency'].map((suffix) => stack.formatArn({
        service: 'cloudwatch', resource: 'alarm', resourceName: `${settings.prod.endpointName}-${suffix}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })),
    }));
  }
  acknowledgeCdkGrants(stack, artifacts.bucket, s.deployActions, settings, { pipelineRole, sourceRole, deployRole, invokeRole, approvalRole });
  return { pipeline, artifactBucket: artifacts.bucket };
}

/** The user's own test commands, run by CodeBuild in the staging stage after the sample test. */
function customTest(scope: Construct, s: DeployPipelineScope, o: { release: codepipeline.Artifact; stagingStackName: string;
  actionRole: iam.IRole; artifacts: s3.IBucket; }): codepipeline.IAction {
  const logs = new EncryptedLogGroup(scope, 'StagingTestLogs', { encryptionKey: s.key });
  const stack = Stack.of(scope);
  const role = new ManagedPolicyRole(scope, 'StagingTestRole', {
    assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    description: `Runs your staging test commands of project ${s.settings.name}`,
  });
  const project = new codebuild.PipelineProject(scope, 'StagingTestProject', {
    role,
    description: `Your staging test commands of project ${s.settings.name}`,
    encryptionKey: s.key,
    environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL, privileged: false },
    logging: { cloudWatch: { logGroup: logs } },
    buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2', phases: { build: { commands: s.testCommands } } }),
  });
  project.addToRolePolicy(new iam.PolicyStatement({
    actions: ['sagemaker:InvokeEndpoint', 'sagemaker:DescribeEndpoint'],
    resources: [`arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:endpoint/${s.settings.staging.endpointName}`],
  }));
  const projectName = stack.resolve((project.node.defaultChild as codebuild.CfnProject).ref);
  Validations.of(role).acknowledge(
    ...wildcardResourceIds(stack, [
      o.artifacts.arnForObjects('*'),
      stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `/aws/codebuild/${project.projectName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      stack.formatArn({ service: 'codebuild', resource: 'report-group', resourceName: `${project.projectName}-*` }),
    ]).map((id) => ({ id, reason: `aws-cdk-lib's CodeBuild project grants its default log group and report groups (named after project ${JSON.stringify(projectName)}); the commands log to the encrypted log group given.` })),
    ...['kms:ReEncrypt*', 'kms:GenerateDataKey*', 's3:GetObject*', 's3:GetBucket*', 's3:List*'].map((a) => ({
      id: `AwsSolutions-IAM5[Action::${a}]`,
      reason: 'aws-cdk-lib\'s CodeBuild and pipeline grants name these action groups on the pipeline\'s artifact bucket and the project key only.',
    })),
  );
  const reasonSource = 'The project\'s source is the pipeline\'s artifact (source type CODEPIPELINE): it reads no GitHub or Bitbucket ' +
    'repository, so there is no OAuth connection to configure.';
  Validations.of(project).acknowledge(
    { id: 'HIPAA.Security-CodeBuildProjectSourceRepoUrl', reason: reasonSource },
    { id: 'PCI.DSS.321-CodeBuildProjectSourceRepoUrl', reason: reasonSource },
  );
  return new cpactions.CodeBuildAction({
    actionName: 'YourTests',
    project,
    role: o.actionRole,
    input: o.release,
    runOrder: 3,
    environmentVariables: {
      ENDPOINT_NAME: { value: s.settings.staging.endpointName },
      RELEASE_ID: { value: '#{variables.RELEASE_ID}' },
      STAGE_STACK: { value: o.stagingStackName },
    },
  });
}

/**
 * aws-cdk-lib's pipeline and actions grant their roles with wildcard actions (`s3:GetObject*`,
 * `kms:GenerateDataKey*`...) on the pipeline's own artifact bucket, the release object, the stage
 * stacks and the action function: those exact findings are acknowledged, role by role, so any
 * other wildcard still fails the checks.
 */
function acknowledgeCdkGrants(stack: Stack, artifacts: s3.IBucket, fn: lambda.IFunction, settings: ProjectSettings,
  roles: { pipelineRole: iam.IRole; sourceRole: iam.IRole; deployRole: iam.IRole; invokeRole: iam.IRole; approvalRole: iam.IRole }): void {
  const artifactObjects = wildcardResourceIds(stack, [artifacts.arnForObjects('*')]);
  const s3Read = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];
  const s3Write = ['s3:DeleteObject*', 's3:Abort*'];
  const kms = ['kms:GenerateDataKey*', 'kms:ReEncrypt*'];
  const action = (a: string) => `AwsSolutions-IAM5[Action::${a}]`;
  const why = 'aws-cdk-lib\'s CodePipeline grants: read (and, for the pipeline and its source, write) of the pipeline\'s own artifact ' +
    'bucket and of the release object, with the bucket\'s key; the wildcards are aws-cdk-lib\'s action groups on those resources only.';
  const ack = (role: iam.IRole, ids: string[], reason: string) => {
    Validations.of(role).acknowledge(...ids.map((id) => ({ id, reason })));
  };
  ack(roles.pipelineRole, [...artifactObjects, ...[...s3Read, ...s3Write, ...kms].map(action)], why);
  ack(roles.sourceRole, [...artifactObjects, ...[...s3Read, ...s3Write, ...kms].map(action)], why);
  ack(roles.deployRole, [...artifactObjects, ...s3Read.map(action)], why);
  ack(roles.invokeRole, [...artifactObjects, ...s3Read.map(action)], why);
  ack(roles.approvalRole, [action('kms:GenerateDataKey*')],
    'aws-cdk-lib\'s topic.grantPublish for the approval notification names kms:GenerateDataKey* on the topic\'s key only.');
  ack(roles.deployRole, [
    ...wildcardResourceIds(stack, [settings.staging.stackName, settings.prod.stackName].map((name) =>
      stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${name}/*` }))),
    action('cloudformation:DescribeStack*'), action('cloudformation:GetTemplate*'),
  ], 'aws-cdk-lib\'s CloudFormation actions grant on the two stage stacks by name; the stack id after the name is made by CloudFormation.');
  ack(roles.invokeRole, wildcardResourceIds(stack, [`${fn.functionArn}:*`]),
    'aws-cdk-lib\'s Lambda invoke action: lambda:InvokeFunction on the deploy actions function, any version of it.');
}
