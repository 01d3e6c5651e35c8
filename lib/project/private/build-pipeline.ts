import { ArnFormat, CfnOutput, Duration, Names, Stack, Token, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BuildSettings } from './build-settings';
import { ArtifactBucket } from '../../core/artifact-bucket';
import { EncryptedLogGroup } from '../../core/encrypted-log-group';
import { ImageRepository } from '../../core/image-repository';
import { ManagedPolicyRole } from '../../core/managed-policy-role';
import { StorageLayout } from '../../core/storage-layout';
import { PropChecks } from '../../private/errors';
import { snsTarget } from '../../private/event-targets';
import { grantListPrefix, grantPullFromRepository, grantReadObjects } from '../../private/grants';
import { wildcardResourceIds } from '../../private/nag';
import { StandardPipelineParameterNames } from '../../training-pipeline/input-parameters';
import { ITrainingPipeline } from '../../training-pipeline/pipeline-base';
import { TrainingPipeline } from '../../training-pipeline/training-pipeline';
import { BoundSource } from '../source';

/*
 * The build side of a project: Source -> BuildImages -> Code -> Train.
 *
 * How the training pipeline is started: a CodeBuild action runs `aws sagemaker
 * start-pipeline-execution` with the commit's parameters and returns at once. It needs no handler
 * of our own (no bundled Lambda, no codepipeline:PutJob*Result on `*`), its role may start this one
 * pipeline only, its log is encrypted like the other builds', and the CodePipeline execution id as
 * the ClientRequestToken makes a retried action start nothing twice. CodePipeline never waits for
 * the SageMaker pipeline: its completion and failure reach the topic through EventBridge.
 */

/** The names of the pipeline parameters the build passes to a training pipeline of your own. */
export const OWN_PIPELINE_PARAMETERS = {
  codeUri: 'CodeUri',
  trainingImageUri: StandardPipelineParameterNames.TRAINING_IMAGE_URI,
  inferenceImageUri: StandardPipelineParameterNames.INFERENCE_IMAGE_URI,
};

/** What the build pipeline is built from. */
export interface BuildPipelineScope {
  readonly projectName: string;
  readonly build: BuildSettings;
  readonly key: kms.IKey;
  /** The foundation's artifact bucket: the code goes there. */
  readonly bucket: s3.IBucket;
  readonly layout: StorageLayout;
  readonly trainingPipeline: ITrainingPipeline;
  readonly topic: sns.ITopic;
  /** The stage endpoints' model role: it pulls the built images. */
  readonly modelRole: iam.IRole;
}

/** The build pipeline and the repositories it pushes to. */
export interface BuildPipeline {
  readonly pipeline: codepipeline.Pipeline;
  readonly trainingImageRepository?: ecr.IRepository;
  readonly inferenceImageRepository?: ecr.IRepository;
}

/**
 * The image tag and code prefix of a revision: the source's revision (a commit id, or the version
 * of the zip) with any character an ECR tag refuses replaced by `-`, at most 128 characters.
 */
const REVISION = 'REVISION="$(printf \'%s\' "$SOURCE_REVISION" | tr -c \'A-Za-z0-9_.-\' \'-\' | cut -c1-128)"; test -n "$REVISION"';

/** The CodeBuild image of every build. */
const BUILD_IMAGE = codebuild.LinuxBuildImage.STANDARD_7_0;

