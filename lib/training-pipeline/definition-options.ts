import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/*
 * The options of rendering and of importing a pipeline definition. A leaf file: it imports
 * nothing of this module, so the renderer, the steps and the definition can all use it.
 */

/** The network jobs run in. */
export interface JobNetworkConfig {
  /** The subnets (private) the jobs' network interfaces go into. */
  readonly subnetIds: string[];
  /** The security groups of the jobs' network interfaces. */
  readonly securityGroupIds: string[];
}

/** What the pipeline provides to steps that do not say otherwise. */
export interface RenderOptions {
  /**
   * The role of jobs without a role of their own.
   * @default - none: every job step must have a role
   */
  readonly defaultRole?: iam.IRole;
  /**
   * The key of job volumes and outputs without a key of their own.
   * @default - none: SageMaker's default encryption
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The bucket of outputs without a destination.
   * @default - none: every output needs a destination
   */
  readonly defaultBucket?: s3.IBucket;
  /**
   * The key prefix of those outputs.
   * @default - the bucket's root
   */
  readonly outputPrefix?: string;
  /**
   * Run jobs in a VPC (traffic between their containers is then encrypted).
   * @default - jobs run in SageMaker's network
   */
  readonly network?: JobNetworkConfig;
  /**
   * Run the containers of processing, training and tuning jobs and models without network access.
   * @default false
   */
  readonly networkIsolation?: boolean;
}

/** Options of {@link PipelineDefinition.fromJson}. */
export interface ImportedDefinitionOptions {
  /**
   * Replaces the role ARN of every job (`RoleArn`, `ExecutionRoleArn` fields).
   * @default - the role ARNs are kept as they are
   */
  readonly jobRole?: iam.IRole;
  /**
   * The bucket that replaces `sourceBucketName` in every S3 URI (usually the pipeline's artifact bucket).
   * @default - the buckets are kept as they are
   */
  readonly artifactBucket?: s3.IBucket;
  /**
   * The bucket name used in the imported definition (for example `sagemaker-us-east-1-123456789012`).
   * @default - no bucket is replaced
   */
  readonly sourceBucketName?: string;
  /**
   * Other literal strings to replace anywhere in string values (an account id, a region...).
   * @default - none
   */
  readonly substitutions?: { [literal: string]: string };
  /**
   * Accept RegisterModel steps that register versions as `Approved` (SDK examples often do). Such
   * a version skips the approval policy of its group (its onApproved rules fire at once), so they
   * are refused unless set; with it, the execution role carries no self-approval guard for those
   * groups. Better: change the definition to `PendingManualApproval`.
   * @default false
   */
  readonly allowSelfApproval?: boolean;
}
