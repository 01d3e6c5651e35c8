import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { FeatureGroup } from '../../feature-store/feature-group';
import { IFeatureStore } from '../../feature-store/interfaces';
import { check } from '../../private/errors';
import { acknowledgeWildcardResources } from '../../private/nag';
import { ITrainingPipeline } from '../../training-pipeline/pipeline-base';
import { StandardTrainingPipelineProps } from '../../training-pipeline/standard-pipeline';
import { ProjectFeatureStoreOptions, ProjectTrainingOptions } from '../loop-props';

/*
 * A feature store in the project: the standard pipeline's input data defaults to the offline
 * store, its jobs may read that store, and the stage endpoints' model role may read the group's
 * online store when asked.
 */

/** ProjectTrainingOptions are StandardTrainingPipelineProps with an optional inputDataUri: the same props, checked by the compiler. */
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
const SAME_PROPS: SameKeys<ProjectTrainingOptions, StandardTrainingPipelineProps> = true;
void SAME_PROPS;

/** The feature store options, checked. */
export interface FeatureStoreSettings {
  readonly store: IFeatureStore;
  readonly group?: FeatureGroup;
  readonly endpointReadsOnlineStore: boolean;
  /** The `s3://` URI of the offline store the pipeline reads. */
  readonly offlineStoreUri?: string;
}

/** What the checks need to know of the project. */
export interface FeatureStoreContext {
  readonly training?: ProjectTrainingOptions;
  readonly trainingPipeline?: ITrainingPipeline;
  readonly networkIsolation: boolean;
}

/** Check the feature store options (every rule names the prop, the value and the rule). */
export function featureStoreSettings(where: IConstruct, o: ProjectFeatureStoreOptions, ctx: FeatureStoreContext): FeatureStoreSettings {
  check(o !== null && typeof o === 'object', where, 'featureStore', o, 'It must be an object with `featureStore`');
  const store = o.featureStore;
  check(store !== undefined && store !== null && typeof store.offlineStorePrefix === 'string' && store.artifactBucket !== undefined,
    where, 'featureStore.featureStore', store, 'It is required: a FeatureStore (IFeatureStore)');
  const group = o.featureGroup;
  if (group !== undefined) {
    check(group instanceof FeatureGroup, where, 'featureStore.featureGroup', group,
      'It must be a FeatureGroup of this app (created with `featureStore.addFeatureGroup`): an imported group has no known offline store');
    check(group.featureStore === store, where, 'featureStore.featureGroup', group.node.path,
      'It must be a group of `featureStore.featureStore` (add it with `addFeatureGroup`, or give it `featureStore`)');
  }
  const online = o.endpointReadsOnlineStore ?? false;
  if (online) {
    check(group !== undefined, where, 'featureStore.endpointReadsOnlineStore', true,
      'Give `featureStore.featureGroup`: the endpoints may read the online store of one group, not of a whole store');
    check(group!.onlineStoreEnabled, where, 'featureStore.endpointReadsOnlineStore', true,
      `The feature group ${group!.node.path} has no online store (onlineStore.enabled is false)`);
    check(!ctx.networkIsolation, where, 'endpoint.networkIsolation', true,
      'A model container without network access cannot call the Feature Store runtime: set `endpoint.networkIsolation: false` ' +
      'for the endpoints to read the online store');
  }
  const readsOffline = ctx.training !== undefined || ctx.trainingPipeline !== undefined;
  check(readsOffline || online, where, 'featureStore', 'a feature store',
    'It has no use here: the project has no training pipeline to read its offline store, and `endpointReadsOnlineStore` is off');
  let offlineStoreUri: string | undefined;
  if (group) {
    offlineStoreUri = group.offlineStoreS3Uri;
    if (ctx.training && ctx.training.inputDataUri === undefined) {
      check(group.offlineStoreEnabled, where, 'training.inputDataUri', undefined,
        `It is required: the feature group ${group.node.path} has no offline store to default to`);
    }
  } else {
    offlineStoreUri = `s3://${store.artifactBucket.bucketName}/${store.offlineStorePrefix}`;
  }
  return { store, group, endpointReadsOnlineStore: online, offlineStoreUri };
}

/**
 * Let the training jobs read the offline store: the group's own grant (its objects, its Glue table,
 * its keys), or for a whole store the objects under the store's prefix and its keys.
 */
export function grantOfflineStoreRead(s: FeatureStoreSettings, jobRole: iam.IRole): void {
  if (s.group) {
    if (s.group.offlineStoreEnabled) { s.group.grantReadOfflineStore(jobRole); }
    return;
  }
  const store = s.store;
  const statements = [
    new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [store.artifactBucket.arnForObjects(`${store.offlineStorePrefix}/*`)] }),
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [store.artifactBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [store.offlineStorePrefix, `${store.offlineStorePrefix}/*`] } },
    }),
  ];
  for (const statement of statements) { jobRole.addToPrincipalPolicy(statement); }
  acknowledgeWildcardResources(jobRole, statements,
    `SageMaker Feature Store names the offline store objects (account, region, group name, time); the training jobs read those ` +
    `below the feature store's prefix "${store.offlineStorePrefix}/" only.`);
  const keys = new Set([store.encryptionKey, ...(store.artifactBucket.encryptionKey ? [store.artifactBucket.encryptionKey] : [])]);
  for (const key of keys) { key.grant(jobRole, 'kms:Decrypt'); }
}

/** Let the stage endpoints' model role read the group's online store (GetRecord, BatchGetRecord on that group, its key). */
export function grantOnlineStoreRead(s: FeatureStoreSettings, modelRole: iam.IRole): void {
  if (s.endpointReadsOnlineStore) { s.group!.grantRead(modelRole); }
}
