import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Fn, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ArtifactBucket, ConnectionProvider, ContainerImage, MlopsProject, MlopsProjectProps, PipelineParameter, ProcessingStep,
  ProjectSource, TrainingPipeline,
} from '../../lib';
import { compliantApp, Finding, formatFindings, unacknowledgedFindings } from '../helpers/compliance';
import { matchesEventPattern } from '../helpers/event-pattern';
import { loadEvent } from '../helpers/fixtures';
import { resolveIntrinsics } from '../model-registry/util';
import { buildProject, BuiltProject, ENV, PROJECT_TRAINING, resourcesOf } from './util';

const training = PROJECT_TRAINING;
const CONNECTION = 'arn:aws:codestar-connections:us-east-2:123456789012:connection/12345678-abcd-12ab-34cd-ef5678901234';
const BUILD_EVENTS = path.join(__dirname, '..', 'fixtures', 'build-events');
const buildEvent = (name: string) => JSON.parse(fs.readFileSync(path.join(BUILD_EVENTS, `${name}.json`), 'utf-8'));

/** The build pipeline's resource (named `<project>-build`). */
function buildPipelineOf(json: any): any {
  const found = resourcesOf(json, 'AWS::CodePipeline::Pipeline').find(([, p]) => p.Properties.Name === 'churn-build');
  if (!found) { throw new Error('no build pipeline'); }
  return found[1].Properties;
}

/** A CodeBuild project of the build by name, with its buildspec parsed. */
function projectNamed(json: any, name: string): { id: string; props: any; commands: string[]; spec: any; env: Record<string, any> } {
  const found = resourcesOf(json, 'AWS::CodeBuild::Project').find(([, p]) => p.Properties.Name === name);
  if (!found) { throw new Error(`no CodeBuild project ${name}`); }
  const spec = JSON.parse(found[1].Properties.Source.BuildSpec);
  const env = Object.fromEntries((found[1].Properties.Environment.EnvironmentVariables ?? []).map((v: any) => [v.Name, v.Value]));
  return { id: found[0], props: found[1].Properties, commands: spec.phases.build.commands, spec, env };
}

/** The statements of the managed policies of a role (by the role's logical id). */
function statementsOfRole(json: any, roleId: string): any[] {
  return resourcesOf(json, 'AWS::IAM::ManagedPolicy')
    .filter(([, p]) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

const roleOf = (project: { props: any }) => project.props.ServiceRole['Fn::GetAtt'][0];
const actionsOf = (statements: any[]) => statements.flatMap((s) => [s.Action].flat());

/**
 * Run a buildspec's commands with `sh -e` (as CodeBuild runs them, in one shell) in a folder that
 * stands for the source, with `aws` and `docker` replaced by stubs that log their arguments.
 */
function runBuildspec(commands: string[], env: Record<string, string>, files: string[] = [], stubs: { describeImages?: boolean } = {}): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'buildspec-'));
  const bin = path.join(dir, 'bin');
  const src = path.join(dir, 'src');
  const log = path.join(dir, 'calls.log');
  fs.mkdirSync(bin);
  fs.mkdirSync(src);
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(src, f)), { recursive: true });
    fs.writeFileSync(path.join(src, f), '# file\n');
  }
  fs.writeFileSync(path.join(bin, 'aws'), [
    '#!/bin/sh',
    `echo "aws $*" >> "${log}"`,
    'case "$1 $2" in',
    '  "ecr get-login-password") echo token ;;',
    `  "ecr describe-images") exit ${stubs.describeImages ? 0 : 1} ;;`,
    '  "sagemaker start-pipeline-execution") echo "arn:aws:sagemaker:us-east-2:123456789012:pipeline/churn-training/execution/abc123" ;;',
    'esac',
  ].join('\n'), { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\ncat > /dev/null 2>&1 || true\necho "docker $*" >> "${log}"\n`, { mode: 0o755 });
  try {
    execFileSync('/bin/sh', ['-e', '-c', commands.join('\n')], {
      cwd: src, env: { PATH: `${bin}:/usr/bin:/bin`, AWS_REGION: ENV.region, ...env }, stdio: 'pipe',
    });
  } catch (e: any) {
    throw new Error(`The commands failed: ${e.stdout}${e.stderr}\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf-8') : ''}`);
  }
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf-8').trim().split('\n') : [];
}

const COMMIT = '3f786850e387550fdab836ed7e6dc881de23001b';
const TRAINING_REPO = '123456789012.dkr.ecr.us-east-2.amazonaws.com/churn-training-repo';
const INFERENCE_REPO = '123456789012.dkr.ecr.us-east-2.amazonaws.com/churn-inference-repo';

