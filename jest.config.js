/** @type {import('jest').Config} */
module.exports = {
  // Node's, with one CloudFormation validator per worker, its engines kept (test/setup/environment.js).
  testEnvironment: '<rootDir>/test/setup/environment.js',
  moduleNameMapper: {
    '^@aws/cloudformation-validate$': '<rootDir>/test/setup/cloudformation-validate.js',
  },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // TypeScript sources first: jsii leaves compiled .js beside them in lib/.
  moduleFileExtensions: ['ts', 'js', 'json'],
  // esbuild strips the types (scripts/jest-transform.js); `npm run typecheck` checks them.
  transform: {
    '^.+\\.ts$': '<rootDir>/scripts/jest-transform.js',
  },
  // One scratch folder for the run, removed at the end; built-in validation off except where checked.
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  globalTeardown: '<rootDir>/test/setup/global-teardown.js',
  setupFiles: ['<rootDir>/test/setup/env.js'],
  testTimeout: 120000,
  maxWorkers: 2,
  cacheDirectory: '<rootDir>/.jest-cache',
  reporters: ['default'],
};
