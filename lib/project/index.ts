export * from './project-props';
export * from './mlops-project';
