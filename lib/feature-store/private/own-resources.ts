import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { FoundationOptions } from '../../core/foundation';
import { IFeatureStore } from '../interfaces';

/**
 * The storage options a group resolves its key and bucket from. In a feature store, the store's
 * key and bucket stand where a foundation's would (the store resolved them from its own
 * foundation), so the precedence stays explicit prop > store > default.
 */
export function storageOptions(props: FoundationOptions, store: IFeatureStore | undefined): FoundationOptions {
  if (!store) { return props; }
  return {
    encryptionKey: props.encryptionKey ?? store.encryptionKey,
    artifactBucket: props.artifactBucket ?? store.artifactBucket,
  };
}

/** What a construct sets on the key or bucket it created itself (through resolveKey / resolveBucket). */
export interface OwnResourceSettings {
  /** The description of a created key. */
  readonly description?: string;
  /** The removal policy of the keys and buckets created under the id (as their L2 constructs apply it). */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * `resolveKey` and `resolveBucket` create the default resource under `scope/id` with the
 * library's defaults; when they did, give it the construct's description and removal policy.
 * Resources that came from the props or the foundation are not touched.
 */
export function adoptCreated(scope: IConstruct, id: string, settings: OwnResourceSettings): void {
  const created = scope.node.tryFindChild(id);
  if (!created) { return; }
  if (settings.removalPolicy !== undefined) {
    for (const c of created.node.findAll()) {
      if (c instanceof kms.CfnKey || c instanceof s3.CfnBucket) { c.applyRemovalPolicy(settings.removalPolicy); }
    }
  }
  if (settings.description !== undefined && created instanceof kms.Key) {
    (created.node.defaultChild as kms.CfnKey).description = settings.description;
  }
}
