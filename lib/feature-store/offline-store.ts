import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The table format of an offline store.
 */
export enum OfflineStoreTableFormat {
  /** Apache Iceberg: compaction, time travel and faster queries. */
  ICEBERG = 'Iceberg',
  /** A plain Glue (Hive) table of Parquet files. */
  GLUE = 'Glue',
}

/**
 * The offline store of a feature group: every record ever written, in S3, catalogued in Glue
 * for Athena. Changing any of these options replaces the group.
 *
 * The bucket is the group's `artifactBucket` (the offline store is the only part of a group that
 * lives in a bucket, so there is no second name for it here).
 */
export interface OfflineStoreOptions {
  /**
   * Whether the group has an offline store.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The key prefix in the bucket. SageMaker writes below it
   * (`<prefix>/<account>/sagemaker/<region>/offline-store/<group>-<time>/...`). A plain S3 key
   * prefix: IAM wildcards (`*`, `?`) are refused, as the offline store role and the read grants
   * are scoped to it.
   *
   * @default - `<featureStore prefix of the foundation's StorageLayout>/<construct id, lowercase>`
   *   (`feature-store/<id>`); in a {@link FeatureStore}, `<the store's offlineStorePrefix>/<id>`
   */
  readonly prefix?: string;

  /**
   * The key that encrypts the objects SageMaker writes.
   *
   * @default - the group's key (`encryptionKey`, else its feature store's, else the foundation's, else a new one)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The table format.
   *
   * @default OfflineStoreTableFormat.ICEBERG
   */
  readonly tableFormat?: OfflineStoreTableFormat;

  /**
   * An existing Glue database (in this account's Data Catalog) that receives the table.
   *
   * @default - the feature store's database, else a new Glue database
   */
  readonly glueDatabaseName?: string;

  /**
   * The name of the Glue table SageMaker creates.
   *
   * @default - the feature group name in lowercase with underscores
   */
  readonly glueTableName?: string;

  /**
   * The role SageMaker assumes to write the offline store (trusting `sagemaker.amazonaws.com`).
   * When it is a role of this app, the group grants it what it needs.
   *
   * @default - the feature store's role, else a new role with access to exactly this group's
   *   prefix, table and key
   */
  readonly role?: iam.IRole;
}

/**
 * Options of {@link FeatureGroup.grantOfflineQuery}.
 */
export interface OfflineQueryGrantOptions {
  /**
   * The Athena workgroup the grantee queries in.
   *
   * @default "primary"
   */
  readonly athenaWorkGroup?: string;

  /**
   * A bucket for Athena query results; the grantee gets read and write access to
   * `queryResultsPrefix` in it (and use of its key).
   *
   * @default - none: the workgroup's result location must already be writable by the grantee
   */
  readonly queryResultsBucket?: s3.IBucket;

  /**
   * The key prefix of query results in `queryResultsBucket`.
   *
   * @default "athena-results/"
   */
  readonly queryResultsPrefix?: string;
}
