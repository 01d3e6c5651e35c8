import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type { EndpointContext } from './context';
import { configHashedName, namePrefix } from './names';
import { grantPutMetricData } from './network';
import type { ModelSource } from '../model-source';
import { EncryptedLogGroup } from '../../core/encrypted-log-group';
import { policiesOf } from '../../private/dependencies';
import { grantStatement } from '../../private/grants';

/** A model of the endpoint, and its configuration (part of the endpoint config's hash). */
export interface EndpointModel {
  readonly cfn: sagemaker.CfnModel;
  readonly config: () => any;
}

/**
 * The endpoint's own log group (SageMaker writes to `/aws/sagemaker/Endpoints/<name>`), and the
 * execution role's right to log and publish metrics there.
 */
export function createEndpointLogs(ctx: EndpointContext): EncryptedLogGroup {
  const logGroup = new EncryptedLogGroup(ctx.scope, 'Logs', {
    logGroupName: `/aws/sagemaker/Endpoints/${ctx.endpointName}`,
    encryptionKey: ctx.encryptionKey,
  });
  grantStatement(ctx.role, new iam.PolicyStatement({
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    resources: [logGroup.logGroupArn],
  }), 'The log streams of the endpoint\'s own log group, created by SageMaker per instance at run time.');
  grantPutMetricData(ctx.role, ['/aws/sagemaker/Endpoints']);
  return logGroup;
}

/**
 * A model (`id` "Model" for production, "ShadowModel" for the shadow variant) whose name is a
 * hash of its configuration, so that CloudFormation's replacement never collides with the old one.
 */
export function createModel(ctx: EndpointContext, id: string, source: ModelSource): EndpointModel {
  const bound = source.bind(ctx.scope, ctx.role, { artifactBucket: ctx.givenArtifactBucket, storageLayout: ctx.layout });
  const modelProps = {
    executionRoleArn: ctx.role.roleArn,
    primaryContainer: {
      image: bound.image,
      modelDataUrl: bound.modelDataUrl,
      modelPackageName: bound.modelPackageName,
      environment: bound.environment,
    },
    enableNetworkIsolation: ctx.settings.networkIsolation ? true : undefined,
    vpcConfig: ctx.network ? { subnets: ctx.network.subnetIds, securityGroupIds: ctx.network.securityGroupIds } : undefined,
  };
  const cfn = new sagemaker.CfnModel(ctx.scope, id, { ...modelProps, tags: ctx.tags });
  const config = () => ({ ...modelProps, tags: cfn.tags.renderTags() });
  cfn.modelName = configHashedName(cfn, { prefix: namePrefix(ctx.endpointName, id === 'Model' ? 'model' : 'shadow') },
    config, ctx.deploymentId);
  // The role's policies must exist before SageMaker checks the model's access (the GetAtt of the
  // role ARN orders the model after the role itself).
  cfn.node.addDependency(policiesOf(ctx.role));
  return { cfn, config };
}
