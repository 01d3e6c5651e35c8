export * from './project-props';
export * from './experiment-tracking-props';
export * from './mlops-project';
