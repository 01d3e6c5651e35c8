export * from './project-props';
export * from './build-props';
export * from './source';
export * from './experiment-tracking-props';
export * from './loop-props';
export * from './mlops-project';
export * from './target-account';
