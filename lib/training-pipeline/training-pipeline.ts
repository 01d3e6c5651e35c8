import { Aspects, IAspect, Lazy, Size, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct, IConstruct } from 'constructs';
import { FoundationOptions, NetworkOptions } from '../core/foundation';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { SageMakerName } from '../core/names';
import { StorageLayout } from '../core/storage-layout';
import { policiesOf } from '../private/dependencies';
import { check, checkIntegerRange, childPath, PropChecks, PropIssue } from '../private/errors';
import { resolveBucket, resolveKey, resolveLayout, resolveNetwork } from '../private/resources';
import { PipelineDefinition } from './definition';
import { JobNetworkConfig } from './definition-options';
import { ITrainingPipeline, TrainingPipelineBase } from './pipeline-base';
import { MAX_DEFINITION_LENGTH, storeDefinition } from './private/definition-storage';
import { ImportedTrainingPipeline } from './private/imported-pipeline';
import { jobNetwork } from './private/job-network';
import { analyzeDefinition } from './private/permissions';
import { grantExecutionRole, grantJobRole } from './private/pipeline-roles';
import { locationOf, OutputLocation } from './private/triggers';
import { jobPrincipal, pipelineExecutionPrincipal } from './private/trust';
import { Step } from './step';
import { PipelineParameter } from './values';

/** SageMaker's rule for pipeline names. */
const PIPELINE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;

/** A plain S3 key prefix (a trailing slash is allowed, and `''` is the bucket's root). */
const OUTPUT_PREFIX = /^([A-Za-z0-9!_.()'-]+(\/[A-Za-z0-9!_.()'-]+)*\/?)?$/;

/**
 * Props of a {@link TrainingPipeline}.
 *
 * Storage and network follow the library's precedence (explicit prop > foundation > default),
 * with one addition kept for the key: when only `artifactBucket` is given and it has a key, that
 * key is the pipeline's key too.
 *
 * @example
 * import * as iam from 'aws-cdk-lib/aws-iam';
 * import * as kms from 'aws-cdk-lib/aws-kms';
 * import * as s3 from 'aws-cdk-lib/aws-s3';
 * import { ContainerImage, ManagedPolicyRole, ProcessingStep, TrainingPipeline } from 'cdk-sagemaker-mlops';
 *
 * // No foundation: your key, your bucket and the role the jobs run with.
 * const pipeline = new TrainingPipeline(this, 'Pipeline', {
 *   pipelineName: 'churn-features',
 *   encryptionKey: kms.Key.fromKeyArn(this, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
 *   artifactBucket: s3.Bucket.fromBucketName(this, 'Artifacts', 'my-ml-artifacts'),
 *   jobRole: new ManagedPolicyRole(this, 'JobRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') }),
 *   maxParallelSteps: 4,
 * });
 * pipeline.addStep(new ProcessingStep('BuildFeatures', {
 *   image: ContainerImage.scikitLearn(),
 *   code: { s3Uri: 's3://my-code/churn/features.py' },
 * }));
 */
export interface TrainingPipelineProps extends FoundationOptions, NetworkOptions {
  /**
   * The pipeline's name (1 to 256 letters, digits and dashes).
   * @default - derived from the stack name and the construct id
   */
  readonly pipelineName?: string;
  /**
   * A display name.
   * @default - none
   */
  readonly displayName?: string;
  /**
   * A description.
   * @default - none
   */
  readonly description?: string;
  /**
   * The definition: typed steps (add more with `addStep`), or one imported with `PipelineDefinition.fromJson`.
   * @default - an empty definition; add parameters and steps with `addParameter` and `addStep`
   */
  readonly definition?: PipelineDefinition;
  /**
   * The role SageMaker Pipelines runs the pipeline with. When given, the statements the steps need
   * are not added to it.
   * @default - a new role with the statements the steps need, and no more
   */
  readonly role?: iam.IRole;
  /**
   * The role of jobs that do not have their own. When given, no statement is added to it.
   * @default - a new role with access to the S3 locations, images and keys the jobs use
   */
  readonly jobRole?: iam.IRole;
  /**
   * The key prefix of outputs without a destination of their own, in the artifact bucket: a plain
   * key prefix (no leading slash, no `s3://`), or `''` for the bucket's root (then no new-data
   * trigger may watch that bucket).
   * @default - the storage layout's prefix of this pipeline (`pipelines/<pipeline name>`)
   */
  readonly outputPrefix?: string;
  /**
   * The most steps that run at once.
   * @default - SageMaker's default (50)
   */
  readonly maxParallelSteps?: number;
  /**
   * Run the jobs' containers without network access.
   * @default false
   */
  readonly networkIsolation?: boolean;
  /**
   * Definitions up to this size go inline in the template (`PipelineDefinitionBody`); larger ones
   * go to S3 as an asset (`PipelineDefinitionS3Location`), under the storage layout's definition
   * prefix of this pipeline when they hold deploy-time values. The CloudFormation template (1 MB
   * at most) must also hold the rest of the stack.
   * @default Size.kibibytes(400)
   */
  readonly maxInlineDefinitionSize?: Size;
}

