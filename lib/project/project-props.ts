import { Duration } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct } from 'constructs';
import { IMlopsFoundation } from '../core/foundation';
import { InstanceType } from '../core/instance-type';
import { IModelPackageGroup, ModelPackageGroupProps } from '../core/model-package-group';
import { ProjectBuildOptions } from './build-props';
import { ExperimentTrackingOptions } from './experiment-tracking-props';
import { ProjectChatOptions, ProjectFeatureStoreOptions, ProjectTrainingOptions, RetrainingOptions } from './loop-props';
import { DeploymentOptions } from '../endpoint/deployment';
import { EndpointStageParameters } from '../endpoint/endpoint-parameters';
import { EndpointWithMonitor } from '../endpoint/endpoint-with-monitor';
import { ApprovalPolicy, MetricThreshold } from '../model-registry/approval-policy';
import { ITrainingPipeline } from '../training-pipeline/pipeline-base';

/**
 * What the staging endpoint costs while nobody uses it.
 */
export enum StagingMode {
  /**
   * An instance endpoint shaped like prod, created for each release and deleted once the prod
   * decision is made (approved or rejected) or the execution fails: staging costs only while a
   * release is tested and waits for its approval. The default.
   */
  EPHEMERAL = 'EPHEMERAL',

  /**
   * An instance endpoint that stays up between releases (for teams that probe staging by hand):
   * its instances are billed all the time.
   */
  PERSISTENT = 'PERSISTENT',

  /**
   * A serverless endpoint that stays up and costs nothing while idle. Refused at synth when the
   * endpoint needs what SageMaker Serverless Inference does not offer: a VPC, a GPU instance type,
   * network isolation, data capture or monitors, or traffic shifting other than all at once.
   */
  SERVERLESS = 'SERVERLESS',
}

/** The staging stage. */
export interface StagingOptions {
  /**
   * What staging costs while idle.
   *
   * @default StagingMode.EPHEMERAL
   */
  readonly mode?: StagingMode;

  /**
   * The instance type of the staging endpoint (instance modes).
   *
   * @default - prod's instance type
   */
  readonly instanceType?: InstanceType;

  /**
   * The instance count of the staging endpoint (instance modes).
   *
   * @default 1
   */
  readonly instanceCount?: number;

  /**
   * The memory of the serverless staging endpoint, in MiB: 1024, 2048, 3072, 4096, 5120 or 6144
   * (`StagingMode.SERVERLESS` only).
   *
   * @default 2048
   */
  readonly serverlessMemoryMiB?: number;

  /**
   * The most concurrent invocations of the serverless staging endpoint, 1 to 200
   * (`StagingMode.SERVERLESS` only).
   *
   * @default 5
   */
  readonly serverlessMaxConcurrency?: number;

  /**
   * The AWS account staging runs in (12 digits, a literal). In another account than the project
   * stack's, the deploy pipeline's staging actions run with the roles an `MlopsTargetAccount`
   * stack creates there (deploy it once in that account, after the project stack). The region is
   * always the project stack's.
   *
   * @default - the project stack's account
   */
  readonly account?: string;
}

/** The prod stage. */
export interface ProdOptions {
  /**
   * The instance type of the prod endpoint.
   *
   * @default InstanceType.ML_M5_LARGE
   */
  readonly instanceType?: InstanceType;

  /**
   * The instance count of the prod endpoint (1 to 100). Two or more spread over availability zones.
   *
   * @default 2
   */
  readonly instanceCount?: number;

  /**
   * How long prod's alarms must stay quiet after a deployment before the release counts as
   * verified; an alarm in that time rolls prod back to the previous release.
   *
   * @default Duration.minutes(10)
   */
  readonly bakeTime?: Duration;

  /**
   * The AWS account prod runs in (12 digits, a literal). In another account than the project
   * stack's, the deploy pipeline's prod actions run with the roles an `MlopsTargetAccount` stack
   * creates there (deploy it once in that account, after the project stack). The region is always
   * the project stack's.
   *
   * @default - the project stack's account
   */
  readonly account?: string;
}

/** The real staging test: the staging endpoint invoked with the project's sample payloads. */
export interface StagingTestOptions {
  /**
   * A local folder of sample payloads (uploaded as an asset). Every file is one request body; an
   * optional `expectations.json` maps file names to what the answer must be:
   * `{"a.csv": {"status": 200, "numeric": {"value": 0.7, "tolerance": 0.2}}, "b.json": {"jsonShape": {"score": "number"}}}`
   * (also `exact`, `regex` and a per-file `contentType`). Without an expectation a sample must
   * answer 200.
   */
  readonly samplesDirectory: string;

