export * from './project-key';
export * from './artifact-bucket';
export * from './image-repository';
export * from './encrypted-log-group';
// names.ts also holds SAGEMAKER_NAME_PATTERN and stableStringify, helpers of the library itself (not public).
export { SageMakerName } from './names';
export type { SageMakerNameOptions } from './names';
export * from './managed-policy-role';
export * from './model-approval-status';
export * from './metric-comparison';
export * from './instance-type';
export * from './storage-layout';
export * from './foundation';
export * from './model-package-group';
export * from './container-image';
