import { App } from 'aws-cdk-lib';
import { addEndpointExample } from './endpoint';
import { addFeatureStoreExample } from './feature-store';
import { addFoundationExample } from './foundation';
import { addModelRegistryExample } from './model-registry';
import { addMultiAccountExample } from './multi-account';
import { addQuickstartExample } from './quickstart';
import { addTrainingPipelineExample } from './training-pipeline';

/**
 * Every example stack of the library, in the order of the MLOps flow. `bin/app.ts` synthesizes them
 * (the main job), the example tests check each for compliance, and the benchmark times them.
 */
export const EXAMPLES: { readonly name: string; readonly add: (app: App) => unknown }[] = [
  { name: 'quickstart', add: addQuickstartExample },
  { name: 'foundation', add: addFoundationExample },
  { name: 'feature-store', add: addFeatureStoreExample },
  { name: 'training-pipeline', add: addTrainingPipelineExample },
  { name: 'model-registry', add: addModelRegistryExample },
  { name: 'endpoint', add: addEndpointExample },
  { name: 'multi-account', add: addMultiAccountExample },
];

/** Add every example stack to `app`. */
export function addAllExamples(app: App): void {
  for (const example of EXAMPLES) {
    example.add(app);
  }
}
