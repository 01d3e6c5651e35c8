import { Aws, CfnCondition, CfnOutput, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { StageStack } from './stage-stack';
import { MlopsFoundation } from '../../core/foundation';
import { InstanceType } from '../../core/instance-type';
import { ModelPackageGroup } from '../../core/model-package-group';
import { StorageLayout } from '../../core/storage-layout';
import { EndpointStageParameters } from '../../endpoint/endpoint-parameters';
import { EndpointWithMonitor } from '../../endpoint/endpoint-with-monitor';
import { ModelSource } from '../../endpoint/model-source';
import { MonitoringBaseline } from '../../endpoint/monitoring-baseline';
import { ProjectEndpointOptions } from '../project-props';

/** The parameters of the stage template that the project fills in per stage (besides the stage parameters). */
export const PROJECT_PARAMETERS = {
  endpointName: 'EndpointName',
  encryptionKeyArn: 'EncryptionKeyArn',
  artifactBucketName: 'ArtifactBucketName',
  modelRoleArn: 'ModelRoleArn',
  monitoringRoleArn: 'MonitoringRoleArn',
  alarmTopicArn: 'AlarmTopicArn',
  serverless: 'Serverless',
};

/** What the stage template is built from. */
export interface StageTemplateSpec {
  readonly projectName: string;
  readonly modelPackageGroupName: string;
  readonly layout: StorageLayout;
  readonly endpoint: ProjectEndpointOptions;
  readonly allowedInstanceTypes: InstanceType[];
  readonly defaultInstanceType: InstanceType;
  /** Staging is serverless: the variant switches on the Serverless parameter. */
  readonly serverless?: { readonly memoryMiB: number; readonly maxConcurrency: number };
}

/** The stage template and what the project needs to know of it. */
export interface StageTemplate {
  readonly stack: StageStack;
  readonly endpoint: EndpointWithMonitor;
  readonly parameters: EndpointStageParameters;
  /** Whether the template has monitors (it then asks for the monitoring role and the baselines). */
  readonly monitored: boolean;
}

/**
 * Build the stage template: an EndpointWithMonitor whose every stage-dependent value is a
 * parameter. The project's key, bucket, roles and topic come in as parameters too: the template
 * creates no IAM resource and holds no asset, so a CloudFormation action deploys it with a
 * deployment role that cannot create roles.
 */
export function buildStageTemplate(scope: Construct, spec: StageTemplateSpec): StageTemplate {
  const stack = new StageStack(scope, 'StageTemplate', `cdk-sagemaker-mlops: the endpoint of a stage of project ${spec.projectName}`);
  const o = spec.endpoint;
  const monitored = o.dataQualityMonitor ?? false;
  const capture = o.dataCapturePercentage !== undefined || monitored;
  const param = (name: string, description: string, extra: Partial<{ allowedPattern: string; noEcho: boolean; allowedValues: string[] }> = {}) =>
    new CfnParameter(stack, name, { type: 'String', description, ...extra }).valueAsString;

  const endpointName = param(PROJECT_PARAMETERS.endpointName, 'The name of the stage\'s endpoint', {
    allowedPattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$',
  });
  const key = kms.Key.fromKeyArn(stack, 'ProjectKey', param(PROJECT_PARAMETERS.encryptionKeyArn, 'The ARN of the project key',
    { allowedPattern: '^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$' }));
  const bucket = s3.Bucket.fromBucketAttributes(stack, 'ArtifactBucket', {
    bucketName: param(PROJECT_PARAMETERS.artifactBucketName, 'The project\'s artifact bucket'),
    encryptionKey: key,
  });
  const role = iam.Role.fromRoleArn(stack, 'ModelRole',
    param(PROJECT_PARAMETERS.modelRoleArn, 'The execution role of the model', { allowedPattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$' }),
    { mutable: false });
  const monitoringRole = monitored
    ? iam.Role.fromRoleArn(stack, 'MonitoringRole',
      param(PROJECT_PARAMETERS.monitoringRoleArn, 'The role of the Model Monitor jobs', { allowedPattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$' }),
      { mutable: false })
    : undefined;
  const topic = sns.Topic.fromTopicArn(stack, 'AlarmTopic', param(PROJECT_PARAMETERS.alarmTopicArn, 'The topic the alarms notify'));
  const foundation = MlopsFoundation.fromFoundationAttributes(stack, 'Foundation', { encryptionKey: key, artifactBucket: bucket, storageLayout: spec.layout });
  const group = ModelPackageGroup.fromModelPackageGroupName(stack, 'ModelPackageGroup', spec.modelPackageGroupName);

  const parameters = new EndpointStageParameters(stack, 'Parameters', {
    allowedInstanceTypes: spec.allowedInstanceTypes,
    defaultInstanceType: spec.defaultInstanceType,
  });
  const endpoint = new EndpointWithMonitor(stack, 'Endpoint', {
    model: ModelSource.fromModelPackageArn(parameters.modelPackageArn, { modelPackageGroup: group }),
    endpointName,
    stageParameters: parameters,
    instanceType: parameters.instanceType,
    initialInstanceCount: parameters.instanceCount,
    foundation,
    role,
    monitoringRole,
    networkIsolation: o.networkIsolation ?? true,
    deployment: o.deployment,
    autoscaling: o.autoscalingMaxCapacity !== undefined
      ? { minCapacity: parameters.instanceCount, maxCapacity: parameters.maxCapacity }
      : undefined,
    dataCapture: capture ? { samplingPercentage: parameters.samplingPercentage } : undefined,
    dataQualityMonitor: monitored
      ? { baseline: MonitoringBaseline.fromS3Uris({
        statisticsUri: parameters.baselineStatisticsUri, constraintsUri: parameters.baselineConstraintsUri, bucket,
      }) }
      : undefined,
    alarms: { topic, alarmNamePrefix: endpointName },
    tags: { 'cdk-sagemaker-mlops:project': spec.projectName },
  });
  if (endpoint.dashboard) {
    (endpoint.dashboard.node.defaultChild as cloudwatch.CfnDashboard).dashboardName = endpointName;
  }
  if (spec.serverless) { switchToServerless(stack, endpoint, spec.serverless); }
  o.customizer?.customize(stack, endpoint, parameters);

  new CfnOutput(stack, 'EndpointNameOutput', { key: 'EndpointName', value: endpoint.cfnEndpoint.attrEndpointName });
  new CfnOutput(stack, 'EndpointConfigNameOutput', { key: 'EndpointConfigName', value: endpoint.cfnEndpointConfig.attrEndpointConfigName });
  return { stack, endpoint, parameters, monitored };
}

/**
 * A stage whose Serverless parameter is "true" (serverless staging) gets a serverless variant,
 * without a volume key; the other stages keep the instance variant.
 */
function switchToServerless(stack: Stack, endpoint: EndpointWithMonitor, s: { memoryMiB: number; maxConcurrency: number }): void {
  const flag = new CfnParameter(stack, PROJECT_PARAMETERS.serverless, {
    type: 'String', allowedValues: ['true', 'false'], default: 'false',
    description: 'Whether the stage\'s endpoint is serverless (serverless staging)',
  });
  const serverless = new CfnCondition(stack, 'IsServerless', { expression: Fn.conditionEquals(flag.valueAsString, 'true') });
  const config = endpoint.cfnEndpointConfig;
  // The L1 property in CloudFormation's spelling: the instance variant's keys are flat.
  const variant = (stack.resolve(config.productionVariants) as any[])[0];
  const instance = Object.fromEntries(Object.entries(variant).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), v]));
  config.addPropertyOverride('ProductionVariants', [Fn.conditionIf(serverless.logicalId, {
    VariantName: instance.VariantName,
    ModelName: instance.ModelName,
    ServerlessConfig: { MemorySizeInMB: s.memoryMiB, MaxConcurrency: s.maxConcurrency },
  }, instance)]);
  const kmsKeyId = stack.resolve(config.kmsKeyId);
  if (kmsKeyId !== undefined) {
    config.addPropertyOverride('KmsKeyId', Fn.conditionIf(serverless.logicalId, Aws.NO_VALUE, kmsKeyId));
  }
  const cfn = config as sagemaker.CfnEndpointConfig;
  cfn.node.addMetadata('cdk-sagemaker-mlops:serverless-staging', 'the production variant is serverless when the Serverless parameter is "true"');
}
