import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ArnFormat, Aspects, CustomResource, Duration, IAspect, IResource, Lazy, Names, Resource, Size, Stack, Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { SageMakerName } from '../core/names';
import { check, checkIntegerRange, childPath, PropChecks, PropIssue } from '../private/errors';
import { HandlerFunction } from '../private/handler-function';
import { wildcardResourceIds } from '../private/nag';
import { bucketOrCreate, keyOrCreate } from '../private/resources';
import { PipelineDefinition } from './definition';
import { JobNetworkConfig } from './definition-options';
import { analyzeDefinition, bucketArn, collapseLocations, DefinitionNeeds, objectArn } from './private/permissions';
import { PipelineParameter } from './values';
import { Step } from './step';

/** SageMaker's rule for pipeline names. */
const PIPELINE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;
/** The CreatePipeline API's limit for a definition. */
const MAX_DEFINITION_LENGTH = 1048576;

/** Props of a {@link TrainingPipeline}. */
export interface TrainingPipelineProps {
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
   * The key of job volumes and outputs, and of the bucket this construct creates.
   * @default - the key of `artifactBucket` when it has one, else a new ProjectKey
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The bucket of outputs without a destination of their own.
   * @default - a new ArtifactBucket
   */
  readonly artifactBucket?: s3.IBucket;
  /**
   * The key prefix of those outputs in the bucket.
   * @default "pipelines/<pipeline name>/"
   */
  readonly outputPrefix?: string;
  /**
   * The most steps that run at once.
   * @default - SageMaker's default (50)
   */
  readonly maxParallelSteps?: number;
  /**
   * Run the jobs in this VPC (traffic between a job's containers is then encrypted).
   * @default - jobs run in SageMaker's network
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The subnets of the jobs in `vpc`.
   * @default - the private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The security groups of the jobs in `vpc`.
   * @default - a new security group that allows traffic between the instances of a job only
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Run the jobs' containers without network access.
   * @default false
   */
  readonly enableNetworkIsolation?: boolean;
  /**
   * Definitions up to this size go inline in the template (`PipelineDefinitionBody`); larger ones
   * go to S3 as an asset (`PipelineDefinitionS3Location`). The CloudFormation template (1 MB at
   * most) must also hold the rest of the stack.
   * @default Size.kibibytes(400)
   */
  readonly maxInlineDefinitionSize?: Size;
}

/** Options of a trigger. */
export interface TriggerOptions {
  /**
   * Parameter values for the execution. A value may be a JSON path into the event
   * (`$.detail.object.key`), which EventBridge fills in.
   * @default - the parameters' defaults
   */
  readonly parameters?: { [name: string]: string };
  /**
   * A description of the rule.
   * @default - a description of the trigger
   */
  readonly description?: string;
  /**
   * How long EventBridge retries starting the execution.
   * @default Duration.hours(24)
   */
  readonly maxEventAge?: Duration;
  /**
   * Where events go when EventBridge could not start the execution (an SQS queue; EventBridge is
   * allowed to send to it for this rule only).
   * @default - none: events that could not start the pipeline are dropped after the retries
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/** Options of {@link TrainingPipeline.addScheduleTrigger}. */
export interface ScheduleTriggerOptions extends TriggerOptions {
  /** When to start. */
  readonly schedule: events.Schedule;
}

/** Options of {@link TrainingPipeline.addNewDataTrigger}. */
export interface NewDataTriggerOptions extends TriggerOptions {
  /** The bucket the data arrives in. It must send events to EventBridge (ArtifactBucket does). */
  readonly bucket: s3.IBucket;
  /**
   * Only objects under this key prefix.
   * @default - any key
   */
  readonly prefix?: string;
  /**
   * Only objects whose key ends with this.
   * @default - any key
   */
  readonly suffix?: string;
}

/** Options of {@link TrainingPipeline.addAlarmTrigger}. */
export interface AlarmTriggerOptions extends TriggerOptions {
  /** The alarm (for example a drift alarm of EndpointWithMonitor). */
  readonly alarm: cloudwatch.IAlarm;
}

/**
 * A SageMaker pipeline: created by this library or imported by name.
 */
export interface ITrainingPipeline extends IResource {
  /**
   * The pipeline's name.
   * @attribute
   */
  readonly pipelineName: string;
  /**
   * The pipeline's ARN.
   * @attribute
   */
  readonly pipelineArn: string;

