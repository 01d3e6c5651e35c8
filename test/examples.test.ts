import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { Construct, IConstruct } from 'constructs';
import * as lib from '../lib';
import { MlopsProject, SchemaLockContext, SchemaLockMode, StagingMode } from '../lib';
import { EXAMPLES } from '../examples';
import { cdkNagPacks, compliancePlugins } from '../examples/compliance';
import { alwaysOnCosts, CostLine, PRICES } from '../examples/costs';
import { MULTI_ACCOUNT } from '../examples/multi-account';
import { quickstartProps } from '../examples/quickstart';
import { formatFindings, STRICT_VALIDATION_CONTEXT, unacknowledgedFindings } from './helpers/compliance';
import { expectReadmeBlock, markdownTable } from './helpers/readme-blocks';
import { pipelineDefinitionOf } from './helpers/fixtures';

/*
 * The examples as the main job builds them (one app, every example: bin/app.ts), twice: with
 * aws-cdk-lib's defaults (a consumer app without feature flags) and with the recommended flags the
 * repository's cdk.json sets (what `cdk init` writes). Each app is synthesized once.
 *
 * Compliance: the defaults app runs every check (the 4 cdk-nag packs, the Guard rules and
 * aws-cdk-lib's CloudFormation schema validation); the recommended-flags app runs the cdk-nag packs
 * (they read the constructs, where the flags change what is rendered). The Guard rules and the
 * schema validation see the recommended templates in the main job (`npx cdk synth`, cdk.json's
 * context), as does cfn-lint; running them here again would double this file's time.
 */

const REPO = path.join(__dirname, '..');
const CDK_JSON = JSON.parse(fs.readFileSync(path.join(REPO, 'cdk.json'), 'utf-8'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RECOMMENDED: { [flag: string]: unknown } = require('aws-cdk-lib/recommended-feature-flags.json');
const COMMITTED_LOCK = path.join(REPO, 'feature-store.lock.json');

interface Built {
  readonly app: App;
  readonly assembly: CloudAssembly;
  /** Each example's main stack, by example name. */
  readonly main: Map<string, Stack>;
  /** The findings no one acknowledged. */
  readonly findings: string;
}

/**
 * The example app with `context`; the feature store's schema lock is a copy of the committed one,
 * in verify mode (a schema the lock does not record is a warning, which a test below refuses).
 */
function buildExamples(context: { [key: string]: unknown }, compliance: 'all' | 'cdk-nag'): Built {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'examples-'));
  const lock = path.join(dir, 'feature-store.lock.json');
  fs.copyFileSync(COMMITTED_LOCK, lock);
  const app = new App({
    outdir: path.join(dir, 'cdk.out'),
    context: { ...context, ...STRICT_VALIDATION_CONTEXT, [SchemaLockContext.FILE]: lock, [SchemaLockContext.MODE]: SchemaLockMode.VERIFY },
  });
  const main = new Map(EXAMPLES.map((e) => [e.name, e.add(app)] as const));
  let findings: string;
  if (compliance === 'all') {
    findings = formatFindings(unacknowledgedFindings(app));
  } else {
    Validations.of(app).addPlugins(...cdkNagPacks(app));
    findings = formatFindings(findingsOfReport(app));
  }
  // With findings the synthesis failed: the tests that need the assembly say so (the compliance test lists them).
  const assembly = findings === '' ? app.synth() : undefined;
  return {
    app, main, findings,
    get assembly(): CloudAssembly {
      if (!assembly) { throw new Error('The examples did not synthesize: they have unacknowledged compliance findings (see that test)'); }
      return assembly;
    },
  };
}

/** Synthesize `app` (its plugins registered) and read the violations of its validation report. */
function findingsOfReport(app: App) {
  try {
    app.synth();
  } catch (e: any) {
    if (!/Validation failed|ValidationFailed|validation-report/.test(String(e?.message))) { throw e; }
  }
  const file = path.join(app.outdir, 'validation-report.json');
  const report = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf-8')) : { pluginReports: [] };
  return report.pluginReports.flatMap((p: any) => p.violations.flatMap((v: any) => v.violatingConstructs.map((c: any) => (
    { plugin: p.pluginName, rule: v.ruleName, path: c.constructPath, description: v.description }))));
}

