import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct, IConstruct } from 'constructs';
import { ManagedPolicyRole } from '../../core/managed-policy-role';
import { IModelPackageGroup } from '../../core/model-package-group';
import { check } from '../../private/errors';
import { acknowledgeWildcardResources } from '../../private/nag';
import { ExperimentTrackingOptions, MlflowServerType, MlflowTrackingServerSize } from '../experiment-tracking-props';

/** The options with their defaults, checked. */
export interface ExperimentTrackingSettings {
  readonly serverType: MlflowServerType;
  readonly name: string;
  readonly trackingServerSize?: MlflowTrackingServerSize;
  readonly mlflowVersion?: string;
  readonly automaticModelRegistration: boolean;
  readonly weeklyMaintenanceWindowStart?: string;
}

/** The MLflow resource of a project, and what may use it. */
export interface ExperimentTracking {
  readonly settings: ExperimentTrackingSettings;
  /** The ARN of the MLflow App or tracking server: the jobs' `MLFLOW_TRACKING_URI`. */
  readonly serverArn: string;
  /** The MLflow resource's service role (it reads and writes the artifact store). */
  readonly serviceRole: iam.IRole;
  /** The artifact store, `s3://<bucket>/<experiments prefix>/`. */
  readonly artifactStoreUri: string;
  /** The key prefix of the artifact store in the bucket. */
  readonly artifactPrefix: string;
  /** Let a principal log to (and, with `ui`, open) this MLflow resource and its artifact store only. */
  grant(grantee: iam.IGrantable, ui: boolean): iam.Grant;
}

const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;
const MAINTENANCE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01]\d|2[0-3]):[0-5]\d$/;
const VERSION = /^\d+\.\d+\.\d+$/;

/**
 * What the jobs and users may do on the MLflow resource: create and update experiments, runs,
 * logged and registered models and their versions, and read them back; never delete anything
 * (the run history is the record of how each model version was made).
 */
const DATA_PLANE_ACTIONS = [
  'CreateExperiment', 'GetExperiment', 'GetExperimentByName', 'SearchExperiments', 'SetExperimentTag', 'UpdateExperiment',
  'CreateRun', 'UpdateRun', 'GetRun', 'SearchRuns', 'GetMetricHistory', 'ListArtifacts',
  'LogMetric', 'LogParam', 'LogBatch', 'LogInputs', 'LogOutputs', 'LogModel', 'SetTag',
  'GetLoggedModel', 'FinalizeLoggedModel', 'SetLoggedModelTags', 'LogLoggedModelParams', 'SearchLoggedModels',
  'CreateRegisteredModel', 'GetRegisteredModel', 'SearchRegisteredModels', 'CreateModelVersion', 'GetModelVersion',
  'SearchModelVersions', 'GetLatestModelVersions',
].map((a) => `sagemaker-mlflow:${a}`);

