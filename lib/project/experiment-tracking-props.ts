/**
 * The SageMaker managed MLflow resource a project tracks its experiments on.
 */
export enum MlflowServerType {
  /**
   * An MLflow App (`AWS::SageMaker::MlflowApp`): SageMaker sizes it; no tracking server size to
   * choose. The newer resource, and the default.
   */
  APP = 'APP',

  /**
   * An MLflow tracking server (`AWS::SageMaker::MlflowTrackingServer`) of a size you choose, billed
   * per hour while it runs; for regions without MLflow Apps, or to pin an MLflow version.
   */
  TRACKING_SERVER = 'TRACKING_SERVER',
}

/** The size of an MLflow tracking server (SageMaker's guidance: up to 25, 50 and 100 users). */
export enum MlflowTrackingServerSize {
  /** Small: up to 25 users. */
  SMALL = 'Small',
  /** Medium: up to 50 users. */
  MEDIUM = 'Medium',
  /** Large: up to 100 users. */
  LARGE = 'Large',
}

/**
 * Experiment tracking of an MlopsProject on SageMaker managed MLflow.
 *
 * The project creates the MLflow resource with the foundation's artifact bucket as its artifact
 * store (under the storage layout's experiments prefix of the project), a service role that may
 * use that prefix and the foundation's key only, and hands the resource's ARN to the standard
 * pipeline's jobs as `MLFLOW_TRACKING_URI` (the `sagemaker-mlflow` plugin takes the ARN as the
 * tracking URI); the jobs' role may log to that resource only.
 */
export interface ExperimentTrackingOptions {
  /**
   * Which MLflow resource to create.
   *
   * @default MlflowServerType.APP
   */
  readonly serverType?: MlflowServerType;

  /**
   * The MLflow resource's name (1 to 256 letters, digits and single dashes; a tracking server's
   * name at most 256 characters too).
   *
   * @default "<projectName>-mlflow"
   */
  readonly name?: string;

  /**
   * The tracking server's size (`MlflowServerType.TRACKING_SERVER` only).
   *
   * @default MlflowTrackingServerSize.SMALL
   */
  readonly trackingServerSize?: MlflowTrackingServerSize;

  /**
   * The MLflow version of the tracking server, such as "2.16.2" (`MlflowServerType.TRACKING_SERVER`
   * only; an MLflow App always runs the version SageMaker manages).
   *
   * @default - SageMaker's default version
   */
  readonly mlflowVersion?: string;

  /**
   * Register MLflow models into the SageMaker Model Registry automatically. SageMaker then creates
   * model package groups named `<registered model name>-<suffix>` (not the project's group, which
   * only the training pipeline registers into); the service role may create and update those
   * groups of this account and is denied registering into the project's group, so the approval
   * policy stays the only way into production.
   *
   * @default false
   */
  readonly automaticModelRegistration?: boolean;

  /**
   * The weekly maintenance window's start, `Ddd:HH:MM` in UTC (for example "Sun:03:00").
   *
   * @default - SageMaker chooses
   */
  readonly weeklyMaintenanceWindowStart?: string;
}
