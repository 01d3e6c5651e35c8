import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { IConstruct } from 'constructs';
import { InstanceType } from '../../core/instance-type';
import { TrafficRoutingType } from '../../endpoint/deployment';
import { check, checkIntegerRange, propError } from '../../private/errors';
import { loopSettings, LoopSettings } from './loop-settings';
import { MlopsProjectProps, StagingMode } from '../project-props';

/** The project's props with every default applied, once (the one place defaults live). */
export interface ProjectSettings {
  readonly name: string;
  readonly stagingMode: StagingMode;
  readonly stagingInstanceType: InstanceType;
  readonly stagingInstanceCount: number;
  readonly serverless?: { readonly memoryMiB: number; readonly maxConcurrency: number };
  readonly prodInstanceType: InstanceType;
  readonly prodInstanceCount: number;
  readonly bakeTime: Duration;
  readonly approvalTimeout: Duration;
  readonly rollbackOnRejection: boolean;
  readonly executionMode: codepipeline.ExecutionMode;
  readonly allowedInstanceTypes: InstanceType[];
  readonly monitored: boolean;
  readonly capturePercentage?: number;
  readonly autoscalingMaxCapacity?: number;
  /**
   * Stage stacks and endpoints: `<project>-staging`, `<project>-prod`; `account` only for a stage
   * in another account than the project stack's.
   */
  readonly staging: StageLocation;
  readonly prod: StageLocation;
  /** Whether a stage runs in another account. */
  readonly crossAccount: boolean;
  /** Chat, retraining and feature store. */
  readonly loop: LoopSettings;
  readonly test: {
    readonly contentType: string;
    readonly accept: string;
    readonly invocationsPerSample: number;
    readonly latencyPercentile: number;
    readonly latencyThreshold: Duration;
  };
}

/** Where a stage's stack and endpoint are. */
export interface StageLocation {
  readonly stackName: string;
  readonly endpointName: string;
  /** The stage's account, when it is not the project stack's. */
  readonly account?: string;
}

const NAME = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;
const SERVERLESS_MEMORY = [1024, 2048, 3072, 4096, 5120, 6144];

