import { Annotations, ArnFormat, Aws, CfnCondition, Duration, Fn, ICfnConditionExpression, Lazy, Size, SizeRoundingBehavior, Stack, Token, Validations } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DeploymentOptions, TrafficRouting, TrafficRoutingType, CapacitySizeType } from './deployment';
import { EndpointStageParameters } from './endpoint-parameters';
import { InstanceType } from '../core/instance-type';
import { ModelSource } from './model-source';
import {
  DataQualityMonitorOptions, GroundTruthOptions, ModelBiasMonitorOptions, ClarifyMonitorOptions, ModelQualityMonitorOptions,
  MonitoringFrequency, MonitoringJobOptions, ProblemType,
} from './monitoring';
import { clarifyImage, modelMonitorAnalyzerImage } from './private/analyzer-image';
import { grantKey, grantListPrefix, grantReadObjects, grantStatement, grantWriteObjects } from '../private/grants';
import { instanceTypeHasStorage, instanceTypeIsBurstable } from '../private/instance-types';
import { configHashedName } from './private/names';
import { ArtifactBucket } from '../core/artifact-bucket';
import { EncryptedLogGroup } from '../core/encrypted-log-group';
import { SAGEMAKER_NAME_PATTERN, SageMakerName } from '../core/names';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { ProjectKey } from '../core/project-key';
import { check, checkIntegerRange, isLiteralNumber, PropChecks, PropIssue, propError } from '../private/errors';

/** A serverless variant. */
export interface ServerlessOptions {
  /** The memory of each invocation environment: 1, 2, 3, 4, 5 or 6 GiB. */
  readonly memorySize: Size;

  /**
   * The most concurrent invocations (1 to 200).
   *
   * @default 20
   */
  readonly maxConcurrency?: number;

  /**
   * Invocation environments kept warm (1 to `maxConcurrency`); required for autoscaling.
   *
   * @default - none
   */
  readonly provisionedConcurrency?: number;
}

/** Asynchronous inference: requests are queued and results written to S3. */
export interface AsyncInferenceOptions {
  /**
   * The key prefix of the results in the data bucket.
   *
   * @default "async-inference/<endpoint name>/output"
   */
  readonly outputPrefix?: string;

  /**
   * The key prefix of the failure reports in the data bucket.
   *
   * @default "async-inference/<endpoint name>/failure"
   */
  readonly failurePrefix?: string;

  /**
   * The topic that hears of each success.
   *
   * @default - no notification
   */
  readonly successTopic?: sns.ITopic;

  /**
   * The topic that hears of each failure.
   *
   * @default - no notification
   */
  readonly errorTopic?: sns.ITopic;

  /**
   * The most concurrent requests one instance handles (1 to 1000).
   *
   * @default - chosen by SageMaker
   */
  readonly maxConcurrentInvocationsPerInstance?: number;
}

/** A shadow variant: receives a copy of the production traffic; its responses are discarded. */
export interface ShadowVariantOptions {
  /**
   * What the shadow variant serves.
   *
   * @default - the production model
   */
  readonly model?: ModelSource;

  /**
   * The instance type.
   *
   * @default - the production variant's
   */
  readonly instanceType?: InstanceType;

  /**
   * The instance count.
   *
   * @default 1
   */
  readonly initialInstanceCount?: number;

  /**
   * The share of production requests copied to the shadow variant, in percent (1 to 100).
   *
   * @default 100
   */
  readonly samplingPercentage?: number;

  /**
   * The variant name.
   *
   * @default "Shadow"
   */
  readonly variantName?: string;
}

/** Autoscaling of the production variant. */
export interface AutoscalingOptions {
  /**
   * The fewest instances (or provisioned concurrency for a serverless variant).
   *
   * @default - the initial instance count (or the provisioned concurrency)
   */
  readonly minCapacity?: number;

  /** The most instances (or provisioned concurrency for a serverless variant). */
  readonly maxCapacity: number;

  /**
   * Target of the `SageMakerVariantInvocationsPerInstance` metric (requests per instance per minute).
   * Ignored for a serverless variant.
   *
   * @default 100
   */
  readonly targetInvocationsPerInstance?: number;

  /**
   * Target of provisioned concurrency utilization for a serverless variant (0.1 to 0.9).
   *
   * @default 0.7
   */
  readonly targetProvisionedConcurrencyUtilization?: number;

  /**
   * A custom metric to track as well (for example CPU utilization or a queue depth).
   *
   * @default - none
   */
  readonly customMetric?: cloudwatch.IMetric;

  /**
   * The target value of `customMetric`.
   *
   * @default - required with `customMetric`
   */
  readonly customMetricTarget?: number;

  /**
   * The wait after a scale-in before the next one.
   *
   * @default Duration.minutes(5)
   */
  readonly scaleInCooldown?: Duration;

  /**
   * The wait after a scale-out before the next one.
   *
   * @default Duration.minutes(1)
   */
  readonly scaleOutCooldown?: Duration;
}

/** Capture of requests and responses for Model Monitor and debugging. */
export interface DataCaptureOptions {
  /**
   * Whether capture is on.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The share of requests captured, in percent (0 to 100).
   *
   * @default 20
   */
  readonly samplingPercentage?: number;

  /**
   * Capture requests.
   *
   * @default true
   */
  readonly captureRequest?: boolean;

  /**
   * Capture responses.
   *
   * @default true
   */
  readonly captureResponse?: boolean;

  /**
   * The key prefix of the captured data in the data bucket.
   *
   * @default "data-capture/<endpoint name>"
   */
  readonly prefix?: string;

  /**
   * Content types captured as CSV.
   *
   * @default - SageMaker's defaults
   */
  readonly csvContentTypes?: string[];

  /**
   * Content types captured as JSON.
   *
   * @default - SageMaker's defaults
   */
  readonly jsonContentTypes?: string[];
}

/** The alarms of the endpoint. */
export interface EndpointAlarmOptions {
  /**
   * The topic the alarms notify.
   *
   * @default - a new topic encrypted with the endpoint's key
   */
  readonly topic?: sns.ITopic;

  /**
   * The 5XX errors per minute that raise the error alarm.
   *
   * @default 1
   */
  readonly invocationErrorThreshold?: number;

  /**
   * The p99 model latency that raises the latency alarm.
   *
   * @default Duration.seconds(1)
   */
  readonly modelLatencyThreshold?: Duration;

  /**
   * Consecutive minutes above the threshold before an alarm fires.
   *
   * @default 2
   */
  readonly evaluationPeriods?: number;
}

/** Metric options with the variant to look at. */
export interface EndpointMetricOptions extends cloudwatch.MetricOptions {
  /**
   * The variant.
   *
   * @default - the production variant
   */
  readonly variantName?: string;
}

/** Props of {@link EndpointWithMonitor}. */
export interface EndpointWithMonitorProps {
  /** What the endpoint serves. */
  readonly model: ModelSource;

  /**
   * The endpoint name; it stays the same across model updates.
   *
   * @default - derived from the stack name and the construct id
   */
  readonly endpointName?: string;

  /**
   * The instance type of the production variant.
   *
   * @default InstanceType.ML_M5_LARGE (not with `serverless`)
   */
  readonly instanceType?: InstanceType;

  /**
   * The instance count of the production variant (1 to 100). Two or more spread over
   * availability zones.
   *
   * @default 2 (not with `serverless`)
   */
  readonly initialInstanceCount?: number;

  /**
   * The production variant's name; blue/green updates need it unchanged.
   *
   * @default "AllTraffic"
   */
  readonly variantName?: string;

  /**
   * Make the production variant serverless (no VPC, network isolation, data capture or monitors).
   *
   * @default - an instance-based variant
   */
  readonly serverless?: ServerlessOptions;

  /**
   * Make the endpoint asynchronous.
   *
   * @default - a real-time endpoint
   */
  readonly asyncInference?: AsyncInferenceOptions;

  /**
   * A shadow variant.
   *
   * @default - none
   */
  readonly shadowVariant?: ShadowVariantOptions;

  /**
   * The key that encrypts the endpoint's volumes, captured data, monitoring output, logs and
   * alarm topic. Its key policy must let CloudWatch Logs and CloudWatch alarms use it
   * ({@link ProjectKey} does).
   *
   * @default - a new ProjectKey
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The bucket of captured data, monitoring reports and asynchronous results.
   *
   * @default - a new ArtifactBucket, when one is needed
   */
  readonly dataBucket?: s3.IBucket;

