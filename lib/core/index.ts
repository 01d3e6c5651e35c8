export * from './project-key';
export * from './artifact-bucket';
export * from './image-repository';
export * from './encrypted-log-group';
export * from './names';
export * from './managed-policy-role';
export * from './model-approval-status';
export * from './metric-comparison';
