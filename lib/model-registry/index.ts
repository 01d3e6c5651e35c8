export * from './approval-policy';
export * from './model-registry-approval-props';
export * from './model-registry-approval';