const FLAG_SETS = [
  { name: 'aws-cdk-lib\'s default flags', context: {}, compliance: 'all' as const },
  { name: 'the recommended flags of cdk.json', context: CDK_JSON.context, compliance: 'cdk-nag' as const },
];
const built = new Map<string, Built>();
const examples = (flags: string) => built.get(flags)!;

beforeAll(() => {
  for (const f of FLAG_SETS) { built.set(f.name, buildExamples(f.context, f.compliance)); }
}, 300_000);

// ---------------------------------------------------------------------------------------------
// Template helpers

const resourcesOf = (t: any, type: string): Array<[string, any]> => Object.entries<any>(t.Resources).filter(([, r]) => r.Type === type);
/** A stack's template, from the example app's assembly (synthesized once). */
const templateOf = (b: Built, stack: Stack) => b.assembly.getStackArtifact(stack.artifactId).template;
const projectOf = (stack: Stack) => stack.node.findAll().find((c): c is MlopsProject => c instanceof MlopsProject)!;

/** A stack's template file of the assembly (a stage template is a file asset of its project stack). */
function stageTemplateOf(b: Built, project: MlopsProject): any {
  return JSON.parse(fs.readFileSync(path.join(b.assembly.directory, project.stageTemplate.templateFile), 'utf-8'));
}


/** The statements of the managed policies attached to the role `roleId`. */
function statementsOfRole(t: any, roleId: string): any[] {
  return resourcesOf(t, 'AWS::IAM::ManagedPolicy')
    .filter(([, p]) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}
const actionsOf = (statements: any[]) => statements.flatMap((s) => [s.Action].flat());
/** The resources of the Allow statements that name `action` (aws-cdk-lib's minimizePolicies flag merges statements). */
const allowed = (statements: any[], action: string) => statements
  .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes(action)).flatMap((s) => [s.Resource].flat());
