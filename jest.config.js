/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // TypeScript sources first: jsii leaves compiled .js beside them in lib/.
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json', diagnostics: false }],
  },
  testTimeout: 120000,
  maxWorkers: 2,
  cacheDirectory: '<rootDir>/.jest-cache',
  reporters: ['default'],
};