/**
 * A SageMaker Model Building Pipeline (`AWS::SageMaker::Pipeline`) from a typed or imported
 * definition, with a least-privilege execution role gathered from its steps, a job role, triggers
 * (schedule, new data in S3, alarm), `grantStartExecution` and `metric*` methods.
 *
 * The definition is rendered and checked at synth time (unique step names, references, cycles,
 * condition types, property files); all problems are reported together. It goes inline into the
 * template up to `maxInlineDefinitionSize`, and to an S3 asset above it.
 *
 * @example
 * import {
 *   ContainerImage, InstanceType, MlopsFoundation, PipelineParameter, ProcessingStep, TrainingPipeline, TrainingStep,
 * } from 'cdk-sagemaker-mlops';
 *
 * const foundation = new MlopsFoundation(this, 'Foundation');
 * const pipeline = new TrainingPipeline(this, 'Pipeline', { pipelineName: 'churn', foundation });
 * const input = PipelineParameter.string('InputData', { defaultValue: 's3://my-data/churn/' });
 * pipeline.addParameter(input);
 *
 * const prep = new ProcessingStep('Preprocess', {
 *   image: ContainerImage.scikitLearn(),
 *   code: { s3Uri: 's3://my-code/churn/preprocess.py' },
 *   inputs: [{ inputName: 'raw', source: input.asString, destination: '/opt/ml/processing/input' }],
 *   outputs: [{ outputName: 'train', source: '/opt/ml/processing/train' }],
 * });
 * const train = new TrainingStep('Train', {
 *   image: ContainerImage.xgboost('1.7-1'),
 *   instanceType: InstanceType.ML_M5_XLARGE,
 *   inputs: [{ channelName: 'train', s3Uri: prep.properties.outputUri('train').asString, contentType: 'text/csv' }],
 *   hyperparameters: { objective: 'binary:logistic', num_round: '50' },
 * });
 * pipeline.addStep(prep, train);
 */
export class TrainingPipeline extends TrainingPipelineBase {
  /**
   * A pipeline that exists already (triggers, grants and metrics only).
   *
   * @param scope the scope
   * @param id the construct id
   * @param pipelineName the pipeline's name
   */
  public static fromPipelineName(scope: Construct, id: string, pipelineName: string): ITrainingPipeline {
    if (!Token.isUnresolved(pipelineName)) {
      check(typeof pipelineName === 'string' && PIPELINE_NAME.test(pipelineName), childPath(scope, id), 'pipelineName', pipelineName,
        'A pipeline name must be 1 to 256 letters, digits or dashes, starting and ending with a letter or digit');
    }
    return new ImportedTrainingPipeline(scope, id, pipelineName);
  }

  /** The pipeline's name. */
  public readonly pipelineName: string;
  /** The pipeline's ARN. */
  public readonly pipelineArn: string;
  /** The definition. */
  public readonly definition: PipelineDefinition;
  /** The role SageMaker Pipelines runs the pipeline with. */
  public readonly role: iam.IRole;
  /** The default role of the jobs. */
  public readonly jobRole: iam.IRole;
  /** The key of job volumes and outputs. */
  public readonly encryptionKey: kms.IKey;
  /** The bucket of default outputs. */
  public readonly artifactBucket: s3.IBucket;
  /** The key prefix of default outputs. */
  public readonly outputPrefix: string;
  /** The pipeline resource. */
  public readonly resource: sagemaker.CfnPipeline;
  /** The security groups of the jobs, when they run in a VPC. */
  public readonly securityGroups?: ec2.ISecurityGroup[];
  private readonly network?: JobNetworkConfig;
  private readonly networkIsolation?: boolean;
  private readonly layout: StorageLayout;

