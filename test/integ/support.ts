/*
 * What the integration apps share: teardown of their stateful resources, the seeded training
 * data, a gzipped tar writer for a model archive, and a chain of assertion calls. Not an integ app
 * itself (integ-runner runs only files named `integ.*.ts`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { ExpectedResult, IApiCall, IDeployAssert } from '@aws-cdk/integ-tests-alpha';
import { Annotations, ArnFormat, CustomResource, Duration, Mixins, RemovalPolicies, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IDependable } from 'constructs';
import { ContainerImage, IModelPackageGroup, InstanceType, MetricComparison } from '../../lib/core';

/**
 * The longest an assertion may wait: CloudFormation gives a custom resource (each assertion is
 * one, and its waiter answers it) at most an hour.
 */
export const LONGEST_WAIT = Duration.minutes(55);

/** Where the seeded data set goes in the foundation's bucket (the training pipeline's `InputData`). */
export const TRAINING_INPUT_PREFIX = 'integ/input';

/** The end states of a SageMaker pipeline execution (DescribePipelineExecution's PipelineExecutionStatus). */
export const PIPELINE_ENDED = '^(Succeeded|Failed|Stopped)$';

/** The folder of the integ apps' scripts, samples and baselines. */
export const INTEG_ASSETS = path.join(__dirname, 'assets');

/**
 * Make everything in `stack` go away with it. The library retains stateful data by default
 * (buckets, keys, model package groups, log groups, dead-letter queues); an integ stack holds only
 * test data, so here every resource is deleted with the stack and every bucket is emptied first
 * (aws-cdk-lib's auto-delete-objects mixin: it denies new writes, then deletes every object
 * version). Call it once every construct of the stack exists.
 */
export function disposable(stack: Stack): void {
  RemovalPolicies.of(stack).destroy();
  Mixins.of(stack).apply(new s3.mixins.BucketAutoDeleteObjects());
}

/** Props of an {@link IntegTeardown}. */
export interface IntegTeardownProps {
  /** Stacks the test makes outside the integ stack (deleted first, and waited for). */
  readonly stackNames?: string[];
  /** The role CloudFormation deletes those stacks with (the role they were deployed with). */
  readonly stackRole?: iam.IRole;
  /** A model package group whose versions are deleted (after the stacks are gone). */
  readonly modelPackageGroup?: IModelPackageGroup;
  /** What must stay until the teardown is done (it is created after them and deleted before them). */
  readonly dependsOn?: IDependable[];
}

/**
 * When the integ stack is deleted, first delete what the test made that the stack does not own:
 * the stacks a deploy pipeline created (an ephemeral staging stack left by a failed run, a prod
 * stack), then the versions registered into the model package group (which SageMaker requires
 * before it deletes the group). Handlers: test/integ/assets/teardown/index.js.
 */