  /**
   * The content type of the requests.
   *
   * @default "text/csv"
   */
  readonly contentType?: string;

  /**
   * The accept header of the requests.
   *
   * @default - the content type
   */
  readonly accept?: string;

  /**
   * How often each sample is sent (for the latency percentile).
   *
   * @default 5
   */
  readonly invocationsPerSample?: number;

  /**
   * The latency percentile that must stay under `latencyThreshold` (1 to 100).
   *
   * @default 90
   */
  readonly latencyPercentile?: number;

  /**
   * The most the latency percentile may be (measured by the test, network included).
   *
   * @default Duration.seconds(2)
   */
  readonly latencyThreshold?: Duration;

  /**
   * Shell commands of a test of your own, run by CodeBuild in the same stage after the sample
   * test (the staging endpoint's name is in `$ENDPOINT_NAME`, the release id in `$RELEASE_ID`).
   *
   * @default - none
   */
  readonly commands?: string[];
}

/** The approval of model versions (the ModelRegistryApproval of the project). */
export interface ProjectApprovalOptions {
  /**
   * How new versions are approved.
   *
   * @default ApprovalPolicy.MANUAL
   */
  readonly policy?: ApprovalPolicy;

  /**
   * The rules a version's metrics must meet (required by the metric-threshold policies).
   *
   * @default - none
   */
  readonly metricThresholds?: MetricThreshold[];

  /**
   * The model package group: an existing one, or the props of the one the project creates.
   *
   * @default - a new group named after the project
   */
  readonly modelPackageGroup?: IModelPackageGroup;

  /**
   * Props of the model package group the project creates.
   *
   * @default - named after the project, retained
   */
  readonly modelPackageGroupProps?: ModelPackageGroupProps;
}

/**
 * Shapes the stage template beyond the project's props: called once, while the stage template is
 * built, with the endpoint of the template, its stage parameters and the scope to add to.
 */
export interface IStageTemplateCustomizer {
  /**
   * Change or add to the stage template (for example more alarms, with
   * `endpoint.addRollbackAlarm`). Everything added must be the same for every stage: values that
   * differ per stage come from `parameters`.
   *
   * @param scope the scope of the stage template's resources
   * @param endpoint the endpoint
   * @param parameters the stage parameters of the template
   */
  customize(scope: Construct, endpoint: EndpointWithMonitor, parameters: EndpointStageParameters): void;
}

/** The endpoint of every stage (the stage template). */
export interface ProjectEndpointOptions {
  /**
   * Instance types a stage may use: the allowed values of the template's InstanceType parameter.
   *
   * @default - the staging and prod instance types
   */
  readonly allowedInstanceTypes?: InstanceType[];

  /**
   * The guarded update of an endpoint (blue/green with traffic shifting and rollback alarms).
   *
   * @default - all at once, rolled back by the error and latency alarms
   */
  readonly deployment?: DeploymentOptions;

  /**
   * The most instances autoscaling may add (prod and persistent staging).
   *
   * @default - no autoscaling
   */
  readonly autoscalingMaxCapacity?: number;

  /**
   * Capture requests and responses (needed by the data quality monitor), in percent of requests.
   *
   * @default - no capture
   */
  readonly dataCapturePercentage?: number;

  /**
   * Monitor data quality against the drift-check baseline that each version carries (the standard
   * training pipeline registers one); needs data capture.
   *
   * @default false
   */
  readonly dataQualityMonitor?: boolean;

  /**
   * Run the model container without network access.
   *
   * @default true
   */
  readonly networkIsolation?: boolean;

  /**
   * Shapes the template further.
   *
   * @default - none
   */
  readonly customizer?: IStageTemplateCustomizer;
}

/**
 * Props of an {@link MlopsProject}.
 *
 * @example
 * import { MlopsFoundation, MlopsProject } from 'cdk-sagemaker-mlops';
 *
 * // Staging and prod in accounts of their own: deploy an MlopsTargetAccount stack in each first.
 * const foundation = new MlopsFoundation(this, 'Foundation', {
 *   artifactBucketProps: { bucketName: 'fraud-artifacts-111122223333-eu-west-1' },
 * });
 * new MlopsProject(this, 'Fraud', {
 *   projectName: 'fraud',
 *   foundation,
 *   training: {
 *     inputDataUri: 's3://my-raw-data/fraud/',
 *     preprocessingScript: { s3Uri: 's3://my-code/fraud/preprocess.py' },
 *     evaluationScript: { s3Uri: 's3://my-code/fraud/evaluate.py' },
 *     metricJsonPath: 'binary_classification_metrics.auc.value',
 *     metricThreshold: 0.9,
 *   },
 *   staging: { account: '222233334444' },
 *   prod: { account: '555566667777' },
 * });
 */
