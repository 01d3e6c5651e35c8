import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ContainerImage } from '../core/container-image';
import { InstanceType } from '../core/instance-type';
import { MetricComparison } from '../core/metric-comparison';
import { IModelPackageGroup } from '../core/model-package-group';
import { FeatureGroup } from '../feature-store/feature-group';
import { IFeatureStore } from '../feature-store/interfaces';
import { StandardPipelineInputParameters } from '../training-pipeline/input-parameters';
import { ProcessingCode } from '../training-pipeline/processing-step';
import { TrainingPipelineProps } from '../training-pipeline/training-pipeline';

/*
 * The props of what closes the loop around an MlopsProject's deploy flow: the standard training
 * pipeline as the project takes it, chat channels, retraining triggers and a feature store.
 */

/**
 * The standard training pipeline of an MlopsProject: the props of a StandardTrainingPipeline,
 * except that `inputDataUri` may be left out when the project reads a feature store's offline
 * store (`featureStore`). The project sets `foundation` and `modelPackageGroup` (giving them, or
 * `modelPackageGroupName`, `encryptionKey` or `artifactBucket`, is an error).
 */
export interface ProjectTrainingOptions extends TrainingPipelineProps {
  /**
   * The S3 URI of the raw data (the default of the `InputData` parameter).
   *
   * @default - the offline store of `featureStore` (its feature group's, or the whole store's prefix); required without one
   */
  readonly inputDataUri?: string;
  /**
   * Set by the project (giving it is an error).
   *
   * @default - the project's model package group
   */
  readonly modelPackageGroup?: IModelPackageGroup;
  /**
   * Set by the project (giving it is an error).
   *
   * @default - the project's model package group
   */
  readonly modelPackageGroupName?: string;
  /**
   * The preprocessing script. It reads `/opt/ml/processing/input` and writes CSV files (label first,
   * no header) to `/opt/ml/processing/train`, `/opt/ml/processing/validation` and `/opt/ml/processing/test`.
   */
  readonly preprocessingScript: ProcessingCode;
  /**
   * The evaluation script. It reads the model from `/opt/ml/processing/model` and the test split from
   * `/opt/ml/processing/test`, and writes `/opt/ml/processing/evaluation/evaluation.json`.
   */
  readonly evaluationScript: ProcessingCode;
  /**
   * The JSON path of the metric in evaluation.json, such as `regression_metrics.mse.value`: dot-separated
   * keys, without a leading `$` (the form `Std:JsonGet` and ModelRegistryApproval's thresholds take).
   */
  readonly metricJsonPath: string;
  /** The threshold the metric is compared with (the default of the `MetricThreshold` parameter). */
  readonly metricThreshold: number;
  /**
   * How the metric is compared with the threshold: the model passes when the metric is ... than
   * the threshold.
   *
   * @default MetricComparison.LESS_THAN_OR_EQUAL_TO
   */
  readonly metricComparison?: MetricComparison;
  /**
   * The training image.
   *
   * @default ContainerImage.xgboost()
   */
  readonly trainingImage?: ContainerImage;
  /**
   * The image of the preprocessing job.
   *
   * @default ContainerImage.scikitLearn()
   */
  readonly processingImage?: ContainerImage;
  /**
   * The image of the evaluation job, which loads the trained model: an image with the model's
   * framework (the SageMaker XGBoost image has xgboost, scikit-learn and pandas).
   *
   * @default - the training image
   */
  readonly evaluationImage?: ContainerImage;
  /**
   * The inference image registered with the model.
   *
   * @default - the training image
   */
  readonly inferenceImage?: ContainerImage;
  /**
   * The instance type of processing jobs (the default of the `ProcessingInstanceType` parameter).
   *
   * @default InstanceType.ML_M5_XLARGE
   */
  readonly processingInstanceType?: InstanceType;
  /**
   * The instance type of the training job (the default of the `TrainingInstanceType` parameter).
   *
   * @default InstanceType.ML_M5_XLARGE
   */
  readonly trainingInstanceType?: InstanceType;
  /**
   * Hyperparameters of the training job.
   *
   * @default - for XGBoost: objective reg:squarederror, num_round 50
   */
  readonly hyperparameters?: { [key: string]: string };
  /**
   * Whether the training split has a header row (for the data quality baseline).
   *
   * @default false
   */
  readonly trainingDataHasHeader?: boolean;
  /**
   * Environment variables of the preprocessing, training and evaluation jobs (the project adds
   * `MLFLOW_TRACKING_URI` when it tracks experiments). Up to 48 variables; names are letters,
   * digits and `_`, not starting with a digit; values at most 512 characters.
   *
   * @default - none
   */
  readonly environment?: { [name: string]: string };
  /**
   * Pipeline parameters through which an execution runs other images and scripts than these
   * props give (`TrainingImageUri`, `InferenceImageUri`, `PreprocessingScriptUri`,
   * `EvaluationScriptUri`), each defaulting to what the props give (the project's build pipeline
   * passes each commit's).
   *
   * @default - none: the images and scripts are fixed in the definition
   */
  readonly inputParameters?: StandardPipelineInputParameters;
}