/** An ARN with the partition (a literal with the enablePartitionLiterals flag, else a Ref) as `aws`. */
const arnOf = (v: any): string => (typeof v === 'string' ? v
  : v['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : p.Ref === 'AWS::Partition' ? 'aws' : `<${JSON.stringify(p)}>`)).join(v['Fn::Join'][0]));
const logicalId = (construct: IConstruct) => Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as any);

/** Every warning and error the synthesis recorded (construct annotations). */
function messagesOf(assembly: CloudAssembly): string[] {
  return assembly.stacks.flatMap((s) => s.messages.filter((m) => m.level !== 'info').map((m) => `${m.level} ${m.id}: ${String(m.entry.data).slice(0, 300)}`));
}

// ---------------------------------------------------------------------------------------------
// What each example must show (checked with both flag sets)

const CHECKS: { [example: string]: (b: Built, main: Stack) => void } = {
  'quickstart': (b, stack) => {
    const t = templateOf(b, stack);
    const [[, pipeline]] = resourcesOf(t, 'AWS::SageMaker::Pipeline');
    const train = pipelineDefinitionOf(pipeline).Steps.find((s: any) => s.Type === 'Training');
    expect(train.Arguments.AlgorithmSpecification.TrainingImage).toBe('141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1');
    const deploy = resourcesOf(t, 'AWS::CodePipeline::Pipeline').map(([, p]) => p.Properties).find((p) => p.Name === 'churn-deploy');
    expect(deploy.Stages.map((s: any) => s.Name)).toEqual(['Release', 'Staging', 'Prod', 'Record']);
    expect(deploy.ExecutionMode).toBe('QUEUED');
    // Ephemeral staging (the default): deleted once prod is decided.
    expect(deploy.Stages[1].Actions.map((a: any) => a.Name)).toContain('DeleteStaging');
    expect(resourcesOf(t, 'AWS::SNS::Subscription').map(([, s]) => s.Properties.Endpoint)).toEqual(['ml-team@example.com']);
  },

  'bring-your-own-container': (b, stack) => {
    const t = templateOf(b, stack);
    const project = projectOf(stack);
    const repos = resourcesOf(t, 'AWS::ECR::Repository');
    expect(repos.map(([id]) => id).sort()).toEqual([logicalId(project.inferenceImageRepository!), logicalId(project.trainingImageRepository!)].sort());
    for (const [, r] of repos) {
      expect(r.Properties).toMatchObject({ ImageTagMutability: 'IMMUTABLE', ImageScanningConfiguration: { ScanOnPush: true }, EncryptionConfiguration: { EncryptionType: 'KMS' } });
      expect(r.DeletionPolicy).toBe('Retain');
    }
    expect(resourcesOf(t, 'AWS::CodeConnections::Connection').map(([, c]) => c.Properties)).toEqual([{ ConnectionName: 'forecast-source', ProviderType: 'GitHub' }]);
    const build = resourcesOf(t, 'AWS::CodePipeline::Pipeline').map(([, p]) => p.Properties).find((p) => p.Name === 'forecast-build');
    expect(build.Stages.map((s: any) => [s.Name, s.Actions.map((a: any) => a.Name)])).toEqual([
      ['Source', ['Source']], ['BuildImages', ['TrainingImage', 'InferenceImage']], ['Code', ['Upload']], ['Train', ['StartTraining']],
    ]);
    // One privileged image build per Dockerfile, each pushing to its own repository.
    const imageBuilds = resourcesOf(t, 'AWS::CodeBuild::Project').map(([, p]) => p.Properties).filter((p) => p.Environment.PrivilegedMode);
    const env = (p: any) => Object.fromEntries(p.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
    expect(imageBuilds.map((p) => [p.Name, env(p).DOCKERFILE, env(p).BUILD_CONTEXT]).sort()).toEqual([
      ['forecast-inference-image', 'docker/serve/Dockerfile', 'docker/serve'],
      ['forecast-training-image', 'docker/train/Dockerfile', 'docker/train'],
    ]);
    // The training pipeline runs each commit's images: they are parameters of its definition.
    const [[, pipeline]] = resourcesOf(t, 'AWS::SageMaker::Pipeline');
    const definition = pipelineDefinitionOf(pipeline);
    expect(definition.Parameters.map((p: any) => p.Name)).toEqual(expect.arrayContaining(['TrainingImageUri', 'InferenceImageUri']));
    const train = definition.Steps.find((s: any) => s.Type === 'Training');
    expect(train.Arguments.AlgorithmSpecification.TrainingImage).toEqual({ Get: 'Parameters.TrainingImageUri' });
    // The stage endpoints' model role may pull the built inference image.
    const pull = statementsOfRole(t, logicalId(project.modelRole)).filter((s) => JSON.stringify(s.Resource).includes(logicalId(project.inferenceImageRepository!)));
    expect(actionsOf(pull)).toEqual(expect.arrayContaining(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']));
  },

  'feature-store': (b, stack) => {
    const t = templateOf(b, stack);
    const project = projectOf(stack);
    const [[groupId, group]] = resourcesOf(t, 'AWS::SageMaker::FeatureGroup');
    expect(group.DeletionPolicy).toBe('Retain');
    expect(group.Properties.OnlineStoreConfig).toMatchObject({ EnableOnlineStore: true, SecurityConfig: { KmsKeyId: expect.anything() } });
    expect(group.Properties.OfflineStoreConfig).toMatchObject({ TableFormat: 'Iceberg', S3StorageConfig: { KmsKeyId: expect.anything() } });
    const groupName: string = group.Properties.FeatureGroupName;
    const groupArn = `arn:aws:sagemaker:eu-west-1:123456789012:feature-group/${groupName}`;
    // The ingestion role writes records; SageMaker copies them to the offline store.
    const ingestion = resourcesOf(t, 'AWS::IAM::Role').find(([id]) => id.startsWith('IngestionRole'))![0];
    expect(allowed(statementsOfRole(t, ingestion), 'sagemaker:PutRecord').map(arnOf)).toEqual([groupArn]);
    // The training pipeline reads the group's offline store by default.
    const [[, pipeline]] = resourcesOf(t, 'AWS::SageMaker::Pipeline');
    const input = pipelineDefinitionOf(pipeline).Parameters.find((p: any) => p.Name === 'InputData');
    expect(input.DefaultValue).toMatch(/^s3:\/\/<FoundationArtifactsBucket[0-9A-F]{8}>\/feature-store\/customers$/);
    const jobRole = logicalId((project.trainingPipeline as lib.StandardTrainingPipeline).jobRole);
    expect(allowed(statementsOfRole(t, jobRole), 's3:GetObject')).toContainEqual(
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^FoundationArtifactsBucket/), 'Arn'] }, '/feature-store/customers/*']] });
    // The endpoints read the online store, which needs the network.
    expect(allowed(statementsOfRole(t, logicalId(project.modelRole)), 'sagemaker:GetRecord').map(arnOf)).toEqual([groupArn]);
    const [[, model]] = resourcesOf(stageTemplateOf(b, project), 'AWS::SageMaker::Model');
    expect(model.Properties.EnableNetworkIsolation).toBeUndefined();
    expect(resourcesOf(t, 'AWS::Events::Rule').map(([, r]) => r.Properties.ScheduleExpression).filter((s) => s)).toEqual(['cron(0 4 ? * SUN *)']);
    expect(groupId).toBeDefined();
  },

  'multi-account': (b, stack) => {
    const a = MULTI_ACCOUNT;
    const stacks = b.assembly.stacks.filter((s) => s.stackName.startsWith('Fraud'));
    expect(stacks.map((s) => [s.stackName, s.environment.account]).sort()).toEqual([
      ['FraudProdAccount', a.prod], ['FraudStagingAccount', a.staging], ['FraudTooling', a.tooling],
    ]);
    // The tooling's deploy pipeline acts in each stage's account with the role its MlopsTargetAccount creates there.
    const deploy = resourcesOf(templateOf(b, stack), 'AWS::CodePipeline::Pipeline').map(([, p]) => p.Properties).find((p) => p.Name === 'fraud-deploy');
    const deployRoles = deploy.Stages.flatMap((s: any) => s.Actions.filter((x: any) => x.Name === 'Deploy').map((x: any) => [s.Name, arnOf(x.RoleArn)]));
    expect(deployRoles).toEqual([['Staging', `arn:aws:iam::${a.staging}:role/fraud-staging-deploy`], ['Prod', `arn:aws:iam::${a.prod}:role/fraud-prod-deploy`]]);
    for (const s of stacks.filter((x) => x.stackName !== 'FraudTooling')) {
      const stage = s.stackName === 'FraudProdAccount' ? 'prod' : 'staging';
      const names = resourcesOf(s.template, 'AWS::IAM::Role').map(([, r]) => r.Properties.RoleName);
      expect(names).toEqual(expect.arrayContaining([`fraud-${stage}-deploy`, `fraud-${stage}-cloudformation`, `fraud-${stage}-model`]));
    }
  },

  'compose-it-yourself': (b, stack) => {
    const t = templateOf(b, stack);
    expect(stack.node.findAll().some((c) => c instanceof MlopsProject)).toBe(false);
    // The platform's key: no key of its own, the artifact bucket encrypted with the imported one.
    expect(resourcesOf(t, 'AWS::KMS::Key')).toEqual([]);
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const encryptions = resourcesOf(t, 'AWS::S3::Bucket').map(([, r]) => r.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault);
    expect(encryptions).toContainEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key });
    const vpcConfig = { SecurityGroupIds: ['sg-0a1b2c3d4e5f60718'], Subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'] };
    // The endpoint, the monitor and the pipeline's jobs run in the platform's private subnets.
    const [[, model]] = resourcesOf(t, 'AWS::SageMaker::Model');
    expect(model.Properties.VpcConfig).toEqual(vpcConfig);
    expect(resourcesOf(t, 'AWS::SageMaker::DataQualityJobDefinition')[0][1].Properties.NetworkConfig.VpcConfig).toEqual(vpcConfig);
    const [[, pipeline]] = resourcesOf(t, 'AWS::SageMaker::Pipeline');
    const jobs = pipelineDefinitionOf(pipeline).Steps.filter((s: any) => ['Processing', 'Training', 'QualityCheck'].includes(s.Type));
    expect(jobs.length).toBeGreaterThanOrEqual(3);
    for (const job of jobs) { expect(job.Arguments.NetworkConfig?.VpcConfig ?? job.Arguments.VpcConfig).toEqual(vpcConfig); }
    // The served version is pinned; its update is a canary, rolled back by the alarms.
    const [[, endpoint]] = resourcesOf(t, 'AWS::SageMaker::Endpoint');
    expect(endpoint.Properties.DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration).toMatchObject({ Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 } });
    expect(model.Properties.PrimaryContainer.ModelPackageName).toBe('arn:aws:sagemaker:eu-west-1:123456789012:model-package/pricing/4');
    expect(resourcesOf(t, 'AWS::ApplicationAutoScaling::ScalableTarget')[0][1].Properties).toMatchObject({ MinCapacity: 2, MaxCapacity: 6 });
    // The drift alarm starts the training pipeline again.
    const starts = resourcesOf(t, 'AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties.Targets ?? []).includes(':pipeline/pricing-training'));
    expect(starts.map(([, r]) => r.Properties.ScheduleExpression ?? r.Properties.EventPattern['detail-type'][0]).sort())
      .toEqual(['CloudWatch Alarm State Change', 'cron(0 3 ? * MON *)']);
  },
};

