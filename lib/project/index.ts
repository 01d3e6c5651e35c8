export * from './project-props';
export * from './build-props';
// source.ts also holds BoundSource and SourceBindContext, the @internal contract between a source and the build pipeline.
export { ConnectionProvider, ProjectSource } from './source';
export type {
  CodeCommitSourceOptions, ConnectionRepositoryOptions, ConnectionSourceOptions, NewConnectionSourceOptions, S3ObjectSourceOptions,
} from './source';
export * from './experiment-tracking-props';
export * from './loop-props';
export * from './mlops-project';
export * from './target-account';