/** The build pipeline (CodePipeline V2) of the project. */
export function createBuildPipeline(project: Construct, s: BuildPipelineScope): BuildPipeline {
  const scope = new Construct(project, 'Build');
  const stack = Stack.of(scope);
  const name = s.projectName;
  const pipelineName = `${name}-build`;
  const codePrefix = s.layout.codePrefix(name);

  // Pipeline artifacts (the repository's zips) in a bucket of their own: the build's roles reach
  // no other object of the project, and the deploy pipeline's artifacts stay out of their reach.
  const artifacts = new ArtifactBucket(scope, 'Artifacts', { encryptionKey: s.key });
  const pipelineRole = new ManagedPolicyRole(scope, 'PipelineRole', {
    assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    description: `The ${pipelineName} build pipeline`,
  });
  const actionRole = (id: string, description: string) =>
    new ManagedPolicyRole(scope, id, { assumedBy: new iam.ArnPrincipal(pipelineRole.roleArn), description });
  const sourceRole = actionRole('SourceActionRole', `Reads the source of the ${pipelineName} pipeline`);
  const buildActionRole = actionRole('BuildActionRole', `Runs the CodeBuild actions of the ${pipelineName} pipeline`);
  const logs = new EncryptedLogGroup(scope, 'Logs', { encryptionKey: s.key });

  const sourceOutput = new codepipeline.Artifact('Source');
  const source: BoundSource = s.build.source._bind(scope, { projectName: name, role: sourceRole, output: sourceOutput });
  const revision = { SOURCE_REVISION: source.revisionVariable };

  const projects: codebuild.PipelineProject[] = [];
  const newProject = (id: string, projectName: string, description: string, o: {
    privileged?: boolean; computeType?: codebuild.ComputeType; timeout: Duration; commands: string[];
    variables: Record<string, string>; exported?: string[];
  }): codebuild.PipelineProject => {
    const role = new ManagedPolicyRole(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'codebuild', resource: 'project', resourceName: projectName }) },
        },
      }),
      description,
    });
    const project = new codebuild.PipelineProject(scope, id, {
      projectName,
      description,
      role,
      encryptionKey: s.key,
      timeout: o.timeout,
      environment: { buildImage: BUILD_IMAGE, computeType: o.computeType ?? codebuild.ComputeType.SMALL, privileged: o.privileged ?? false },
      environmentVariables: Object.fromEntries(Object.entries(o.variables).map(([k, value]) => [k, { value }])),
      logging: { cloudWatch: { logGroup: logs, prefix: projectName } },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        ...(o.exported ? { env: { 'exported-variables': o.exported } } : {}),
        phases: { build: { commands: o.commands } },
      }),
    });
    projects.push(project);
    return project;
  };
  const codeBuildAction = (actionName: string, project: codebuild.PipelineProject, runOrder: number, variables: Record<string, string>, namespace?: string) =>
    new cpactions.CodeBuildAction({
      actionName, project, input: sourceOutput, role: buildActionRole, runOrder, variablesNamespace: namespace,
      environmentVariables: Object.fromEntries(Object.entries(variables).map(([k, value]) => [k, { value }])),
    });

  // BuildImages: one privileged project per image, each may push to its own repository only.
  const registry = `${stack.account}.dkr.ecr.${stack.region}.${stack.urlSuffix}`;
  const baseRegistries = [...new Set(s.build.baseImages.map((img) => img.bind(scope).imageUri.split('/')[0]))];
  const imageBuild = (kind: 'training' | 'inference', image: BuildSettings['training']) => {
    if (!image) { return undefined; }
    const Kind = kind === 'training' ? 'Training' : 'Inference';
    const repository = new ImageRepository(scope, `${Kind}ImageRepository`, { encryptionKey: s.key });
    const project = newProject(`${Kind}ImageBuild`, `${name}-${kind}-image`,
      `Builds the ${kind} image of project ${name} from ${image.dockerfile} and pushes it, tagged with the revision, to its repository`, {
        privileged: true,
        computeType: s.build.computeType,
        timeout: Duration.hours(2),
        variables: {
          REPOSITORY_URI: repository.repositoryUri,
          REPOSITORY_NAME: repository.repositoryName,
          REGISTRY: registry,
          DOCKERFILE: image.dockerfile,
          BUILD_CONTEXT: image.context,
          BASE_REGISTRIES: baseRegistries.join(' '),
        },
        commands: [
          REVISION,
          'aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$REGISTRY"',
          'for r in $BASE_REGISTRIES; do aws ecr get-login-password --region "$(echo "$r" | cut -d. -f4)" | docker login --username AWS --password-stdin "$r"; done',
          // Tags are immutable: a revision built before (a retried execution) is not built again.
          'if aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids imageTag="$REVISION" > /dev/null 2>&1; then ' +
            'echo "$REPOSITORY_URI:$REVISION exists: not built again"; ' +
            'else docker build --file "$DOCKERFILE" --tag "$REPOSITORY_URI:$REVISION" "$BUILD_CONTEXT" && docker push "$REPOSITORY_URI:$REVISION"; fi',
        ],
      });
    const role = project.role!;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PushToTheRepository',
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage',
        'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:DescribeImages'],
      resources: [repository.repositoryArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    for (const base of s.build.baseImages) {
      const arn = base.bind(scope).repositoryArn;
      if (arn) { grantPullFromRepository(role, arn); }
    }
    const privileged = 'Building a container image needs the Docker daemon, which CodeBuild runs only in privileged mode; the image builds ' +
      'are the only privileged projects of the project, each builds one Dockerfile of the repository and may push to one repository only.';
    Validations.of(project).acknowledge(
      { id: 'AwsSolutions-CB3', reason: privileged },
      { id: 'cdk-validator-cfnguard::codebuild_project_environment_privileged_check', reason: privileged },
    );
    return { repository, action: codeBuildAction(`${Kind}Image`, project, 1, revision) };
  };
  const training = imageBuild('training', s.build.training);
  const inference = imageBuild('inference', s.build.inference);

  // Code: the code folder of the revision under its own prefix of the artifact bucket.
  const bucketKey = s.bucket.encryptionKey ?? s.key;
  const requiredFiles = s.build.scriptFileNames ? [s.build.scriptFileNames.preprocessing, s.build.scriptFileNames.evaluation] : [];
  const upload = newProject('UploadCode', `${name}-upload-code`, `Uploads the ${s.build.codeDirectory} folder of each revision of project ${name}`, {
    timeout: Duration.minutes(15),
    variables: {
      CODE_DIRECTORY: s.build.codeDirectory,
      REQUIRED_FILES: requiredFiles.join(' '),
      ARTIFACT_BUCKET: s.bucket.bucketName,
      CODE_PREFIX: codePrefix,
      KEY_ARN: bucketKey.keyArn,
    },
    commands: [
      REVISION,
      'test -d "$CODE_DIRECTORY" || { echo "The repository has no folder $CODE_DIRECTORY (buildPipeline.codeDirectory)"; exit 1; }',
      'for f in $REQUIRED_FILES; do test -f "$CODE_DIRECTORY/$f" || { echo "The code folder has no $f (a script of the training pipeline)"; exit 1; }; done',
      'aws s3 cp "$CODE_DIRECTORY" "s3://$ARTIFACT_BUCKET/$CODE_PREFIX/$REVISION/" --recursive --sse aws:kms --sse-kms-key-id "$KEY_ARN" --only-show-errors',
      'echo "Uploaded to s3://$ARTIFACT_BUCKET/$CODE_PREFIX/$REVISION/"',
    ],
  });
  upload.role!.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'WriteTheCodePrefix',
    actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
    resources: [s.bucket.arnForObjects(`${codePrefix}/*`)],
  }));
  upload.role!.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [bucketKey.keyArn] }));

  // Train: start the training pipeline with the revision's images and code, and return.
  const parameters = pipelineParameters(s, Boolean(training), Boolean(inference));
  const start = newProject('StartTraining', `${name}-start-training`, `Starts the training pipeline of project ${name} with each revision's images and code`, {
    timeout: Duration.minutes(15),
    variables: {
      PIPELINE_NAME: s.trainingPipeline.pipelineName,
      ARTIFACT_BUCKET: s.bucket.bucketName,
      CODE_PREFIX: codePrefix,
      ...(training ? { TRAINING_REPOSITORY_URI: training.repository.repositoryUri } : {}),
      ...(inference ? { INFERENCE_REPOSITORY_URI: inference.repository.repositoryUri } : {}),
    },
    exported: ['TRAINING_EXECUTION_ARN'],
    commands: [
      REVISION,
      'CODE_URI="s3://$ARTIFACT_BUCKET/$CODE_PREFIX/$REVISION"',
      'NAME="$(printf \'%s\' "$REVISION" | tr -cd \'A-Za-z0-9\' | cut -c1-40)"',
      'TRAINING_EXECUTION_ARN="$(aws sagemaker start-pipeline-execution --pipeline-name "$PIPELINE_NAME" ' +
        '--client-request-token "$BUILD_EXECUTION_ID" --pipeline-execution-display-name "commit${NAME:+-$NAME}" ' +
        '--pipeline-execution-description "Revision $SOURCE_REVISION ($SOURCE_KIND), build pipeline execution $BUILD_EXECUTION_ID" ' +
        `--pipeline-parameters ${parameters.map(([n, v]) => `Name=${n},Value="${v}"`).join(' ')} ` +
        '--query PipelineExecutionArn --output text)"',
      'echo "Started $TRAINING_EXECUTION_ARN"',
    ],
  });
  s.trainingPipeline.grantStartExecution(start.role!);

  const stages: codepipeline.StageProps[] = [{ stageName: 'Source', actions: [source.action] }];
  const imageActions = [training?.action, inference?.action].filter((a): a is cpactions.CodeBuildAction => a !== undefined);
  if (imageActions.length > 0) { stages.push({ stageName: 'BuildImages', actions: imageActions }); }
  stages.push(
    { stageName: 'Code', actions: [codeBuildAction('Upload', upload, 1, revision)] },
    {
      stageName: 'Train',
      actions: [codeBuildAction('StartTraining', start, 1, {
        ...revision, SOURCE_KIND: source.revisionKind, BUILD_EXECUTION_ID: '#{codepipeline.PipelineExecutionId}',
      }, 'Train')],
    },
  );
  const pipeline = new codepipeline.Pipeline(scope, 'Pipeline', {
    pipelineName,
    pipelineType: codepipeline.PipelineType.V2,
    // A newer commit replaces one that waits at a stage boundary: the latest commit is trained.
    executionMode: codepipeline.ExecutionMode.SUPERSEDED,
    artifactBucket: artifacts.bucket,
    role: pipelineRole,
    restartExecutionOnUpdate: false,
    stages,
  });

  if (source.trigger) { startOn(scope, pipeline, source.trigger, pipelineName); }
  grantRuns(s, [training?.repository, inference?.repository].filter((r): r is ImageRepository => r !== undefined), codePrefix);
  checkOwnPipeline(project, s, Boolean(training), Boolean(inference));
  notify(scope, s, pipelineName);
  acknowledgeCdkGrants(stack, artifacts.bucket, { pipelineRole, sourceRole, buildActionRole, projects, logs, codePrefix, bucket: s.bucket, source });

  const region = stack.region;
  new CfnOutput(scope, 'PipelineUrl', {
    description: `The build pipeline of project ${name} in the console`,
    value: `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${pipelineName}/view?region=${region}`,
  });
  if (training) { new CfnOutput(scope, 'TrainingImageRepositoryUri', { description: 'The repository of the training images (tag: the revision)', value: training.repository.repositoryUri }); }
  if (inference) { new CfnOutput(scope, 'InferenceImageRepositoryUri', { description: 'The repository of the inference images (tag: the revision)', value: inference.repository.repositoryUri }); }
  if (source.connectionArn) { new CfnOutput(scope, 'ConnectionArn', { description: 'The connection of the source (complete it once in the console if it is PENDING)', value: source.connectionArn }); }
  return { pipeline, trainingImageRepository: training?.repository, inferenceImageRepository: inference?.repository };
}

