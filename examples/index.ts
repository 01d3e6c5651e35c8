import { App, Stack } from 'aws-cdk-lib';
import { addBringYourOwnContainerExample } from './bring-your-own-container';
import { addComposeItYourselfExample } from './compose-it-yourself';
import { addFeatureStoreExample } from './feature-store';
import { addMultiAccountExample } from './multi-account';
import { addQuickstartExample } from './quickstart';

/** One example app: a function that adds its stacks to an app. */
export interface Example {
  /** The example's name (its file in examples/). */
  readonly name: string;
  /** What it shows, in a few words (the README's table of examples). */
  readonly title: string;
  /** Adds the example's stacks to `app` and returns its main stack. */
  readonly add: (app: App) => Stack;
}

/**
 * Every example app of the library, the simplest first. `bin/app.ts` synthesizes them (the main
 * job), the example tests check each for compliance with aws-cdk-lib's default and recommended
 * feature flags, and the benchmark times them.
 */
export const EXAMPLES: readonly Example[] = [
  { name: 'quickstart', title: 'MlopsProject with a built-in algorithm and the default deploy flow', add: addQuickstartExample },
  { name: 'bring-your-own-container', title: 'training and inference images built from Dockerfiles by the build pipeline', add: addBringYourOwnContainerExample },
  { name: 'feature-store', title: 'ingestion into a feature group, training on its offline store', add: addFeatureStoreExample },
  { name: 'multi-account', title: 'tooling, staging and prod accounts', add: addMultiAccountExample },
  { name: 'compose-it-yourself', title: 'the constructs without MlopsProject, on an existing VPC and key', add: addComposeItYourselfExample },
];

/** Add every example's stacks to `app`. */
export function addAllExamples(app: App): void {
  for (const example of EXAMPLES) {
    example.add(app);
  }
}
