export * from './approval-policy';
export * from './model-registry-approval';