  /**
   * The execution role of the model. Grants for model data, images, logs and capture are added
   * to it.
   *
   * @default - a new role with least privilege
   */
  readonly role?: iam.IRole;

  /**
   * The VPC of the model and the monitoring jobs.
   *
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets in the VPC.
   *
   * @default - the private subnets with egress, or the isolated subnets when the VPC has none
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the model and the monitoring jobs.
   *
   * @default - a new group with HTTPS egress only
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Run the model container and the monitoring jobs without network access.
   *
   * @default true (false for a serverless variant, which does not support it)
   */
  readonly networkIsolation?: boolean;

  /**
   * The guarded update (blue/green with traffic shifting and rollback alarms).
   *
   * @default - all at once with the default rollback alarms
   */
  readonly deployment?: DeploymentOptions;

  /**
   * Autoscaling of the production variant.
   *
   * @default - no autoscaling
   */
  readonly autoscaling?: AutoscalingOptions;

  /**
   * Data capture.
   *
   * @default - no capture
   */
  readonly dataCapture?: DataCaptureOptions;

  /**
   * The data quality monitor.
   *
   * @default - none
   */
  readonly dataQualityMonitor?: DataQualityMonitorOptions;

  /**
   * The model quality monitor.
   *
   * @default - none
   */
  readonly modelQualityMonitor?: ModelQualityMonitorOptions;

  /**
   * The bias monitor (SageMaker Clarify).
   *
   * @default - none
   */
  readonly modelBiasMonitor?: ModelBiasMonitorOptions;

  /**
   * The explainability monitor (SageMaker Clarify).
   *
   * @default - none
   */
  readonly modelExplainabilityMonitor?: ClarifyMonitorOptions;

  /**
   * The Model Monitor analyzer image (data and model quality).
   *
   * @default - the AWS image of the stack's region
   */
  readonly analyzerImageUri?: string;

  /**
   * The SageMaker Clarify image (bias and explainability).
   *
   * @default - the AWS image of the stack's region
   */
  readonly clarifyImageUri?: string;

  /**
   * The alarms (5XX errors, p99 model latency, monitoring violations).
   *
   * @default - the defaults of EndpointAlarmOptions
   */
  readonly alarms?: EndpointAlarmOptions;

  /**
   * Create a CloudWatch dashboard.
   *
   * @default true
   */
  readonly dashboard?: boolean;

  /**
   * Tags set explicitly on every SageMaker resource (CloudFormation does not pass stack tags to
   * the monitoring resources).
   *
   * @default - none
   */
  readonly tags?: { [key: string]: string };
}

const SAGEMAKER = 'sagemaker.amazonaws.com';

/** The monitoring job definition resources, which share a name and an ARN attribute. */
type MonitoringJobDefinition = sagemaker.CfnDataQualityJobDefinition | sagemaker.CfnModelQualityJobDefinition
  | sagemaker.CfnModelBiasJobDefinition | sagemaker.CfnModelExplainabilityJobDefinition;
const MAX_ROLLBACK_ALARMS = 10;

/**
 * A guarded SageMaker endpoint: the model (from an approved model package or an image), an
 * endpoint config whose name follows its configuration, an endpoint with a stable name and
 * blue/green updates rolled back on alarms, autoscaling, data capture, Model Monitor schedules,
 * alarms to SNS and a dashboard.
 */
export class EndpointWithMonitor extends Construct {
  /** The endpoint name (stable across updates). */
  public readonly endpointName: string;
  /** The endpoint ARN. */
  public readonly endpointArn: string;
  /** The production variant's name. */
  public readonly variantName: string;
  /** The execution role of the model. */
  public readonly role: iam.IRole;
  /** The key of the endpoint's data. */
  public readonly encryptionKey: kms.IKey;
  /** The bucket of captured data and monitoring reports, when there is one. */
  public readonly dataBucket?: s3.IBucket;
  /** The topic the alarms notify. */
  public readonly alarmTopic: sns.ITopic;
  /** The 5XX error alarm. */
  public readonly errorAlarm: cloudwatch.Alarm;
  /** The p99 model latency alarm. */
  public readonly latencyAlarm: cloudwatch.Alarm;
  /** One alarm per monitor: it fires when a monitoring run ends with violations. */
  public readonly violationAlarms: cloudwatch.Alarm[] = [];
  /** The monitoring role, when a monitor is on. */
  public readonly monitoringRole?: iam.IRole;
  /** The CloudWatch dashboard, when created. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** The autoscaling target, when autoscaling is on. */
  public readonly scalableTarget?: appscaling.ScalableTarget;
  /** The S3 URI of the captured data, when capture is on. */
  public readonly dataCaptureUri?: string;

  /** The L1 model. */
  public readonly cfnModel: sagemaker.CfnModel;
  /** The L1 endpoint config. */
  public readonly cfnEndpointConfig: sagemaker.CfnEndpointConfig;
  /** The L1 endpoint. */
  public readonly cfnEndpoint: sagemaker.CfnEndpoint;

  private readonly props: EndpointWithMonitorProps;
  private readonly instanceType?: InstanceType;
  private readonly rollbackAlarms: cloudwatch.IAlarm[] = [];
  private readonly securityGroupIds?: string[];
  private readonly subnetIds?: string[];
  private readonly networkIsolation: boolean;
  private readonly stageParameters?: EndpointStageParameters;
  private readonly tagList?: { key: string; value: string }[];

  constructor(scope: Construct, id: string, props: EndpointWithMonitorProps) {
    super(scope, id);
    this.props = props;
    check(props.model !== undefined, this, 'model', undefined, 'It is required: ModelSource.fromModelPackageArn(...) or ModelSource.fromImage(...)');
    this.stageParameters = Stack.of(this).node.findAll().find((c): c is EndpointStageParameters => c instanceof EndpointStageParameters);
    this.tagList = props.tags ? Object.entries(props.tags).map(([key, value]) => ({ key, value })) : undefined;
    this.validateShape(props);

    const serverless = props.serverless !== undefined;
    this.instanceType = serverless ? undefined : (props.instanceType ?? InstanceType.ML_M5_LARGE);
    this.variantName = props.variantName ?? 'AllTraffic';
    checkVariantName(this, 'variantName', this.variantName);
    this.networkIsolation = props.networkIsolation ?? !serverless;

    this.endpointName = props.endpointName ?? SageMakerName.derive(this);
    if (!Token.isUnresolved(this.endpointName)) {
      check(SAGEMAKER_NAME_PATTERN.test(this.endpointName) && this.endpointName.length <= 63, this, 'endpointName', this.endpointName,
        'It must be 1 to 63 letters, digits and dashes, starting and ending with a letter or digit');
    }

    this.encryptionKey = props.encryptionKey ?? new ProjectKey(this, 'Key');
    this.role = props.role ?? new ManagedPolicyRole(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal(SAGEMAKER),
      description: 'Execution role of a SageMaker model (least privilege, cdk-sagemaker-mlops)',
    });

