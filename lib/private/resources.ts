import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { check } from './errors';
import { ArtifactBucket } from '../core/artifact-bucket';
import type { FoundationOptions, NetworkOptions } from '../core/foundation';
import { ProjectKey } from '../core/project-key';
import { StorageLayout } from '../core/storage-layout';

/*
 * "Use what the user has, or create the secure default", in one place for every construct:
 * explicit prop > foundation > default (see FoundationOptions).
 */

/** The construct's key: the explicit one, the foundation's, or a new {@link ProjectKey} named `id` under `scope`. */
export function resolveKey(scope: Construct, id: string, props: FoundationOptions): kms.IKey {
  return props.encryptionKey ?? props.foundation?.encryptionKey ?? new ProjectKey(scope, id);
}

/** The construct's bucket: the explicit one, the foundation's, or a new {@link ArtifactBucket} (encrypted with `key`). */
export function resolveBucket(scope: Construct, id: string, key: kms.IKey, props: FoundationOptions): s3.IBucket {
  return props.artifactBucket ?? props.foundation?.artifactBucket ?? new ArtifactBucket(scope, id, { encryptionKey: key }).bucket;
}

/** The storage layout: the foundation's, or the default. */
export function resolveLayout(props: FoundationOptions): StorageLayout {
  return props.foundation?.storageLayout ?? StorageLayout.DEFAULT;
}

/** The network: an explicit VPC with its own subnets and groups, or the foundation's (with explicit subnets or groups). */
export function resolveNetwork(scope: Construct, props: FoundationOptions & NetworkOptions): NetworkOptions {
  if (props.vpc === undefined) {
    check(props.foundation?.vpc !== undefined || props.vpcSubnets === undefined, scope, 'vpcSubnets', 'a subnet selection',
      'It needs `vpc` (or a foundation with a VPC)');
    check(props.foundation?.vpc !== undefined || props.securityGroups === undefined, scope, 'securityGroups',
      `${props.securityGroups?.length} group(s)`, 'It needs `vpc` (or a foundation with a VPC)');
  }
  if (props.vpc) {
    return { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroups: props.securityGroups };
  }
  const f = props.foundation;
  if (!f?.vpc) { return {}; }
  return { vpc: f.vpc, vpcSubnets: props.vpcSubnets ?? f.vpcSubnets, securityGroups: props.securityGroups ?? f.securityGroups };
}

/** The subnets a construct's jobs or models run in: the given selection, or private with egress, else isolated. */
export function selectSubnets(vpc: ec2.IVpc, selection?: ec2.SubnetSelection): ec2.SelectedSubnets {
  return vpc.selectSubnets(selection ?? {
    subnetType: vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
  });
}
