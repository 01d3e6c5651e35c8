import { Lazy, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EndpointAttributes, EndpointBase, IEndpoint } from './endpoint-base';
import { EndpointWithMonitorProps } from './endpoint-with-monitor-props';
import { createAlarms } from './private/alarms';
import { createAutoscaling } from './private/autoscaling';
import type { EndpointContext } from './private/context';
import { createDashboard } from './private/dashboard';
import { renderDataCapture } from './private/data-capture';
import { DEFAULT_VARIANT_NAME } from './private/default-values';
import { endpointPrefixes, endpointSettings } from './private/defaults';
import { renderDeploymentConfig, validateDeployment } from './private/deployment-config';
import { createEndpointConfig } from './private/endpoint-config';
import { createModel, createEndpointLogs } from './private/model';
import { createMonitors } from './private/monitor-jobs';
import { createMonitoringRole } from './private/monitoring-role';
import { endpointNetwork } from './private/network';
import { checkSageMakerName, validateShape } from './private/shape';
import { sagemakerPrincipal } from './private/trust';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { SageMakerName } from '../core/names';
import { check } from '../private/errors';
import { resolveBucket, resolveKey, resolveLayout } from '../private/resources';
import { registerPhysicalName } from '../private/unique-names';

/**
 * A guarded SageMaker endpoint: the model (from an approved model package or an image), an
 * endpoint config whose name follows its configuration, an endpoint with a stable name and
 * blue/green updates rolled back on alarms, autoscaling, data capture, Model Monitor schedules,
 * alarms to SNS and a dashboard.
 *
 * The pieces are built by the private modules of this folder (model and endpoint config, data
 * capture, deployment, autoscaling, monitors, alarms, dashboard); this class wires them.
 *
 * @example
 * import { Duration } from 'aws-cdk-lib';
 * import {
 *   CapacitySize, EndpointWithMonitor, InstanceType, MlopsFoundation, ModelPackageGroup, ModelSource, MonitoringBaseline,
 *   TrafficRouting,
 * } from 'cdk-sagemaker-mlops';
 *
 * const foundation = new MlopsFoundation(this, 'Foundation');
 * const churnModels = ModelPackageGroup.fromModelPackageGroupName(this, 'ChurnModels', 'churn');
 * new EndpointWithMonitor(this, 'Endpoint', {
 *   foundation,
 *   model: ModelSource.fromModelPackageArn('arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3', {
 *     modelPackageGroup: churnModels,
 *   }),
 *   endpointName: 'churn-prod',
 *   instanceType: InstanceType.ML_M5_XLARGE,
 *   initialInstanceCount: 2,
 *   deployment: {
 *     trafficRouting: TrafficRouting.canary({ canarySize: CapacitySize.percent(10), waitInterval: Duration.minutes(10) }),
 *   },
 *   autoscaling: { maxCapacity: 6, targetInvocationsPerInstance: 200 },
 *   dataCapture: { samplingPercentage: 20 },
 *   dataQualityMonitor: {
 *     baseline: MonitoringBaseline.fromS3Uris({
 *       statisticsUri: 's3://churn-baselines/churn/3/statistics.json',
 *       constraintsUri: 's3://churn-baselines/churn/3/constraints.json',
 *     }),
 *   },
 * });
 */
export class EndpointWithMonitor extends EndpointBase {
  /**
   * An existing endpoint of this stack's account and region, by name (its production variant is
   * "AllTraffic").
   *
   * @param scope the scope
   * @param id the id
   * @param endpointName the endpoint name
   */
  public static fromEndpointName(scope: Construct, id: string, endpointName: string): IEndpoint {
    return new ImportedEndpoint(scope, id, { endpointName });
  }

  /**
   * An existing endpoint of this stack's account and region, by name and production variant.
   *
   * @param scope the scope
   * @param id the id
   * @param attrs the endpoint name and its production variant
   */
  public static fromEndpointAttributes(scope: Construct, id: string, attrs: EndpointAttributes): IEndpoint {
    return new ImportedEndpoint(scope, id, attrs);
  }

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
  /** The bucket of captured data, monitoring reports and asynchronous results, when there is one. */
  public readonly artifactBucket?: s3.IBucket;
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

