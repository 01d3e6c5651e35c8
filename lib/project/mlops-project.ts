import { Annotations, CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { createBuildPipeline, notifyTrainingExecutions } from './private/build-pipeline';
import { buildSettings } from './private/build-settings';
import { createDeployPipeline } from './private/deploy-pipeline';
import { createDeploymentRole } from './private/deployment-role';
import { createDeployActionsHandler, createReleaseHandler } from './private/flow-handlers';
import { Chat, createChat } from './private/chat';
import { grantOfflineStoreRead, grantOnlineStoreRead } from './private/feature-access';
import { FlowDiagramFile, FlowParts, renderFlowDiagram, stepsOfDefinition } from './private/flow-diagram';
import { createRetraining, RetrainingTrigger } from './private/retraining';
import { StageSettings } from './private/release-contract';
import { projectSettings, ProjectSettings } from './private/settings';
import { createModelRole, createMonitoringRole, StageRoleScope } from './private/stage-roles';
import { StageStack } from './private/stage-stack';
import { buildStageTemplate, PROJECT_PARAMETERS } from './private/stage-template';
import { MlflowServerType } from './experiment-tracking-props';
import { imageRepositoryNames, pipelineArtifactsBucketName, toolingRoleNames } from './private/account-names';
import { addCrossAccountPolicies, allowTargetImagePulls, TargetStage, targetStages } from './private/cross-account';
import { createExperimentTracking, ExperimentTracking, experimentTrackingSettings } from './private/experiment-tracking';
import { MlopsProjectProps, StagingMode } from './project-props';
import { IMlopsFoundation, MlopsFoundation } from '../core/foundation';
import { IModelPackageGroup } from '../core/model-package-group';
import { ModelRegistryApproval } from '../model-registry/model-registry-approval';
import { ITrainingPipeline } from '../training-pipeline/pipeline-base';
import { StandardTrainingPipeline } from '../training-pipeline/standard-pipeline';
import { TrainingPipeline } from '../training-pipeline/training-pipeline';
import { check, propError } from '../private/errors';
import { snsTarget } from '../private/event-targets';
import { resolveLayout } from '../private/resources';

/**
 * The whole flow of one model on one foundation: build -> evaluate -> register -> approve ->
 * deploy to staging -> test -> approve -> promote to prod -> verify, with rollback.
 *
 * - a ModelRegistryApproval (any approval policy) over the project's model package group;
 * - the standard training pipeline, or your own, registering into that group;
 * - the stage template: an EndpointWithMonitor whose stage-dependent values are parameters,
 *   synthesized in the same `cdk synth` as a template asset of this stack;
 * - the release handler: each approval of a version (never a registration) becomes one
 *   immutable release (manifest, stage template, stage configurations) that starts the deploy
 *   pipeline pinned to it; a rejection of the version prod serves releases the last version that
 *   passed prod verification and is still approved;
 * - the deploy pipeline: staging (ephemeral by default), a real staging test, a manual approval
 *   that names the version and its test report, a check that the version is still approved and
 *   not older than prod's, prod with blue/green and alarm rollback, verification that prod serves
 *   the release, a bake time, and the deployment record;
 * - an encrypted notification topic for approvals, releases, failures and alarms.
 *
 * @example
 * import { ApprovalPolicy, MetricComparison, MlopsProject } from 'cdk-sagemaker-mlops';
 *
 * // Train, evaluate, register, approve on AUC then by a person, deploy to staging, test, promote to prod.
 * const auc = 'binary_classification_metrics.auc.value';
 * new MlopsProject(this, 'Churn', {
 *   projectName: 'churn',
 *   training: {
 *     inputDataUri: 's3://my-raw-data/churn/',
 *     preprocessingScript: { s3Uri: 's3://my-code/churn/preprocess.py' },
 *     evaluationScript: { s3Uri: 's3://my-code/churn/evaluate.py' },
 *     metricJsonPath: auc,
 *     metricThreshold: 0.75,
 *     metricComparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO,
 *   },
 *   approval: {
 *     policy: ApprovalPolicy.METRIC_THRESHOLDS_THEN_MANUAL,
 *     metricThresholds: [{ metricJsonPath: auc, comparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO, value: 0.75 }],
 *   },
 *   endpoint: { dataQualityMonitor: true },
 *   notificationEmails: ['ml-team@example.com'],
 * });
 */
export class MlopsProject extends Construct {
  /** The project's name. */
  public readonly projectName: string;
  /** The foundation (key, artifact bucket, layout). */
  public readonly foundation: IMlopsFoundation;
  /** The approval of model versions. */
  public readonly registry: ModelRegistryApproval;
  /** The model package group of the project. */
  public readonly modelPackageGroup: IModelPackageGroup;
  /** The training pipeline, when the project has one. */
  public readonly trainingPipeline?: ITrainingPipeline;
  /** The topic of the project's notifications. */
  public readonly notificationTopic: sns.ITopic;
  /** The deploy pipeline. */
  public readonly deployPipeline: codepipeline.Pipeline;
  /** The stage template's stack (synthesized as a template asset of this stack, never deployed by `cdk deploy`). */
  public readonly stageTemplate: Stack;
  /** The staging endpoint's name (`<project>-staging`, the same for every release and staging mode). */
  public readonly stagingEndpointName: string;
  /** The prod endpoint's name. */
  public readonly prodEndpointName: string;
  /** The execution role of the stage endpoints' models. */
  public readonly modelRole: iam.IRole;
  /** The role of the stage endpoints' Model Monitor jobs, when the endpoint is monitored. */
  public readonly monitoringRole?: iam.IRole;
  /** The role CloudFormation deploys the stage stacks with. */
  public readonly stageDeploymentRole: iam.IRole;
  /** The release handler. */
  public readonly releaseFunction: lambda.IFunction;
  /** The build pipeline (source -> images -> code -> training), when the project has a `buildPipeline`. */
  public readonly buildPipeline?: codepipeline.Pipeline;
  /** The repository the build pushes the training images to, when it builds them. */
  public readonly trainingImageRepository?: ecr.IRepository;
  /** The repository the build pushes the inference images to, when it builds them. */
  public readonly inferenceImageRepository?: ecr.IRepository;
  /**
   * The ARN of the project's MLflow App or tracking server (the `MLFLOW_TRACKING_URI` of the
   * training jobs), when the project tracks experiments.
   */
  public readonly experimentTrackingArn?: string;
  /** The service role of the project's MLflow resource, when the project tracks experiments. */
  public readonly experimentTrackingRole?: iam.IRole;
  private readonly experimentTracking?: ExperimentTracking;
  /** The rules that start the training pipeline again (`retraining`), in the pipeline's scope. */
  public readonly retrainingRules: events.Rule[];
  /** The role AWS Chatbot assumes for the project's chat channels, when it has some. */
  public readonly chatRole?: iam.IRole;
  /** The guardrail policies of the project's chat channels, when it has some. */
  public readonly chatGuardrailPolicies: iam.IManagedPolicy[];
  /** The ARNs of the project's AWS Chatbot channel configurations (Slack, then Microsoft Teams). */
  public readonly chatChannelArns: string[];
  private readonly settings: ProjectSettings;
  private readonly retrainingTriggers: RetrainingTrigger[];
  private readonly chat?: Chat;
  private readonly props: MlopsProjectProps;
  private readonly deployPipelineName: string;

  constructor(scope: Construct, id: string, props: MlopsProjectProps) {
    super(scope, id);
    const settings = projectSettings(this, props);
    const build = buildSettings(this, props);
    this.settings = settings;
    this.props = props;
    this.projectName = settings.name;
    const stack = Stack.of(this);
    this.foundation = props.foundation ?? new MlopsFoundation(this, 'Foundation');
    const key = this.foundation.encryptionKey;
    const bucket = this.foundation.artifactBucket;
    const layout = resolveLayout({ foundation: this.foundation });

    this.notificationTopic = new sns.Topic(this, 'Notifications', {
      displayName: `MLOps project ${settings.name}`, masterKey: key, enforceSSL: true,
    });
    for (const email of props.notificationEmails ?? []) {
      this.notificationTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    this.allowStageNotifications(settings.name);

    this.registry = new ModelRegistryApproval(this, 'Registry', {
      foundation: this.foundation,
      approvalPolicy: props.approval?.policy,
      metricThresholds: props.approval?.metricThresholds,
      modelPackageGroup: props.approval?.modelPackageGroup,
      modelPackageGroupProps: props.approval?.modelPackageGroup
        ? undefined
        : { modelPackageGroupName: `${settings.name}-models`, ...props.approval?.modelPackageGroupProps },
      notificationTopic: this.notificationTopic,
    });
    if (!props.approval?.modelPackageGroup && props.approval?.modelPackageGroupProps?.modelPackageGroupName === undefined
      && props.approval?.modelPackageGroupProps?.description === undefined) {
      // The registry warns of a group name given in its props: here the project gave it, from projectName, not the user.
      Annotations.of(this.registry).acknowledgeWarning('cdk-sagemaker-mlops:model-registry:group-replacement',
        'The project names its model package group <projectName>-models; the user set neither the group\'s name nor its description.');
    }
    this.modelPackageGroup = this.registry.modelPackageGroup;

    // Experiment tracking comes first: its ARN is the training jobs' MLFLOW_TRACKING_URI.
    this.experimentTracking = props.experimentTracking !== undefined
      ? this.createExperimentTracking(props, settings.name, layout.experimentsPrefix(settings.name))
      : undefined;
    this.experimentTrackingArn = this.experimentTracking?.serverArn;
    this.experimentTrackingRole = this.experimentTracking?.serviceRole;

    if (props.training) {
      this.trainingPipeline = new StandardTrainingPipeline(this, 'Training', {
        ...props.training,
        inputDataUri: settings.loop.trainingInputDataUri!,
        pipelineName: props.training.pipelineName ?? `${settings.name}-training`,
        foundation: this.foundation,
        modelPackageGroup: this.modelPackageGroup,
        // With a build, the images and scripts of each commit come as parameters.
        inputParameters: build ? build.standardInputs : props.training.inputParameters,
        environment: this.experimentTracking
          ? { ...props.training.environment, MLFLOW_TRACKING_URI: this.experimentTracking.serverArn }
          : props.training.environment,
      });
    } else {
      this.trainingPipeline = props.trainingPipeline;
    }
    if (this.experimentTracking && this.trainingPipeline instanceof TrainingPipeline) {
      // The jobs log to the project's MLflow resource, and to no other.
      this.experimentTracking.grant(this.trainingPipeline.jobRole, false);
    }
    const featureStore = settings.loop.featureStore;
    if (featureStore && this.trainingPipeline instanceof TrainingPipeline) {
      grantOfflineStoreRead(featureStore, this.trainingPipeline.jobRole);
    }

    const template = buildStageTemplate(this, {
      projectName: settings.name,
      modelPackageGroupName: this.modelPackageGroup.modelPackageGroupName,
      layout,
      endpoint: props.endpoint ?? {},
      allowedInstanceTypes: settings.allowedInstanceTypes,
      defaultInstanceType: settings.prodInstanceType,
      serverless: settings.serverless,
    });
    this.stageTemplate = template.stack;

    const roleScope: StageRoleScope = {
      projectName: settings.name, group: this.modelPackageGroup, key, bucket, layout, endpointNamePrefix: `${settings.name}-`,
    };
    this.modelRole = createModelRole(this, roleScope);
    if (featureStore) { grantOnlineStoreRead(featureStore, this.modelRole); }
    this.monitoringRole = template.monitored ? createMonitoringRole(this, roleScope) : undefined;
    this.stageDeploymentRole = createDeploymentRole(this, {
      projectName: settings.name,
      groupVersionsArn: this.modelPackageGroup.modelPackageVersionsArn,
      keyArn: key.keyArn,
      passedRoleArns: [this.modelRole.roleArn, ...(this.monitoringRole ? [this.monitoringRole.roleArn] : [])],
      namePrefix: `${settings.name}-`,
    });

    // Stages in other accounts run with the roles of their MlopsTargetAccount stacks.
    const targets = targetStages(stack, settings);
    const tooling = settings.crossAccount ? toolingRoleNames(settings.name) : undefined;
    const stages = this.stageSettings(settings, template.parameters.parameterNames, key.keyArn, bucket.bucketName, targets);
    this.stagingEndpointName = settings.staging.endpointName;
    this.prodEndpointName = settings.prod.endpointName;
    const releasePrefix = layout.releasePrefix(settings.name);
    const pipelineName = `${settings.name}-deploy`;
    this.deployPipelineName = pipelineName;
    const samples = props.stagingTest
      ? new s3assets.Asset(this, 'StagingTestSamples', { path: props.stagingTest.samplesDirectory })
      : undefined;
    const handlerScope = {
      targets, deployActionsRoleName: tooling?.deployActions,
      settings, group: this.modelPackageGroup, key, bucket, releasePrefix, pipelineName,
      stageTemplate: template.stack as StageStack, stages, topic: this.notificationTopic, deploymentRole: this.stageDeploymentRole, samples,
    };
    const release = createReleaseHandler(this, handlerScope);
    this.releaseFunction = release.function;
    const deployActions = createDeployActionsHandler(this, handlerScope);

    const deploy = createDeployPipeline(this, {
      settings, pipelineName, group: this.modelPackageGroup, key, releaseBucket: bucket, releasePrefix,
      deploymentRole: this.stageDeploymentRole, deployActions: deployActions.function, topic: this.notificationTopic,
      testCommands: props.stagingTest?.commands,
      targets,
      pipelineRoleName: tooling?.pipeline,
      artifactsBucketName: settings.crossAccount ? pipelineArtifactsBucketName(settings.name, stack.account, stack.region) : undefined,
    });
    this.deployPipeline = deploy.pipeline;
    addCrossAccountPolicies(this, {
      settings, targets, key, bucket, layout, group: this.modelPackageGroup, pipelineArtifacts: deploy.artifactBucket, topic: this.notificationTopic,
    });
    this.notifyExecutions(pipelineName);
    if (build && this.trainingPipeline) {
      const built = createBuildPipeline(this, {
        projectName: settings.name, build, key, bucket, layout, trainingPipeline: this.trainingPipeline,
        topic: this.notificationTopic, modelRole: this.modelRole,
        repositoryNames: settings.crossAccount ? imageRepositoryNames(settings.name) : undefined,
      });
      this.buildPipeline = built.pipeline;
      this.trainingImageRepository = built.trainingImageRepository;
      this.inferenceImageRepository = built.inferenceImageRepository;
      allowTargetImagePulls(targets, built.inferenceImageRepository);
    }

    // Every training run's completion or failure reaches the topic, whoever started it.
    if (this.trainingPipeline) { notifyTrainingExecutions(this, this.trainingPipeline, this.notificationTopic); }

    const loop = settings.loop;
    this.retrainingTriggers = loop.retraining && this.trainingPipeline
      ? createRetraining(this, loop.retraining, {
        pipeline: this.trainingPipeline, projectName: settings.name, defaultBucket: bucket,
        stageEndpoint: template.endpoint, prodEndpointName: settings.prod.endpointName, prodAccount: settings.prod.account,
      })
      : [];
    this.retrainingRules = this.retrainingTriggers.map((t) => t.rule);
    this.chat = loop.chat
      ? createChat(this, loop.chat, {
        projectName: settings.name, topic: this.notificationTopic, group: this.modelPackageGroup, deployPipelineName: pipelineName,
        trainingPipeline: this.trainingPipeline, endpointNamePrefix: `${settings.name}-`,
      })
      : undefined;
    this.chatRole = this.chat?.role;
    this.chatGuardrailPolicies = this.chat?.guardrailPolicies ?? [];
    this.chatChannelArns = this.chat?.channelArns ?? [];
    // The flow diagram, written into the cloud assembly at synth: <stack>.<project>.flow.mmd.
    new FlowDiagramFile(this, 'FlowDiagram', `${stack.artifactId}.${settings.name}.flow.mmd`, () => this.flowDiagram());

    const region = stack.region;
    new CfnOutput(this, 'DeployPipelineUrl', {
      description: `The deploy pipeline of project ${settings.name} in the console`,
      value: `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${pipelineName}/view?region=${region}`,
    });
    new CfnOutput(this, 'StagingEndpointName', { description: 'The staging endpoint (the same name for every release)', value: this.stagingEndpointName });
    new CfnOutput(this, 'ProdEndpointName', { description: 'The prod endpoint', value: this.prodEndpointName });
    new CfnOutput(this, 'ArtifactBucketName', { description: 'The project\'s artifact bucket', value: bucket.bucketName });
    new CfnOutput(this, 'EncryptionKeyArn', {
      description: 'The project\'s KMS key (the encryptionKeyArn of an MlopsTargetAccount stack for a stage in another account)', value: key.keyArn,
    });
    new CfnOutput(this, 'NotificationTopicArn', { description: 'The project\'s notification topic', value: this.notificationTopic.topicArn });
    new CfnOutput(this, 'ModelPackageGroupName', { description: 'The project\'s model package group', value: this.modelPackageGroup.modelPackageGroupName });
    if (this.chat) {
      new CfnOutput(this, 'ChatChannelArns', {
        description: `The AWS Chatbot channel configurations of project ${settings.name} (comma-separated)`,
        value: Fn.join(',', this.chatChannelArns),
      });
    }
  }

  /**
   * The project's flow as a Mermaid flowchart: only the parts this project has (its retraining
   * triggers, build, feature store, the training pipeline's steps as its definition has them,
   * the approval policy, the deploy pipeline's stages with the staging mode and the prod checks,
   * the monitors, the notifications and experiment tracking). `cdk synth` also writes it into the
   * cloud assembly as `<stack artifact id>.<projectName>.flow.mmd`.
   */
  public flowDiagram(): string {
    return renderFlowDiagram(this.flowParts());
  }

  /** What the project has, for its flow diagram, read from its members now. */
  private flowParts(): FlowParts {
    const s = this.settings;
    const props = this.props;
    const pipeline = this.trainingPipeline;
    const thresholds = (props.approval?.metricThresholds ?? []).map((t) => `${t.metricJsonPath} ${COMPARISON[t.comparison] ?? t.comparison} ${t.value}`);
    const routing = props.endpoint?.deployment?.trafficRouting?.type ?? 'ALL_AT_ONCE';
    const test = props.stagingTest
      ? `sample payloads, p${s.test.latencyPercentile} latency ≤ ${s.test.latencyThreshold.toHumanString()}${props.stagingTest.commands ? ', your commands' : ''}`
      : 'in service, serves the release';
    const fs = s.loop.featureStore;
    return {
      projectName: s.name,
      build: props.buildPipeline ? {
        source: props.buildPipeline.source._describe(),
        images: [
          ...(props.buildPipeline.trainingDockerfile ? ['training'] : []),
          ...(props.buildPipeline.inferenceDockerfile ? ['inference'] : []),
        ],
      } : undefined,
      experimentTracking: this.experimentTracking ? { trackingServerName: this.experimentTracking.settings.name } : undefined,
      featureStore: fs ? {
        name: fs.group ? `group ${fs.group.node.id}` : `store ${fs.store.node.id}`,
        endpointReadsOnlineStore: fs.endpointReadsOnlineStore,
      } : undefined,
      training: pipeline ? {
        pipelineName: pipeline.pipelineName,
        steps: pipeline instanceof TrainingPipeline
          ? stepsOfDefinition(pipeline.definition._render(pipeline, {
            defaultRole: pipeline.jobRole, encryptionKey: pipeline.encryptionKey, defaultBucket: pipeline.artifactBucket, outputPrefix: pipeline.outputPrefix,
          }).definition)
          : undefined,
      } : undefined,
      retraining: this.retrainingTriggers.map((t) => ({ kind: t.kind, label: t.label })),
      modelPackageGroupName: this.modelPackageGroup.modelPackageGroupName,
      approval: { policy: POLICY[this.registry.approvalPolicy] ?? this.registry.approvalPolicy, thresholds },
      deployPipelineName: this.deployPipelineName,
      executionMode: s.executionMode,
      staging: {
        endpointName: s.staging.stackName, mode: STAGING[s.stagingMode], ephemeral: s.stagingMode === StagingMode.EPHEMERAL, test, account: s.staging.account,
      },
      prodApproval: `Manual approval for prod (${s.approvalTimeout.toHumanString()})`,
      prod: {
        endpointName: s.prod.endpointName,
        deployment: `${ROUTING[routing] ?? routing}, rolled back by its alarms`,
        bake: `alarms quiet for ${s.bakeTime.toHumanString()}`,
        account: s.prod.account,
      },
      monitors: s.monitored ? ['data quality'] : [],
      rollbackOnRejection: s.rollbackOnRejection,
      notifications: [
        ...count('E-mail', (props.notificationEmails ?? []).length, 'address', 'addresses'),
        ...count('Slack', this.chat?.slackChannels.length ?? 0, 'channel', 'channels'),
        ...count('Microsoft Teams', this.chat?.microsoftTeamsChannels.length ?? 0, 'channel', 'channels'),
      ],
    };
  }

  /**
   * Let a principal (a data scientist's role, your own pipeline's job role) log experiments to the
   * project's MLflow resource and read them back, and open its UI: the data-plane actions on that
   * resource only (nothing is deleted), and its artifact store prefix.
   *
   * @param grantee the principal
   */
  public grantExperimentTracking(grantee: iam.IGrantable): iam.Grant {
    if (!this.experimentTracking) {
      throw propError(this, 'experimentTracking', undefined,
        'The project tracks no experiments: give `experimentTracking` ({} for an MLflow App) before granting access to it');
    }
    return this.experimentTracking.grant(grantee, true);
  }

  private createExperimentTracking(props: MlopsProjectProps, name: string, prefix: string): ExperimentTracking {
    const settings = experimentTrackingSettings(this, name, props.experimentTracking!);
    check(props.training?.networkIsolation !== true, this, 'training.networkIsolation', true,
      'Jobs without network access cannot reach the MLflow resource: leave networkIsolation off when experimentTracking is on');
    const tracking = createExperimentTracking(this, {
      projectName: name, settings, key: this.foundation.encryptionKey, bucket: this.foundation.artifactBucket, prefix, group: this.modelPackageGroup,
    });
    new CfnOutput(this, 'ExperimentTrackingArn', {
      description: `The MLflow ${settings.serverType === MlflowServerType.APP ? 'App' : 'tracking server'} of project ${name} ` +
        '(its MLFLOW_TRACKING_URI, with the sagemaker-mlflow plugin)',
      value: tracking.serverArn,
    });
    return tracking;
  }

  /** The stage template's values of each stage, for exactly the parameters the template declares. */
  private stageSettings(settings: ProjectSettings, stageParameterNames: string[], keyArn: string, bucketName: string,
    targets: TargetStage[]): StageSettings[] {
    const stage = (name: 'staging' | 'prod', instanceType: string, instanceCount: number, serverless: boolean): StageSettings => {
      // In another account, the stage's roles and alarm topic are its MlopsTargetAccount stack's.
      const target = targets.find((t) => t.stage === name);
      const values: { [name: string]: string } = {
        StageName: name,
        InstanceType: instanceType,
        InstanceCount: String(instanceCount),
        MaxCapacity: String(Math.max(instanceCount, settings.autoscalingMaxCapacity ?? instanceCount)),
        SamplingPercentage: String(settings.capturePercentage ?? 20),
        [PROJECT_PARAMETERS.endpointName]: settings[name].endpointName,
        [PROJECT_PARAMETERS.encryptionKeyArn]: keyArn,
        [PROJECT_PARAMETERS.artifactBucketName]: bucketName,
        [PROJECT_PARAMETERS.modelRoleArn]: target?.modelRoleArn ?? this.modelRole.roleArn,
        [PROJECT_PARAMETERS.alarmTopicArn]: target?.alarmTopicArn ?? this.notificationTopic.topicArn,
      };
      if (this.monitoringRole) { values[PROJECT_PARAMETERS.monitoringRoleArn] = target?.monitoringRoleArn ?? this.monitoringRole.roleArn; }
      if (settings.serverless) { values[PROJECT_PARAMETERS.serverless] = String(serverless); }
      const declared = new Set([...stageParameterNames, ...Object.values(PROJECT_PARAMETERS)]);
      const parameters = Object.fromEntries(Object.entries(values).filter(([k]) => declared.has(k)));
      return {
        name,
        stackName: settings[name].stackName,
        endpointName: settings[name].endpointName,
        parameters,
        tags: { 'cdk-sagemaker-mlops:project': settings.name, 'cdk-sagemaker-mlops:stage': name },
        account: target?.account,
      };
    };
    return [
      stage('staging', settings.stagingInstanceType.name, settings.stagingInstanceCount, settings.stagingMode === StagingMode.SERVERLESS),
      stage('prod', settings.prodInstanceType.name, settings.prodInstanceCount, false),
    ];
  }

  /**
   * The stage stacks' alarms (CloudWatch) and monitor violation rules (EventBridge) notify the
   * topic: allowed for this account's alarms and rules of the project's names only (the stage
   * template creates no IAM resource, so it cannot publish through a role).
   */
  private allowStageNotifications(name: string): void {
    const stack = Stack.of(this);
    const allow = (sid: string, service: string, sourceArn: string) => this.notificationTopic.addToResourcePolicy(new iam.PolicyStatement({
      sid,
      principals: [new iam.ServicePrincipal(service)],
      actions: ['sns:Publish'],
      resources: [this.notificationTopic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': sourceArn } },
    }));
    allow('ProjectAlarms', 'cloudwatch.amazonaws.com', `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:${name}-*`);
    allow('StageMonitorViolationRules', 'events.amazonaws.com', `arn:${stack.partition}:events:${stack.region}:${stack.account}:rule/${name}-*`);
  }

  /**
   * Started, failed, succeeded, stopped and superseded executions of the deploy pipeline go to the
   * topic; a rollback execution (CodePipeline's stage rollback after a failed prod verification or
   * a bake-time alarm, or one started by hand) gets a message of its own.
   */
  private notifyExecutions(pipelineName: string): void {
    const detail = (path: string) => events.EventField.fromPath(path);
    new events.Rule(this, 'NotifyDeployExecutions', {
      description: `Notifies the executions of the ${pipelineName} deploy pipeline`,
      eventPattern: {
        source: ['aws.codepipeline'],
        detailType: ['CodePipeline Pipeline Execution State Change'],
        account: [Stack.of(this).account],
        detail: { pipeline: [pipelineName], state: ['STARTED', 'SUCCEEDED', 'FAILED', 'STOPPED', 'SUPERSEDED'] },
      },
      targets: [snsTarget(this, 'NotificationsPublisher', this.notificationTopic, events.RuleTargetInput.fromText(
        `Deploy pipeline ${detail('$.detail.pipeline')}: execution ${detail('$.detail.execution-id')} is ${detail('$.detail.state')}. ` +
        `https://${detail('$.region')}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${detail('$.detail.pipeline')}/executions/` +
        `${detail('$.detail.execution-id')}/timeline?region=${detail('$.region')}`))],
    });
    new events.Rule(this, 'NotifyRollbacks', {
      description: `Notifies the rollbacks of the ${pipelineName} deploy pipeline (a stage returns to its last successful execution)`,
      eventPattern: {
        source: ['aws.codepipeline'],
        detailType: ['CodePipeline Pipeline Execution State Change'],
        account: [Stack.of(this).account],
        detail: {
          'pipeline': [pipelineName],
          'state': ['STARTED'],
          'execution-trigger': { 'trigger-type': ['AutomatedRollback', 'ManualRollback'] },
        },
      },
      targets: [snsTarget(this, 'NotificationsPublisher', this.notificationTopic, events.RuleTargetInput.fromText(
        `Deploy pipeline ${detail('$.detail.pipeline')} is rolling back (${detail('$.detail.execution-trigger.trigger-type')}): ` +
        `execution ${detail('$.detail.execution-id')} redeploys the last release that passed the stage. ` +
        `https://${detail('$.region')}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${detail('$.detail.pipeline')}/executions/` +
        `${detail('$.detail.execution-id')}/timeline?region=${detail('$.region')}`))],
    });
  }
}

/** The flow diagram's words for the approval policies, comparisons, staging modes and traffic shifts. */
const POLICY: Record<string, string> = {
  MANUAL: 'manual',
  METRIC_THRESHOLDS: 'metric thresholds',
  METRIC_THRESHOLDS_THEN_MANUAL: 'metric thresholds, then manual',
};
const COMPARISON: Record<string, string> = {
  GreaterThan: '>', GreaterThanOrEqualTo: '≥', LessThan: '<', LessThanOrEqualTo: '≤',
};
const STAGING: Record<StagingMode, string> = {
  [StagingMode.EPHEMERAL]: 'ephemeral: created per release, deleted after the decision',
  [StagingMode.PERSISTENT]: 'persistent',
  [StagingMode.SERVERLESS]: 'serverless',
};
const ROUTING: Record<string, string> = {
  ALL_AT_ONCE: 'blue/green all at once', CANARY: 'blue/green canary', LINEAR: 'blue/green linear',
};

/** `["<what>: <n> <unit>"]`, or nothing for none. */
function count(what: string, n: number, one: string, many: string): string[] {
  return n === 0 ? [] : [`${what}: ${n} ${n === 1 ? one : many}`];
}
