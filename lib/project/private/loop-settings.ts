import { IConstruct } from 'constructs';
import { chatSettings, ChatSettings } from './chat';
import { featureStoreSettings, FeatureStoreSettings } from './feature-access';
import { retrainingSettings, RetrainingSettings } from './retraining';
import { check } from '../../private/errors';
import { resolveLayout } from '../../private/resources';
import { MlopsProjectProps } from '../project-props';

/** The chat, retraining and feature store options, checked, with their defaults. */
export interface LoopSettings {
  readonly chat?: ChatSettings;
  readonly retraining?: RetrainingSettings;
  readonly featureStore?: FeatureStoreSettings;
  /** The standard pipeline's input data: `training.inputDataUri`, else the feature store's offline store. */
  readonly trainingInputDataUri?: string;
}

/** Check the chat, retraining and feature store props (every rule names the prop, the value and the rule). */
export function loopSettings(where: IConstruct, props: MlopsProjectProps, ctx: { readonly name: string; readonly monitored: boolean }): LoopSettings {
  const chat = props.chat !== undefined ? chatSettings(where, ctx.name, props.chat) : undefined;
  const featureStore = props.featureStore !== undefined
    ? featureStoreSettings(where, props.featureStore, {
      training: props.training,
      trainingPipeline: props.trainingPipeline,
      networkIsolation: props.endpoint?.networkIsolation ?? true,
    })
    : undefined;
  const trainingInputDataUri = props.training?.inputDataUri ?? featureStore?.offlineStoreUri;
  if (props.training) {
    check(trainingInputDataUri !== undefined, where, 'training.inputDataUri', undefined,
      'It is required, unless `featureStore` gives an offline store to read: the S3 URI of the raw data');
  }
  const retraining = props.retraining !== undefined
    ? retrainingSettings(where, props.retraining, {
      projectName: ctx.name,
      hasTrainingPipeline: props.training !== undefined || props.trainingPipeline !== undefined,
      monitored: ctx.monitored,
      layout: resolveLayout({ foundation: props.foundation }),
      foundationBucket: props.foundation?.artifactBucket,
    })
    : undefined;
  return { chat, retraining, featureStore, trainingInputDataUri };
}