/**
 * The parameters the build passes (name, value in the shell): to the standard pipeline its two
 * scripts in the code folder, to a pipeline of your own the code folder (`CodeUri`); the images
 * it built to either.
 */
function pipelineParameters(s: BuildPipelineScope, training: boolean, inference: boolean): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const files = s.build.scriptFileNames;
  if (files) {
    out.push([StandardPipelineParameterNames.PREPROCESSING_SCRIPT_URI, `$CODE_URI/${files.preprocessing}`]);
    out.push([StandardPipelineParameterNames.EVALUATION_SCRIPT_URI, `$CODE_URI/${files.evaluation}`]);
  } else {
    out.push([OWN_PIPELINE_PARAMETERS.codeUri, '$CODE_URI/']);
  }
  if (training) { out.push([OWN_PIPELINE_PARAMETERS.trainingImageUri, '$TRAINING_REPOSITORY_URI:$REVISION']); }
  if (inference) { out.push([OWN_PIPELINE_PARAMETERS.inferenceImageUri, '$INFERENCE_REPOSITORY_URI:$REVISION']); }
  return out;
}

/** A rule of the source's events that starts the pipeline, with a role that trusts this rule only. */
function startOn(scope: Construct, pipeline: codepipeline.Pipeline, pattern: events.EventPattern, pipelineName: string): void {
  const stack = Stack.of(scope);
  const rule = new events.Rule(scope, 'SourceTrigger', {
    description: `Starts the ${pipelineName} build pipeline on a new revision of its source`,
    eventPattern: { ...pattern, account: [stack.account] },
  });
  // A rule name of our own: the role trusts the rule by its ARN (a GetAtt of the rule there, and
  // of the role in the rule's target, would be a cycle).
  const ruleName = Names.uniqueResourceName(rule, { maxLength: 64 });
  (rule.node.defaultChild as events.CfnRule).name = ruleName;
  const role = new ManagedPolicyRole(scope, 'SourceTriggerRole', {
    assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: ruleName }) },
      },
    }),
    description: `Lets the source rule start the ${pipelineName} build pipeline`,
  });
  rule.addTarget(new targets.CodePipeline(pipeline, { eventRole: role }));
}