describe.each(FLAG_SETS.map((f) => [f.name, f] as const))('the examples with %s', (flags) => {
  test('synthesize with nothing left unacknowledged by the compliance checks', () => {
    expect(examples(flags).findings).toBe('');
  });

  test('print no warning (a readable main job; the committed schema lock records every feature group as it is)', () => {
    expect(messagesOf(examples(flags).assembly)).toEqual([]);
  });

  test.each(EXAMPLES.map((e) => [e.name] as const))('%s: what the example is about', (name) => {
    const b = examples(flags);
    CHECKS[name](b, b.main.get(name)!);
  });
});

test('every example has its checks', () => {
  expect(Object.keys(CHECKS).sort()).toEqual(EXAMPLES.map((e) => e.name).sort());
});

test('the Guard plugin, run with the rule files of the templates\' resource types only, finds what all the rule files find', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-'));
  const file = path.join(dir, 'template.json');
  // A bucket without encryption, logging or versioning, a queue without a dead-letter queue, a function outside a VPC.
  fs.writeFileSync(file, JSON.stringify({ Resources: {
    Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
    Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: 'arn:aws:iam::123456789012:role/r', Code: { ZipFile: 'x' }, Runtime: 'nodejs20.x', Handler: 'index.h' } },
  } }));
  const context = { templatePaths: [file], stackTemplates: [], appConstruct: new App() } as any;
  const rules = (report: any) => report.violations.map((v: any) => v.ruleName).sort();
  const relevant = rules(compliancePlugins(new App()).find((p) => p.name === 'cdk-validator-cfnguard')!.validate(context));
  expect(relevant.length).toBeGreaterThanOrEqual(5);
  expect(relevant).toEqual(rules(new CfnGuardValidator().validate(context)));
});

