// Public API of cdk-sagemaker-mlops. Only re-exports live here; non-public helpers are in private/ folders.
export * from './core';
export * from './training-pipeline';
export * from './model-registry';
export * from './endpoint';
export * from './feature-store';
export * from './project';
