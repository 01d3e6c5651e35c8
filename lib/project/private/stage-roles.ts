import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ManagedPolicyRole } from '../../core/managed-policy-role';
import { IModelPackageGroup } from '../../core/model-package-group';
import { StorageLayout } from '../../core/storage-layout';
import { acknowledgeWildcardResources } from '../../private/nag';

/** What the roles of the stage endpoints reach. */
export interface StageRoleScope {
  readonly projectName: string;
  readonly group: IModelPackageGroup;
  readonly key: kms.IKey;
  readonly bucket: s3.IBucket;
  readonly layout: StorageLayout;
  /** The endpoint names of every stage start with this (`<project>-`). */
  readonly endpointNamePrefix: string;
  /** A physical name (a target account's roles are trusted and passed by name). @default - generated */
  readonly roleName?: string;
}

/**
 * SageMaker assumes the roles for the endpoints and the monitoring jobs of this account only
 * (Confused-deputy prevention in the SageMaker developer guide: for endpoints the documented
 * source ARN is `arn:<partition>:sagemaker:<region>:<account>:*`).
 */
function sageMakerOfThisAccount(stack: Stack): iam.IPrincipal {
  return new iam.ServicePrincipal('sagemaker.amazonaws.com', {
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:*` },
    },
  });
}

/**
 * The execution role of the stage endpoints' models. The stage template takes it as a parameter
 * (it creates no IAM resource), so it gets here what EndpointWithMonitor grants its own role:
 * the group's model artifacts, the endpoint log groups, its metrics and the captured data.
 */
export function createModelRole(scope: Construct, s: StageRoleScope): iam.Role {
  const stack = Stack.of(scope);
  const role = new ManagedPolicyRole(scope, 'ModelRole', {
    assumedBy: sageMakerOfThisAccount(stack),
    description: `Execution role of the models of the ${s.projectName} endpoints (${s.endpointNamePrefix}*)`,
    roleName: s.roleName,
  });
  const models = s.bucket.arnForObjects(`${s.layout.modelPrefix(s.group.modelPackageGroupName)}/*`);
  const capture = s.bucket.arnForObjects(`${s.layout.dataCapture}/${s.endpointNamePrefix}*`);
  const logs = stack.formatArn({
    service: 'logs', resource: 'log-group', resourceName: `/aws/sagemaker/Endpoints/${s.endpointNamePrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const statements = [
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [models] }),
    new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [capture] }),
    new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'], resources: [s.key.keyArn] }),
    new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [logs, `${logs}:log-stream:*`],
    }),
    new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': ['/aws/sagemaker/Endpoints'] } },
    }),
  ];
  for (const statement of statements) { role.addToPrincipalPolicy(statement); }
  acknowledgeWildcardResources(role, statements,
    `Model artifacts are registered per version under the model package group's prefix; SageMaker writes captured data and logs ` +
    `per instance and hour under the project's endpoint names (${s.endpointNamePrefix}*); cloudwatch:PutMetricData has no resource ` +
    'scope and is limited to the endpoints\' namespace.');
  return role;
}

/**
 * The role of the stage endpoints' Model Monitor jobs: what EndpointWithMonitor grants its own
 * monitoring role, for every stage's endpoint, plus the group's drift-check baselines.
 */
export function createMonitoringRole(scope: Construct, s: StageRoleScope): iam.Role {
  const stack = Stack.of(scope);
  const role = new ManagedPolicyRole(scope, 'MonitoringRole', {
    assumedBy: sageMakerOfThisAccount(stack),
    description: `Model Monitor jobs of the ${s.projectName} endpoints (${s.endpointNamePrefix}*)`,
    roleName: s.roleName,
  });
  const capturePrefix = `${s.layout.dataCapture}/${s.endpointNamePrefix}`;
  const statements = [
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [s.bucket.arnForObjects(`${capturePrefix}*`), s.bucket.arnForObjects(`${s.layout.baselinePrefix(s.group.modelPackageGroupName)}/*`)],
    }),
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [s.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${capturePrefix}*`] } },
    }),
    new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
      resources: [s.bucket.arnForObjects(`${s.layout.monitoringReports}/${s.endpointNamePrefix}*`)],
    }),
    new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [s.key.keyArn] }),
    new iam.PolicyStatement({
      actions: ['kms:CreateGrant'], resources: [s.key.keyArn], conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
    new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/ProcessingJobs:*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }),
    new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': ['aws/sagemaker/Endpoints/data-metrics', 'aws/sagemaker/Endpoints/model-metrics'] } },
    }),
  ];
  for (const statement of statements) { role.addToPrincipalPolicy(statement); }
  acknowledgeWildcardResources(role, statements,
    'Captured data, baselines and monitoring reports are named at run time under the project\'s endpoint and group prefixes; ' +
    'Model Monitor runs as processing jobs that log to /aws/sagemaker/ProcessingJobs, one stream per job; cloudwatch:PutMetricData ' +
    'has no resource scope and is limited to the monitoring namespaces.');
  return role;
}

/** The prefix of SageMaker resource ARNs of the project's stages (SageMaker writes names in ARNs in lower case). */
export function sageMakerArn(stack: Stack, resource: string, namePattern: string): string {
  return `arn:${Aws.PARTITION}:sagemaker:${stack.region}:${stack.account}:${resource}/${namePattern.toLowerCase()}`;
}