export interface MlopsProjectProps {
  /**
   * The project's name: part of the names of its pipelines, stacks and endpoints. 2 to 24
   * lower-case letters, digits and dashes, starting with a letter.
   */
  readonly projectName: string;

  /**
   * The foundation (key, artifact bucket, layout, network).
   *
   * @default - a new MlopsFoundation
   */
  readonly foundation?: IMlopsFoundation;

  /**
   * How model versions are approved.
   *
   * @default - manual approval of every version
   */
  readonly approval?: ProjectApprovalOptions;

  /**
   * The standard training pipeline of the project (preprocess, baseline, train, evaluate, gate,
   * register). The project sets its `foundation` and `modelPackageGroup` (giving them here is an
   * error) and names it `<projectName>-training` unless `pipelineName` is given. Its
   * `inputDataUri` defaults to the offline store of `featureStore`.
   *
   * @default - none: give `trainingPipeline`, or register versions yourself
   */
  readonly training?: ProjectTrainingOptions;

  /**
   * A training pipeline of your own, which registers into the project's model package group.
   *
   * @default - the standard pipeline of `training`, if given
   */
  readonly trainingPipeline?: ITrainingPipeline;

  /**
   * The endpoint of every stage.
   *
   * @default - the defaults of ProjectEndpointOptions
   */
  readonly endpoint?: ProjectEndpointOptions;

  /**
   * The staging stage.
   *
   * @default - ephemeral staging on prod's instance type, one instance
   */
  readonly staging?: StagingOptions;

  /**
   * The prod stage.
   *
   * @default - two ml.m5.large instances, 10 minutes of bake time
   */
  readonly prod?: ProdOptions;

  /**
   * The staging test.
   *
   * @default - the endpoint must be InService and serve the released version; no payloads are sent
   */
  readonly stagingTest?: StagingTestOptions;

  /**
   * How long the manual approval before prod waits for a decision (5 minutes to 60 days).
   * Ephemeral staging runs until then.
   *
   * @default Duration.hours(24)
   */
  readonly approvalTimeout?: Duration;

  /**
   * Roll prod back to the last version that passed prod verification and is still approved when
   * the version prod serves is rejected.
   *
   * @default true
   */
  readonly rollbackOnRejection?: boolean;

  /**
   * How the deploy pipeline handles releases that arrive while another one is in it.
   * `QUEUED`: one after another, none dropped. `SUPERSEDED`: a newer release replaces one that
   * waits at a stage boundary (for example at the prod approval). `PARALLEL` is refused: it has
   * no stage rollback.
   *
   * @default codepipeline.ExecutionMode.QUEUED
   */
  readonly executionMode?: codepipeline.ExecutionMode;

  /**
   * E-mail addresses subscribed to the project's notification topic (each must confirm).
   *
   * @default - none
   */
  readonly notificationEmails?: string[];

  /**
   * The build side: a pipeline that, for each commit of the source, builds the training and
   * inference images from the repository's Dockerfiles, uploads the pipeline's code and starts the
   * training pipeline with them. Needs `training` or `trainingPipeline`. (Not `build`: jsii
   * reserves that name for the builders of other languages.)
   *
   * @default - no build pipeline: the training pipeline runs the images and scripts of its props
   */
  readonly buildPipeline?: ProjectBuildOptions;

  /**
   * Track experiments on SageMaker managed MLflow: an MLflow App (or tracking server) with the
   * foundation's bucket as artifact store, whose ARN the standard pipeline's jobs get as
   * `MLFLOW_TRACKING_URI` and may log to (a pipeline of your own gets the access when it is a
   * `TrainingPipeline`; set the variable in its jobs).
   *
   * @default - no experiment tracking
   */
  readonly experimentTracking?: ExperimentTrackingOptions;

  /**
   * The project's notifications in AWS Chatbot channels (Slack, Microsoft Teams), with explicit
   * guardrails. Each workspace or team is authorized once in the Chatbot console first.
   *
   * @default - no chat channels
   */
  readonly chat?: ProjectChatOptions;

  /**
   * What starts the training pipeline again: the prod endpoint's monitor violations, a schedule,
   * new data under an S3 prefix (each optional). Needs a training pipeline.
   *
   * @default - no retraining: executions start only when you start them
   */
  readonly retraining?: RetrainingOptions;

  /**
   * A feature store the standard pipeline reads (its offline store is the default input data) and
   * the stage endpoints may read (its online store, on request).
   *
   * @default - no feature store
   */
  readonly featureStore?: ProjectFeatureStoreOptions;

}
