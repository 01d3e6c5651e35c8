import { IResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';

/*
 * The interfaces of the feature store, in a file of their own: FeatureGroup takes its store as an
 * IFeatureStore and FeatureStore creates FeatureGroups, so neither class file may import the other.
 */

/**
 * A SageMaker Feature Store feature group.
 */
export interface IFeatureGroup extends IResource {
  /**
   * The name of the group.
   *
   * @attribute
   */
  readonly featureGroupName: string;

  /**
   * The ARN of the group.
   *
   * @attribute
   */
  readonly featureGroupArn: string;

  /**
   * Let `grantee` read records from the online store (`GetRecord`, `BatchGetRecord`).
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;

  /**
   * Let `grantee` write and delete records (`PutRecord`, `DeleteRecord`).
   */
  grantWrite(grantee: iam.IGrantable): iam.Grant;
}

/**
 * The resources a feature store shares with its feature groups (see {@link FeatureStore}).
 *
 * A group given as `featureStore` uses them wherever its own props name nothing else. The store's
 * `offlineStoreRole` already holds, once for all its groups, write access to every object under
 * `<artifactBucket>/<offlineStorePrefix>/`, read and update access to every table of
 * `glueDatabaseName`, and the use of `encryptionKey` and of the bucket's key; a group that stays
 * within these adds no statement of its own to the role (IAM policies have size limits).
 */
export interface IFeatureStore extends IConstruct {
  /** The key of the groups' online and offline stores. */
  readonly encryptionKey: kms.IKey;

  /** The bucket of the groups' offline stores. */
  readonly artifactBucket: s3.IBucket;

  /** The key prefix of the groups' offline stores in `artifactBucket`, without a trailing slash. */
  readonly offlineStorePrefix: string;

  /** The role SageMaker assumes to write the groups' offline stores. */
  readonly offlineStoreRole: iam.IRole;

  /** The Glue database of the groups' offline store tables. */
  readonly glueDatabaseName: string;
}