  private readonly ownsRole: boolean;
  private readonly ownsJobRole: boolean;
  private readonly maxInline: number;
  private finalized = false;
  private issues: PropIssue[] = [];
  private cfnDefinition: any;
  private definitionStored?: 'inline' | 's3';
  /** Found when the definition is rendered. */
  private stepTypes: ReadonlySet<string> = new Set();
  private parameterNames: string[] = [];
  private writes: OutputLocation[] = [];
  private readonly ownOutputs: OutputLocation[] = [];

  constructor(scope: Construct, id: string, props: TrainingPipelineProps = {}) {
    super(scope, id);
    const where = childPath(scope, id);
    if (props.pipelineName !== undefined && !Token.isUnresolved(props.pipelineName)) {
      check(PIPELINE_NAME.test(props.pipelineName), where, 'pipelineName', props.pipelineName,
        'A pipeline name must be 1 to 256 letters, digits or dashes, starting and ending with a letter or digit');
    }
    check(props.displayName === undefined || Token.isUnresolved(props.displayName) || PIPELINE_NAME.test(props.displayName), where, 'displayName',
      props.displayName, 'A pipeline display name follows the name rule: 1 to 256 letters, digits or dashes, starting and ending with a letter or digit');
    check(props.description === undefined || props.description.length <= 3072, where, 'description', props.description, 'At most 3072 characters');
    checkIntegerRange(where, 'maxParallelSteps', props.maxParallelSteps, 1, 1000);
    this.maxInline = (props.maxInlineDefinitionSize ?? Size.kibibytes(400)).toBytes();
    check(this.maxInline <= MAX_DEFINITION_LENGTH, where, 'maxInlineDefinitionSize', this.maxInline,
      `It must be at most ${MAX_DEFINITION_LENGTH} bytes (the CreatePipeline limit)`);
    check(props.definition === undefined || props.definition instanceof PipelineDefinition, where, 'definition', props.definition,
      'It must be a PipelineDefinition (new PipelineDefinition(...) or PipelineDefinition.fromJson(...))');

    this.definition = props.definition ?? new PipelineDefinition();
    this.pipelineName = props.pipelineName ?? SageMakerName.derive(this, { maxLength: 80 });
    this.pipelineArn = Stack.of(this).formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: this.pipelineName });

    // An explicit bucket's key counts as an explicit key: the outputs are encrypted as the bucket is.
    this.encryptionKey = resolveKey(this, 'Key', { ...props, encryptionKey: props.encryptionKey ?? props.artifactBucket?.encryptionKey });
    this.artifactBucket = resolveBucket(this, 'Artifacts', this.encryptionKey, props);
    this.layout = resolveLayout(props);
    if (props.outputPrefix !== undefined && !Token.isUnresolved(props.outputPrefix)) {
      check(typeof props.outputPrefix === 'string' && OUTPUT_PREFIX.test(props.outputPrefix) && props.outputPrefix.length <= 256,
        where, 'outputPrefix', props.outputPrefix,
        'It must be a plain S3 key prefix in the artifact bucket (at most 256 letters, digits and !_.()\'- in parts separated by ' +
        'single slashes), without a leading slash or `s3://`; `\'\'` is the bucket\'s root');
    }
    this.outputPrefix = props.outputPrefix ?? this.layout.pipelinePrefix(this.pipelineName);
    this._addOwnOutput(this.outputPrefix, 'the outputs of its steps (outputPrefix)');
    this._addOwnOutput(this.layout.definitionPrefix(this.pipelineName), 'its stored definitions');

    this.ownsRole = props.role === undefined;
    this.ownsJobRole = props.jobRole === undefined;
    // Confused deputy: the trusts name this pipeline's executions and this account's jobs (private/trust.ts).
    this.role = props.role ?? new ManagedPolicyRole(this, 'ExecutionRole', {
      assumedBy: pipelineExecutionPrincipal(Stack.of(this), this.pipelineName),
      description: `Runs the SageMaker pipeline ${this.node.path}`,
    });
    this.jobRole = props.jobRole ?? new ManagedPolicyRole(this, 'JobRole', {
      assumedBy: jobPrincipal(Stack.of(this), () => this.stepTypes),
      description: `Runs the jobs of the SageMaker pipeline ${this.node.path}`,
    });

    const network = jobNetwork(this, resolveNetwork(this, props));
    this.securityGroups = network.securityGroups;
    this.network = network.config;
    this.networkIsolation = props.networkIsolation;

    this.resource = new sagemaker.CfnPipeline(this, 'Resource', {
      pipelineName: this.pipelineName,
      pipelineDisplayName: props.displayName,
      pipelineDescription: props.description,
      roleArn: this.role.roleArn,
      pipelineDefinition: Lazy.any({ produce: () => this.finalize().cfnDefinition }),
      parallelismConfiguration: props.maxParallelSteps ? { MaxParallelExecutionSteps: props.maxParallelSteps } : undefined,
    });
    // SageMaker checks the role's permissions when it creates the pipeline: wait for its policies
    // (the RoleArn GetAtt orders the pipeline after the role itself; a DependsOn on it is W3005).
    this.resource.node.addDependency(policiesOf(this.role));

    PropChecks.defer(this, () => {
      this.finalize();
      return this.issues;
    });
    const aspect: IAspect = {
      visit: (node: IConstruct) => {
        if (node === this) { this.finalize(); }
      },
    };
    Aspects.of(this).add(aspect);
  }

  /** Declare parameters (typed definitions only). */
  public addParameter(...parameters: PipelineParameter[]): void {
    this.definition.addParameter(...parameters);
  }

  /** Add top-level steps (typed definitions only). */
  public addStep(...steps: Step[]): void {
    this.definition.addStep(...steps);
  }

  /**
   * Record a key prefix of the artifact bucket the pipeline writes to (new-data triggers must not
   * watch it).
   *
   * @internal
   */
  protected _addOwnOutput(prefix: string, what: string): void {
    this.ownOutputs.push({ bucketName: this.artifactBucket.bucketName, prefix, what });
  }

  /** @internal */
  protected _outputLocations(): OutputLocation[] {
    this.finalize();
    return [...this.ownOutputs, ...this.writes];
  }

  /** @internal */
  protected _declaredParameterNames(): string[] | undefined {
    this.finalize();
    return this.parameterNames;
  }

  /**
   * Where the definition went: `inline` (PipelineDefinitionBody) or `s3` (an asset); known after synthesis starts.
   */
  public get definitionStorage(): string | undefined {
    return this.definitionStored;
  }

  /** Render, check, grant and store the definition, once. */
  private finalize(): this {
    if (this.finalized) { return this; }
    this.finalized = true;
    const stack = Stack.of(this);
    const out = this.definition._render(this, {
      defaultRole: this.jobRole,
      encryptionKey: this.encryptionKey,
      defaultBucket: this.artifactBucket,
      outputPrefix: this.outputPrefix,
      network: this.network,
      networkIsolation: this.networkIsolation,
    });
    this.issues = out.issues.map((i) => ({ prop: 'definition', value: i.where, rule: i.message }));
    if (this.definition.stepCount === 0) {
      this.issues.push({ prop: 'definition', value: 'no steps', rule: 'A pipeline needs at least one step; add steps with addStep()' });
    }

    const r = out.renderer;
    const analysis = analyzeDefinition(out.definition, stack.partition);
    this.stepTypes = analysis.stepTypes;
    this.parameterNames = (out.definition.Parameters ?? []).map((p: any) => p?.Name).filter((n: any) => typeof n === 'string');
    this.writes = analysis.writes.map((l) => locationOf(l, 'the outputs of a step'));
    const needs = {
      needs: analysis,
      imported: this.definition.isImported,
      stepStatements: r.executionStatements,
      keys: [...new Set([this.encryptionKey, ...r.keys])],
      network: this.network,
      registerGroups: [...r.registerGroups],
      readGroups: [...r.readGroups],
    };
    if (this.ownsRole) { grantExecutionRole(this.role, needs); }
    if (this.ownsJobRole) { grantJobRole(this.jobRole, needs); }
    // A group of this stack that steps name as an object is created before the pipeline: the
    // definition names it by its ARN (its Ref), inline or in the definition writer's properties,
    // so no DependsOn is needed (it would be W3005).

    const stored = storeDefinition(this, out.definition, {
      maxInlineBytes: this.maxInline,
      artifactBucket: this.artifactBucket,
      definitionPrefix: this.layout.definitionPrefix(this.pipelineName),
      encryptionKey: this.encryptionKey,
    });
    this.issues.push(...stored.issues);
    this.definitionStored = stored.storage;
    this.cfnDefinition = stored.cfnDefinition;
    return this;
  }
}