/** Validate the options and apply the defaults. */
export function experimentTrackingSettings(where: IConstruct, projectName: string, o: ExperimentTrackingOptions): ExperimentTrackingSettings {
  check(o !== null && typeof o === 'object', where, 'experimentTracking', o, 'It must be an object of ExperimentTrackingOptions ({} for the defaults)');
  const serverType = o.serverType ?? MlflowServerType.APP;
  check(Object.values(MlflowServerType).includes(serverType), where, 'experimentTracking.serverType', serverType,
    `It must be one of MlflowServerType.${Object.keys(MlflowServerType).join(', MlflowServerType.')}`);
  const name = o.name ?? `${projectName}-mlflow`;
  if (!Token.isUnresolved(name)) {
    check(typeof name === 'string' && NAME.test(name), where, 'experimentTracking.name', name,
      'It must be 1 to 256 letters, digits and dashes, starting and ending with a letter or digit');
  }
  const server = serverType === MlflowServerType.TRACKING_SERVER;
  check(server || o.trackingServerSize === undefined, where, 'experimentTracking.trackingServerSize', o.trackingServerSize,
    'An MLflow App has no size (SageMaker sizes it): use serverType MlflowServerType.TRACKING_SERVER to choose one');
  check(server || o.mlflowVersion === undefined, where, 'experimentTracking.mlflowVersion', o.mlflowVersion,
    'An MLflow App runs the MLflow version SageMaker manages: use serverType MlflowServerType.TRACKING_SERVER to pin one');
  check(o.trackingServerSize === undefined || Object.values(MlflowTrackingServerSize).includes(o.trackingServerSize), where,
    'experimentTracking.trackingServerSize', o.trackingServerSize,
    `It must be one of MlflowTrackingServerSize.${Object.keys(MlflowTrackingServerSize).join(', MlflowTrackingServerSize.')}`);
  check(o.mlflowVersion === undefined || (typeof o.mlflowVersion === 'string' && VERSION.test(o.mlflowVersion)), where,
    'experimentTracking.mlflowVersion', o.mlflowVersion, 'It must be an MLflow version "<major>.<minor>.<patch>", such as "2.16.2"');
  check(o.weeklyMaintenanceWindowStart === undefined || (typeof o.weeklyMaintenanceWindowStart === 'string' && MAINTENANCE.test(o.weeklyMaintenanceWindowStart)),
    where, 'experimentTracking.weeklyMaintenanceWindowStart', o.weeklyMaintenanceWindowStart,
    'It must be "Ddd:HH:MM" in UTC, with Ddd one of Mon, Tue, Wed, Thu, Fri, Sat, Sun (for example "Sun:03:00")');
  check(o.automaticModelRegistration === undefined || typeof o.automaticModelRegistration === 'boolean', where,
    'experimentTracking.automaticModelRegistration', o.automaticModelRegistration, 'It must be true or false');
  return {
    serverType,
    name,
    trackingServerSize: server ? o.trackingServerSize ?? MlflowTrackingServerSize.SMALL : undefined,
    mlflowVersion: o.mlflowVersion,
    automaticModelRegistration: o.automaticModelRegistration ?? false,
    weeklyMaintenanceWindowStart: o.weeklyMaintenanceWindowStart,
  };
}

/** What the MLflow resource is made of. */
export interface ExperimentTrackingScope {
  readonly projectName: string;
  readonly settings: ExperimentTrackingSettings;
  readonly key: kms.IKey;
  readonly bucket: s3.IBucket;
  /** The key prefix of the artifact store (from the storage layout). */
  readonly prefix: string;
  /** The project's group: the service role may never register into it. */
  readonly group: IModelPackageGroup;
}

/**
 * The MLflow App or tracking server of a project, its service role and the grant for jobs and
 * users.
 */
