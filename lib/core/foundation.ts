import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { ArtifactBucket, ArtifactBucketProps } from './artifact-bucket';
import { ProjectKey, ProjectKeyProps } from './project-key';
import { StorageLayout } from './storage-layout';
import { check, checkExclusive } from '../private/errors';

/**
 * What the constructs of one project share: the key, the artifact bucket, where each kind of
 * object goes in it, and optionally the network.
 *
 * Every construct of this library takes it as `foundation`. The precedence is the same
 * everywhere: a prop given explicitly to a construct (`encryptionKey`, `artifactBucket`, `vpc`...)
 * wins over the foundation's, and the foundation's wins over the secure default the construct
 * would otherwise create. Create one with {@link MlopsFoundation}, or refer to resources that
 * exist with {@link MlopsFoundation.fromFoundationAttributes}.
 */
export interface IMlopsFoundation extends IConstruct {
  /** The key that encrypts the project's data, logs, queues and topics. */
  readonly encryptionKey: kms.IKey;

  /** The bucket of the project's artifacts. */
  readonly artifactBucket: s3.IBucket;

  /** Where each kind of object goes in the artifact bucket. */
  readonly storageLayout: StorageLayout;

  /**
   * The VPC of the project's jobs, models and functions.
   *
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets in `vpc`.
   *
   * @default - each construct's default (private subnets with egress, or isolated ones)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The security groups of the project's jobs, models and functions in `vpc`.
   *
   * @default - each construct creates the narrow group it needs
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * The props every construct of this library shares for its storage: the project foundation, or
 * the key and bucket to use instead of the foundation's.
 *
 * Precedence, the same in every construct: an explicit `encryptionKey` or `artifactBucket` wins
 * over the `foundation`'s, and the foundation's wins over the secure default the construct creates.
 */
export interface FoundationOptions {
  /**
   * The project foundation: its key, artifact bucket, storage layout and network are used
   * wherever this construct's props do not name their own.
   *
   * @default - no foundation: the resources given here, or new ones
   */
  readonly foundation?: IMlopsFoundation;

  /**
   * The key that encrypts what this construct stores, logs, queues and notifies. Its key policy
   * must let CloudWatch Logs and EventBridge use it ({@link ProjectKey} does).
   *
   * @default - the foundation's key, else a new {@link ProjectKey}
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The bucket of the objects this construct writes and reads (under the prefixes of the
   * foundation's {@link StorageLayout}).
   *
   * @default - the foundation's bucket; without one, a construct that writes objects creates an
   * {@link ArtifactBucket} when it needs one, and a construct that only reads them (the approval
   * handler of ModelRegistryApproval) asks for a bucket
   */
  readonly artifactBucket?: s3.IBucket;
}

/**
 * The network props of the constructs that run SageMaker jobs or models.
 *
 * Precedence: an explicit `vpc` comes with its own subnets and security groups; without one, the
 * foundation's VPC is used, with the subnets and security groups given here or the foundation's.
 */
export interface NetworkOptions {
  /**
   * The VPC of the jobs or models.
   *
   * @default - the foundation's VPC, else none
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets in the VPC.
   *
   * @default - the foundation's subnets, else the private subnets with egress (or the isolated ones when there are none)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The security groups in the VPC.
   *
   * @default - the foundation's security groups, else a new narrow group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * Props of an {@link MlopsFoundation}.
 *
 * @example
 * import * as kms from 'aws-cdk-lib/aws-kms';
 * import * as s3 from 'aws-cdk-lib/aws-s3';
 * import { FeatureStore, MlopsFoundation } from 'cdk-sagemaker-mlops';
 *
 * // The key and the bucket you already have, instead of new ones.
 * const foundation = new MlopsFoundation(this, 'Foundation', {
 *   encryptionKey: kms.Key.fromKeyArn(this, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
 *   artifactBucket: s3.Bucket.fromBucketName(this, 'Artifacts', 'my-ml-artifacts'),
 * });
 * new FeatureStore(this, 'Features', { foundation });
 */
export interface MlopsFoundationProps {
  /**
   * An existing key instead of a new one.
   *
   * @default - a new {@link ProjectKey}
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Settings of the key this construct creates (alias, admins, removal policy...).
   *
   * @default - the defaults of {@link ProjectKeyProps}
   */
  readonly encryptionKeyProps?: ProjectKeyProps;

  /**
   * An existing bucket instead of a new one. It must accept the project's objects: SSE-KMS with
   * a key the project's roles may use, and EventBridge notifications on if pipelines should start
   * on new data.
   *
   * @default - a new {@link ArtifactBucket} encrypted with the foundation's key
   */
  readonly artifactBucket?: s3.IBucket;

  /**
   * Settings of the bucket this construct creates (access logs, retention, removal policy...).
   * Its key is the foundation's: leave `encryptionKey` out of these props.
   *
   * @default - the defaults of {@link ArtifactBucketProps}
   */
  readonly artifactBucketProps?: ArtifactBucketProps;

  /**
   * Where each kind of object goes in the artifact bucket.
   *
   * @default StorageLayout.DEFAULT
   */
  readonly storageLayout?: StorageLayout;

  /**
   * The VPC of the project's jobs, models and functions.
   *
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets in `vpc`.
   *
   * @default - each construct's default (private subnets with egress, or isolated ones)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups for the project's jobs, models and functions in `vpc`.
   *
   * @default - each construct creates the narrow group it needs
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** Existing resources to use as a foundation, for {@link MlopsFoundation.fromFoundationAttributes}. */
export interface MlopsFoundationAttributes {
  /** The project key. */
  readonly encryptionKey: kms.IKey;