  /** Allow a principal to start executions. */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant;
  /** Start the pipeline on a schedule. */
  addScheduleTrigger(id: string, options: ScheduleTriggerOptions): events.Rule;
  /** Start the pipeline when an object is created under a prefix of a bucket. */
  addNewDataTrigger(id: string, options: NewDataTriggerOptions): events.Rule;
  /** Start the pipeline when an alarm goes into ALARM. */
  addAlarmTrigger(id: string, options: AlarmTriggerOptions): events.Rule;
  /** A metric of this pipeline. */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Executions started. */
  metricExecutionStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Executions failed. */
  metricExecutionFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Executions succeeded. */
  metricExecutionSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Executions stopped. */
  metricExecutionStopped(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Execution duration. */
  metricExecutionDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** A metric of one step (`StepStarted`, `StepFailed`, `StepSucceeded`, `StepStopped`, `StepDuration`). */
  metricStep(stepName: string, metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/**
 * What created and imported pipelines share: triggers, grants and metrics.
 */
export abstract class TrainingPipelineBase extends Resource implements ITrainingPipeline {
  public abstract readonly pipelineName: string;
  public abstract readonly pipelineArn: string;
  private triggerRole?: ManagedPolicyRole;

  /** Allow a principal to start executions. */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:StartPipelineExecution'],
      resourceArns: [this.pipelineArn],
    });
  }

  /** Start the pipeline on a schedule. */
  public addScheduleTrigger(id: string, options: ScheduleTriggerOptions): events.Rule {
    return this.addTrigger(id, { schedule: options.schedule }, options, `Starts the SageMaker pipeline ${this.pipelineName} on a schedule`);
  }