test('cdk.json sets aws-cdk-lib\'s recommended feature flags (so `cdk synth` reports none unconfigured)', () => {
  expect(Object.keys(RECOMMENDED).length).toBeGreaterThan(50);
  expect(CDK_JSON.context).toMatchObject(RECOMMENDED);
});

// ---------------------------------------------------------------------------------------------
// The README's generated tables

/** The library's construct classes (an acknowledgment's place is shown from the nearest one). */
const LIBRARY_CLASSES = new Set<unknown>(Object.values(lib).filter((v: any) => typeof v === 'function' && v.prototype instanceof Construct));

interface AckRow { readonly rule: string; readonly where: string; readonly reason: string }

/** Every acknowledgment of the synthesized examples: its rule (without the finding's detail), its place and its reason. */
function acknowledgments(app: App): AckRow[] {
  const rows: AckRow[] = [];
  for (const c of app.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) { continue; }
      for (const [id, reason] of Object.entries<string>(m.data)) {
        const rule = id.replace(/^Annotation::/, '').replace(/^cdk-validator-cfnguard::/, 'Guard ').replace(/\[.*$/, '');
        rows.push({ rule, where: placeOf(c), reason });
      }
    }
  }
  return rows;
}

/** `<nearest library construct class>/<path below it>`, or the path in its stack for the app's own constructs. */
function placeOf(c: IConstruct): string {
  const scopes = c.node.scopes;
  for (let i = scopes.length - 2; i >= 0; i--) {
    if (LIBRARY_CLASSES.has(scopes[i].constructor)) {
      return `${scopes[i].constructor.name}/${scopes.slice(i + 1).map((s) => s.node.id).join('/')}`;
    }
  }
  return scopes.filter((s) => !Stage.isStage(s)).map((s) => s.node.id).join('/');
}

