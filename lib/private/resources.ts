import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ArtifactBucket } from '../core/artifact-bucket';
import { EncryptedLogGroup } from '../core/encrypted-log-group';
import { ImageRepository } from '../core/image-repository';
import { ProjectKey } from '../core/project-key';

/*
 * "Use what the user has, or create the secure default": one place for every construct, so that
 * each construct accepts IKey / IBucket / IRepository / ILogGroup the same way and the defaults
 * are the building blocks of lib/core.
 */

/** The given key, or a new {@link ProjectKey} named `id` under `scope`. */
export function keyOrCreate(scope: Construct, id: string, existing?: kms.IKey): kms.IKey {
  return existing ?? new ProjectKey(scope, id);
}

/** The given bucket, or a new {@link ArtifactBucket} (encrypted with `key`) named `id` under `scope`. */
export function bucketOrCreate(scope: Construct, id: string, key: kms.IKey, existing?: s3.IBucket): s3.IBucket {
  return existing ?? new ArtifactBucket(scope, id, { encryptionKey: key }).bucket;
}

/** The given repository, or a new {@link ImageRepository} (encrypted with `key`) named `id` under `scope`. */
export function repositoryOrCreate(scope: Construct, id: string, key: kms.IKey, existing?: ecr.IRepository): ecr.IRepository {
  return existing ?? new ImageRepository(scope, id, { encryptionKey: key });
}

/** The given log group, or a new {@link EncryptedLogGroup} (encrypted with `key`) named `id` under `scope`. */
export function logGroupOrCreate(scope: Construct, id: string, key: kms.IKey, existing?: logs.ILogGroup): logs.ILogGroup {
  return existing ?? new EncryptedLogGroup(scope, id, { encryptionKey: key });
}