/** A Slack channel of AWS Chatbot (Amazon Q Developer in chat applications). */
export interface SlackChannelOptions {
  /**
   * The ID of the Slack workspace, as the Chatbot console shows it once the workspace is
   * authorized there (for example `T07EA123LEP`): upper-case letters and digits.
   */
  readonly workspaceId: string;

  /**
   * The ID of the Slack channel (the last part of the channel's link, for example `C07EZ1ABC23`):
   * letters and digits. A private channel needs the Chatbot app invited to it.
   */
  readonly channelId: string;

  /**
   * The name of the channel configuration (1 to 128 letters, digits, `-` and `_`), unique in the
   * account. A new name replaces the configuration.
   *
   * @default "<projectName>-slack-<channelId>"
   */
  readonly configurationName?: string;
}

/** A Microsoft Teams channel of AWS Chatbot (Amazon Q Developer in chat applications). */
export interface MicrosoftTeamsChannelOptions {
  /**
   * The ID of the Microsoft Entra tenant (a GUID), as the Chatbot console shows it once the team is
   * authorized there.
   */
  readonly tenantId: string;

  /** The ID of the team (a GUID), as the Chatbot console shows it once the team is authorized there. */
  readonly teamId: string;

  /**
   * The ID of the channel, URL-encoded as it appears in the channel's link: `19%3a...%40thread.tacv2`
   * (`19:...@thread.tacv2` with `:` as `%3a` and `@` as `%40`).
   */
  readonly channelId: string;

  /**
   * The channel's name, shown in the Chatbot console.
   *
   * @default - none
   */
  readonly channelName?: string;

  /**
   * The name of the channel configuration (1 to 128 letters, digits, `-` and `_`), unique in the
   * account. A new name replaces the configuration.
   *
   * @default "<projectName>-teams-<hash of the channel id>"
   */
  readonly configurationName?: string;
}

/**
 * The project's notifications in chat: AWS Chatbot (Amazon Q Developer in chat applications)
 * channel configurations subscribed to the project's notification topic.
 *
 * Each Slack workspace or Microsoft Teams team is authorized once, by hand, in the Chatbot console
 * (an OAuth consent no API offers); the workspace, tenant and team IDs come from there.
 */
export interface ProjectChatOptions {
  /**
   * Slack channels.
   *
   * @default - none
   */
  readonly slackChannels?: SlackChannelOptions[];

  /**
   * Microsoft Teams channels.
   *
   * @default - none
   */
  readonly microsoftTeamsChannels?: MicrosoftTeamsChannelOptions[];