/** One row per reason: the rules it acknowledges, where, how many times in the examples. */
function acknowledgmentTable(rows: AckRow[]): string {
  const byReason = new Map<string, { rules: Set<string>; where: Set<string>; count: number }>();
  for (const r of rows) {
    const e = byReason.get(r.reason) ?? { rules: new Set(), where: new Set(), count: 0 };
    e.rules.add(r.rule);
    e.where.add(r.where);
    e.count++;
    byReason.set(r.reason, e);
  }
  const lines = [...byReason].map(([reason, e]) => [[...e.rules].sort().join(', '), [...e.where].sort().map((w) => `\`${w}\``).join(', '), `${e.count}`, reason]);
  lines.sort((x, y) => x[0].localeCompare(y[0]) || x[1].localeCompare(y[1]) || x[3].localeCompare(y[3]));
  return markdownTable(['Rules', 'Acknowledged on', 'In the examples', 'Why'], ['l', 'l', 'r', 'l'], lines);
}

function cfnLintTable(): string {
  const acks: Array<{ rule: string; resource: string; reason: string }> = JSON.parse(fs.readFileSync(path.join(REPO, '.cfnlint-acknowledgments.json'), 'utf-8'));
  return markdownTable(['cfn-lint rule', 'Resources (logical id)', 'Why'], ['l', 'l', 'l'], acks.map((a) => [a.rule, `\`${a.resource}\``, a.reason]));
}