describe('MlopsProject build: a new GitHub connection, both images, base images, the standard pipeline', () => {
  let built: BuiltProject;
  beforeAll(() => {
    built = buildProject({
      training,
      buildPipeline: {
        source: ProjectSource.newConnection({ provider: ConnectionProvider.GITHUB, repository: 'acme/churn', branch: 'release/2024' }),
        trainingDockerfile: 'docker/train/Dockerfile',
        inferenceDockerfile: 'docker/serve/Dockerfile',
        inferenceBuildContext: '.',
        baseImages: [ContainerImage.scikitLearn()],
        codeDirectory: 'ml/pipeline',
        imageBuildComputeType: codebuild.ComputeType.LARGE,
      },
    });
  });

  test('the project stack leaves nothing unacknowledged in the compliance packs', () => {
    expect(formatFindings(built.findings)).toBe('');
  });

  test('a V2 pipeline: Source -> BuildImages (both images at once) -> Code -> Train, artifacts in a bucket of its own with the project key', () => {
    const p = buildPipelineOf(built.json);
    expect(p).toMatchObject({ PipelineType: 'V2', ExecutionMode: 'SUPERSEDED', RestartExecutionOnUpdate: false });
    expect(p.Stages.map((s: any) => [s.Name, s.Actions.map((a: any) => `${a.Name}:${a.ActionTypeId.Provider}:${a.RunOrder}`)])).toEqual([
      ['Source', ['Source:CodeStarSourceConnection:1']],
      ['BuildImages', ['TrainingImage:CodeBuild:1', 'InferenceImage:CodeBuild:1']],
      ['Code', ['Upload:CodeBuild:1']],
      ['Train', ['StartTraining:CodeBuild:1']],
    ]);
    expect(p.ArtifactStore.Location.Ref).toMatch(/^ProjectBuildArtifactsBucket/);
    expect(p.ArtifactStore.EncryptionKey).toEqual({ Type: 'KMS', Id: { 'Fn::GetAtt': [expect.stringMatching(/^ProjectFoundationKey/), 'Arn'] } });
    // Not the deploy pipeline's artifact bucket, not the foundation's.
    const deploy = resourcesOf(built.json, 'AWS::CodePipeline::Pipeline').find(([, r]) => r.Properties.Name === 'churn-deploy')![1];
    expect(deploy.Properties.ArtifactStore.Location).not.toEqual(p.ArtifactStore.Location);
    expect(built.project.buildPipeline).toBeDefined();
  });

  test('the source is the created connection (PENDING until completed in the console), on the branch, started by pushes', () => {
    built.template.hasResourceProperties('AWS::CodeConnections::Connection', { ConnectionName: 'churn-source', ProviderType: 'GitHub' });
    const source = buildPipelineOf(built.json).Stages[0].Actions[0];
    expect(source.Configuration).toEqual({
      ConnectionArn: { 'Fn::GetAtt': [expect.stringMatching(/^ProjectBuildSourceConnection/), 'ConnectionArn'] },
      FullRepositoryId: 'acme/churn', BranchName: 'release/2024', DetectChanges: true,
    });
    expect(source.Namespace).toBe('Source');
    // The source role may use this connection, under the prefix of its ARN (codeconnections).
    const statements = statementsOfRole(built.json, source.RoleArn['Fn::GetAtt'][0]);
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 'codeconnections:UseConnection', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ProjectBuildSourceConnection/), 'ConnectionArn'] },
    }));
    // No polling, no trail, no rule of ours: CodePipeline starts on pushes to the branch.
    built.template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    expect(resourcesOf(built.json, 'AWS::Events::Rule').filter(([id]) => id.startsWith('ProjectBuildSourceTrigger'))).toEqual([]);
  });

  test('each image action passes the commit id; the Train action the commit, its kind and the execution id', () => {
    const stages = buildPipelineOf(built.json).Stages;
    const env = (a: any) => Object.fromEntries(JSON.parse(a.Configuration.EnvironmentVariables).map((v: any) => [v.name, v.value]));
    for (const a of [...stages[1].Actions, ...stages[2].Actions]) { expect(env(a)).toEqual({ SOURCE_REVISION: '#{Source.CommitId}' }); }
    expect(env(stages[3].Actions[0])).toEqual({
      SOURCE_REVISION: '#{Source.CommitId}', SOURCE_KIND: 'the commit id', BUILD_EXECUTION_ID: '#{codepipeline.PipelineExecutionId}',
    });
  });

  test('repositories: KMS with the project key, immutable tags, scan on push, retained', () => {
    const repos = resourcesOf(built.json, 'AWS::ECR::Repository');
    expect(repos.map(([id]) => id)).toEqual([expect.stringMatching(/^ProjectBuildTrainingImageRepository/), expect.stringMatching(/^ProjectBuildInferenceImageRepository/)]);
    for (const [, r] of repos) {
      expect(r).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(r.Properties).toMatchObject({
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [expect.stringMatching(/^ProjectFoundationKey/), 'Arn'] } },
      });
    }
    expect(built.project.trainingImageRepository).toBeDefined();
    expect(built.project.inferenceImageRepository).toBeDefined();
  });

  test('only the image builds are privileged; every build logs to the KMS log group and encrypts its artifacts with the project key', () => {
    const projects = resourcesOf(built.json, 'AWS::CodeBuild::Project').filter(([id]) => id.startsWith('ProjectBuild'));
    expect(projects.map(([, p]) => [p.Properties.Name, p.Properties.Environment.PrivilegedMode, p.Properties.Environment.ComputeType])).toEqual([
      ['churn-training-image', true, 'BUILD_GENERAL1_LARGE'], ['churn-inference-image', true, 'BUILD_GENERAL1_LARGE'],
      ['churn-upload-code', false, 'BUILD_GENERAL1_SMALL'], ['churn-start-training', false, 'BUILD_GENERAL1_SMALL'],
    ]);
    const [[logGroupId, logGroup]] = resourcesOf(built.json, 'AWS::Logs::LogGroup').filter(([id]) => id.startsWith('ProjectBuildLogs'));
    expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProjectFoundationKey/), 'Arn'] });
    expect(logGroup.DeletionPolicy).toBe('Retain');
    for (const [, p] of projects) {
      expect(p.Properties.LogsConfig.CloudWatchLogs).toEqual({ GroupName: { Ref: logGroupId }, Status: 'ENABLED', StreamName: p.Properties.Name });
      expect(p.Properties.EncryptionKey).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProjectFoundationKey/), 'Arn'] });
    }
  });

  test('the image buildspec, run with stubs: logs in, builds the Dockerfile prop with its context, tags with the commit id, pushes to its repository', () => {
    const t = projectNamed(built.json, 'churn-training-image');
    expect(t.env).toMatchObject({ DOCKERFILE: 'docker/train/Dockerfile', BUILD_CONTEXT: 'docker/train', BASE_REGISTRIES: '257758044811.dkr.ecr.us-east-2.amazonaws.com' });
    // The repository variables name the project's own repository.
    expect(JSON.stringify(t.env.REPOSITORY_URI)).toContain('ProjectBuildTrainingImageRepository');
    expect(t.env.REPOSITORY_NAME).toEqual({ Ref: expect.stringMatching(/^ProjectBuildTrainingImageRepository/) });
    const calls = runBuildspec(t.commands, {
      ...t.env, REPOSITORY_URI: TRAINING_REPO, REPOSITORY_NAME: 'churn-training-repo', REGISTRY: '123456789012.dkr.ecr.us-east-2.amazonaws.com',
      SOURCE_REVISION: COMMIT,
    });
    expect(calls).toEqual([
      'aws ecr get-login-password --region us-east-2',
      'docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-2.amazonaws.com',
      'aws ecr get-login-password --region us-east-2',
      'docker login --username AWS --password-stdin 257758044811.dkr.ecr.us-east-2.amazonaws.com',
      `aws ecr describe-images --repository-name churn-training-repo --image-ids imageTag=${COMMIT}`,
      `docker build --file docker/train/Dockerfile --tag ${TRAINING_REPO}:${COMMIT} docker/train`,
      `docker push ${TRAINING_REPO}:${COMMIT}`,
    ]);
    const i = projectNamed(built.json, 'churn-inference-image');
    expect(i.env).toMatchObject({ DOCKERFILE: 'docker/serve/Dockerfile', BUILD_CONTEXT: '.' });
    expect(JSON.stringify(i.env.REPOSITORY_URI)).toContain('ProjectBuildInferenceImageRepository');
    expect(i.commands).toEqual(t.commands);
  });

  test('an image whose tag exists (a retried execution) is neither built nor pushed again (tags are immutable)', () => {
    const t = projectNamed(built.json, 'churn-training-image');
    const calls = runBuildspec(t.commands, { ...t.env, REPOSITORY_URI: TRAINING_REPO, REPOSITORY_NAME: 'r', REGISTRY: 'x', SOURCE_REVISION: COMMIT }, [], { describeImages: true });
    expect(calls.filter((c) => c.startsWith('docker build') || c.startsWith('docker push'))).toEqual([]);
  });

  test('the image roles push to their own repository only, pull the base images only, and log in (no resource scope)', () => {
    const stmts = statementsOfRole(built.json, roleOf(projectNamed(built.json, 'churn-training-image')));
    const ecrStatements = stmts.filter((s) => actionsOf([s]).some((a) => a.startsWith('ecr:')));
    const push = ecrStatements.find((s) => actionsOf([s]).includes('ecr:PutImage'));
    expect(push.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProjectBuildTrainingImageRepository/), 'Arn'] });
    expect(ecrStatements.filter((s) => actionsOf([s]).includes('ecr:PutImage'))).toHaveLength(1);
    const pull = ecrStatements.filter((s) => s !== push && !actionsOf([s]).includes('ecr:GetAuthorizationToken'));
    expect(pull.map((s) => s.Resource)).toEqual(['arn:aws:ecr:us-east-2:257758044811:repository/sagemaker-scikit-learn']);
    expect(actionsOf(pull)).not.toContain('ecr:PutImage');
    expect(ecrStatements.find((s) => s.Resource === '*')?.Action).toBe('ecr:GetAuthorizationToken');
    // No S3 write anywhere but aws-cdk-lib's artifact grants, and no SageMaker.
    expect(actionsOf(stmts).filter((a) => a.startsWith('sagemaker:'))).toEqual([]);
  });

  test('the code buildspec, run with stubs: checks the scripts are there and uploads the folder under the commit, with the key', () => {
    const u = projectNamed(built.json, 'churn-upload-code');
    expect(u.env).toMatchObject({ CODE_DIRECTORY: 'ml/pipeline', REQUIRED_FILES: 'preprocess.py evaluate.py', CODE_PREFIX: 'code/churn' });
    expect(u.env.ARTIFACT_BUCKET).toEqual({ Ref: expect.stringMatching(/^ProjectFoundationArtifactsBucket/) });
    const env = { ...u.env, ARTIFACT_BUCKET: 'artifacts', KEY_ARN: 'arn:aws:kms:us-east-2:123456789012:key/k', SOURCE_REVISION: COMMIT };
    const calls = runBuildspec(u.commands, env, ['ml/pipeline/preprocess.py', 'ml/pipeline/evaluate.py']);
    expect(calls).toEqual([
      `aws s3 cp ml/pipeline s3://artifacts/code/churn/${COMMIT}/ --recursive --sse aws:kms --sse-kms-key-id arn:aws:kms:us-east-2:123456789012:key/k --only-show-errors`,
    ]);
    expect(() => runBuildspec(u.commands, env, ['ml/pipeline/preprocess.py'])).toThrow(/The code folder has no evaluate.py/);
    expect(() => runBuildspec(u.commands, env, [])).toThrow(/The repository has no folder ml\/pipeline \(buildPipeline.codeDirectory\)/);
  });

  test('the code role writes under the code prefix of the foundation bucket only', () => {
    const stmts = statementsOfRole(built.json, roleOf(projectNamed(built.json, 'churn-upload-code')));
    const writes = stmts.filter((s) => actionsOf([s]).includes('s3:PutObject'));
    expect(writes).toEqual([expect.objectContaining({
      Sid: 'WriteTheCodePrefix', Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ProjectFoundationArtifactsBucket/), 'Arn'] }, '/code/churn/*']] },
    })]);
  });

  test('the start buildspec, run with stubs: one StartPipelineExecution with the commit\'s scripts and images, idempotent, returning at once', () => {
    const s = projectNamed(built.json, 'churn-start-training');
    expect(s.env).toMatchObject({ PIPELINE_NAME: 'churn-training', CODE_PREFIX: 'code/churn' });
    expect(JSON.stringify(s.env.TRAINING_REPOSITORY_URI)).toContain('ProjectBuildTrainingImageRepository');
    expect(JSON.stringify(s.env.INFERENCE_REPOSITORY_URI)).toContain('ProjectBuildInferenceImageRepository');
    expect(s.spec.env['exported-variables']).toEqual(['TRAINING_EXECUTION_ARN']);
    const calls = runBuildspec(s.commands, {
      ...s.env, ARTIFACT_BUCKET: 'artifacts', TRAINING_REPOSITORY_URI: TRAINING_REPO, INFERENCE_REPOSITORY_URI: INFERENCE_REPO,
      SOURCE_REVISION: COMMIT, SOURCE_KIND: 'the commit id', BUILD_EXECUTION_ID: '12345678-1234-5678-abcd-12345678abcd',
    });
    expect(calls).toEqual([
      'aws sagemaker start-pipeline-execution --pipeline-name churn-training --client-request-token 12345678-1234-5678-abcd-12345678abcd ' +
      `--pipeline-execution-display-name commit-${COMMIT} ` +
      `--pipeline-execution-description Revision ${COMMIT} (the commit id), build pipeline execution 12345678-1234-5678-abcd-12345678abcd ` +
      `--pipeline-parameters Name=PreprocessingScriptUri,Value=s3://artifacts/code/churn/${COMMIT}/preprocess.py ` +
      `Name=EvaluationScriptUri,Value=s3://artifacts/code/churn/${COMMIT}/evaluate.py ` +
      `Name=TrainingImageUri,Value=${TRAINING_REPO}:${COMMIT} Name=InferenceImageUri,Value=${INFERENCE_REPO}:${COMMIT} ` +
      '--query PipelineExecutionArn --output text',
    ]);
  });

  test('the start role may start the project\'s training pipeline and nothing else of SageMaker', () => {
    const stmts = statementsOfRole(built.json, roleOf(projectNamed(built.json, 'churn-start-training')));
    const sm = stmts.filter((s) => actionsOf([s]).some((a) => a.startsWith('sagemaker:')));
    expect(sm).toEqual([expect.objectContaining({
      Action: 'sagemaker:StartPipelineExecution',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-2:123456789012:pipeline/churn-training']] },
    })]);
    expect(actionsOf(stmts).filter((a) => a.startsWith('ecr:') || a === 's3:PutObject')).toEqual([]);
  });

  test('every build role trusts CodeBuild for its own project of this account only', () => {
    for (const name of ['churn-training-image', 'churn-inference-image', 'churn-upload-code', 'churn-start-training']) {
      const role = built.json.Resources[roleOf(projectNamed(built.json, name))];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({
        Principal: { Service: 'codebuild.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:codebuild:us-east-2:123456789012:project/${name}`]] } },
        },
      })]);
    }
  });

  test('the standard pipeline takes the images and scripts as parameters, and its jobs and the models may pull and read them', () => {
    const [[, pipeline]] = resourcesOf(built.json, 'AWS::SageMaker::Pipeline');
    const body = JSON.stringify(pipeline.Properties.PipelineDefinition);
    for (const p of ['TrainingImageUri', 'InferenceImageUri', 'PreprocessingScriptUri', 'EvaluationScriptUri']) { expect(body).toContain(`Parameters.${p}`); }
    const jobRole = (built.project.trainingPipeline as TrainingPipeline).jobRole;
    const jobStatements = statementsOfRole(built.json, Stack.of(jobRole).getLogicalId(jobRole.node.defaultChild as any));
    const pulled = jobStatements.filter((s) => actionsOf([s]).includes('ecr:BatchGetImage')).map((s) => JSON.stringify(s.Resource)).join(' ');
    expect(pulled).toContain('ProjectBuildTrainingImageRepository');
    expect(pulled).toContain('ProjectBuildInferenceImageRepository');
    const reads = jobStatements.filter((s) => actionsOf([s]).includes('s3:GetObject')).map((s) => JSON.stringify(s.Resource)).join(' ');
    expect(reads).toContain('/code/churn/*');
    const modelRole = Stack.of(built.project.modelRole).getLogicalId(built.project.modelRole.node.defaultChild as any);
    const modelPulls = statementsOfRole(built.json, modelRole).filter((s) => actionsOf([s]).includes('ecr:BatchGetImage'));
    expect(modelPulls.map((s) => JSON.stringify(s.Resource)).join(' ')).toContain('ProjectBuildInferenceImageRepository');
    expect(actionsOf(modelPulls)).not.toContain('ecr:PutImage');
  });

  describe('notifications', () => {
    const ruleOf = (id: string) => {
      const [[, rule]] = resourcesOf(built.json, 'AWS::Events::Rule').filter(([k]) => k.startsWith(id));
      return rule.Properties;
    };
    const ofTraining = (name: string) => {
      const e = name.startsWith('sagemaker-pipeline-execution-status-change.succeeded') ? loadEvent(name) : buildEvent(name);
      const arn = 'arn:aws:sagemaker:us-east-2:123456789012:pipeline/churn-training';
      return { ...e, region: 'us-east-2', resources: [arn, `${arn}/execution/p4jn9xou8a8s`], detail: { ...e.detail, pipelineArn: arn, pipelineExecutionArn: `${arn}/execution/p4jn9xou8a8s` } };
    };

    test('the training pipeline\'s completion and failure reach the topic (the documented succeeded sample and a failed one derived from it)', () => {
      const rule = ruleOf('ProjectNotifyTrainingExecutions');
      const pattern = resolveIntrinsics(rule.EventPattern, 'arn:aws:sagemaker:us-east-2:123456789012:pipeline/churn-training') as any;
      expect(matchesEventPattern(pattern, ofTraining('sagemaker-pipeline-execution-status-change.succeeded'))).toBe(true);
      expect(matchesEventPattern(pattern, ofTraining('sagemaker-pipeline-execution-status-change.failed.derived'))).toBe(true);
      const executing = ofTraining('sagemaker-pipeline-execution-status-change.succeeded');
      expect(matchesEventPattern(pattern, { ...executing, detail: { ...executing.detail, currentPipelineExecutionStatus: 'Executing' } })).toBe(false);
      // The sample as documented is another pipeline's.
      expect(matchesEventPattern(pattern, loadEvent('sagemaker-pipeline-execution-status-change.succeeded'))).toBe(false);
      expect(matchesEventPattern(pattern, { ...ofTraining('sagemaker-pipeline-execution-status-change.succeeded'), account: '210987654321' })).toBe(false);
      expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { Ref: expect.stringMatching(/^ProjectNotifications/) }, RoleArn: expect.anything() })]);
      expect(rule.Targets[0].InputTransformer.InputTemplate).toContain('Training pipeline churn-training: execution <detail-pipelineExecutionDisplayName>');
    });

    test('the build pipeline\'s finished executions reach the topic (the documented samples)', () => {
      const pattern = ruleOf('ProjectBuildNotifyBuildExecutions').EventPattern;
      for (const [name, expected] of [['failed', true], ['succeeded', true], ['started', false]] as const) {
        const e = loadEvent(`codepipeline-pipeline-execution-state-change.${name}`);
        expect(matchesEventPattern(pattern, { ...e, detail: { ...e.detail, pipeline: 'churn-build' } })).toBe(expected);
        expect(matchesEventPattern(pattern, e)).toBe(false);
      }
    });
  });

  test('each source describes itself in a few words (for the flow diagram)', () => {
    const stack = new Stack(new App(), 'Describe', { env: ENV });
    expect(ProjectSource.newConnection({ provider: ConnectionProvider.GITLAB, repository: 'group/sub/churn', branch: 'dev' })._describe()).toBe('GitLab group/sub/churn@dev');
    expect(ProjectSource.connection({ connectionArn: CONNECTION, repository: 'acme/churn' })._describe()).toBe('Connection acme/churn@main');
    expect(ProjectSource.s3Object({ bucket: new ArtifactBucket(stack, 'B').bucket, key: 'src/churn.zip' })._describe()).toBe('S3 src/churn.zip');
    expect(ProjectSource.codeCommit({ repository: codecommit.Repository.fromRepositoryName(stack, 'R', 'MyDemoRepo') })._describe()).toBe('CodeCommit MyDemoRepo@main');
  });

  test('outputs: the pipeline console link, both repositories, the connection', () => {
    const outputs = built.json.Outputs;
    const byPrefix = (p: string) => Object.entries(outputs).find(([k]) => k.startsWith(p))?.[1] as any;
    expect(byPrefix('ProjectBuildPipelineUrl').Value).toBe('https://us-east-2.console.aws.amazon.com/codesuite/codepipeline/pipelines/churn-build/view?region=us-east-2');
    expect(JSON.stringify(byPrefix('ProjectBuildTrainingImageRepositoryUri').Value)).toContain('ProjectBuildTrainingImageRepository');
    expect(JSON.stringify(byPrefix('ProjectBuildInferenceImageRepositoryUri').Value)).toContain('ProjectBuildInferenceImageRepository');
    expect(byPrefix('ProjectBuildConnectionArn').Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProjectBuildSourceConnection/), 'ConnectionArn'] });
  });
});

