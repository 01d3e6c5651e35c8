import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { EndpointContext } from './context';
import { grantPutMetricData, grantVpcAccess } from './network';
import { sagemakerPrincipal } from './trust';
import { ManagedPolicyRole } from '../../core/managed-policy-role';
import { grantKey, grantListPrefix, grantReadObjects, grantStatement, grantWriteObjects } from '../../private/grants';

/**
 * The role of the Model Monitor jobs ("MonitoringRole"): it reads the endpoint's captured data,
 * writes the monitoring reports, both under the endpoint's prefixes, and logs and publishes the
 * monitoring metrics. Baselines and ground truth add their own reads when the monitors bind them.
 */
export function createMonitoringRole(ctx: EndpointContext): iam.IRole {
  const scope = ctx.scope;
  if (ctx.props.monitoringRole) { return ctx.props.monitoringRole; }
  const role = new ManagedPolicyRole(scope, 'MonitoringRole', {
    assumedBy: sagemakerPrincipal(scope),
    description: 'Model Monitor jobs of a SageMaker endpoint (least privilege, cdk-sagemaker-mlops)',
  });
  const bucket = ctx.artifactBucket!;
  const capturePrefix = ctx.prefixes.dataCapture;
  grantReadObjects(role, bucket, `${capturePrefix}/*`,
    'Captured data objects are written by SageMaker at run time; reads are limited to the endpoint\'s capture prefix.');
  grantListPrefix(role, bucket, capturePrefix);
  grantWriteObjects(role, bucket, `${ctx.prefixes.monitoring}/*`,
    'Each monitoring run writes reports named at run time; writes are limited to the endpoint\'s monitoring prefix.');
  grantKey(role, ctx.encryptionKey, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']);
  // The job's encrypted volume: SageMaker creates the EBS grant with the role's credentials.
  iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['kms:CreateGrant'],
    resourceArns: [ctx.encryptionKey.keyArn],
    conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  });
  const stack = Stack.of(scope);
  grantStatement(role, new iam.PolicyStatement({
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/ProcessingJobs:*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
  }), 'Model Monitor runs as SageMaker processing jobs, which log to the account\'s /aws/sagemaker/ProcessingJobs group, one stream per job named at run time.');
  grantPutMetricData(role, ['aws/sagemaker/Endpoints/data-metrics', 'aws/sagemaker/Endpoints/model-metrics']);
  if (ctx.network) { grantVpcAccess(scope, role, ctx.network); }
  return role;
}
