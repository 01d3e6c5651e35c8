import { Annotations, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { EndpointNetwork } from './context';
import type { EndpointSettings } from './defaults';
import type { EndpointWithMonitorProps } from '../endpoint-with-monitor-props';
import { grantStatement } from '../../private/grants';
import { resolveNetwork, selectSubnets } from '../../private/resources';

/*
 * The network of the model and the monitoring jobs, and the grants their roles need in any
 * network (VPC interfaces, CloudWatch metrics).
 */

/**
 * The network of the endpoint: the explicit VPC or the foundation's, its subnets, and the given
 * security groups or a new HTTPS-only one. A serverless variant has no VPC: the foundation's is
 * not used (an explicit one is refused by the shape checks).
 */
export function endpointNetwork(scope: Construct, props: EndpointWithMonitorProps, settings: EndpointSettings,
  role: iam.IRole): EndpointNetwork | undefined {
  const network = resolveNetwork(scope, props);
  if (!network.vpc) { return undefined; }
  if (settings.serverless) {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-mlops:endpoint-serverless-vpc',
      'The foundation has a VPC, but a serverless variant cannot run in one: the endpoint is not in the VPC.');
    return undefined;
  }
  const vpc = network.vpc;
  // Private subnets with egress, or isolated ones (with VPC endpoints) when the VPC has no other.
  const subnetIds = selectSubnets(vpc, network.vpcSubnets).subnetIds;
  const groups = network.securityGroups ?? [createSecurityGroup(scope, vpc)];
  const result = { vpc, subnetIds, securityGroupIds: groups.map((g) => g.securityGroupId) };
  grantVpcAccess(scope, role, result);
  return result;
}

function createSecurityGroup(scope: Construct, vpc: ec2.IVpc): ec2.SecurityGroup {
  const sg = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: 'SageMaker model and monitoring jobs: HTTPS egress only',
    allowAllOutbound: false,
  });
  sg.addEgressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(443), 'HTTPS to VPC endpoints (S3, ECR, CloudWatch, KMS)');
  return sg;
}

/**
 * What SageMaker needs to put the role's containers into the VPC: the EC2 Describe actions (no
 * resource scope), and the network interfaces in the endpoint's own subnets and security groups.
 */
export function grantVpcAccess(scope: Construct, role: iam.IRole, network: EndpointNetwork): void {
  const stack = Stack.of(scope);
  iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
    resourceArns: ['*'],
  });
  const interfaces = stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' });
  grantStatement(role, new iam.PolicyStatement({
    actions: ['ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission'],
    resources: [
      interfaces,
      ...network.subnetIds.map((id) => stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: id })),
      ...network.securityGroupIds.map((id) => stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: id })),
    ],
  }), 'SageMaker creates the network interfaces of the containers at run time (their ids are not known before); creation is limited ' +
    'to the endpoint\'s subnets and security groups.');
}

/** `cloudwatch:PutMetricData` in the given namespaces only. */
export function grantPutMetricData(role: iam.IRole, namespaces: string[]): void {
  // No resource scope (ManagedPolicyRole keeps it in its policy of unscoped actions).
  iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['cloudwatch:PutMetricData'],
    resourceArns: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': namespaces } },
  });
}