/**
 * The roles that run the revision: the training pipeline's jobs (a pipeline of this library) pull
 * the built images and read the code folder; the stage endpoints' models pull the built images.
 */
function grantRuns(s: BuildPipelineScope, repositories: ImageRepository[], codePrefix: string): void {
  const jobRole = s.trainingPipeline instanceof TrainingPipeline ? s.trainingPipeline.jobRole : undefined;
  for (const repository of repositories) {
    if (jobRole) { grantPullFromRepository(jobRole, repository.repositoryArn); }
    grantPullFromRepository(s.modelRole, repository.repositoryArn);
  }
  if (jobRole) {
    grantReadObjects(jobRole, s.bucket, `${codePrefix}/*`, `The jobs read the code a build uploads for each revision under ${codePrefix}/.`);
    grantListPrefix(jobRole, s.bucket, codePrefix);
  }
}

/** A pipeline of your own (of this library) must declare the parameters the build passes (SageMaker refuses unknown ones). */
function checkOwnPipeline(project: Construct, s: BuildPipelineScope, training: boolean, inference: boolean): void {
  if (s.build.scriptFileNames) { return; }
  const declared = (s.trainingPipeline as any)._declaredParameterNames;
  if (typeof declared !== 'function') { return; }
  const needed = pipelineParameters(s, training, inference).map(([n]) => n);
  PropChecks.defer(project, () => {
    const names: string[] | undefined = declared.call(s.trainingPipeline);
    if (names === undefined) { return []; }
    return needed.filter((n) => !names.includes(n)).map((n) => ({
      prop: 'trainingPipeline',
      value: s.trainingPipeline.pipelineName,
      rule: `The build starts it with the parameter ${n}, which it does not declare (SageMaker refuses to start an execution with ` +
        `an unknown parameter); declare the String parameters ${needed.join(', ')}`,
    }));
  });
}