export class IntegTeardown extends Construct {
  constructor(scope: Construct, id: string, props: IntegTeardownProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const code = lambda.Code.fromAsset(path.join(INTEG_ASSETS, 'teardown'));
    const handler = (name: string, entry: string) => new lambda.Function(this, name, {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      code,
      handler: `index.${entry}`,
      timeout: Duration.minutes(5),
      description: 'Integration test teardown: stacks the test made, then model package versions',
    });
    const onEvent = handler('OnEvent', 'onEvent');
    const isComplete = handler('IsComplete', 'isComplete');
    const stackNames = props.stackNames ?? [];
    const statements: iam.PolicyStatement[] = [];
    if (stackNames.length > 0) {
      statements.push(new iam.PolicyStatement({
        actions: ['cloudformation:DescribeStacks', 'cloudformation:DeleteStack'],
        resources: stackNames.map((name) => stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${name}/*` })),
      }));
      if (props.stackRole) {
        statements.push(new iam.PolicyStatement({
          actions: ['iam:PassRole'], resources: [props.stackRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
        }));
      }
    }
    if (props.modelPackageGroup) {
      // ListModelPackages has no resource scope.
      statements.push(new iam.PolicyStatement({ actions: ['sagemaker:ListModelPackages'], resources: ['*'] }));
      statements.push(new iam.PolicyStatement({
        actions: ['sagemaker:DeleteModelPackage'],
        resources: [stack.formatArn({
          service: 'sagemaker', resource: 'model-package', resourceName: `${props.modelPackageGroup.modelPackageGroupName}/*`,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        })],
      }));
    }
    for (const fn of [onEvent, isComplete]) {
      for (const statement of statements) { fn.addToRolePolicy(statement); }
    }
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.seconds(30),
      totalTimeout: Duration.minutes(45),
    });
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::IntegTeardown',
      properties: {
        StackNames: stackNames,
        RoleArn: props.stackRole?.roleArn,
        ModelPackageGroupName: props.modelPackageGroup?.modelPackageGroupName,
      },
    });
    for (const dependency of props.dependsOn ?? []) { resource.node.addDependency(dependency); }
  }
}

/**
 * Run the assertion `calls` one after the other (each waits for the previous one: `next()`), all
 * after `testStack` is deployed (the assertion stack depends on it even where no call refers to
 * one of its resources). Returns the last call.
 */
export function assertInOrder(testStack: Stack, ...calls: IApiCall[]): IApiCall {
  const assertStack = Stack.of(calls[0]);
  assertStack.addStackDependency(testStack, 'the assertions run against the deployed test stack');
  // The assertions read the test stack's resources through exports: strong references are what a
  // test stack deployed and destroyed with them needs.
  Annotations.of(assertStack).acknowledgeWarning('@aws-cdk/core:crossStackReferencesDefaultStrong',
    'The assertion stack is deployed after the test stack and destroyed before it');
  for (let i = 1; i < calls.length; i++) {
    calls[i - 1].next(calls[i]);
  }
  return calls[calls.length - 1];
}

/** The coefficients of the synthetic regression target (`target = 2 x1 + 3 x2 - x3 + noise`). */
export const TARGET_WEIGHTS = [2, 3, -1];

/** The target without noise, for a row of features. */
export function expectedTarget(features: number[]): number {
  return features.reduce((sum, x, i) => sum + x * TARGET_WEIGHTS[i], 0);
}

/**
 * A small synthetic regression data set as CSV with a header (`target,x1,x2,x3`): features
 * uniform in [0, 10], the target as {@link expectedTarget} plus noise in [-0.5, 0.5]. Seeded, so
 * every synth gives the same bytes (the seeding call does not change between deployments).
 * About 11 KB for 400 rows: small enough to travel in a custom resource's properties.
 */
export function syntheticRegressionCsv(rows: number = 400): string {
  let seed = 42;
  // A linear congruential generator (Numerical Recipes constants): deterministic, dependency free.
  const next = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const lines = ['target,x1,x2,x3'];
  for (let i = 0; i < rows; i++) {
    const x = [next() * 10, next() * 10, next() * 10];
    const y = expectedTarget(x) + (next() - 0.5);
    lines.push([y, ...x].map((v) => v.toFixed(3)).join(','));
  }
  return lines.join('\n') + '\n';
}

/** One file of a tar archive. */
export interface ArchiveFile {
  /** The path inside the archive (`code/inference.py`). */
  readonly name: string;
  /** The content. */
  readonly content: string;
}

/**
 * A gzipped tar archive (POSIX ustar) of `files`, byte for byte the same for the same files (no
 * timestamps, owners or modes from the machine), so a CDK asset of it keeps its hash.
 */
export function tarGz(files: ArchiveFile[]): Buffer {
  const blocks: Buffer[] = [];
  const dirs = [...new Set(files.flatMap((f) => parentDirectories(f.name)))];
  for (const dir of dirs) { blocks.push(tarHeader(`${dir}/`, 0, '5')); }
  for (const file of files) {
    const data = Buffer.from(file.content, 'utf-8');
    blocks.push(tarHeader(file.name, data.length, '0'), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(blocks), { level: 9 });
}

/** Write `tarGz(files)` to a file of its own under the system's temporary folder and return its path. */
export function writeTarGz(prefix: string, files: ArchiveFile[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, 'model.tar.gz');
  fs.writeFileSync(file, tarGz(files));
  return file;
}

function parentDirectories(name: string): string[] {
  const parts = name.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

function tarHeader(name: string, size: number, type: '0' | '5'): Buffer {
  if (Buffer.byteLength(name) > 100) { throw new Error(`tarGz: the path ${name} is longer than 100 bytes`); }
  const header = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number) => header.write(value, offset, length, 'ascii');
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, '0');
  field(name, 0, 100);
  field(octal(type === '5' ? 0o755 : 0o644, 8), 100, 8);
  field(octal(0, 8), 108, 8);
  field(octal(0, 8), 116, 8);
  field(octal(size, 12), 124, 12);
  field(octal(0, 12), 136, 12);
  field(type, 156, 1);
  field('ustar\u0000', 257, 6);
  field('00', 263, 2);
  // The checksum is computed with its own field as eight spaces.
  field('        ', 148, 8);
  let sum = 0;
  for (const byte of header) { sum += byte; }
  field(`${octal(sum, 7)}\u0000 `, 148, 8);
  return header;
}

/**
 * Start a run of a SageMaker pipeline and wait for it: the start, a wait for any end (a failed run
 * fails the test at once instead of after the whole timeout), then a call that requires success.
 */
export function runPipeline(a: IDeployAssert, pipelineName: string): { start: IApiCall; ended: IApiCall; succeeded: IApiCall } {
  const start = a.awsApiCall('SageMaker', 'startPipelineExecution', {
    PipelineName: pipelineName,
    PipelineExecutionDisplayName: 'integ',
    PipelineExecutionDescription: 'cdk-sagemaker-mlops integration test',
  });
  const execution = { PipelineExecutionArn: start.getAttString('PipelineExecutionArn') };
  const ended = a.awsApiCall('SageMaker', 'describePipelineExecution', execution)
    .assertAtPath('PipelineExecutionStatus', ExpectedResult.stringLikeRegexp(PIPELINE_ENDED))
    .waitForAssertions({ interval: Duration.minutes(1), totalTimeout: LONGEST_WAIT });
  const succeeded = a.awsApiCall('SageMaker', 'describePipelineExecution', execution)
    .assertAtPath('PipelineExecutionStatus', ExpectedResult.exact('Succeeded'));
  return { start, ended, succeeded };
}

/**
 * The standard pipeline of the integration apps: the seeded data set of a bucket, the scripts of
 * assets/training, small instances and an MSE gate. The processing jobs run the XGBoost image, as
 * training and (by default) evaluation do: the preprocessing script needs only the standard library,
 * and a run pulls one image.
 */
export function integTraining(bucketName: string) {
  return {
    inputDataUri: `s3://${bucketName}/${TRAINING_INPUT_PREFIX}/`,
    preprocessingScript: { localFile: path.join(INTEG_ASSETS, 'training', 'preprocess.py') },
    evaluationScript: { localFile: path.join(INTEG_ASSETS, 'training', 'evaluate.py') },
    processingImage: ContainerImage.xgboost(),
    processingInstanceType: InstanceType.ML_M5_LARGE,
    trainingInstanceType: InstanceType.ML_M5_LARGE,
    metricJsonPath: 'regression_metrics.mse.value',
    // A constant prediction scores about 117 on this data; a trained model a few units.
    metricThreshold: 25,
    metricComparison: MetricComparison.LESS_THAN_OR_EQUAL_TO,
  };
}