/** Validate the props (every rule names the prop, the value and the rule) and apply the defaults. */
export function projectSettings(where: IConstruct, props: MlopsProjectProps): ProjectSettings {
  check(props !== undefined && props !== null && typeof props === 'object', where, 'props', props,
    'They are required: at least `projectName`');
  const name = props.projectName;
  check(typeof name === 'string' && NAME.test(name) && !name.includes('--'), where, 'projectName', name,
    'It must be 2 to 24 lower-case letters, digits and single dashes, starting with a letter and ending with a letter or digit ' +
    '(it is part of the names of stacks, pipelines and endpoints)');
  check(!(props.training && props.trainingPipeline), where, 'trainingPipeline', 'a training pipeline',
    'Give either `training` (the standard pipeline the project creates) or `trainingPipeline` (your own), not both');
  if (props.training) {
    for (const p of ['foundation', 'modelPackageGroup', 'modelPackageGroupName', 'encryptionKey', 'artifactBucket'] as const) {
      check(props.training[p] === undefined, where, `training.${p}`, props.training[p],
        'The project sets it: its training pipeline registers into the project\'s model package group on the project\'s foundation');
    }
  }
  const mode = props.staging?.mode ?? StagingMode.EPHEMERAL;
  check(Object.values(StagingMode).includes(mode), where, 'staging.mode', mode, `It must be one of StagingMode.${Object.keys(StagingMode).join(', StagingMode.')}`);
  const prodType = props.prod?.instanceType ?? InstanceType.ML_M5_LARGE;
  const stagingType = props.staging?.instanceType ?? prodType;
  prodType._checkFor(where, 'prod.instanceType', 'hosting');
  stagingType._checkFor(where, 'staging.instanceType', 'hosting');
  const prodCount = props.prod?.instanceCount ?? 2;
  const stagingCount = props.staging?.instanceCount ?? 1;
  checkIntegerRange(where, 'prod.instanceCount', prodCount, 1, 100);
  checkIntegerRange(where, 'staging.instanceCount', stagingCount, 1, 100);
  const bake = props.prod?.bakeTime ?? Duration.minutes(10);
  checkIntegerRange(where, 'prod.bakeTime (minutes)', bake.toMinutes({ integral: false }), 1, 1440);
  const approvalTimeout = props.approvalTimeout ?? Duration.hours(24);
  checkIntegerRange(where, 'approvalTimeout (minutes)', approvalTimeout.toMinutes({ integral: false }), 5, 60 * 24 * 60);
  const executionMode = props.executionMode ?? codepipeline.ExecutionMode.QUEUED;
  check(executionMode !== codepipeline.ExecutionMode.PARALLEL, where, 'executionMode', executionMode,
    'PARALLEL has no stage rollback (CodePipeline): use QUEUED (the default) or SUPERSEDED');

  const e = props.endpoint ?? {};
  const monitored = e.dataQualityMonitor ?? false;
  const capturePercentage = e.dataCapturePercentage ?? (monitored ? 20 : undefined);
  if (e.dataCapturePercentage !== undefined) {
    checkIntegerRange(where, 'endpoint.dataCapturePercentage', e.dataCapturePercentage, 1, 100);
  }
  if (e.autoscalingMaxCapacity !== undefined) {
    checkIntegerRange(where, 'endpoint.autoscalingMaxCapacity', e.autoscalingMaxCapacity, Math.max(prodCount, stagingCount), 100);
  }
  const allowed = e.allowedInstanceTypes ?? uniqueTypes([prodType, stagingType]);
  allowed.forEach((t, i) => t._checkFor(where, `endpoint.allowedInstanceTypes[${i}]`, 'hosting'));
  for (const [prop, t] of [['prod.instanceType', prodType], ['staging.instanceType', stagingType]] as const) {
    check(allowed.some((a) => a.name === t.name), where, prop, t.name, 'It must be one of `endpoint.allowedInstanceTypes`');
  }

  let serverless: ProjectSettings['serverless'];
  if (mode === StagingMode.SERVERLESS) {
    serverless = { memoryMiB: props.staging?.serverlessMemoryMiB ?? 2048, maxConcurrency: props.staging?.serverlessMaxConcurrency ?? 5 };
    check(SERVERLESS_MEMORY.includes(serverless.memoryMiB), where, 'staging.serverlessMemoryMiB', serverless.memoryMiB,
      `It must be one of ${SERVERLESS_MEMORY.join(', ')} (SageMaker Serverless Inference)`);
    checkIntegerRange(where, 'staging.serverlessMaxConcurrency', serverless.maxConcurrency, 1, 200);
    const refuse = (prop: string, value: unknown, what: string) => {
      throw propError(where, prop, value, `Serverless staging cannot test an endpoint with ${what}: SageMaker Serverless Inference does ` +
        'not support it, and the stage template is the same for every stage. Choose StagingMode.EPHEMERAL (the default) or turn it off');
    };
    if (e.networkIsolation ?? true) { refuse('endpoint.networkIsolation', e.networkIsolation ?? true, 'network isolation (on by default; set `endpoint.networkIsolation: false`)'); }
    if (capturePercentage !== undefined) { refuse('endpoint.dataCapturePercentage', capturePercentage, 'data capture'); }
    if (monitored) { refuse('endpoint.dataQualityMonitor', true, 'a monitor'); }
    if (e.autoscalingMaxCapacity !== undefined) { refuse('endpoint.autoscalingMaxCapacity', e.autoscalingMaxCapacity, 'autoscaling of instances'); }
    const routing = e.deployment?.trafficRouting?.type;
    if (routing !== undefined && routing !== TrafficRoutingType.ALL_AT_ONCE) { refuse('endpoint.deployment.trafficRouting', routing, 'canary or linear traffic shifting'); }
    if (/^ml\.(g|p|inf|trn)/.test(prodType.name)) { refuse('prod.instanceType', prodType.name, 'a GPU or accelerator instance type'); }
    check(props.foundation?.vpc === undefined, where, 'foundation.vpc', 'a VPC', 'Serverless staging cannot run in a VPC (SageMaker Serverless Inference)');
  }
  check(props.foundation?.vpc === undefined, where, 'foundation.vpc', 'a VPC',
    'The deploy flow does not run endpoints in a VPC yet: give MlopsProject a foundation without a VPC (the constructs outside a project take one)');

  const t = props.stagingTest;
  const test = {
    contentType: t?.contentType ?? 'text/csv',
    accept: t?.accept ?? t?.contentType ?? 'text/csv',
    invocationsPerSample: t?.invocationsPerSample ?? 5,
    latencyPercentile: t?.latencyPercentile ?? 90,
    latencyThreshold: t?.latencyThreshold ?? Duration.seconds(2),
  };
  checkIntegerRange(where, 'stagingTest.invocationsPerSample', test.invocationsPerSample, 1, 100);
  checkIntegerRange(where, 'stagingTest.latencyPercentile', test.latencyPercentile, 1, 100);
  check(test.latencyThreshold.toMilliseconds() > 0, where, 'stagingTest.latencyThreshold', test.latencyThreshold, 'It must be longer than zero');
  if (t) {
    check(typeof t.samplesDirectory === 'string' && t.samplesDirectory.length > 0, where, 'stagingTest.samplesDirectory', t.samplesDirectory,
      'It is required: a local folder of sample payloads');
  }
  for (const email of props.notificationEmails ?? []) {
    check(typeof email === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email), where, 'notificationEmails', email, 'It must be an e-mail address');
  }
  const stagingName = `${name}-staging`;
  const stagingAccount = stageAccount(where, 'staging.account', props.staging?.account);
  const prodAccount = stageAccount(where, 'prod.account', props.prod?.account);
  const crossAccount = stagingAccount !== undefined || prodAccount !== undefined;
  if (crossAccount) {
    const stack = Stack.of(where);
    check(!Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region), where, 'env', 'an environment-agnostic stack',
      'A stage in another account needs the project stack\'s account and region as literals (`env: { account, region }`): ' +
      'the target accounts\' roles and policies name them');
    check(prodAccount === undefined || bake.toMinutes({ integral: false }) <= 12, where, 'prod.bakeTime', bake,
      'Prod in another account bakes in the deploy actions function (CodePipeline\'s alarm rule reads the pipeline account\'s alarms only), ' +
      'which runs at most 15 minutes: give at most 12 minutes');
    check(mode !== StagingMode.SERVERLESS || stagingAccount === undefined, where, 'staging.mode', mode,
      'Serverless staging runs in the project\'s account only: use StagingMode.EPHEMERAL or PERSISTENT for staging in another account');
  }
  return {
    name,
    stagingMode: mode,
    stagingInstanceType: stagingType,
    stagingInstanceCount: stagingCount,
    serverless,
    prodInstanceType: prodType,
    prodInstanceCount: prodCount,
    bakeTime: bake,
    approvalTimeout,
    rollbackOnRejection: props.rollbackOnRejection ?? true,
    executionMode,
    allowedInstanceTypes: allowed,
    monitored,
    capturePercentage,
    autoscalingMaxCapacity: e.autoscalingMaxCapacity,
    staging: { stackName: stagingName, endpointName: stagingName, account: stagingAccount },
    prod: { stackName: `${name}-prod`, endpointName: `${name}-prod`, account: prodAccount },
    crossAccount,
    test,
    loop: loopSettings(where, props, { name, monitored }),
  };
}

/** A stage's account: a literal of 12 digits; undefined when it is the project stack's own. */
function stageAccount(where: IConstruct, prop: string, account: string | undefined): string | undefined {
  if (account === undefined) { return undefined; }
  check(typeof account === 'string' && !Token.isUnresolved(account), where, prop, account,
    'It must be a literal account ID: the deploy pipeline\'s roles, the resource policies and the target account\'s stack are named after it at synth');
  check(/^\d{12}$/.test(account), where, prop, account, 'An account ID is exactly 12 digits');
  const own = Stack.of(where).account;
  return !Token.isUnresolved(own) && own === account ? undefined : account;
}

function uniqueTypes(types: InstanceType[]): InstanceType[] {
  const seen = new Set<string>();
  return types.filter((t) => (seen.has(t.name) ? false : (seen.add(t.name), true)));
}