  /** Start the pipeline when an object is created under a prefix of a bucket (S3 events through EventBridge). */
  public addNewDataTrigger(id: string, options: NewDataTriggerOptions): events.Rule {
    const key: any[] = [];
    if (options.prefix !== undefined || options.suffix !== undefined) {
      if (options.prefix !== undefined && options.suffix !== undefined) {
        key.push({ wildcard: `${options.prefix}*${options.suffix}` });
      } else if (options.prefix !== undefined) {
        key.push({ prefix: options.prefix });
      } else {
        key.push({ suffix: options.suffix });
      }
    }
    return this.addTrigger(id, {
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [options.bucket.bucketName] },
          ...(key.length > 0 ? { object: { key } } : {}),
        },
      },
    }, options, `Starts the SageMaker pipeline ${this.pipelineName} on new data`);
  }

  /** Start the pipeline when an alarm goes into ALARM (retraining on drift). */
  public addAlarmTrigger(id: string, options: AlarmTriggerOptions): events.Rule {
    return this.addTrigger(id, {
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: [options.alarm.alarmArn],
        detail: { state: { value: ['ALARM'] } },
      },
    }, options, `Starts the SageMaker pipeline ${this.pipelineName} when an alarm fires`);
  }

  /**
   * A metric of this pipeline (namespace `AWS/Sagemaker/ModelBuildingPipeline`, dimension `PipelineName`).
   *
   * @param metricName `ExecutionStarted`, `ExecutionFailed`, `ExecutionSucceeded`, `ExecutionStopped`, `ExecutionDuration`
   * @param props options
   */
  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Sagemaker/ModelBuildingPipeline',
      metricName,
      dimensionsMap: { PipelineName: this.pipelineName },
      ...props,
    });
  }

  /** Executions started (Sum over 5 minutes by default). */
  public metricExecutionStarted(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('ExecutionStarted', { statistic: 'Sum', ...props });
  }

  /** Executions failed (Sum over 5 minutes by default). */
  public metricExecutionFailed(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('ExecutionFailed', { statistic: 'Sum', ...props });
  }

  /** Executions succeeded (Sum over 5 minutes by default). */
  public metricExecutionSucceeded(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('ExecutionSucceeded', { statistic: 'Sum', ...props });
  }

  /** Executions stopped (Sum over 5 minutes by default). */
  public metricExecutionStopped(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('ExecutionStopped', { statistic: 'Sum', ...props });
  }

  /**
   * A metric of one step of this pipeline (dimensions `PipelineName` and `StepName`).
   *
   * @param stepName the step's name
   * @param metricName `StepStarted`, `StepFailed`, `StepSucceeded`, `StepStopped` (Sum) or `StepDuration` (Average)
   * @param props options
   */
  public metricStep(stepName: string, metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Sagemaker/ModelBuildingPipeline',
      metricName,
      dimensionsMap: { PipelineName: this.pipelineName, StepName: stepName },
      statistic: metricName === 'StepDuration' ? 'Average' : 'Sum',
      ...props,
    });
  }

  /** Execution duration in milliseconds (Average over 5 minutes by default). */
  public metricExecutionDuration(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('ExecutionDuration', { statistic: 'Average', ...props });
  }

  private addTrigger(id: string, ruleProps: events.RuleProps, options: TriggerOptions, description: string): events.Rule {
    const where = `${this.node.path}/${id}`;
    if (options.maxEventAge) {
      checkIntegerRange(where, 'maxEventAge (seconds)', options.maxEventAge.toSeconds(), 60, 86400);
    }
    const params = Object.entries(options.parameters ?? {});
    for (const [name, value] of params) {
      // EventBridge accepts fewer parameter names than SageMaker does (no underscores).
      check(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/.test(name) && name.length <= 256, where, `parameters.${name}`, name,
        'EventBridge passes only parameters named with letters, digits and dashes (pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$, at most 256 characters)');
      check(typeof value === 'string' && value.length <= 1024, where, `parameters.${name}`, value, 'A parameter value must be a string of at most 1024 characters');
    }
    const rule = new events.Rule(this, id, { ...ruleProps, description: options.description ?? description });
    const role = this.startRole();
    const dlq = options.deadLetterQueue;
    rule.addTarget({
      bind: () => ({
        arn: this.pipelineArn,
        role,
        retryPolicy: { maximumEventAgeInSeconds: (options.maxEventAge ?? Duration.hours(24)).toSeconds(), maximumRetryAttempts: 185 },
        deadLetterConfig: dlq ? { arn: dlq.queueArn } : undefined,
      }),
    });
    if (dlq) {
      dlq.addToResourcePolicy(new iam.PolicyStatement({
        sid: `AllowEventRule${Names.uniqueId(rule)}`.slice(0, 100),
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [dlq.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }));
    }
    if (params.length > 0) {
      (rule.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.0.SageMakerPipelineParameters', {
        PipelineParameterList: params.map(([Name, Value]) => ({ Name, Value })),
      });
    }
    return rule;
  }

  private startRole(): iam.IRole {
    if (!this.triggerRole) {
      this.triggerRole = new ManagedPolicyRole(this, 'TriggerRole', {
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
        description: `Lets EventBridge start the SageMaker pipeline ${this.node.path}`,
      });
      this.grantStartExecution(this.triggerRole);
    }
    return this.triggerRole;
  }

}

class ImportedTrainingPipeline extends TrainingPipelineBase {
  public readonly pipelineName: string;
  public readonly pipelineArn: string;
  constructor(scope: Construct, id: string, pipelineName: string) {
    super(scope, id);
    this.pipelineName = pipelineName;
    this.pipelineArn = Stack.of(this).formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: pipelineName });
  }
}

