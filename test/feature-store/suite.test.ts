/*
 * The feature-store tests that synthesize small stacks, in one jest file: jest loads aws-cdk-lib and the
 * library again for every test file (about half a second each), which was most of the time of
 * these. Each *.spec.ts keeps its own describe block, so its hooks stay its own. Run one of them with
 * `npx jest test/feature-store/suite.test.ts -t '<its name>'`. The files that mock AWS SDK clients or the
 * standard streams, and the slow ones, stay test files of their own.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
describe('bad-input', () => { require('./bad-input.spec'); });
describe('feature-group', () => { require('./feature-group.spec'); });
describe('feature-store', () => { require('./feature-store.spec'); });
describe('foundation', () => { require('./foundation.spec'); });
describe('offline-read', () => { require('./offline-read.spec'); });