  private readonly rollbackAlarms: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: EndpointWithMonitorProps) {
    super(scope, id);
    check(props?.model !== undefined, this, 'model', undefined, 'It is required: ModelSource.fromModelPackageArn(...) or ModelSource.fromImage(...)');
    const settings = endpointSettings(props);
    const tags = props.tags ? Object.entries(props.tags).map(([key, value]) => ({ key, value })) : undefined;
    validateShape(this, props, settings);

    this.variantName = settings.variantName;
    checkSageMakerName(this, 'variantName', this.variantName);
    this.endpointName = props.endpointName ?? SageMakerName.derive(this);
    checkSageMakerName(this, 'endpointName', this.endpointName);
    // Endpoint names are unique per account and region: a second endpoint of the app with the same literal name is refused.
    registerPhysicalName(this, 'endpoint', 'endpointName', props.endpointName);

    this.encryptionKey = resolveKey(this, 'Key', props);
    this.role = props.role ?? new ManagedPolicyRole(this, 'ExecutionRole', {
      assumedBy: sagemakerPrincipal(this),
      description: 'Execution role of a SageMaker model (least privilege, cdk-sagemaker-mlops)',
    });
    const network = endpointNetwork(this, props, settings, this.role);

    // A given bucket (explicit or the foundation's) is always used; one is created only when needed.
    const bucketGiven = props.artifactBucket !== undefined || props.foundation !== undefined;
    const needsBucket = props.dataCapture !== undefined || props.asyncInference !== undefined || settings.monitors;
    if (bucketGiven || needsBucket) {
      this.artifactBucket = resolveBucket(this, 'Data', this.encryptionKey, props);
    }
    const layout = resolveLayout(props);
    const ctx: EndpointContext = {
      scope: this,
      props,
      settings,
      endpointName: this.endpointName,
      encryptionKey: this.encryptionKey,
      artifactBucket: this.artifactBucket,
      givenArtifactBucket: bucketGiven ? this.artifactBucket : undefined,
      layout,
      prefixes: endpointPrefixes(layout, this.endpointName, props),
      role: this.role,
      network,
      tags,
      deploymentId: () => props.stageParameters?.deploymentId,
    };

    const logGroup = createEndpointLogs(ctx);
    const model = createModel(ctx, 'Model', props.model);
    this.cfnModel = model.cfn;
    const shadowModel = props.shadowVariant
      ? (props.shadowVariant.model ? createModel(ctx, 'ShadowModel', props.shadowVariant.model) : model)
      : undefined;
    const dataCapture = renderDataCapture(ctx);
    this.dataCaptureUri = dataCapture?.destinationS3Uri;
    this.cfnEndpointConfig = createEndpointConfig(ctx, { model, shadowModel, dataCapture });

    // Alarms (they also roll deployments back).
    const alarms = createAlarms(ctx, this);
    this.alarmTopic = alarms.topic;
    this.errorAlarm = alarms.errorAlarm;
    this.latencyAlarm = alarms.latencyAlarm;
    if (settings.deployment.defaultRollbackAlarms) {
      this.rollbackAlarms.push(this.errorAlarm, this.latencyAlarm);
    }
    this.rollbackAlarms.push(...settings.deployment.rollbackAlarms);

    // The endpoint.
    const retainScaled = props.autoscaling !== undefined && !settings.serverless;
    this.cfnEndpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', {
      endpointName: this.endpointName,
      endpointConfigName: this.cfnEndpointConfig.attrEndpointConfigName,
      deploymentConfig: Lazy.any({ produce: () => renderDeploymentConfig(ctx, this.rollbackAlarms) }),
      // Keep the scaled instance count on update; the capture settings follow the template.
      retainAllVariantProperties: retainScaled ? true : undefined,
      excludeRetainedVariantProperties: retainScaled ? [{ variantPropertyType: 'DataCaptureConfig' }] : undefined,
      tags,
    });
    this.endpointArn = this.cfnEndpoint.ref;
    // SageMaker would create the log group itself (unencrypted, kept for ever) if it came first.
    this.cfnEndpoint.node.addDependency(logGroup);
    validateDeployment(ctx, () => this.rollbackAlarms);

    if (props.autoscaling) {
      this.scalableTarget = createAutoscaling(ctx, props.autoscaling, this.cfnEndpoint);
    }

    // Model Monitor.
    if (settings.monitors) {
      const monitoringRole = createMonitoringRole(ctx);
      this.monitoringRole = monitoringRole;
      this.violationAlarms.push(...createMonitors({ ...ctx, monitoringRole, endpoint: this.cfnEndpoint, alarmTopic: this.alarmTopic }));
    }

    if (settings.dashboard) {
      this.dashboard = createDashboard(this, this, settings.serverless, [this.errorAlarm, this.latencyAlarm, ...this.violationAlarms]);
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
}

/** An endpoint that exists, by name: its ARN is built in this stack's account and region. */
class ImportedEndpoint extends EndpointBase {
  public readonly endpointName: string;
  public readonly endpointArn: string;
  public readonly variantName: string;

  constructor(scope: Construct, id: string, attrs: EndpointAttributes) {
    super(scope, id);
    check(attrs?.endpointName !== undefined, this, 'endpointName', undefined, 'It is required: the name of the endpoint');
    checkSageMakerName(this, 'endpointName', attrs.endpointName);
    this.endpointName = attrs.endpointName;
    this.variantName = attrs.variantName ?? DEFAULT_VARIANT_NAME;
    checkSageMakerName(this, 'variantName', this.variantName);
    this.endpointArn = this.stack.formatArn({
      service: 'sagemaker',
      resource: 'endpoint',
      // SageMaker writes ARNs in lower case.
      resourceName: Token.isUnresolved(this.endpointName) ? this.endpointName : this.endpointName.toLowerCase(),
    });
  }
}