/** The build pipeline's executions and the training pipeline's completions and failures go to the topic. */
function notify(scope: Construct, s: BuildPipelineScope, pipelineName: string): void {
  const stack = Stack.of(scope);
  const field = (p: string) => events.EventField.fromPath(p);
  new events.Rule(scope, 'NotifyBuildExecutions', {
    description: `Notifies the finished executions of the ${pipelineName} build pipeline`,
    eventPattern: {
      source: ['aws.codepipeline'],
      detailType: ['CodePipeline Pipeline Execution State Change'],
      account: [stack.account],
      detail: { pipeline: [pipelineName], state: ['SUCCEEDED', 'FAILED', 'STOPPED'] },
    },
    targets: [snsTarget(scope, 'NotificationsPublisher', s.topic, events.RuleTargetInput.fromText(
      `Build pipeline ${field('$.detail.pipeline')}: execution ${field('$.detail.execution-id')} is ${field('$.detail.state')}. ` +
      `https://${field('$.region')}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${field('$.detail.pipeline')}/executions/` +
      `${field('$.detail.execution-id')}/timeline?region=${field('$.region')}`))],
  });
  // SageMaker writes names in ARNs as they were given; match the lower-case spelling too.
  const arn = s.trainingPipeline.pipelineArn;
  const name = s.trainingPipeline.pipelineName;
  const arns = Token.isUnresolved(name) || name.toLowerCase() === name ? [arn]
    : [arn, stack.formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: name.toLowerCase() })];
  new events.Rule(scope, 'NotifyTrainingExecutions', {
    description: `Notifies the completion and failure of executions of the training pipeline ${name}`,
    eventPattern: {
      source: ['aws.sagemaker'],
      detailType: ['SageMaker Model Building Pipeline Execution Status Change'],
      account: [stack.account],
      detail: { pipelineArn: arns, currentPipelineExecutionStatus: ['Succeeded', 'Failed', 'Stopped'] },
    },
    targets: [snsTarget(scope, 'NotificationsPublisher', s.topic, events.RuleTargetInput.fromText(
      `Training pipeline ${name}: execution ${field('$.detail.pipelineExecutionDisplayName')} ` +
      `(${field('$.detail.pipelineExecutionArn')}) is ${field('$.detail.currentPipelineExecutionStatus')}.`))],
  });
}

