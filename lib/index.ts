// Public API of cdk-sagemaker-mlops. Only re-exports live here; non-public helpers are in private/ folders.
export * from './core';
export * from './model-registry';
export * from './feature-store';
