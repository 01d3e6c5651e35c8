export * from './model-source';
export * from './deployment';
export * from './monitoring';
export * from './endpoint-parameters';
export * from './endpoint-with-monitor';
