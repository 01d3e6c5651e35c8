import { CfnTag } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { EndpointPrefixes, EndpointSettings } from './defaults';
import type { EndpointWithMonitorProps } from '../endpoint-with-monitor-props';
import type { StorageLayout } from '../../core/storage-layout';

/** The network of the model and the monitoring jobs. */
export interface EndpointNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
}

/**
 * What the private builders of an EndpointWithMonitor share: the endpoint construct (every
 * child is created in it, with the construct ids of the original single-file construct), its
 * props, its settings with the defaults filled in, and the resources resolved once.
 */
export interface EndpointContext {
  /** The EndpointWithMonitor: the scope of every child. */
  readonly scope: Construct;
  readonly props: EndpointWithMonitorProps;
  readonly settings: EndpointSettings;
  readonly endpointName: string;
  readonly encryptionKey: kms.IKey;
  /** The artifact bucket, when the endpoint has one (given, or created because it is needed). */
  readonly artifactBucket?: s3.IBucket;
  /**
   * The artifact bucket when it was given (explicitly or by the foundation): where a model
   * package's artifacts are by default. A bucket the endpoint created for its own output is not.
   */
  readonly givenArtifactBucket?: s3.IBucket;
  readonly layout: StorageLayout;
  readonly prefixes: EndpointPrefixes;
  /** The execution role of the model. */
  readonly role: iam.IRole;
  readonly network?: EndpointNetwork;
  readonly tags?: CfnTag[];
  /** The deployment id of the stage parameters, appended to names whose configuration refers to a parameter. */
  readonly deploymentId: () => string | undefined;
}

/** What the Model Monitor builders add to the endpoint's context. */
export interface MonitorContext extends EndpointContext {
  /** The role of the monitoring jobs. */
  readonly monitoringRole: iam.IRole;
  /** The endpoint the monitors watch. */
  readonly endpoint: sagemaker.CfnEndpoint;
  /** The topic violations notify. */
  readonly alarmTopic: sns.ITopic;
}
