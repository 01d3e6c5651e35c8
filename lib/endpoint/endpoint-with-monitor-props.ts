import * as iam from 'aws-cdk-lib/aws-iam';
import { EndpointAlarmOptions } from './alarm-options';
import { AutoscalingOptions } from './autoscaling-options';
import { DataCaptureOptions } from './capture-options';
import { DeploymentOptions } from './deployment';
import { EndpointStageParameters } from './endpoint-parameters';
import { ModelSource } from './model-source';
import { ClarifyMonitorOptions, DataQualityMonitorOptions, ModelBiasMonitorOptions, ModelQualityMonitorOptions } from './monitoring';
import { AsyncInferenceOptions, ServerlessOptions, ShadowVariantOptions } from './variant-options';
import { FoundationOptions, NetworkOptions } from '../core/foundation';
import { InstanceType } from '../core/instance-type';
/**
 * Props of {@link EndpointWithMonitor}.
 *
 * The key, the artifact bucket (captured data, monitoring reports, asynchronous results), the
 * storage layout of their prefixes and the network come from `foundation` unless given here
 * (explicit prop > foundation > a new key, a new bucket when one is needed, no VPC). The key
 * encrypts the volumes, the captured data, the monitoring output, the logs and the alarm topic;
 * the VPC holds the model and the monitoring jobs (a serverless variant has none).
 *
 * @example
 * import { Size } from 'aws-cdk-lib';
 * import { ContainerImage, EndpointWithMonitor, ModelData, ModelSource } from 'cdk-sagemaker-mlops';
 *
 * // A serverless endpoint serving model artifacts with a built-in image.
 * new EndpointWithMonitor(this, 'Scoring', {
 *   model: ModelSource.fromImage(ContainerImage.xgboost('1.7-1'), {
 *     modelData: ModelData.fromS3Uri('s3://my-models/churn/model.tar.gz'),
 *   }),
 *   serverless: { memorySize: Size.gibibytes(2), maxConcurrency: 5 },
 * });
 */
export interface EndpointWithMonitorProps extends FoundationOptions, NetworkOptions {
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
   * The execution role of the model. Grants for model data, images, logs and capture are added
   * to it.
   *
   * @default - a new role with least privilege
   */
  readonly role?: iam.IRole;

  /**
   * The role of the Model Monitor jobs (when a monitor is on). When given, no statement is added
   * to it: it must read the captured data and the baselines, write the monitoring reports, use the
   * key, log to /aws/sagemaker/ProcessingJobs and publish the monitoring metrics.
   *
   * @default - a new role with least privilege
   */
  readonly monitoringRole?: iam.IRole;

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
   * The CloudFormation parameters of a stage template ({@link EndpointStageParameters}). Their
   * `DeploymentId` is appended to the configuration-hashed names of the resources whose
   * configuration refers to a parameter (a hash computed at synth time cannot see its value).
   * Pass the parameters' other properties to the props as usual (`instanceType: params.instanceType`).
   *
   * @default - no stage parameters: a resource whose configuration refers to a CloudFormation
   * parameter gets a name CloudFormation generates
   */
  readonly stageParameters?: EndpointStageParameters;

  /**
   * Tags set explicitly on every SageMaker resource (CloudFormation does not pass stack tags to
   * the monitoring resources).
   *
   * @default - none
   */
  readonly tags?: { [key: string]: string };
}