describe('MlopsProject build: a zip in S3, the training image only, local scripts', () => {
  let json: any;
  let findings: Finding[];
  let project: MlopsProject;
  beforeAll(() => {
    const script = path.join(__dirname, '..', 'training-pipeline', 'scripts', 'preprocess.py');
    const app = compliantApp();
    const stack = new Stack(app, 'Churn', { env: ENV });
    const sources = new ArtifactBucket(stack, 'Sources');
    project = new MlopsProject(stack, 'Project', {
      projectName: 'churn',
      training: { ...training, preprocessingScript: { localFile: script }, evaluationScript: { localFile: script, fileName: 'evaluate.py' } },
      buildPipeline: { source: ProjectSource.s3Object({ bucket: sources.bucket, key: 'churn/source.zip' }), trainingDockerfile: 'Dockerfile' },
    });
    findings = unacknowledgedFindings(stack);
    json = JSON.parse(fs.readFileSync(path.join(app.outdir, `${stack.artifactId}.template.json`), 'utf-8'));
  });

  test('the compliance packs stay clean with the S3 source and its trigger', () => {
    expect(formatFindings(findings)).toBe('');
  });

  test('the source never polls: a rule of the bucket\'s Object Created events starts the pipeline, with no CloudTrail trail', () => {
    const source = buildPipelineOf(json).Stages[0].Actions[0];
    expect(source.Configuration).toEqual({ S3Bucket: { Ref: expect.stringMatching(/^SourcesBucket/) }, S3ObjectKey: 'churn/source.zip', PollForSourceChanges: false });
    expect(resourcesOf(json, 'AWS::CloudTrail::Trail')).toEqual([]);
    const [[, rule]] = resourcesOf(json, 'AWS::Events::Rule').filter(([id]) => id.startsWith('ProjectBuildSourceTrigger'));
    const pattern = resolveIntrinsics(rule.Properties.EventPattern, 'churn-sources') as any;
    const sample = loadEvent('s3-object-created');
    const event = { ...sample, detail: { ...sample.detail, bucket: { name: 'churn-sources' }, object: { ...sample.detail.object, key: 'churn/source.zip' } } };
    expect(matchesEventPattern(pattern, event)).toBe(true);
    expect(matchesEventPattern(pattern, { ...event, detail: { ...event.detail, object: { key: 'churn/other.zip' } } })).toBe(false);
    expect(matchesEventPattern(pattern, { ...event, account: '210987654321' })).toBe(false);
    expect(matchesEventPattern(pattern, sample)).toBe(false);
    // The role that starts the pipeline trusts this rule of this account only, and may start this pipeline only.
    const roleId = rule.Properties.Targets[0].RoleArn['Fn::GetAtt'][0];
    expect(json.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '123456789012' },
      ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:us-east-2:123456789012:rule/${rule.Properties.Name}`]] } },
    });
    expect(statementsOfRole(json, roleId)).toEqual([expect.objectContaining({
      Action: 'codepipeline:StartPipelineExecution',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codepipeline:us-east-2:123456789012:', { Ref: expect.stringMatching(/^ProjectBuildPipeline/) }]] },
    })]);
  });

  test('the revision is the zip\'s version id, sanitized into a tag; the model registers the built training image', () => {
    const stages = buildPipelineOf(json).Stages;
    expect(stages.map((st: any) => st.Name)).toEqual(['Source', 'BuildImages', 'Code', 'Train']);
    expect(stages[1].Actions.map((a: any) => a.Name)).toEqual(['TrainingImage']);
    expect(JSON.parse(stages[1].Actions[0].Configuration.EnvironmentVariables)).toEqual([{ name: 'SOURCE_REVISION', type: 'PLAINTEXT', value: '#{Source.VersionId}' }]);
    const t = projectNamed(json, 'churn-training-image');
    expect(t.env).toMatchObject({ DOCKERFILE: 'Dockerfile', BUILD_CONTEXT: '.', BASE_REGISTRIES: '' });
    const calls = runBuildspec(t.commands, { ...t.env, REPOSITORY_URI: TRAINING_REPO, REPOSITORY_NAME: 'r', REGISTRY: 'x', SOURCE_REVISION: 'Ka9.b_c/d+e=f' });
    expect(calls).toContain(`docker build --file Dockerfile --tag ${TRAINING_REPO}:Ka9.b_c-d-e-f .`);
    const [[, pipeline]] = resourcesOf(json, 'AWS::SageMaker::Pipeline');
    const body = JSON.stringify(pipeline.Properties.PipelineDefinition);
    expect(body).toContain('Parameters.TrainingImageUri');
    expect(body).not.toContain('Parameters.InferenceImageUri');
    expect(resourcesOf(json, 'AWS::ECR::Repository')).toHaveLength(1);
    expect(project.inferenceImageRepository).toBeUndefined();
    const s = projectNamed(json, 'churn-start-training');
    const start = s.commands.find((c) => c.includes('start-pipeline-execution'))!;
    // The file names of the local scripts (or their fileName) in the code folder.
    expect(start).toContain('Name=PreprocessingScriptUri,Value="$CODE_URI/preprocess.py" Name=EvaluationScriptUri,Value="$CODE_URI/evaluate.py" ' +
      'Name=TrainingImageUri,Value="$TRAINING_REPOSITORY_URI:$REVISION" --query');
    expect(s.env.INFERENCE_REPOSITORY_URI).toBeUndefined();
    expect(projectNamed(json, 'churn-upload-code').env.REQUIRED_FILES).toBe('preprocess.py evaluate.py');
  });
});

describe('MlopsProject build: an existing CodeCommit repository, built-in images', () => {
  let json: any;
  beforeAll(() => {
    const app = new App();
    const stack = new Stack(app, 'Churn', { env: ENV });
    const repository = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'MyDemoRepo');
    new MlopsProject(stack, 'Project', { projectName: 'churn', training, buildPipeline: { source: ProjectSource.codeCommit({ repository, branch: 'myBranch' }) } });
    json = JSON.parse(JSON.stringify(app.synth().getStackByName('Churn').template));
  });

  test('no image is built: no BuildImages stage, no repository, no privileged project; the pipeline keeps its images', () => {
    expect(buildPipelineOf(json).Stages.map((s: any) => s.Name)).toEqual(['Source', 'Code', 'Train']);
    expect(resourcesOf(json, 'AWS::ECR::Repository')).toEqual([]);
    expect(resourcesOf(json, 'AWS::CodeBuild::Project').map(([, p]) => p.Properties.Environment.PrivilegedMode)).toEqual([false, false]);
    const start = projectNamed(json, 'churn-start-training').commands.find((c) => c.includes('start-pipeline-execution'))!;
    expect(start).not.toContain('ImageUri');
    const [[, pipeline]] = resourcesOf(json, 'AWS::SageMaker::Pipeline');
    expect(JSON.stringify(pipeline.Properties.PipelineDefinition)).not.toContain('Parameters.TrainingImageUri');
    expect(Object.keys(json.Outputs).filter((k) => k.includes('ImageRepositoryUri'))).toEqual([]);
  });

  test('a push to the branch (the documented referenceUpdated sample) starts the pipeline through the project\'s rule', () => {
    const source = buildPipelineOf(json).Stages[0].Actions[0];
    expect(source.Configuration).toMatchObject({ RepositoryName: 'MyDemoRepo', BranchName: 'myBranch', PollForSourceChanges: false });
    const rules = resourcesOf(json, 'AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.EventPattern).includes('aws.codecommit'));
    expect(rules).toHaveLength(1);
    const pattern = resolveIntrinsics(rules[0][1].Properties.EventPattern, 'arn:aws:codecommit:us-east-2:123456789012:MyDemoRepo') as any;
    const event = buildEvent('codecommit-repository-state-change.reference-updated');
    expect(matchesEventPattern(pattern, event)).toBe(true);
    expect(matchesEventPattern(pattern, { ...event, detail: { ...event.detail, referenceName: 'main' } })).toBe(false);
    expect(matchesEventPattern(pattern, { ...event, detail: { ...event.detail, event: 'referenceDeleted' } })).toBe(false);
    expect(matchesEventPattern(pattern, { ...event, detail: { ...event.detail, referenceType: 'tag' } })).toBe(false);
  });
});

describe('MlopsProject build: an existing connection and a training pipeline of your own', () => {
  const ownPipeline = (stack: Stack, declare: string[]) => {
    const p = new TrainingPipeline(stack, 'Own', { pipelineName: 'churn-own' });
    const params = declare.map((n) => PipelineParameter.string(n, { defaultValue: n === 'CodeUri' ? 's3://code-bucket/' : 'x' }));
    p.addParameter(...params);
    p.addStep(new ProcessingStep('Run', { image: ContainerImage.scikitLearn(), entrypoint: ['python3', '-c', 'print(1)'] }));
    return p;
  };

  test('the build passes CodeUri and the built images; the old codestar-connections ARN needs no second grant', () => {
    const app = new App();
    const stack = new Stack(app, 'Churn', { env: ENV });
    new MlopsProject(stack, 'Project', {
      projectName: 'churn', trainingPipeline: ownPipeline(stack, ['CodeUri', 'TrainingImageUri']),
      buildPipeline: { source: ProjectSource.connection({ connectionArn: CONNECTION, repository: 'acme/churn' }), trainingDockerfile: 'Dockerfile' },
    });
    const json = app.synth().getStackByName('Churn').template;
    const start = projectNamed(json, 'churn-start-training');
    expect(start.env.PIPELINE_NAME).toBe('churn-own');
    expect(start.commands.find((c) => c.includes('start-pipeline-execution'))).toContain(
      '--pipeline-parameters Name=CodeUri,Value="$CODE_URI/" Name=TrainingImageUri,Value="$TRAINING_REPOSITORY_URI:$REVISION" --query');
    expect(projectNamed(json, 'churn-upload-code').env.REQUIRED_FILES).toBe('');
    const source = buildPipelineOf(json).Stages[0].Actions[0];
    expect(source.Configuration).toMatchObject({ ConnectionArn: CONNECTION, FullRepositoryId: 'acme/churn', BranchName: 'main' });
    const uses = actionsOf(statementsOfRole(json, source.RoleArn['Fn::GetAtt'][0])).filter((a) => a.endsWith(':UseConnection'));
    expect(uses).toEqual(['codestar-connections:UseConnection']);
    expect(resourcesOf(json, 'AWS::CodeConnections::Connection')).toEqual([]);
  });

  test('a pipeline that does not declare what the build passes is refused at synth', () => {
    const app = new App();
    const stack = new Stack(app, 'Churn', { env: ENV });
    new MlopsProject(stack, 'Project', {
      projectName: 'churn', trainingPipeline: ownPipeline(stack, ['TrainingImageUri']),
      buildPipeline: { source: ProjectSource.connection({ connectionArn: CONNECTION, repository: 'acme/churn' }), trainingDockerfile: 'Dockerfile' },
    });
    expect(() => app.synth()).toThrow(/Invalid prop `trainingPipeline`: received "churn-own". The build starts it with the parameter CodeUri, which it does not declare/);
  });
});

describe('MlopsProject without a build', () => {
  test('has no build pipeline, repository, CodeBuild project or connection, and its pipeline no commit parameters', () => {
    const built = buildProject({ training }, { compliance: false });
    expect(built.project.buildPipeline).toBeUndefined();
    expect(built.project.trainingImageRepository).toBeUndefined();
    expect(resourcesOf(built.json, 'AWS::CodePipeline::Pipeline').map(([, p]) => p.Properties.Name)).toEqual(['churn-deploy']);
    for (const type of ['AWS::ECR::Repository', 'AWS::CodeBuild::Project', 'AWS::CodeConnections::Connection']) {
      expect(resourcesOf(built.json, type)).toEqual([]);
    }
    expect(Object.keys(built.json.Resources).filter((id) => id.startsWith('ProjectBuild'))).toEqual([]);
    expect(Object.keys(built.json.Outputs).filter((id) => id.startsWith('ProjectBuild'))).toEqual([]);
    const [[, pipeline]] = resourcesOf(built.json, 'AWS::SageMaker::Pipeline');
    expect(JSON.stringify(pipeline.Properties.PipelineDefinition)).not.toMatch(/Parameters\.(TrainingImageUri|InferenceImageUri|PreprocessingScriptUri|EvaluationScriptUri|CodeUri)/);
    expect(JSON.stringify(pipeline.Properties.PipelineDefinition)).toContain('Parameters.InputData');
  });
});

describe('bad build input', () => {
  const make = (props: Partial<MlopsProjectProps>, stackSetup?: (stack: Stack) => Partial<MlopsProjectProps>) => () => {
    const stack = new Stack(new App(), 'Churn', { env: ENV });
    new MlopsProject(stack, 'Project', { projectName: 'churn', training, ...props, ...(stackSetup ? stackSetup(stack) : {}) });
  };
  const gh = (o: any = {}) => ProjectSource.newConnection({ provider: ConnectionProvider.GITHUB, repository: 'acme/churn', ...o });

  test.each(([
    ['no source', { buildPipeline: {} as any }, /\[Churn\/Project\] Invalid prop `buildPipeline.source`: received undefined. It is required: a ProjectSource/],
    ['a repository without its owner', { buildPipeline: { source: gh({ repository: 'churn' }) } }, /`buildPipeline.source.repository`: received "churn". It must be `owner\/name`/],
    ['a GitHub repository with three parts', { buildPipeline: { source: gh({ repository: 'a/b/c' }) } }, /`buildPipeline.source.repository`: received "a\/b\/c". It must be `owner\/name`: letters/],
    ['a repository with a `..` part', { buildPipeline: { source: ProjectSource.connection({ connectionArn: CONNECTION, repository: 'acme/..' }) } }, /`buildPipeline.source.repository`: received "acme\/..". It must be `owner\/name` \(for GitLab/],
    ['a branch with a space', { buildPipeline: { source: gh({ branch: 'my branch' }) } }, /`buildPipeline.source.branch`: received "my branch". It must be a git branch name/],
    ['a branch with `..`', { buildPipeline: { source: gh({ branch: 'a..b' }) } }, /`buildPipeline.source.branch`: received "a..b". It must be a git branch name/],
    ['a branch ending in .lock', { buildPipeline: { source: gh({ branch: 'main.lock' }) } }, /`buildPipeline.source.branch`: received "main.lock"/],
    ['a connection ARN of another service', { buildPipeline: { source: ProjectSource.connection({ connectionArn: 'arn:aws:iam::123456789012:role/x', repository: 'a/b' }) } }, /`buildPipeline.source.connectionArn`: received "arn:aws:iam::123456789012:role\/x". It must be the ARN of a connection/],
    ['an unknown provider', { buildPipeline: { source: ProjectSource.newConnection({ provider: 'GitHubEnterpriseServer' as any, repository: 'a/b' }) } }, /`buildPipeline.source.provider`: received "GitHubEnterpriseServer". It must be one of ConnectionProvider.GITHUB/],
    ['a connection name over 32 characters', { buildPipeline: { source: gh({ connectionName: 'x'.repeat(33) }) } }, /`buildPipeline.source.connectionName`.*1 to 32 letters/],
    ['an absolute Dockerfile path', { buildPipeline: { source: gh(), trainingDockerfile: '/etc/Dockerfile' } }, /`buildPipeline.trainingDockerfile`: received "\/etc\/Dockerfile". It must be a path relative to the repository's root/],
    ['a Dockerfile outside the repository', { buildPipeline: { source: gh(), inferenceDockerfile: '../Dockerfile' } }, /`buildPipeline.inferenceDockerfile`: received "..\/Dockerfile". It must be a path relative.*no `.` or `..` part/],
    ['a Dockerfile path with shell characters', { buildPipeline: { source: gh(), trainingDockerfile: 'Dockerfile;rm -rf x' } }, /`buildPipeline.trainingDockerfile`: received "Dockerfile;rm -rf x"/],
    ['a build context without its Dockerfile', { buildPipeline: { source: gh(), inferenceBuildContext: 'serve' } }, /`buildPipeline.inferenceBuildContext`: received "serve". It needs `buildPipeline.inferenceDockerfile`/],
    ['a code directory with `..`', { buildPipeline: { source: gh(), codeDirectory: 'pipeline/../..' } }, /`buildPipeline.codeDirectory`: received "pipeline\/..\/..". It must be a path relative/],
    ['base images without a Dockerfile', { buildPipeline: { source: gh(), baseImages: [ContainerImage.scikitLearn()] } }, /`buildPipeline.baseImages`: received "1 image\(s\)". Base images are for the Dockerfiles/],
    ['a base image that is not a ContainerImage', { buildPipeline: { source: gh(), trainingDockerfile: 'Dockerfile', baseImages: ['python:3.12' as any] } }, /`buildPipeline.baseImages\[0\]`: received "python:3.12". It must be a ContainerImage/],
    ['a Lambda compute for the image build', { buildPipeline: { source: gh(), trainingDockerfile: 'Dockerfile', imageBuildComputeType: codebuild.ComputeType.LAMBDA_1GB } }, /`buildPipeline.imageBuildComputeType`: received "BUILD_LAMBDA_1GB". It must be one of/],
    ['a build without a training pipeline', { training: undefined, buildPipeline: { source: gh() } }, /`buildPipeline`: received "a build pipeline without a training pipeline". The build starts the project's training pipeline/],
    ['inputParameters of its own with a build', { training: { ...training, inputParameters: { scripts: true } }, buildPipeline: { source: gh() } }, /`training.inputParameters`.*The project sets it when it has a build pipeline/],
    ['a script whose file name is known only at deploy time', {
      training: { ...training, evaluationScript: { s3Uri: Fn.importValue('EvaluationScriptUri') } }, buildPipeline: { source: gh() },
    }, /`training.evaluationScript`.*its file name must be known at synth/],
    ['an S3 key that is not a zip', {}, /`buildPipeline.source.key`: received "source.tar". It must be the key of a .zip object/, (stack: Stack) => ({
      buildPipeline: { source: ProjectSource.s3Object({ bucket: new ArtifactBucket(stack, 'Src').bucket, key: 'source.tar' }) },
    })],
    ['an unversioned source bucket', {}, /`buildPipeline.source.bucket`: received "Churn\/Plain". CodePipeline reads an S3 source only from a versioned bucket/, (stack: Stack) => ({
      buildPipeline: { source: ProjectSource.s3Object({ bucket: new s3.Bucket(stack, 'Plain'), key: 'source.zip' }) },
    })],
    ['a source bucket without EventBridge', {}, /`buildPipeline.source.bucket`: received "Churn\/Quiet". The build pipeline starts on the bucket's Object Created events/, (stack: Stack) => ({
      buildPipeline: { source: ProjectSource.s3Object({ bucket: new s3.Bucket(stack, 'Quiet', { versioned: true }), key: 'source.zip' }) },
    })],
    ['a CodeCommit source without a repository', { buildPipeline: { source: ProjectSource.codeCommit({} as any) } }, /`buildPipeline.source.repository`: received undefined. It must be an existing CodeCommit repository.*closed to new AWS customers/],
  ] as Array<[string, Partial<MlopsProjectProps>, RegExp, ((stack: Stack) => Partial<MlopsProjectProps>)?]>)
    // Every row has a setup (jest passes a callback in place of a missing last argument).
    .map(([name, props, message, setup]) => [name, props, message, setup ?? null] as const))('refuses %s', (_name, props, message, setup) => {
    expect(make(props, setup ?? undefined)).toThrow(message);
  });
});