  /** The artifact bucket. */
  readonly artifactBucket: s3.IBucket;

  /**
   * Where each kind of object goes in the artifact bucket.
   *
   * @default StorageLayout.DEFAULT
   */
  readonly storageLayout?: StorageLayout;

  /**
   * The VPC.
   *
   * @default - no VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets in `vpc`.
   *
   * @default - each construct's default
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups in `vpc`.
   *
   * @default - each construct creates the narrow group it needs
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * The foundation of a project: one {@link ProjectKey}, one {@link ArtifactBucket} (with its
 * access-log bucket), the {@link StorageLayout} of the bucket, and optionally a VPC.
 *
 * Pass it as `foundation` to every construct of the project, so that they all use the same key
 * and bucket, and the objects one writes are where the next one reads them.
 *
 * @example
 * import { MlopsFoundation, ModelRegistryApproval } from 'cdk-sagemaker-mlops';
 *
 * // One key, one artifact bucket and one storage layout for every construct of the project.
 * const foundation = new MlopsFoundation(this, 'Foundation', { encryptionKeyProps: { alias: 'mlops/churn' } });
 * new ModelRegistryApproval(this, 'Registry', { foundation });
 */
export class MlopsFoundation extends Construct implements IMlopsFoundation {
  /**
   * A foundation made of resources that already exist (a key and a bucket of a platform team,
   * for example).
   *
   * @param scope the scope
   * @param id the id
   * @param attrs the resources
   */
  public static fromFoundationAttributes(scope: Construct, id: string, attrs: MlopsFoundationAttributes): IMlopsFoundation {
    return new ImportedFoundation(scope, id, attrs);
  }

  public readonly encryptionKey: kms.IKey;
  public readonly artifactBucket: s3.IBucket;
  public readonly storageLayout: StorageLayout;
  public readonly vpc?: ec2.IVpc;
  public readonly vpcSubnets?: ec2.SubnetSelection;
  public readonly securityGroups?: ec2.ISecurityGroup[];

  /** The bucket of the artifact bucket's server access logs, when this construct creates the artifact bucket. */
  public readonly accessLogsBucket?: s3.IBucket;

  constructor(scope: Construct, id: string, props: MlopsFoundationProps = {}) {
    super(scope, id);
    checkExclusive(this, 'encryptionKey', props.encryptionKey, 'encryptionKeyProps', props.encryptionKeyProps);
    checkExclusive(this, 'artifactBucket', props.artifactBucket, 'artifactBucketProps', props.artifactBucketProps);
    check(props.artifactBucketProps?.encryptionKey === undefined, this, 'artifactBucketProps.encryptionKey', 'a key',
      'The foundation\'s bucket is encrypted with the foundation\'s key: give the key as `encryptionKey`');
    checkNetwork(this, props);
    this.encryptionKey = props.encryptionKey ?? new ProjectKey(this, 'Key', props.encryptionKeyProps);
    if (props.artifactBucket) {
      this.artifactBucket = props.artifactBucket;
    } else {
      const bucket = new ArtifactBucket(this, 'Artifacts', { ...props.artifactBucketProps, encryptionKey: this.encryptionKey });
      this.artifactBucket = bucket.bucket;
      this.accessLogsBucket = bucket.accessLogsBucket;
    }
    this.storageLayout = props.storageLayout ?? StorageLayout.DEFAULT;
    this.vpc = props.vpc;
    this.vpcSubnets = props.vpcSubnets;
    this.securityGroups = props.securityGroups;
  }
}

class ImportedFoundation extends Construct implements IMlopsFoundation {
  public readonly encryptionKey: kms.IKey;
  public readonly artifactBucket: s3.IBucket;
  public readonly storageLayout: StorageLayout;
  public readonly vpc?: ec2.IVpc;
  public readonly vpcSubnets?: ec2.SubnetSelection;
  public readonly securityGroups?: ec2.ISecurityGroup[];

  constructor(scope: Construct, id: string, attrs: MlopsFoundationAttributes) {
    super(scope, id);
    check(attrs?.encryptionKey !== undefined, this, 'encryptionKey', undefined, 'It is required: the key of the project');
    check(attrs.artifactBucket !== undefined, this, 'artifactBucket', undefined, 'It is required: the bucket of the project');
    checkNetwork(this, attrs);
    this.encryptionKey = attrs.encryptionKey;
    this.artifactBucket = attrs.artifactBucket;
    this.storageLayout = attrs.storageLayout ?? StorageLayout.DEFAULT;
    this.vpc = attrs.vpc;
    this.vpcSubnets = attrs.vpcSubnets;
    this.securityGroups = attrs.securityGroups;
  }
}

function checkNetwork(scope: Construct, p: { vpc?: ec2.IVpc; vpcSubnets?: ec2.SubnetSelection; securityGroups?: ec2.ISecurityGroup[] }): void {
  if (p.vpc !== undefined) { return; }
  check(p.vpcSubnets === undefined, scope, 'vpcSubnets', 'a subnet selection', 'It needs `vpc`');
  check(p.securityGroups === undefined, scope, 'securityGroups', `${p.securityGroups?.length} group(s)`, 'It needs `vpc`');
}