  /**
   * The channel guardrails: the most any channel member (and the channel role) may do from chat,
   * whatever their own role allows. Never empty: without guardrails Chatbot applies the AWS
   * managed AdministratorAccess policy, which is refused here too.
   *
   * @default - read-only on the project: its alarms and metric charts, its endpoints, its model
   * package group and versions, the executions of its training and deploy pipelines
   */
  readonly guardrailPolicies?: iam.IManagedPolicy[];

  /**
   * The role Chatbot assumes for the channels (trusting `chatbot.amazonaws.com`). When given,
   * nothing is added to it.
   *
   * @default - a role that may only render notifications: describe the project's alarms and draw
   * metric charts
   */
  readonly channelRole?: iam.IRole;

  /**
   * Whether each channel member must choose a role of their own to run commands (the channel
   * role then only delivers notifications).
   *
   * @default false
   */
  readonly userRoleRequired?: boolean;

  /**
   * What Chatbot logs to CloudWatch Logs (`/aws/chatbot/<configuration name>`, in us-east-1, a log
   * group the service creates).
   *
   * @default chatbot.LoggingLevel.ERROR (failed deliveries, such as a message in no format Chatbot renders)
   */
  readonly loggingLevel?: chatbot.LoggingLevel;
}

/** New data that starts the training pipeline again. */
export interface NewDataRetrainingOptions {
  /**
   * The bucket the data arrives in. It must send its events to EventBridge (ArtifactBucket does;
   * `eventBridgeEnabled: true` for an `s3.Bucket`).
   *
   * @default - the foundation's artifact bucket
   */
  readonly bucket?: s3.IBucket;

  /**
   * Only objects under this key prefix (a plain key prefix: no leading slash, no `s3://`, no
   * wildcard). It must not share keys with what the pipeline or the deploy flow writes (their
   * outputs, releases, captured data, monitoring reports, experiments): every run would start the
   * next.
   */
  readonly prefix: string;

  /**
   * Only objects whose key ends with this (for example `.csv`).
   *
   * @default - any key
   */
  readonly suffix?: string;
}

/**
 * What starts the project's training pipeline again: each trigger is optional, and each starts an
 * execution with the pipeline's parameter defaults (through EventBridge, no polling). The new
 * version registers as PendingManualApproval, so the approval policy still decides what ships.
 */
export interface RetrainingOptions {
  /**
   * Start it when a Model Monitor violation alarm of the prod endpoint goes into ALARM (the stage
   * template's `<prod endpoint>-<monitor>-violations` alarms, of prod's account in this region
   * only; for prod in another account, its MlopsTargetAccount forwards the alarms' state changes
   * here). Needs a monitored endpoint (`endpoint.dataQualityMonitor`).
   *
   * @default false
   */
  readonly onMonitorViolation?: boolean;

  /**
   * Start it on a schedule (cron or rate).
   *
   * @default - no schedule
   */
  readonly schedule?: events.Schedule;

  /**
   * Start it when an object is created under a prefix.
   *
   * @default - no new-data trigger
   */
  readonly newData?: NewDataRetrainingOptions;
}

/**
 * A feature store in the project: the standard training pipeline reads its offline store, and the
 * stage endpoints may read the online store.
 */
export interface ProjectFeatureStoreOptions {
  /** The feature store. */
  readonly featureStore: IFeatureStore;

  /**
   * The feature group the model is trained on (a FeatureGroup of `featureStore`, which holds its
   * offline store's location and grants): its offline store is the default input data and the
   * jobs may read it, and its online store is what the endpoints may read.
   *
   * @default - the whole store: the jobs may read every group's offline store under the store's prefix
   */
  readonly featureGroup?: FeatureGroup;

  /**
   * Let the stage endpoints' model role read records of `featureGroup`'s online store
   * (`GetRecord`, `BatchGetRecord` on that group, and the online store key). Needs the group, an
   * online store and `endpoint.networkIsolation: false` (an isolated container reaches no AWS API).
   *
   * @default false
   */
  readonly endpointReadsOnlineStore?: boolean;
}