export function createExperimentTracking(scope: Construct, s: ExperimentTrackingScope): ExperimentTracking {
  const stack = Stack.of(scope);
  const artifactStoreUri = `s3://${s.bucket.bucketName}/${s.prefix}/`;
  const app = s.settings.serverType === MlflowServerType.APP;
  const resourceType = app ? 'mlflow-app' : 'mlflow-tracking-server';

  // SageMaker assumes the service role for this account's MLflow resources only.
  const role = new ManagedPolicyRole(scope, 'ExperimentTrackingRole', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:${resourceType}/*` },
      },
    }),
    description: `Service role of the MLflow ${app ? 'App' : 'tracking server'} of project ${s.projectName}: its artifact store only`,
  });
  const statements = artifactStatements(s);
  if (s.settings.automaticModelRegistration) {
    statements.push(new iam.PolicyStatement({
      actions: ['sagemaker:CreateModelPackageGroup', 'sagemaker:DescribeModelPackageGroup', 'sagemaker:CreateModelPackage',
        'sagemaker:UpdateModelPackage', 'sagemaker:DescribeModelPackage', 'sagemaker:AddTags'],
      resources: [
        stack.formatArn({ service: 'sagemaker', resource: 'model-package-group', resourceName: '*' }),
        stack.formatArn({ service: 'sagemaker', resource: 'model-package', resourceName: '*' }),
      ],
    }));
  }
  for (const statement of statements) { role.addToPrincipalPolicy(statement); }
  // Whatever MLflow registers, it never registers into (or approves a version of) the project's group.
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    actions: ['sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage'],
    resources: [s.group.modelPackageGroupArn, s.group.modelPackageVersionsArn],
  }));
  acknowledgeWildcardResources(role, statements,
    `MLflow writes the artifacts of each run under keys it names at run time below the project's artifact store prefix (${s.prefix}/)` +
    (s.settings.automaticModelRegistration
      ? '; automatic model registration creates groups named "<registered model>-<suffix>" that are known only when a model is registered, ' +
        'in this account and region, never the project\'s group (denied)'
      : '') + '.');

  const tags = [{ key: 'cdk-sagemaker-mlops:project', value: s.projectName }];
  let serverArn: string;
  if (app) {
    const resource = new sagemaker.CfnMlflowApp(scope, 'ExperimentTracking', {
      name: s.settings.name,
      artifactStoreUri,
      roleArn: role.roleArn,
      modelRegistrationMode: s.settings.automaticModelRegistration ? 'AutoModelRegistrationEnabled' : 'AutoModelRegistrationDisabled',
      weeklyMaintenanceWindowStart: s.settings.weeklyMaintenanceWindowStart,
      tags,
    });
    resource.node.addDependency(role);
    serverArn = resource.attrArn;
  } else {
    const resource = new sagemaker.CfnMlflowTrackingServer(scope, 'ExperimentTracking', {
      trackingServerName: s.settings.name,
      artifactStoreUri,
      roleArn: role.roleArn,
      trackingServerSize: s.settings.trackingServerSize,
      mlflowVersion: s.settings.mlflowVersion,
      automaticModelRegistration: s.settings.automaticModelRegistration,
      weeklyMaintenanceWindowStart: s.settings.weeklyMaintenanceWindowStart,
      tags,
    });
    resource.node.addDependency(role);
    serverArn = resource.attrTrackingServerArn;
  }

  const grant = (grantee: iam.IGrantable, ui: boolean): iam.Grant => {
    const controlPlane = app
      ? ['sagemaker:DescribeMlflowApp', 'sagemaker:CallMlflowAppApi', ...(ui ? ['sagemaker:CreatePresignedMlflowAppUrl'] : [])]
      : ['sagemaker:DescribeMlflowTrackingServer', ...(ui ? ['sagemaker:CreatePresignedMlflowTrackingServerUrl'] : [])];
    const result = iam.Grant.addToPrincipal({
      grantee,
      actions: [...controlPlane, ...DATA_PLANE_ACTIONS, ...(ui ? ['sagemaker-mlflow:AccessUI'] : [])],
      resourceArns: [serverArn],
    });
    // The MLflow client writes and reads run artifacts in the artifact store itself.
    const artifacts = artifactStatements(s);
    for (const statement of artifacts) { grantee.grantPrincipal.addToPrincipalPolicy(statement); }
    if (Construct.isConstruct(grantee.grantPrincipal)) {
      acknowledgeWildcardResources(grantee.grantPrincipal, artifacts,
        `MLflow names the artifacts of each run at run time, below the project's artifact store prefix (${s.prefix}/).`);
    }
    return result;
  };
  return { settings: s.settings, serverArn, serviceRole: role, artifactStoreUri, artifactPrefix: s.prefix, grant };
}

/** Objects under the artifact store prefix: read, write, list; the key for them. */
function artifactStatements(s: ExperimentTrackingScope): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], resources: [s.bucket.arnForObjects(`${s.prefix}/*`)] }),
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'], resources: [s.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [s.prefix, `${s.prefix}/*`] } },
    }),
    new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [s.bucket.bucketArn] }),
    new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'], resources: [s.key.keyArn] }),
  ];
}
