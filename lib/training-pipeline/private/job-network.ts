import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { NetworkOptions } from '../../core/foundation';
import { selectSubnets } from '../../private/resources';
import type { JobNetworkConfig } from '../definition-options';

/** The network of a pipeline's jobs: the subnets and security groups, when they run in a VPC. */
export interface JobNetwork {
  readonly config?: JobNetworkConfig;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * The subnets and security groups of the jobs of the pipeline `scope` in the (resolved) network:
 * the given groups, or a new one that admits traffic between the instances of a job only.
 */
export function jobNetwork(scope: Construct, network: NetworkOptions): JobNetwork {
  const vpc = network.vpc;
  if (!vpc) { return {}; }
  let groups = network.securityGroups;
  if (!groups || groups.length === 0) {
    const sg = new ec2.SecurityGroup(scope, 'JobSecurityGroup', {
      vpc,
      description: `SageMaker jobs of the pipeline ${scope.node.path}`,
      allowAllOutbound: true,
    });
    sg.addIngressRule(sg, ec2.Port.allTraffic(), 'Between the instances of a distributed job');
    const reason = 'The only ingress rule admits traffic from this security group itself (the instances of one distributed ' +
      'training or processing job, which talk on ports chosen at run time); nothing outside the group can connect.';
    Validations.of(sg).acknowledge(
      { id: 'HIPAA.Security-EC2RestrictedCommonPorts', reason },
      { id: 'NIST.800.53.R5-EC2RestrictedCommonPorts', reason },
      { id: 'PCI.DSS.321-EC2RestrictedCommonPorts', reason },
    );
    groups = [sg];
  }
  return {
    securityGroups: groups,
    config: {
      subnetIds: selectSubnets(vpc, network.vpcSubnets).subnetIds,
      securityGroupIds: groups.map((g) => g.securityGroupId),
    },
  };
}
