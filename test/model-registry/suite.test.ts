/*
 * The model-registry tests that synthesize small stacks, in one jest file: jest loads aws-cdk-lib and the
 * library again for every test file (about half a second each), which was most of the time of
 * these. Each *.spec.ts keeps its own describe block, so its hooks stay its own. Run one of them with
 * `npx jest test/model-registry/suite.test.ts -t '<its name>'`. The files that mock AWS SDK clients or the
 * standard streams, and the slow ones, stay test files of their own.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
describe('events', () => { require('./events.spec'); });
describe('foundation', () => { require('./foundation.spec'); });
describe('model-registry-approval', () => { require('./model-registry-approval.spec'); });
describe('security', () => { require('./security.spec'); });
describe('validation', () => { require('./validation.spec'); });
