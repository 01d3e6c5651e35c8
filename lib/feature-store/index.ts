export * from './schema-lock';
export * from './feature-group';
