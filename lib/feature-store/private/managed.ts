import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** What a FeatureStore already granted its offline store role, once for all its groups. */
export interface StoreCoverage {
  readonly bucket: s3.IBucket;
  /** Key prefix (no trailing slash) under which every object is covered. */
  readonly prefix: string;
  readonly databaseName: string;
  readonly keys: kms.IKey[];
}

/**
 * Roles whose offline-store permissions a FeatureStore grants once for all its groups (its
 * bucket prefix, Glue database and keys), so that each group adds statements only for what the
 * store does not cover (IAM policies have size limits).
 */
export const STORE_COVERAGE = new WeakMap<object, StoreCoverage>();