describe('the README', () => {
  const defaults = () => examples(FLAG_SETS[0].name);

  test('lists the examples and their stacks', () => {
    const b = defaults();
    const rows = EXAMPLES.map((e) => {
      const stacks = b.assembly.stacks.filter((s) => s.stackName === b.main.get(e.name)!.stackName
        || (e.name === 'multi-account' && s.stackName.startsWith('Fraud'))).map((s) => `\`${s.stackName}\``);
      return [`[${e.name}](examples/${e.name}.ts)`, e.title, stacks.join(', ')];
    });
    expect(rows.flatMap((r) => r[2].split(', ')).length).toBe(b.assembly.stacks.length);
    expectReadmeBlock('examples', markdownTable(['Example', 'What it shows', 'Stacks (`npx cdk synth <stack>`)'], ['l', 'l', 'l'], rows));
  });

  test('lists every acknowledged compliance finding of the examples, with its reason', () => {
    const rows = acknowledgments(defaults().app);
    expect(rows.length).toBeGreaterThan(100);
    // A reason is read by people: no unresolved token in it.
    expect(rows.filter((r) => /\$\{Token\[/.test(r.reason)).map((r) => `${r.where}: ${r.reason}`)).toEqual([]);
    // The flags change no acknowledgment.
    expect(acknowledgmentTable(acknowledgments(examples(FLAG_SETS[1].name).app))).toBe(acknowledgmentTable(rows));
    expectReadmeBlock('acknowledgments', acknowledgmentTable(rows));
    expectReadmeBlock('cfn-lint-acknowledgments', cfnLintTable());
  });

  test('gives what runs all the time and its monthly cost for each staging mode, from the synthesized templates', () => {
    const modes = [StagingMode.EPHEMERAL, StagingMode.SERVERLESS, StagingMode.PERSISTENT];
    const costs = new Map<StagingMode, CostLine[]>();
    const b = defaults();
    const quickstart = projectOf(b.main.get('quickstart')!);
    costs.set(StagingMode.EPHEMERAL, alwaysOnCosts(templateOf(b, b.main.get('quickstart')!), stageTemplateOf(b, quickstart)));
    for (const mode of modes.slice(1)) {
      const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'costs-')) });
      const stack = new Stack(app, 'ChurnProject', { env: { account: '123456789012', region: 'eu-west-1' } });
      const props = quickstartProps();
      // Serverless endpoints have no network isolation, data capture or monitor.
      const project = new MlopsProject(stack, 'Churn', { ...props, staging: { mode }, endpoint: mode === StagingMode.SERVERLESS ? { networkIsolation: false } : props.endpoint });
      const assembly = app.synth();
      costs.set(mode, alwaysOnCosts(assembly.getStackByName('ChurnProject').template,
        JSON.parse(fs.readFileSync(path.join(assembly.directory, project.stageTemplate.templateFile), 'utf-8'))));
    }
    const ephemeral = costs.get(StagingMode.EPHEMERAL)!;
    // 2 x ml.m5.large in prod; staging costs nothing between releases unless persistent.
    expect(ephemeral.find((l) => l.item === 'Prod endpoint')).toEqual({ item: 'Prod endpoint', quantity: '2 x ml.m5.large', usd: 167.9 });
    expect(ephemeral.find((l) => l.item === 'Staging endpoint')!.usd).toBe(0);
    expect(costs.get(StagingMode.PERSISTENT)!.find((l) => l.item === 'Staging endpoint')).toEqual({ item: 'Staging endpoint', quantity: '1 x ml.m5.large', usd: 83.95 });
    const money = (n: number) => `$${n.toFixed(2)}`;
    const rows = ephemeral.map((line, i) => [line.item, ...modes.map((m) => {
      const l = costs.get(m)![i];
      return l.usd === 0 && !/^\d+$/.test(l.quantity) ? l.quantity : `${l.quantity}: ${money(l.usd)}`;
    })]);
    rows.push(['**Total per month**', ...modes.map((m) => `**${money(costs.get(m)!.reduce((n, l) => n + l.usd, 0))}**`)]);
    expectReadmeBlock('costs', markdownTable(['Always on', ...modes.map((m) => `\`StagingMode.${m}\``)], ['l', 'l', 'l', 'l'], rows)
      + `\nPrices: ${PRICES.region}, on demand, ${PRICES.asOf}: ml.m5.large $${PRICES.endpointInstanceHour['ml.m5.large']} an hour `
      + `(${PRICES.hoursPerMonth} hours a month), a KMS key $${PRICES.kmsKeyMonth} a month, an alarm metric $${PRICES.alarmMetricMonth.toFixed(2)}, `
      + `a dashboard $${PRICES.dashboardMonth}; free tiers not counted.\n`);
  });
});