    if (props.vpc) {
      // Private subnets with egress, or isolated ones (with VPC endpoints) when the VPC has no other.
      const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? {
        subnetType: props.vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
      });
      this.subnetIds = subnets.subnetIds;
      const groups = props.securityGroups ?? [this.createSecurityGroup(props.vpc)];
      this.securityGroupIds = groups.map((g) => g.securityGroupId);
      this.grantVpcAccess(this.role, props.vpc);
    }

    const monitors = props.dataQualityMonitor !== undefined || props.modelQualityMonitor !== undefined
      || props.modelBiasMonitor !== undefined || props.modelExplainabilityMonitor !== undefined;
    const needsBucket = props.dataCapture !== undefined || props.asyncInference !== undefined || monitors;
    if (needsBucket) {
      this.dataBucket = props.dataBucket ?? new ArtifactBucket(this, 'Data', { encryptionKey: this.encryptionKey }).bucket;
    }

    // Logs and metrics of the model container.
    const logGroup = new EncryptedLogGroup(this, 'Logs', {
      logGroupName: `/aws/sagemaker/Endpoints/${this.endpointName}`,
      encryptionKey: this.encryptionKey,
    });
    grantStatement(this.role, new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [logGroup.logGroupArn],
    }), 'The log streams of the endpoint\'s own log group, created by SageMaker per instance at run time.');
    this.grantPutMetricData(this.role, ['/aws/sagemaker/Endpoints']);

    // The model.
    const model = this.createModel('Model', props.model);
    this.cfnModel = model.cfn;
    const shadowModel = props.shadowVariant
      ? (props.shadowVariant.model ? this.createModel('ShadowModel', props.shadowVariant.model) : model)
      : undefined;

    // Data capture.
    const captureConfig = this.renderDataCapture();
    this.dataCaptureUri = captureConfig?.destinationS3Uri;

    // The endpoint config.
    const productionVariant = this.renderProductionVariant(model.cfn);
    const shadowVariant = shadowModel ? this.renderShadowVariant(shadowModel.cfn) : undefined;
    const asyncConfig = this.renderAsync();
    const endpointConfigProps = {
      productionVariants: [productionVariant],
      shadowProductionVariants: shadowVariant ? [shadowVariant] : undefined,
      kmsKeyId: this.renderVolumeKey(),
      dataCaptureConfig: captureConfig,
      asyncInferenceConfig: asyncConfig,
    };
    this.cfnEndpointConfig = new sagemaker.CfnEndpointConfig(this, 'EndpointConfig', {
      ...endpointConfigProps,
      tags: this.tagList,
    });
    this.cfnEndpointConfig.endpointConfigName = configHashedName(this.cfnEndpointConfig, { prefix: this.namePrefix('config') },
      // Tags (ours and those of Tags.of(), applied before rendering) are part of it: a change replaces the resource.
      () => ({ ...endpointConfigProps, tags: this.cfnEndpointConfig.tags.renderTags(), models: [model.config(), shadowModel?.config()] }),
      () => this.stageParameters?.deploymentId);
    this.acknowledgeVolumeKey();

    // Alarms (they also roll deployments back).
    this.alarmTopic = props.alarms?.topic ?? new sns.Topic(this, 'AlarmTopic', {
      masterKey: this.encryptionKey,
      enforceSSL: true,
      displayName: 'SageMaker endpoint alarms',
    });
    const evaluationPeriods = props.alarms?.evaluationPeriods ?? 2;
    checkIntegerRange(this, 'alarms.evaluationPeriods', evaluationPeriods, 1, 60);
    const errorThreshold = props.alarms?.invocationErrorThreshold ?? 1;
    check(!isLiteralNumber(errorThreshold) || errorThreshold >= 1, this, 'alarms.invocationErrorThreshold', errorThreshold, 'It must be at least 1');
    const latencyThreshold = props.alarms?.modelLatencyThreshold ?? Duration.seconds(1);
    check(latencyThreshold.toMilliseconds() > 0, this, 'alarms.modelLatencyThreshold', latencyThreshold, 'It must be longer than zero');
    this.errorAlarm = new cloudwatch.Alarm(this, 'ErrorAlarm', {
      alarmDescription: 'Invocation 5XX errors of the SageMaker endpoint (also rolls a deployment back)',
      metric: this.metricInvocation5XXErrors({ period: Duration.minutes(1) }),
      threshold: errorThreshold,
      evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.latencyAlarm = new cloudwatch.Alarm(this, 'LatencyAlarm', {
      alarmDescription: 'p99 model latency of the SageMaker endpoint, in microseconds (also rolls a deployment back)',
      metric: this.metricModelLatency({ period: Duration.minutes(1), statistic: 'p99' }),
      threshold: latencyThreshold.toMilliseconds() * 1000,
      evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.errorAlarm, this.latencyAlarm]) {
      alarm.addAlarmAction(new cw_actions.SnsAction(this.alarmTopic));
      alarm.addOkAction(new cw_actions.SnsAction(this.alarmTopic));
    }
    if (props.deployment?.defaultRollbackAlarms ?? true) {
      this.rollbackAlarms.push(this.errorAlarm, this.latencyAlarm);
    }
    this.rollbackAlarms.push(...(props.deployment?.rollbackAlarms ?? []));

    // The endpoint.
    const autoscaled = props.autoscaling !== undefined;
    this.cfnEndpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', {
      endpointName: this.endpointName,
      endpointConfigName: this.cfnEndpointConfig.attrEndpointConfigName,
      deploymentConfig: Lazy.any({ produce: () => this.renderDeploymentConfig() }),
      // Keep the scaled instance count on update; the capture settings follow the template.
      retainAllVariantProperties: autoscaled && !serverless ? true : undefined,
      excludeRetainedVariantProperties: autoscaled && !serverless ? [{ variantPropertyType: 'DataCaptureConfig' }] : undefined,
      tags: this.tagList,
    });
    this.endpointArn = this.cfnEndpoint.ref;
    // SageMaker would create the log group itself (unencrypted, kept for ever) if it came first.
    this.cfnEndpoint.node.addDependency(logGroup);
    this.validateDeployment();

    if (props.autoscaling) {
      this.scalableTarget = this.createAutoscaling(props.autoscaling);
    }

    // Model Monitor.
    if (monitors) {
      this.monitoringRole = this.createMonitoringRole();
      if (props.dataQualityMonitor) { this.createDataQualityMonitor(props.dataQualityMonitor); }
      if (props.modelQualityMonitor) { this.createModelQualityMonitor(props.modelQualityMonitor); }
      if (props.modelBiasMonitor) { this.createModelBiasMonitor(props.modelBiasMonitor); }
      if (props.modelExplainabilityMonitor) { this.createModelExplainabilityMonitor(props.modelExplainabilityMonitor); }
    }

    if (props.dashboard ?? true) {
      this.dashboard = this.createDashboard();
    }
  }

  /**
   * Add an alarm that rolls a deployment back (up to 10 in all).
   *
   * @param alarm the alarm
   */
  public addRollbackAlarm(alarm: cloudwatch.IAlarm): void {
    this.rollbackAlarms.push(alarm);
  }

  /**
   * Let `grantee` invoke the endpoint (real-time, streaming and asynchronous).
   *
   * @param grantee the principal
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync', 'sagemaker:InvokeEndpointWithResponseStream'],
      resourceArns: [this.endpointArn],
    });
  }

  /**
   * A metric of the endpoint in the `AWS/SageMaker` namespace.
   *
   * @param metricName the metric
   * @param props options (the variant, the statistic, the period)
   */
  public metric(metricName: string, props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric('AWS/SageMaker', metricName, 'Sum', props);
  }

  /** Requests to the endpoint. Sum over 5 minutes by default. */
  public metricInvocations(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric('AWS/SageMaker', 'Invocations', 'Sum', props);
  }

  /** Requests per instance. Sum over 5 minutes by default. */
  public metricInvocationsPerInstance(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric('AWS/SageMaker', 'InvocationsPerInstance', 'Sum', props);
  }

  /** Requests answered with a 4XX error. Sum over 5 minutes by default. */
  public metricInvocation4XXErrors(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric('AWS/SageMaker', 'Invocation4XXErrors', 'Sum', props);
  }

  /** Requests answered with a 5XX error. Sum over 5 minutes by default. */
  public metricInvocation5XXErrors(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric('AWS/SageMaker', 'Invocation5XXErrors', 'Sum', props);
  }

  /** Errors raised by the model container. Sum over 5 minutes by default. */
  public metricModelErrors(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric('AWS/SageMaker', 'ModelError', 'Sum', props);
  }

  /** Time the model takes to answer, in microseconds. p99 over 5 minutes by default. */
  public metricModelLatency(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric('AWS/SageMaker', 'ModelLatency', 'p99', props);
  }

  /** Time SageMaker adds to the model latency, in microseconds. p99 over 5 minutes by default. */
  public metricOverheadLatency(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric('AWS/SageMaker', 'OverheadLatency', 'p99', props);
  }

  /** CPU utilization of the instances (100% per core). Average over 5 minutes by default. */
  public metricCpuUtilization(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric('/aws/sagemaker/Endpoints', 'CPUUtilization', 'Average', props);
  }

  /** Memory utilization of the instances. Average over 5 minutes by default. */
  public metricMemoryUtilization(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric('/aws/sagemaker/Endpoints', 'MemoryUtilization', 'Average', props);
  }

  /** Disk utilization of the instances. Average over 5 minutes by default. */
  public metricDiskUtilization(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric('/aws/sagemaker/Endpoints', 'DiskUtilization', 'Average', props);
  }

  /** GPU utilization of the instances (100% per GPU). Average over 5 minutes by default. */
  public metricGpuUtilization(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric('/aws/sagemaker/Endpoints', 'GPUUtilization', 'Average', props);
  }

  /** GPU memory utilization of the instances. Average over 5 minutes by default. */
  public metricGpuMemoryUtilization(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric('/aws/sagemaker/Endpoints', 'GPUMemoryUtilization', 'Average', props);
  }

  private variantMetric(namespace: string, metricName: string, statistic: string, props: EndpointMetricOptions): cloudwatch.Metric {
    const { variantName, ...options } = props;
    return new cloudwatch.Metric({
      namespace,
      metricName,
      statistic,
      period: Duration.minutes(5),
      ...options,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: variantName ?? this.variantName, ...options.dimensionsMap },
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Validation of the props' shape

  private validateShape(props: EndpointWithMonitorProps): void {
    if (props.serverless) {
      for (const [prop, value] of [['instanceType', props.instanceType], ['initialInstanceCount', props.initialInstanceCount],
        ['vpc', props.vpc], ['dataCapture', props.dataCapture], ['dataQualityMonitor', props.dataQualityMonitor],
        ['modelQualityMonitor', props.modelQualityMonitor], ['modelBiasMonitor', props.modelBiasMonitor],
        ['modelExplainabilityMonitor', props.modelExplainabilityMonitor], ['asyncInference', props.asyncInference],
        ['shadowVariant', props.shadowVariant]] as const) {
        if (value !== undefined) {
          throw propError(this, prop, value === undefined ? value : (value instanceof InstanceType ? value.name : typeof value === 'object' ? 'set' : value),
            'A serverless variant does not support it (SageMaker Serverless Inference has no instances, VPC, data capture, Model Monitor, asynchronous mode or shadow variants)');
        }
      }
      check(props.networkIsolation !== true, this, 'networkIsolation', true, 'A serverless variant does not support network isolation');
      const mem = props.serverless.memorySize.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
      check([1024, 2048, 3072, 4096, 5120, 6144].includes(mem), this, 'serverless.memorySize', `${mem} MiB`,
        'It must be 1, 2, 3, 4, 5 or 6 GiB');
      const maxConcurrency = props.serverless.maxConcurrency ?? 20;
      checkIntegerRange(this, 'serverless.maxConcurrency', maxConcurrency, 1, 200);
      if (props.serverless.provisionedConcurrency !== undefined) {
        checkIntegerRange(this, 'serverless.provisionedConcurrency', props.serverless.provisionedConcurrency, 1,
          isLiteralNumber(maxConcurrency) ? maxConcurrency : 200);
      }
    } else {
      checkIntegerRange(this, 'initialInstanceCount', props.initialInstanceCount, 1, 100);
    }
    if (props.vpc === undefined) {
      check(props.vpcSubnets === undefined, this, 'vpcSubnets', 'set', 'It needs `vpc`');
      check(props.securityGroups === undefined, this, 'securityGroups', `${props.securityGroups?.length} group(s)`, 'It needs `vpc`');
    }
    if (props.dataCapture) {
      const c = props.dataCapture;
      checkIntegerRange(this, 'dataCapture.samplingPercentage', c.samplingPercentage, 0, 100);
      check((c.captureRequest ?? true) || (c.captureResponse ?? true), this, 'dataCapture.captureRequest', false,
        'At least one of `captureRequest` and `captureResponse` must stay on');
      if (c.prefix !== undefined && !Token.isUnresolved(c.prefix)) {
        check(!c.prefix.startsWith('/') && c.prefix.length > 0, this, 'dataCapture.prefix', c.prefix, 'It must be a key prefix without a leading slash');
      }
    }
    const captureOn = props.dataCapture !== undefined && (props.dataCapture.enabled ?? true);
    for (const [prop, monitor] of [['dataQualityMonitor', props.dataQualityMonitor], ['modelQualityMonitor', props.modelQualityMonitor],
      ['modelBiasMonitor', props.modelBiasMonitor], ['modelExplainabilityMonitor', props.modelExplainabilityMonitor]] as const) {
      if (monitor === undefined) { continue; }
      check(captureOn, this, prop, 'set',
        'A monitor analyses captured traffic: turn data capture on (`dataCapture: { enabled: true }`)');
      check(props.dataCapture?.captureRequest ?? true, this, 'dataCapture.captureRequest', false,
        `The ${prop} reads the captured requests: keep \`captureRequest\` on`);
    }
    for (const [prop, monitor] of [['modelQualityMonitor', props.modelQualityMonitor], ['modelBiasMonitor', props.modelBiasMonitor],
      ['modelExplainabilityMonitor', props.modelExplainabilityMonitor]] as const) {
      if (monitor === undefined) { continue; }
      check(props.dataCapture?.captureResponse ?? true, this, 'dataCapture.captureResponse', false,
        `The ${prop} reads the captured responses (predictions): keep \`captureResponse\` on`);
    }
    if (props.asyncInference?.maxConcurrentInvocationsPerInstance !== undefined) {
      checkIntegerRange(this, 'asyncInference.maxConcurrentInvocationsPerInstance', props.asyncInference.maxConcurrentInvocationsPerInstance, 1, 1000);
    }
    if (props.shadowVariant) {
      checkIntegerRange(this, 'shadowVariant.initialInstanceCount', props.shadowVariant.initialInstanceCount, 1, 100);
      checkIntegerRange(this, 'shadowVariant.samplingPercentage', props.shadowVariant.samplingPercentage, 1, 100);
      const name = props.shadowVariant.variantName ?? 'Shadow';
      checkVariantName(this, 'shadowVariant.variantName', name);
      check(name !== (props.variantName ?? 'AllTraffic'), this, 'shadowVariant.variantName', name,
        'It must differ from the production variant name');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Model and endpoint config

  private namePrefix(kind: string): string {
    // The endpoint name is readable and unique; a token (a stage parameter) counts as 16 characters.
    const base = Token.isUnresolved(this.endpointName) ? this.endpointName : this.endpointName.slice(0, 40);
    return `${base}-${kind}`;
  }

  private createModel(id: string, source: ModelSource): { cfn: sagemaker.CfnModel; config: () => any } {
    const bound = source.bind(this, this.role);
    const isolation = this.networkIsolation;
    const modelProps = {
      executionRoleArn: this.role.roleArn,
      primaryContainer: {
        image: bound.image,
        modelDataUrl: bound.modelDataUrl,
        modelPackageName: bound.modelPackageName,
        environment: bound.environment,
      },
      enableNetworkIsolation: isolation ? true : undefined,
      vpcConfig: this.subnetIds ? { subnets: this.subnetIds, securityGroupIds: this.securityGroupIds! } : undefined,
    };
    const cfn = new sagemaker.CfnModel(this, id, { ...modelProps, tags: this.tagList });
    const config = () => ({ ...modelProps, tags: cfn.tags.renderTags() });
    cfn.modelName = configHashedName(cfn, { prefix: this.namePrefix(id === 'Model' ? 'model' : 'shadow') },
      config, () => this.stageParameters?.deploymentId);
    // The role's policies must exist before SageMaker checks the model's access.
    cfn.node.addDependency(this.role);
    return { cfn, config };
  }

  private renderProductionVariant(model: sagemaker.CfnModel): sagemaker.CfnEndpointConfig.ProductionVariantProperty {
    if (this.props.serverless) {
      const s = this.props.serverless;
      return {
        variantName: this.variantName,
        modelName: model.attrModelName,
        serverlessConfig: {
          memorySizeInMb: s.memorySize.toMebibytes(),
          maxConcurrency: s.maxConcurrency ?? 20,
          provisionedConcurrency: s.provisionedConcurrency,
        },
      };
    }
    return {
      variantName: this.variantName,
      modelName: model.attrModelName,
      instanceType: this.instanceType!.name,
      initialInstanceCount: this.props.initialInstanceCount ?? 2,
      initialVariantWeight: 1,
    };
  }

  private renderShadowVariant(model: sagemaker.CfnModel): sagemaker.CfnEndpointConfig.ProductionVariantProperty {
    const s = this.props.shadowVariant!;
    // The shadow variant receives (its weight / production weight) of the requests.
    return {
      variantName: s.variantName ?? 'Shadow',
      modelName: model.attrModelName,
      instanceType: (s.instanceType ?? this.instanceType!).name,
      initialInstanceCount: s.initialInstanceCount ?? 1,
      initialVariantWeight: (s.samplingPercentage ?? 100) / 100,
    };
  }

  private allInstanceTypes(): InstanceType[] {
    const types = [this.instanceType, this.props.shadowVariant?.instanceType].filter((t): t is InstanceType => t !== undefined);
    return types;
  }

  /** Literal candidates of every instance type of the config (a parameter's allowed values for tokens). */
  private literalCandidates(): { names: string[]; tokens: InstanceType[]; unknown: boolean } {
    const names: string[] = [];
    const tokens: InstanceType[] = [];
    let unknown = false;
    for (const t of this.allInstanceTypes()) {
      if (!t.isToken) { names.push(t.name); continue; }
      tokens.push(t);
      if (t._candidates) { names.push(...t._candidates); } else { unknown = true; }
    }
    return { names, tokens, unknown };
  }

  private renderVolumeKey(): string | undefined {
    const keyArn = this.encryptionKey.keyArn;
    const types = this.allInstanceTypes();
    if (types.some((t) => t.hasInstanceStorage)) {
      // SageMaker refuses a volume key for instance types with NVMe instance storage.
      return undefined;
    }
    const tokenTypes = types.filter((t) => t.isToken && t._candidates?.some(instanceTypeHasStorage));
    if (tokenTypes.length === 0) {
      if (types.some((t) => t.isToken && !t._candidates)) {
        Annotations.of(this).addWarningV2('cdk-sagemaker-mlops:endpoint-instance-type-token',
          'The instance type is a token without known candidates: the volume key is set, and SageMaker will refuse it for an instance type with NVMe instance storage. Use EndpointStageParameters for a parameterized instance type.');
      }
      return keyArn;
    }
    // A parameterized instance type: leave the key out when the chosen type has instance storage.
    const conditions: ICfnConditionExpression[] = [];
    for (const t of tokenTypes) {
      for (const c of t._candidates!.filter(instanceTypeHasStorage)) {
        conditions.push(Fn.conditionEquals(t.name, c));
      }
    }
    const condition = new CfnCondition(this, 'HasInstanceStorage', { expression: anyOf(conditions) });
    return Token.asString(Fn.conditionIf(condition.logicalId, Aws.NO_VALUE, keyArn));
  }

  private acknowledgeVolumeKey(): void {
    if (!this.allInstanceTypes().some((t) => t.hasInstanceStorage)) { return; }
    const names = this.allInstanceTypes().filter((t) => t.hasInstanceStorage).map((t) => t.name).join(', ');
    const reason = `The instance type (${names}) has NVMe instance storage, which a hardware module on the instance encrypts; ` +
      'SageMaker refuses a KmsKeyId for such instance types (CreateEndpointConfig fails).';
    Validations.of(this.cfnEndpointConfig).acknowledge(
      { id: 'HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured', reason },
      { id: 'NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured', reason },
      { id: 'PCI.DSS.321-SageMakerEndpointConfigurationKMSKeyConfigured', reason },
    );
  }

  private renderDataCapture(): sagemaker.CfnEndpointConfig.DataCaptureConfigProperty | undefined {
    const c = this.props.dataCapture;
    if (!c) { return undefined; }
    const bucket = this.dataBucket!;
    const prefix = (c.prefix ?? `data-capture/${this.endpointName}`).replace(/\/+$/, '');
    const enabled = c.enabled ?? true;
    const modes = [
      ...(c.captureRequest ?? true ? [{ captureMode: 'Input' }] : []),
      ...(c.captureResponse ?? true ? [{ captureMode: 'Output' }] : []),
    ];
    if (enabled) {
      grantWriteObjects(this.role, bucket, `${prefix}/*`,
        'SageMaker writes one captured-data object per hour and instance, named at run time, under the endpoint\'s capture prefix.');
      grantKey(this.role, this.encryptionKey, ['kms:GenerateDataKey', 'kms:Encrypt']);
    }
    return {
      enableCapture: enabled,
      initialSamplingPercentage: c.samplingPercentage ?? 20,
      destinationS3Uri: `s3://${bucket.bucketName}/${prefix}`,
      kmsKeyId: this.encryptionKey.keyArn,
      captureOptions: modes,
      captureContentTypeHeader: c.csvContentTypes || c.jsonContentTypes
        ? { csvContentTypes: c.csvContentTypes, jsonContentTypes: c.jsonContentTypes }
        : undefined,
    };
  }

  private renderAsync(): sagemaker.CfnEndpointConfig.AsyncInferenceConfigProperty | undefined {
    const a = this.props.asyncInference;
    if (!a) { return undefined; }
    const bucket = this.dataBucket!;
    const output = (a.outputPrefix ?? `async-inference/${this.endpointName}/output`).replace(/\/+$/, '');
    const failure = (a.failurePrefix ?? `async-inference/${this.endpointName}/failure`).replace(/\/+$/, '');
    const reason = 'SageMaker writes one result object per asynchronous request, named at run time, under the endpoint\'s output prefixes.';
    grantWriteObjects(this.role, bucket, `${output}/*`, reason);
    grantWriteObjects(this.role, bucket, `${failure}/*`, reason);
    grantKey(this.role, this.encryptionKey, ['kms:GenerateDataKey', 'kms:Encrypt']);
    a.successTopic?.grantPublish(this.role);
    a.errorTopic?.grantPublish(this.role);
    return {
      clientConfig: a.maxConcurrentInvocationsPerInstance !== undefined
        ? { maxConcurrentInvocationsPerInstance: a.maxConcurrentInvocationsPerInstance }
        : undefined,
      outputConfig: {
        s3OutputPath: `s3://${bucket.bucketName}/${output}`,
        s3FailurePath: `s3://${bucket.bucketName}/${failure}`,
        kmsKeyId: this.encryptionKey.keyArn,
        notificationConfig: a.successTopic || a.errorTopic
          ? { successTopic: a.successTopic?.topicArn, errorTopic: a.errorTopic?.topicArn }
          : undefined,
      },
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Deployment

  private deploymentTiming(): { routing: TrafficRouting; wait: number; bake: number; total: number; timeout: number } {
    const d = this.props.deployment ?? {};
    const routing = d.trafficRouting ?? TrafficRouting.allAtOnce();
    const wait = routing.waitInterval.toSeconds({ integral: false });
    const bake = (d.bakeTime ?? Duration.minutes(5)).toSeconds({ integral: false });
    let steps = 1;
    if (routing.type === TrafficRoutingType.LINEAR && routing.stepSize) {
      const count = this.props.initialInstanceCount ?? 2;
      if (routing.stepSize.type === CapacitySizeType.CAPACITY_PERCENT) {
        steps = Math.ceil(100 / routing.stepSize.value);
      } else if (isLiteralNumber(count)) {
        steps = Math.ceil(count / routing.stepSize.value);
      } else {
        steps = 10; // 10% is the smallest linear step SageMaker allows
      }
    }
    const total = wait * steps + bake;
    const timeout = d.maximumExecutionTimeout
      ? d.maximumExecutionTimeout.toSeconds({ integral: false })
      : Math.min(28800, Math.max(600, total + 1800));
    return { routing, wait, bake, total, timeout };
  }

  private validateDeployment(): void {
    const d = this.props.deployment ?? {};
    const { routing, wait, bake, total, timeout } = this.deploymentTiming();
    checkIntegerRange(this, 'deployment.trafficRouting.waitInterval (seconds)', wait, 0, 3600);
    checkIntegerRange(this, 'deployment.bakeTime (seconds)', bake, 0, 3600);
    if (d.maximumExecutionTimeout) {
      checkIntegerRange(this, 'deployment.maximumExecutionTimeout (seconds)', timeout, 600, 28800);
    }
    check(timeout > total, this, 'deployment.maximumExecutionTimeout', d.maximumExecutionTimeout ?? Duration.seconds(timeout),
      `It must be longer than all waits plus the bake time (${total} seconds: ${wait} s wait per step and ${bake} s bake time)`);
    const count = this.props.initialInstanceCount ?? 2;
    if (routing.type !== TrafficRoutingType.ALL_AT_ONCE) {
      check(this.props.serverless === undefined, this, 'deployment.trafficRouting', routing.type,
        'A serverless variant shifts traffic all at once: use TrafficRouting.allAtOnce()');
    }
    if (routing.type === TrafficRoutingType.CANARY) {
      const size = routing.canarySize!;
      if (size.type === CapacitySizeType.CAPACITY_PERCENT) {
        checkIntegerRange(this, 'deployment.trafficRouting.canarySize (percent)', size.value, 1, 50);
      } else {
        checkIntegerRange(this, 'deployment.trafficRouting.canarySize (instances)', size.value, 1, 100);
        if (isLiteralNumber(count)) {
          check(size.value <= count / 2, this, 'deployment.trafficRouting.canarySize (instances)', size.value,
            `It must be at most half of the variant's ${count} instance(s)`);
        }
      }
    }
    if (routing.type === TrafficRoutingType.LINEAR) {
      const size = routing.stepSize!;
      if (size.type === CapacitySizeType.CAPACITY_PERCENT) {
        checkIntegerRange(this, 'deployment.trafficRouting.stepSize (percent)', size.value, 10, 50);
      } else {
        checkIntegerRange(this, 'deployment.trafficRouting.stepSize (instances)', size.value, 1, 100);
        if (isLiteralNumber(count)) {
          check(size.value >= count / 10 && size.value <= count / 2, this, 'deployment.trafficRouting.stepSize (instances)', size.value,
            `It must be 10 to 50 percent of the variant's ${count} instance(s)`);
        }
      }
    }
    if (this.allInstanceTypes().some((t) => !t.isToken && /^ml\.inf1\./.test(t.name)) && routing.type !== TrafficRoutingType.ALL_AT_ONCE) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-mlops:endpoint-inf1-guardrails',
        'SageMaker does not apply canary or linear traffic shifting to Inf1 instances: it falls back to all at once without a bake time.');
    }
    PropChecks.defer(this, () => {
      const issues: PropIssue[] = [];
      if (this.rollbackAlarms.length > MAX_ROLLBACK_ALARMS) {
        issues.push({ prop: 'deployment.rollbackAlarms', value: `${this.rollbackAlarms.length} alarms`,
          rule: `SageMaker accepts at most ${MAX_ROLLBACK_ALARMS} rollback alarms (the 2 default ones included)` });
      }
      return issues;
    });
  }

  private renderDeploymentConfig(): sagemaker.CfnEndpoint.DeploymentConfigProperty {
    const { routing, wait, bake, timeout } = this.deploymentTiming();
    return {
      blueGreenUpdatePolicy: {
        trafficRoutingConfiguration: {
          type: routing.type,
          waitIntervalInSeconds: wait,
          canarySize: routing.canarySize ? { type: routing.canarySize.type, value: routing.canarySize.value } : undefined,
          linearStepSize: routing.stepSize ? { type: routing.stepSize.type, value: routing.stepSize.value } : undefined,
        },
        terminationWaitInSeconds: bake,
        maximumExecutionTimeoutInSeconds: timeout,
      },
      autoRollbackConfiguration: this.rollbackAlarms.length > 0
        ? { alarms: this.rollbackAlarms.map((a) => ({ alarmName: a.alarmName })) }
        : undefined,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Autoscaling

  private createAutoscaling(a: AutoscalingOptions): appscaling.ScalableTarget {
    const serverless = this.props.serverless;
    if (serverless) {
      check(serverless.provisionedConcurrency !== undefined, this, 'autoscaling', 'set',
        'A serverless variant scales its provisioned concurrency: set `serverless.provisionedConcurrency`');
    } else {
      const burstable = this.literalCandidates().names.filter(instanceTypeIsBurstable);
      check(burstable.length === 0, this, 'instanceType', burstable.join(', '),
        'Burstable instance types (ml.t2, ml.t3) cannot be autoscaled: choose another type or turn autoscaling off');
    }
    const minCapacity = a.minCapacity ?? (serverless ? serverless.provisionedConcurrency! : (this.props.initialInstanceCount ?? 2));
    const maxLimit = serverless ? (serverless.maxConcurrency ?? 20) : 1000;
    checkIntegerRange(this, 'autoscaling.minCapacity', minCapacity, 1, isLiteralNumber(maxLimit) ? maxLimit : 1000);
    checkIntegerRange(this, 'autoscaling.maxCapacity', a.maxCapacity, 1, isLiteralNumber(maxLimit) ? maxLimit : 1000);
    if (isLiteralNumber(minCapacity) && isLiteralNumber(a.maxCapacity)) {
      check(a.maxCapacity >= minCapacity, this, 'autoscaling.maxCapacity', a.maxCapacity,
        `It must be at least minCapacity (${minCapacity})`);
    }
    check((a.customMetric === undefined) === (a.customMetricTarget === undefined), this,
      a.customMetric ? 'autoscaling.customMetricTarget' : 'autoscaling.customMetric', undefined,
      '`customMetric` and `customMetricTarget` go together');
    const scaleIn = a.scaleInCooldown ?? Duration.minutes(5);
    const scaleOut = a.scaleOutCooldown ?? Duration.minutes(1);
    checkIntegerRange(this, 'autoscaling.scaleInCooldown (seconds)', scaleIn.toSeconds({ integral: false }), 0, 86400);
    checkIntegerRange(this, 'autoscaling.scaleOutCooldown (seconds)', scaleOut.toSeconds({ integral: false }), 0, 86400);

    const stack = Stack.of(this);
    const target = new appscaling.ScalableTarget(this, 'ScalableTarget', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${this.cfnEndpoint.attrEndpointName}/variant/${this.variantName}`,
      scalableDimension: serverless ? 'sagemaker:variant:DesiredProvisionedConcurrency' : 'sagemaker:variant:DesiredInstanceCount',
      minCapacity,
      maxCapacity: a.maxCapacity,
      // The service-linked role of Application Auto Scaling for SageMaker (created on first use).
      role: iam.Role.fromRoleArn(this, 'AutoScalingRole', stack.formatArn({
        service: 'iam', region: '', resource: 'role',
        resourceName: 'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint',
      }), { mutable: false }),
    });
    target.node.addDependency(this.cfnEndpoint);
    if (serverless) {
      const utilization = a.targetProvisionedConcurrencyUtilization ?? 0.7;
      check(!isLiteralNumber(utilization) || (utilization >= 0.1 && utilization <= 0.9), this,
        'autoscaling.targetProvisionedConcurrencyUtilization', utilization, 'It must be from 0.1 to 0.9');
      target.scaleToTrackMetric('ProvisionedConcurrency', {
        predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_PROVISIONED_CONCURRENCY_UTILIZATION,
        targetValue: utilization,
        scaleInCooldown: scaleIn,
        scaleOutCooldown: scaleOut,
      });
    } else {
      const invocations = a.targetInvocationsPerInstance ?? 100;
      check(!isLiteralNumber(invocations) || invocations > 0, this, 'autoscaling.targetInvocationsPerInstance', invocations,
        'It must be greater than zero');
      target.scaleToTrackMetric('InvocationsPerInstance', {
        predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
        targetValue: invocations,
        scaleInCooldown: scaleIn,
        scaleOutCooldown: scaleOut,
      });
    }
    if (a.customMetric) {
      target.scaleToTrackMetric('CustomMetric', {
        customMetric: a.customMetric,
        targetValue: a.customMetricTarget!,
        scaleInCooldown: scaleIn,
        scaleOutCooldown: scaleOut,
      });
    }
    return target;
  }

  // ---------------------------------------------------------------------------------------------
  // Model Monitor

  private createMonitoringRole(): iam.Role {
    const role = new ManagedPolicyRole(this, 'MonitoringRole', {
      assumedBy: new iam.ServicePrincipal(SAGEMAKER),
      description: 'Model Monitor jobs of a SageMaker endpoint (least privilege, cdk-sagemaker-mlops)',
    });
    const bucket = this.dataBucket!;
    const capturePrefix = this.capturePrefix();
    grantReadObjects(role, bucket, `${capturePrefix}/*`,
      'Captured data objects are written by SageMaker at run time; reads are limited to the endpoint\'s capture prefix.');
    grantListPrefix(role, bucket, capturePrefix);
    grantWriteObjects(role, bucket, `${this.monitoringPrefix()}/*`,
      'Each monitoring run writes reports named at run time; writes are limited to the endpoint\'s monitoring prefix.');
    grantKey(role, this.encryptionKey, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']);
    // The job's encrypted volume: SageMaker creates the EBS grant with the role's credentials.
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: ['kms:CreateGrant'],
      resourceArns: [this.encryptionKey.keyArn],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    });
    const stack = Stack.of(this);
    grantStatement(role, new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/ProcessingJobs:*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }), 'Model Monitor runs as SageMaker processing jobs, which log to the account\'s /aws/sagemaker/ProcessingJobs group, one stream per job named at run time.');
    this.grantPutMetricData(role, ['aws/sagemaker/Endpoints/data-metrics', 'aws/sagemaker/Endpoints/model-metrics']);
    if (this.props.vpc) { this.grantVpcAccess(role, this.props.vpc); }
    return role;
  }

  private capturePrefix(): string {
    return (this.props.dataCapture?.prefix ?? `data-capture/${this.endpointName}`).replace(/\/+$/, '');
  }

  private monitoringPrefix(): string {
    return `monitoring/${this.endpointName}`;
  }

  private monitoringResources(prop: string, o: MonitoringJobOptions) {
    const instanceType = o.instanceType ?? InstanceType.ML_M5_XLARGE;
    const instanceCount = o.instanceCount ?? 1;
    const volume = o.volumeSize ?? Size.gibibytes(20);
    const frequency = o.frequency ?? MonitoringFrequency.HOURLY;
    const maxRuntime = o.maxRuntime ?? Duration.hours(1);
    checkIntegerRange(this, `${prop}.instanceCount`, instanceCount, 1, 100);
    checkIntegerRange(this, `${prop}.volumeSize (GiB)`, volume.toGibibytes({ rounding: SizeRoundingBehavior.NONE }), 1, 16384);
    checkIntegerRange(this, `${prop}.maxRuntime (seconds)`, maxRuntime.toSeconds({ integral: false }), 1, 86400);
    check(maxRuntime.toSeconds({ integral: false }) <= frequency.intervalHours * 3600, this, `${prop}.maxRuntime`, maxRuntime,
      `It must fit in the interval between runs (${frequency.intervalHours} hour(s))`);
    return {
      frequency,
      resources: {
        clusterConfig: {
          instanceCount,
          instanceType: instanceType.name,
          volumeSizeInGb: volume.toGibibytes(),
          // SageMaker refuses a volume key for instance types with NVMe instance storage.
          volumeKmsKeyId: instanceType.hasInstanceStorage ? undefined : this.encryptionKey.keyArn,
        },
      },
      stopping: { maxRuntimeInSeconds: maxRuntime.toSeconds({ integral: false }) },
      network: {
        enableInterContainerTrafficEncryption: true,
        enableNetworkIsolation: true,
        vpcConfig: this.subnetIds ? { subnets: this.subnetIds, securityGroupIds: this.securityGroupIds! } : undefined,
      },
    };
  }

  private monitoringOutput(kind: string) {
    return {
      kmsKeyId: this.encryptionKey.keyArn,
      monitoringOutputs: [{
        s3Output: {
          localPath: '/opt/ml/processing/output',
          s3Uri: `s3://${this.dataBucket!.bucketName}/${this.monitoringPrefix()}/${kind}`,
          s3UploadMode: 'EndOfJob',
        },
      }],
    };
  }

  private createDataQualityMonitor(o: DataQualityMonitorOptions): void {
    const baseline = o.baseline.bind(this, this.monitoringRole!);
    check(baseline.statisticsUri !== undefined, this, 'dataQualityMonitor.baseline.statisticsUri', undefined,
      'The data quality monitor needs the baseline statistics as well as the constraints');
    const { frequency, resources, stopping, network } = this.monitoringResources('dataQualityMonitor', o);
    const jobProps = {
      dataQualityAppSpecification: {
        imageUri: this.props.analyzerImageUri ?? modelMonitorAnalyzerImage(this),
        environment: (o.publishMetrics ?? true) ? { publish_cloudwatch_metrics: 'Enabled' } : undefined,
      },
      dataQualityBaselineConfig: {
        constraintsResource: { s3Uri: baseline.constraintsUri },
        statisticsResource: { s3Uri: baseline.statisticsUri },
      },
      dataQualityJobInput: { endpointInput: this.endpointInput() },
      dataQualityJobOutputConfig: this.monitoringOutput('data-quality'),
      jobResources: resources,
      networkConfig: network,
      roleArn: this.monitoringRole!.roleArn,
      stoppingCondition: stopping,
    };
    const job = new sagemaker.CfnDataQualityJobDefinition(this, 'DataQualityJobDefinition', { ...jobProps, tags: this.tagList });
    this.finishMonitor(job, jobProps, 'DataQuality', 'dq', frequency);
  }

  /** Read access to the ground truth prefix, and the rendered S3 input and time offsets. */
  private groundTruth(prop: string, o: GroundTruthOptions) {
    const prefix = (o.groundTruthPrefix ?? `ground-truth/${this.endpointName}`).replace(/\/+$/, '');
    grantReadObjects(this.monitoringRole!, o.groundTruthBucket, `${prefix}/*`,
      'Ground truth labels are uploaded at run time; reads are limited to the endpoint\'s ground-truth prefix.');
    grantListPrefix(this.monitoringRole!, o.groundTruthBucket, prefix);
    const offset = (name: string, d?: Duration): string | undefined => {
      if (d === undefined) { return undefined; }
      const hours = d.toHours({ integral: false });
      check(Number.isInteger(hours) && hours >= 1 && hours <= 24 * 30, this, `${prop}.${name}`, d,
        'It must be a whole number of hours, from 1 hour to 30 days');
      return `-PT${hours}H`;
    };
    const start = offset('startTimeOffset', o.startTimeOffset);
    const end = offset('endTimeOffset', o.endTimeOffset);
    if (o.startTimeOffset && o.endTimeOffset) {
      check(o.startTimeOffset.toHours() > o.endTimeOffset.toHours(), this, `${prop}.endTimeOffset`, o.endTimeOffset,
        `It must be shorter than startTimeOffset (${o.startTimeOffset.toHumanString()}): the window ends after it starts`);
    }
    return { s3Input: { s3Uri: `s3://${o.groundTruthBucket.bucketName}/${prefix}` }, startTimeOffset: start, endTimeOffset: end };
  }

  private createModelQualityMonitor(o: ModelQualityMonitorOptions): void {
    const baseline = o.baseline.bind(this, this.monitoringRole!);
    const truth = this.groundTruth('modelQualityMonitor', o);
    if (o.probabilityThresholdAttribute !== undefined) {
      check(o.problemType === ProblemType.BINARY_CLASSIFICATION, this, 'modelQualityMonitor.probabilityThresholdAttribute', o.probabilityThresholdAttribute,
        'It applies to binary classification only');
    }
    const { frequency, resources, stopping, network } = this.monitoringResources('modelQualityMonitor', o);
    const jobProps = {
      modelQualityAppSpecification: {
        imageUri: this.props.analyzerImageUri ?? modelMonitorAnalyzerImage(this),
        problemType: o.problemType,
      },
      modelQualityBaselineConfig: { constraintsResource: { s3Uri: baseline.constraintsUri } },
      modelQualityJobInput: {
        endpointInput: {
          ...this.endpointInput(),
          inferenceAttribute: o.inferenceAttribute,
          probabilityAttribute: o.probabilityAttribute,
          probabilityThresholdAttribute: o.probabilityThresholdAttribute,
          startTimeOffset: truth.startTimeOffset,
          endTimeOffset: truth.endTimeOffset,
        },
        groundTruthS3Input: truth.s3Input,
      },
      modelQualityJobOutputConfig: this.monitoringOutput('model-quality'),
      jobResources: resources,
      networkConfig: network,
      roleArn: this.monitoringRole!.roleArn,
      stoppingCondition: stopping,
    };
    const job = new sagemaker.CfnModelQualityJobDefinition(this, 'ModelQualityJobDefinition', { ...jobProps, tags: this.tagList });
    this.finishMonitor(job, jobProps, 'ModelQuality', 'mq', frequency);
  }

  private clarifyBaseline(prop: string, o: { baseline: { bind(scope: Construct, grantee: iam.IGrantable): any } }) {
    const baseline = o.baseline.bind(this, this.monitoringRole!);
    check(baseline.analysisConfigUri !== undefined, this, `${prop}.baseline.analysisConfigUri`, undefined,
      'The SageMaker Clarify monitors need the analysis configuration of the baselining job');
    return baseline;
  }

  private createModelBiasMonitor(o: ModelBiasMonitorOptions): void {
    const baseline = this.clarifyBaseline('modelBiasMonitor', o);
    const truth = this.groundTruth('modelBiasMonitor', o);
    const { frequency, resources, stopping, network } = this.monitoringResources('modelBiasMonitor', o);
    const jobProps = {
      modelBiasAppSpecification: {
        imageUri: this.props.clarifyImageUri ?? clarifyImage(this),
        configUri: baseline.analysisConfigUri!,
      },
      modelBiasBaselineConfig: { constraintsResource: { s3Uri: baseline.constraintsUri } },
      modelBiasJobInput: {
        endpointInput: {
          ...this.endpointInput(),
          featuresAttribute: o.featuresAttribute,
          inferenceAttribute: o.inferenceAttribute,
          probabilityAttribute: o.probabilityAttribute,
          probabilityThresholdAttribute: o.probabilityThresholdAttribute,
          startTimeOffset: truth.startTimeOffset,
          endTimeOffset: truth.endTimeOffset,
        },
        groundTruthS3Input: truth.s3Input,
      },
      modelBiasJobOutputConfig: this.monitoringOutput('model-bias'),
      jobResources: resources,
      networkConfig: network,
      roleArn: this.monitoringRole!.roleArn,
      stoppingCondition: stopping,
    };
    const job = new sagemaker.CfnModelBiasJobDefinition(this, 'ModelBiasJobDefinition', { ...jobProps, tags: this.tagList });
    this.finishMonitor(job, jobProps, 'ModelBias', 'bias', frequency);
  }

  private createModelExplainabilityMonitor(o: ClarifyMonitorOptions): void {
    const baseline = this.clarifyBaseline('modelExplainabilityMonitor', o);
    const { frequency, resources, stopping, network } = this.monitoringResources('modelExplainabilityMonitor', o);
    const jobProps = {
      modelExplainabilityAppSpecification: {
        imageUri: this.props.clarifyImageUri ?? clarifyImage(this),
        configUri: baseline.analysisConfigUri!,
      },
      modelExplainabilityBaselineConfig: { constraintsResource: { s3Uri: baseline.constraintsUri } },
      modelExplainabilityJobInput: {
        endpointInput: {
          ...this.endpointInput(),
          featuresAttribute: o.featuresAttribute,
          inferenceAttribute: o.inferenceAttribute,
          probabilityAttribute: o.probabilityAttribute,
        },
      },
      modelExplainabilityJobOutputConfig: this.monitoringOutput('model-explainability'),
      jobResources: resources,
      networkConfig: network,
      roleArn: this.monitoringRole!.roleArn,
      stoppingCondition: stopping,
    };
    const job = new sagemaker.CfnModelExplainabilityJobDefinition(this, 'ModelExplainabilityJobDefinition', { ...jobProps, tags: this.tagList });
    this.finishMonitor(job, jobProps, 'ModelExplainability', 'xai', frequency);
  }

  private endpointInput() {
    return {
      endpointName: this.cfnEndpoint.attrEndpointName,
      localPath: '/opt/ml/processing/input/endpoint',
      s3InputMode: 'File',
      s3DataDistributionType: 'FullyReplicated',
    };
  }

  private finishMonitor(job: MonitoringJobDefinition, jobProps: any,
    type: string, short: string, frequency: MonitoringFrequency): void {
    const name = configHashedName(job, { prefix: this.namePrefix(short) }, () => ({ ...jobProps, tags: job.tags.renderTags() }),
      () => this.stageParameters?.deploymentId);
    job.jobDefinitionName = name;
    // The derived name when there is one; a name CloudFormation generated is read from the ARN.
    const jobDefinitionName = Lazy.string({
      produce: () => (Stack.of(this).resolve(name) === undefined ? Fn.select(1, Fn.split('/', job.attrJobDefinitionArn)) : name),
    });
    job.node.addDependency(this.monitoringRole!);
    const schedule: sagemaker.CfnMonitoringSchedule = new sagemaker.CfnMonitoringSchedule(this, `${type}Schedule`, {
      monitoringScheduleName: Lazy.string({ produce: (): string => SageMakerName.derive(schedule, { prefix: this.namePrefix(`${short}-schedule`) }) }),
      endpointName: this.cfnEndpoint.attrEndpointName,
      monitoringScheduleConfig: {
        monitoringJobDefinitionName: jobDefinitionName,
        monitoringType: type,
        scheduleConfig: { scheduleExpression: frequency.expressionString },
      },
      tags: this.tagList,
    });
    // Schedules need an endpoint in service, and their job definition.
    schedule.node.addDependency(this.cfnEndpoint, job);

    // Violations: the monitoring execution (a processing job) ends with "CompletedWithViolations".
    // The rule sends the run's details to the topic; the alarm on the rule's matches keeps the
    // state (in alarm until a run interval passes without violations) for the dashboard and for rollbacks.
    const rule = new events.Rule(this, `${type}Violations`, {
      description: `Model Monitor ${type} violations of a SageMaker endpoint`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Processing Job State Change'],
        detail: {
          MonitoringScheduleArn: [schedule.attrMonitoringScheduleArn],
          ExitMessage: [{ prefix: 'CompletedWithViolations' }],
        },
      },
      targets: [new targets.SnsTopic(this.alarmTopic)],
    });
    const alarm = new cloudwatch.Alarm(this, `${type}ViolationAlarm`, {
      alarmDescription: `Model Monitor ${type} runs of the SageMaker endpoint ended with violations`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'TriggeredRules',
        dimensionsMap: { RuleName: rule.ruleName },
        statistic: 'Sum',
        period: Duration.hours(frequency.intervalHours),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cw_actions.SnsAction(this.alarmTopic));
    alarm.addOkAction(new cw_actions.SnsAction(this.alarmTopic));
    this.violationAlarms.push(alarm);
  }

  // ---------------------------------------------------------------------------------------------
  // Shared helpers

  private createSecurityGroup(vpc: ec2.IVpc): ec2.SecurityGroup {
    const sg = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'SageMaker model and monitoring jobs: HTTPS egress only',
      allowAllOutbound: false,
    });
    sg.addEgressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(443), 'HTTPS to VPC endpoints (S3, ECR, CloudWatch, KMS)');
    return sg;
  }

  private grantVpcAccess(role: iam.IRole, vpc: ec2.IVpc): void {
    const stack = Stack.of(this);
    const reason = 'EC2 Describe actions support no resource-level permissions, and SageMaker creates its network interfaces in subnets ' +
      'and security groups chosen at run time; creation is limited to the endpoint\'s VPC with the ec2:Vpc condition.';
    grantStatement(role, new iam.PolicyStatement({
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
      resources: ['*'],
    }), reason);
    grantStatement(role, new iam.PolicyStatement({
      actions: ['ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission'],
      resources: ['*'],
      conditions: { ArnEqualsIfExists: { 'ec2:Vpc': stack.formatArn({ service: 'ec2', resource: 'vpc', resourceName: vpc.vpcId }) } },
    }), reason);
  }

  private grantPutMetricData(role: iam.IRole, namespaces: string[]): void {
    grantStatement(role, new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': namespaces } },
    }), 'cloudwatch:PutMetricData supports no resource-level permissions; it is limited to the SageMaker namespaces with the cloudwatch:namespace condition.');
  }

  private createDashboard(): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard');
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Invocations', left: [this.metricInvocations()], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Errors',
        left: [this.metricInvocation4XXErrors(), this.metricInvocation5XXErrors(), this.metricModelErrors()],
        width: 8,
      }),
      new cloudwatch.GraphWidget({ title: 'Latency (microseconds, p99)', left: [this.metricModelLatency(), this.metricOverheadLatency()], width: 8 }),
    );
    if (!this.props.serverless) {
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({ title: 'CPU and memory (%)', left: [this.metricCpuUtilization(), this.metricMemoryUtilization(), this.metricDiskUtilization()], width: 12 }),
        new cloudwatch.GraphWidget({ title: 'GPU (%)', left: [this.metricGpuUtilization(), this.metricGpuMemoryUtilization()], width: 12 }),
      );
    }
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({
      title: 'Alarms', alarms: [this.errorAlarm, this.latencyAlarm, ...this.violationAlarms], width: 24,
    }));
    return dashboard;
  }
}

/** SageMaker variant names: up to 63 letters, digits and dashes. */
function checkVariantName(scope: Construct, prop: string, name: string): void {
  if (Token.isUnresolved(name)) { return; }
  check(SAGEMAKER_NAME_PATTERN.test(name) && name.length <= 63, scope, prop, name,
    'It must be 1 to 63 letters, digits and dashes, starting and ending with a letter or digit');
}

/** `Fn::Or` takes 2 to 10 conditions: fold a longer list. */
function anyOf(conditions: ICfnConditionExpression[]): ICfnConditionExpression {
  if (conditions.length === 1) { return conditions[0]; }
  if (conditions.length <= 10) { return Fn.conditionOr(...conditions); }
  const chunks: ICfnConditionExpression[] = [];
  for (let i = 0; i < conditions.length; i += 10) {
    chunks.push(anyOf(conditions.slice(i, i + 10)));
  }
  return anyOf(chunks);
}