/**
 * aws-cdk-lib's pipeline, actions and CodeBuild projects grant their roles with action groups
 * (`s3:GetObject*`, `kms:GenerateDataKey*`...) on the pipeline's own artifact bucket and key, and
 * the projects' default log groups and report groups: those exact findings are acknowledged, role
 * by role, so that any other wildcard still fails the checks.
 */
function acknowledgeCdkGrants(stack: Stack, artifacts: s3.IBucket, r: {
  pipelineRole: iam.IRole; sourceRole: iam.IRole; buildActionRole: iam.IRole; projects: codebuild.PipelineProject[];
  logs: EncryptedLogGroup; codePrefix: string; bucket: s3.IBucket; source: BoundSource;
}): void {
  const action = (a: string) => `AwsSolutions-IAM5[Action::${a}]`;
  const artifactObjects = wildcardResourceIds(stack, [artifacts.arnForObjects('*')]);
  const s3Read = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'].map(action);
  const s3Write = ['s3:DeleteObject*', 's3:Abort*'].map(action);
  const kmsGroups = ['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map(action);
  const why = 'aws-cdk-lib\'s CodePipeline and CodeBuild grants: the pipeline\'s own artifact bucket (the source zips) with the project ' +
    'key; the wildcards are aws-cdk-lib\'s action groups on those resources only.';
  const ack = (construct: iam.IRole, ids: string[], reason: string) => Validations.of(construct).acknowledge(...ids.map((id) => ({ id, reason })));
  ack(r.pipelineRole, [...artifactObjects, ...s3Read, ...s3Write, ...kmsGroups], why);
  ack(r.sourceRole, [...artifactObjects, ...s3Read, ...s3Write, ...kmsGroups], why);
  for (const project of r.projects) {
    const role = project.role!;
    const name = project.projectName;
    ack(role, [
      ...artifactObjects, ...s3Read, ...kmsGroups,
      ...wildcardResourceIds(stack, [
        stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `/aws/codebuild/${name}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        stack.formatArn({ service: 'codebuild', resource: 'report-group', resourceName: `${name}-*` }),
      ]),
    ], `${why} aws-cdk-lib's CodeBuild project also grants its default log group and report groups (named after ${name}); ` +
      'the build logs to the encrypted log group of the build pipeline.');
    ack(role, wildcardResourceIds(stack, [r.bucket.arnForObjects(`${r.codePrefix}/*`)]),
      `The code upload writes each revision's code folder under ${r.codePrefix}/ (keys made at run time), nowhere else.`);
    const reason = 'The project\'s source is the pipeline\'s artifact (source type CODEPIPELINE): it reads no repository itself, so there ' +
      'is no OAuth connection to configure.';
    Validations.of(project).acknowledge(
      { id: 'HIPAA.Security-CodeBuildProjectSourceRepoUrl', reason },
      { id: 'PCI.DSS.321-CodeBuildProjectSourceRepoUrl', reason },
    );
  }
}