/**
 * A SageMaker Model Building Pipeline (`AWS::SageMaker::Pipeline`) from a typed or imported
 * definition, with a least-privilege execution role gathered from its steps, a job role, triggers
 * (schedule, new data in S3, alarm), `grantStartExecution` and `metric*` methods.
 *
 * The definition is rendered and checked at synth time (unique step names, references, cycles,
 * condition types, property files); all problems are reported together. It goes inline into the
 * template up to `maxInlineDefinitionSize`, and to an S3 asset above it.
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
      check(PIPELINE_NAME.test(pipelineName), childPath(scope, id), 'pipelineName', pipelineName,
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

  private readonly ownsRole: boolean;
  private readonly ownsJobRole: boolean;
  private readonly maxInline: number;
  private finalized = false;
  private issues: PropIssue[] = [];
  private cfnDefinition: any;
  private definitionStored?: 'inline' | 's3';

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

    this.definition = props.definition ?? new PipelineDefinition();
    this.pipelineName = props.pipelineName ?? SageMakerName.derive(this, { maxLength: 80 });
    this.pipelineArn = Stack.of(this).formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: this.pipelineName });

    const bucketKey = props.artifactBucket?.encryptionKey;
    this.encryptionKey = props.encryptionKey ?? bucketKey ?? keyOrCreate(this, 'Key');
    this.artifactBucket = bucketOrCreate(this, 'Artifacts', this.encryptionKey, props.artifactBucket);
    this.outputPrefix = props.outputPrefix ?? `pipelines/${this.pipelineName}/`;

    this.ownsRole = props.role === undefined;
    this.ownsJobRole = props.jobRole === undefined;
    this.role = props.role ?? new ManagedPolicyRole(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Runs the SageMaker pipeline ${this.node.path}`,
    });
    this.jobRole = props.jobRole ?? new ManagedPolicyRole(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Runs the jobs of the SageMaker pipeline ${this.node.path}`,
    });

    if (props.vpc) {
      let groups = props.securityGroups;
      if (!groups || groups.length === 0) {
        const sg = new ec2.SecurityGroup(this, 'JobSecurityGroup', {
          vpc: props.vpc,
          description: `SageMaker jobs of the pipeline ${this.node.path}`,
          allowAllOutbound: true,
        });
        sg.addIngressRule(sg, ec2.Port.allTraffic(), 'Between the instances of a distributed job');
        const reason = 'The only ingress rule admits traffic from this security group itself (the instances of one distributed ' +
          'training or processing job, which talk on ports chosen at run time); nothing outside the group can connect.';
        Validations.of(sg).acknowledge(
          { id: 'HIPAA.Security-EC2RestrictedCommonPorts', reason },
          { id: 'NIST.800.53.R5-EC2RestrictedCommonPorts', reason },
          { id: 'PCI.DSS.321-EC2RestrictedCommonPorts', reason },
        );
        groups = [sg];
      }
      this.securityGroups = groups;
      this.network = {
        subnetIds: props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds,
        securityGroupIds: groups.map((g) => g.securityGroupId),
      };
    } else {
      check(props.vpcSubnets === undefined && props.securityGroups === undefined, where, 'vpcSubnets', props.vpcSubnets ?? props.securityGroups,
        'Subnets and security groups need a `vpc`');
    }

    this.networkIsolation = props.enableNetworkIsolation;

    this.resource = new sagemaker.CfnPipeline(this, 'Resource', {
      pipelineName: this.pipelineName,
      pipelineDisplayName: props.displayName,
      pipelineDescription: props.description,
      roleArn: this.role.roleArn,
      pipelineDefinition: Lazy.any({ produce: () => this.finalize().cfnDefinition }),
      parallelismConfiguration: props.maxParallelSteps ? { MaxParallelExecutionSteps: props.maxParallelSteps } : undefined,
    });
    this.resource.node.addDependency(this.role);

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
    const definition = out.definition;
    if (this.definition.stepCount === 0) {
      this.issues.push({ prop: 'definition', value: 'no steps', rule: 'A pipeline needs at least one step; add steps with addStep()' });
    }

    const needs = analyzeDefinition(definition, stack.partition);
    this.grantNeeds(needs, out.renderer.executionStatements, [...out.renderer.keys]);

    const resolved = stack.resolve(definition);
    const size = Buffer.byteLength(JSON.stringify(resolved), 'utf-8');
    if (size <= this.maxInline) {
      this.definitionStored = 'inline';
      this.cfnDefinition = { PipelineDefinitionBody: stack.toJsonString(definition) };
      return this;
    }
    this.definitionStored = 's3';
    const text = JSON.stringify(resolved);
    if (size > MAX_DEFINITION_LENGTH) {
      this.issues.push({ prop: 'definition', value: `${size} bytes`, rule: `The definition is larger than SageMaker accepts (${MAX_DEFINITION_LENGTH} bytes); split the pipeline` });
    }
    if (!/"(Ref|Fn::[A-Za-z]+)"/.test(text)) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-definition-'));
      const file = path.join(dir, 'definition.json');
      fs.writeFileSync(file, text);
      const asset = new s3assets.Asset(this, 'DefinitionAsset', { path: file });
      this.cfnDefinition = { PipelineDefinitionS3Location: { Bucket: asset.s3BucketName, Key: asset.s3ObjectKey } };
      return this;
    }
    this.storeWithDeployTimeValues(definition);
    return this;
  }

  /**
   * A large definition with deploy-time values: uploaded as an asset with markers in their place, and
   * copied by a custom resource to the artifact bucket with the values CloudFormation resolved.
   */
  private storeWithDeployTimeValues(definition: any): void {
    const stack = Stack.of(this);
    const substitutions: { [marker: string]: string } = {};
    const markers = new Map<string, string>();
    const markerOf = (tokenString: string): string => {
      let m = markers.get(tokenString);
      if (!m) {
        m = `<<mlops-token:${markers.size}>>`;
        markers.set(tokenString, m);
        substitutions[m] = tokenString;
      }
      return m;
    };
    const template = (x: any): any => {
      if (typeof x === 'string') {
        if (!Token.isUnresolved(x)) { return x; }
        const fragments = Tokenization.reverseString(x);
        return (fragments as any).fragments.map((f: any) => f.type === 'literal' ? f.lit
          : markerOf(Token.asString(f.type === 'intrinsic' ? f.value : f.token))).join('');
      }
      if (typeof x === 'number') {
        if (Token.isUnresolved(x)) {
          this.issues.push({ prop: 'definition', value: 'a number token', rule: 'A number known only at deploy time cannot go into a definition stored in S3; use a pipeline parameter' });
        }
        return x;
      }
      if (Array.isArray(x)) { return x.map(template); }
      if (x && typeof x === 'object') {
        if (Token.isUnresolved(x)) { return markerOf(Token.asString(x)); }
        const out: any = {};
        for (const [k, v] of Object.entries(x)) { out[k] = template(v); }
        return out;
      }
      return x;
    };
    const text = JSON.stringify(template(definition));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-definition-'));
    const file = path.join(dir, 'definition.json');
    fs.writeFileSync(file, text);
    const asset = new s3assets.Asset(this, 'DefinitionAsset', { path: file });
    const targetKey = `${this.outputPrefix.replace(/\/+$/, '')}/definitions/${asset.assetHash}.json`;

    const writer = new HandlerFunction(this, 'DefinitionWriter', {
      handler: 'pipeline-definition',
      description: `Writes the definition of the SageMaker pipeline ${this.node.path} with its deploy-time values`,
      encryptionKey: this.encryptionKey,
      timeout: Duration.minutes(2),
    });
    const targets = this.artifactBucket.arnForObjects(`${this.outputPrefix.replace(/\/+$/, '')}/definitions/*`);
    writer.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [`arn:${stack.partition}:s3:::${asset.s3BucketName}/${asset.s3ObjectKey}`],
    }));
    writer.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: [targets] }));
    const keys = [...new Set([this.encryptionKey, ...(this.artifactBucket.encryptionKey ? [this.artifactBucket.encryptionKey] : [])])];
    writer.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
      resources: keys.map((k) => k.keyArn),
    }));
    this.acknowledgeWildcards(writer.role, [targets], 'The writer puts definitions (one per version, named by content hash) ' +
      'under the definitions/ prefix of this pipeline only.');
    const resource = new CustomResource(this, 'Definition', {
      serviceToken: writer.function.functionArn,
      resourceType: 'Custom::PipelineDefinition',
      properties: {
        SourceBucket: asset.s3BucketName,
        SourceKey: asset.s3ObjectKey,
        TargetBucket: this.artifactBucket.bucketName,
        TargetKey: targetKey,
        Substitutions: substitutions,
      },
    });
    resource.node.addDependency(writer);
    this.cfnDefinition = {
      PipelineDefinitionS3Location: {
        Bucket: resource.getAttString('Bucket'),
        Key: resource.getAttString('Key'),
        ETag: resource.getAttString('ETag'),
      },
    };
  }

  private grantNeeds(needs: DefinitionNeeds, extra: iam.PolicyStatement[], keys: kms.IKey[]): void {
    const stack = Stack.of(this);
    const arn = (resource: string, name: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: name });
    const wildcards: string[] = [];
    const jobs: Array<[string, string, string[]]> = [
      ['Processing', 'processing-job', ['sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob']],
      ['QualityCheck', 'processing-job', ['sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob']],
      ['ClarifyCheck', 'processing-job', ['sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob']],
      ['Training', 'training-job', ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob']],
      ['Tuning', 'hyper-parameter-tuning-job', ['sagemaker:CreateHyperParameterTuningJob', 'sagemaker:DescribeHyperParameterTuningJob',
        'sagemaker:StopHyperParameterTuningJob', 'sagemaker:ListTrainingJobsForHyperParameterTuningJob']],
      ['Transform', 'transform-job', ['sagemaker:CreateTransformJob', 'sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob']],
      ['Model', 'model', ['sagemaker:CreateModel', 'sagemaker:DescribeModel']],
    ];
    const execution: iam.PolicyStatement[] = [];
    const byResource = new Map<string, Set<string>>();
    for (const [type, resource, actions] of jobs) {
      if (!needs.stepTypes.has(type)) { continue; }
      // SageMaker Pipelines names the jobs it starts `pipelines-<execution id>-<step>-<hash>`.
      const name = type === 'Tuning' ? '*' : 'pipelines-*';
      const set = byResource.get(resource + '/' + name) ?? new Set<string>();
      actions.forEach((a) => set.add(a));
      set.add('sagemaker:AddTags');
      byResource.set(resource + '/' + name, set);
    }
    for (const [key, actions] of byResource) {
      const [resource, name] = [key.slice(0, key.lastIndexOf('/')), key.slice(key.lastIndexOf('/') + 1)];
      const r = arn(resource, name);
      wildcards.push(r);
      execution.push(new iam.PolicyStatement({ actions: [...actions].sort(), resources: [r] }));
    }
    if (needs.modelPackageGroups.length > 0) {
      const groupArns = needs.modelPackageGroups.map((g) => arn('model-package-group', g));
      const packageArns = needs.modelPackageGroups.flatMap((g) => {
        const list = [arn('model-package', `${g}/*`)];
        if (!Token.isUnresolved(g) && g.toLowerCase() !== g) { list.push(arn('model-package', `${g.toLowerCase()}/*`)); }
        return list;
      });
      wildcards.push(...packageArns);
      execution.push(new iam.PolicyStatement({
        actions: ['sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackage', 'sagemaker:AddTags', 'sagemaker:DescribeModelPackageGroup'],
        resources: [...groupArns, ...packageArns],
      }));
      if (needs.stepTypes.has('QualityCheck') || needs.stepTypes.has('ClarifyCheck')) {
        // Check steps look up the latest approved baselines of the group; ListModelPackages has no resource scope.
        execution.push(new iam.PolicyStatement({ actions: ['sagemaker:ListModelPackages'], resources: ['*'] }));
        wildcards.push('*');
      }
    }
    if (needs.experiments) {
      const exp = [arn('experiment', '*'), arn('experiment-trial', '*'), arn('experiment-trial-component', '*')];
      wildcards.push(...exp);
      execution.push(new iam.PolicyStatement({
        actions: ['sagemaker:CreateExperiment', 'sagemaker:CreateTrial', 'sagemaker:DescribeExperiment', 'sagemaker:DescribeTrial',
          'sagemaker:CreateTrialComponent', 'sagemaker:AssociateTrialComponent', 'sagemaker:AddTags'],
        resources: exp,
      }));
    }
    if (needs.roleArns.length > 0) {
      execution.push(new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: needs.roleArns,
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }));
    }
    // Typed Lambda steps add their own statement; imported definitions name the functions in the JSON.
    if (this.definition.isImported && needs.functionArns.length > 0) {
      execution.push(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: needs.functionArns }));
    }
    if (needs.propertyFileLocations.length > 0) {
      const r = collapseLocations(needs.propertyFileLocations).map((l) => objectArn(stack, l));
      wildcards.push(...r);
      execution.push(...chunked(r, (resources) => new iam.PolicyStatement({ actions: ['s3:GetObject'], resources })));
    }
    if (this.network) {
      // SageMaker checks the subnets and security groups of a job with the caller's permissions.
      execution.push(new iam.PolicyStatement({
        actions: ['ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeDhcpOptions'],
        resources: ['*'],
      }));
      wildcards.push('*');
    }
    const allKeys = [...new Set([this.encryptionKey, ...keys])];
    execution.push(new iam.PolicyStatement({
      actions: ['kms:CreateGrant', 'kms:DescribeKey'],
      resources: allKeys.map((k) => k.keyArn),
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }));
    execution.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: allKeys.map((k) => k.keyArn) }));
    if (this.ownsRole) {
      for (const s of [...execution, ...extra]) { this.role.addToPrincipalPolicy(s); }
      this.acknowledgeWildcards(this.role, wildcards, 'SageMaker Pipelines names the jobs, models, experiments and trials it creates at run time ' +
        '(`pipelines-<execution id>-...`); the statement is limited to those name patterns and to the prefixes this pipeline uses. ' +
        'sagemaker:ListModelPackages (check steps) and the ec2:Describe* actions (jobs in a VPC) support no resource scope.');
    }

    if (!this.ownsJobRole) { return; }
    const job: iam.PolicyStatement[] = [];
    const jobWildcards: string[] = [];
    const reads = collapseLocations(needs.reads).map((l) => objectArn(stack, l));
    const writes = collapseLocations(needs.writes).map((l) => objectArn(stack, l));
    job.push(...chunked(reads, (resources) => new iam.PolicyStatement({ actions: ['s3:GetObject'], resources })));
    job.push(...chunked(writes, (resources) => new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources })));
    jobWildcards.push(...reads, ...writes);
    const buckets = [...new Set([...needs.reads, ...needs.writes].map((l) => bucketArn(stack, l)))];
    if (buckets.length > 0) { job.push(new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: buckets })); }
    if (needs.repositoryArns.length > 0) {
      job.push(new iam.PolicyStatement({
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: needs.repositoryArns,
      }));
      job.push(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    }
    job.push(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant'],
      resources: allKeys.map((k) => k.keyArn),
    }));
    const logs = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    jobWildcards.push(logs, '*');
    job.push(new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [logs],
    }));
    job.push(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'aws/sagemaker/*'] } },
    }));
    if (this.network) {
      job.push(new iam.PolicyStatement({
        actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeDhcpOptions'],
        resources: ['*'],
      }));
      const eni = stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' });
      jobWildcards.push(eni);
      job.push(new iam.PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission'],
        resources: [
          eni,
          ...this.network.subnetIds.map((id) => stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: id })),
          ...this.network.securityGroupIds.map((id) => stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: id })),
        ],
      }));
    }
    for (const s of job) { this.jobRole.addToPrincipalPolicy(s); }
    this.acknowledgeWildcards(this.jobRole, jobWildcards, 'Jobs read and write objects whose keys are made at run time (execution ids) under the prefixes this ' +
      'pipeline uses; SageMaker names job log streams at run time under /aws/sagemaker/; ecr:GetAuthorizationToken and ' +
      'cloudwatch:PutMetricData support no resource scope (the latter is limited to the SageMaker namespaces).');
  }

  private acknowledgeWildcards(role: iam.IRole, resources: string[], reason: string): void {
    const ids = wildcardResourceIds(Stack.of(this), resources);
    if (ids.length > 0) {
      Validations.of(role).acknowledge(...ids.map((id) => ({ id, reason })));
    }
  }

}

/**
 * Statements of at most 20 resources each, so that a pipeline with many S3 locations never makes a
 * statement larger than an IAM managed policy (ManagedPolicyRole spreads statements over policies).
 */
function chunked(resources: string[], make: (resources: string[]) => iam.PolicyStatement): iam.PolicyStatement[] {
  const out: iam.PolicyStatement[] = [];
  for (let i = 0; i < resources.length; i += 20) {
    out.push(make(resources.slice(i, i + 20)));
  }
  return out;
}
