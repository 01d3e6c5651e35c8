export * from './schema-lock';
export * from './feature-group';
export * from './feature-store';
