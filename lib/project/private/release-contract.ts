/*
 * What the deploy flow's handlers and the MlopsProject construct agree on: the files of a release,
 * the shape of its manifest, the stage settings the construct hands to the release handler, and
 * the parameters the release fills in. No AWS SDK here: both sides import it.
 */

/** The files of a release archive (the Source artifact of the deploy pipeline). */
export const RELEASE_FILES = {
  manifest: 'manifest.json',
  template: 'stage.template.json',
  /** `<stage>.json`: the CloudFormation template configuration file of one stage. */
  stageConfiguration: (stage: string) => `${stage}.json`,
};

/** The name of the deploy pipeline's source action (the `actionName` of the source revision override). */
export const SOURCE_ACTION_NAME = 'Release';

/** The pipeline variables the release handler sets for each execution. */
export const PIPELINE_VARIABLES = ['RELEASE_ID', 'RELEASE_KIND', 'MODEL_PACKAGE_ARN', 'MODEL_PACKAGE_VERSION', 'DEPLOYMENT_ID'] as const;

/** The deployment id of a model package version: part of the names of the resources a deployment replaces. */
export function deploymentIdOf(version: number): string {
  return `v${version}`;
}

/** Parameters of the stage template whose value comes from the release (the model version), not from the stage. */
export const RELEASE_PARAMETERS = {
  modelPackageArn: 'ModelPackageArn',
  deploymentId: 'DeploymentId',
  baselineStatisticsUri: 'BaselineStatisticsUri',
  baselineConstraintsUri: 'BaselineConstraintsUri',
};

/** One stage as the construct describes it to the release handler (environment variable STAGES, JSON). */
export interface StageSettings {
  /** `staging` or `prod`. */
  readonly name: string;
  /** The CloudFormation stack the pipeline deploys for this stage. */
  readonly stackName: string;
  /** The endpoint name of the stage. */
  readonly endpointName: string;
  /** The values of the stage template's parameters that do not depend on the release. */
  readonly parameters: { [name: string]: string };
  /** Tags of the stage stack. */
  readonly tags?: { [key: string]: string };
  /** The account of the stage (its actions run with roles there). */
  readonly account?: string;
  /** The region of the stage. */
  readonly region?: string;
}

/** `promote`: an approved version goes to staging, then prod. `rollback`: prod returns to an earlier approved version. */
export type ReleaseKind = 'promote' | 'rollback';

/** The drift-check baselines a model package version carries (S3 URIs). */
export interface ReleaseBaselines {
  readonly dataQualityStatistics?: string;
  readonly dataQualityConstraints?: string;
  readonly modelQualityStatistics?: string;
  readonly modelQualityConstraints?: string;
  readonly biasConfig?: string;
  readonly biasPreTrainingConstraints?: string;
  readonly biasPostTrainingConstraints?: string;
  readonly explainabilityConfig?: string;
  readonly explainabilityConstraints?: string;
}

/** The release manifest (`manifest.json`): immutable, one per release. */
export interface ReleaseManifest {
  readonly schemaVersion: 1;
  readonly releaseId: string;
  readonly kind: ReleaseKind;
  /** Why this release exists (e.g. "Version 3 was approved", "Version 4, served by prod, was rejected"). */
  readonly reason: string;
  readonly project: string;
  readonly modelPackageGroupName: string;
  readonly modelPackageArn: string;
  readonly modelPackageVersion: number;
  /** The deployment id (`v<version>`): the DeploymentId parameter of the stage template. */
  readonly deploymentId: string;
  readonly image?: string;
  readonly imageDigest?: string;
  readonly modelDataUrl?: string;
  readonly modelQualityMetricsUri?: string;
  readonly driftCheckBaselines: ReleaseBaselines;
  readonly approval: {
    readonly status: string;
    readonly description?: string;
    readonly approvedBy?: string;
    readonly modifiedTime?: string;
  };
  /** The rejected version a rollback replaces. */
  readonly replaces?: string;
  readonly triggeringEvent: { readonly id?: string; readonly time?: string };
  readonly createdAt: string;
  readonly stages: Array<{ readonly name: string; readonly stackName: string; readonly endpointName: string;
    readonly account?: string; readonly region?: string; readonly configurationFile: string }>;
}

/** One entry of the deployment record of a stage (written once the stage is verified). */
export interface DeploymentRecord {
  readonly stage: string;
  readonly releaseId: string;
  readonly kind: ReleaseKind;
  readonly modelPackageArn: string;
  readonly modelPackageVersion: number;
  readonly endpointName: string;
  readonly endpointConfigName?: string;
  readonly pipelineExecutionId?: string;
  readonly recordedAt: string;
}

/** Where the release handler and the pipeline's actions keep things, below the project's release prefix. */
export const RELEASE_KEYS = {
  /** The deploy pipeline's source object (versioned; each release is one version). */
  source: (prefix: string) => `${prefix}/release.zip`,
  /** Written once per release id: the first invocation that writes it owns the release. */
  claim: (prefix: string, releaseId: string) => `${prefix}/claims/${releaseId}.json`,
  /** Written once the pipeline execution of a release has started. */
  started: (prefix: string, releaseId: string) => `${prefix}/started/${releaseId}.json`,
  /** The deployment record of a stage: one object per verified deployment, keys sort by time. */
  deployments: (prefix: string, stage: string) => `${prefix}/deployments/${stage}/`,
  deployment: (prefix: string, stage: string, recordedAt: string, releaseId: string) =>
    `${prefix}/deployments/${stage}/${recordedAt.replace(/[:.]/g, '-')}_${releaseId}.json`,
  /** The staging test report of a release. */
  report: (prefix: string, releaseId: string) => `${prefix}/reports/${releaseId}/staging-test.json`,
};
