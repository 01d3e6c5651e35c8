/*
 * The core tests that synthesize small stacks, in one jest file: jest loads aws-cdk-lib and the
 * library again for every test file (about half a second each), which was most of the time of
 * these. Each *.spec.ts keeps its own describe block, so its hooks stay its own. Run one of them with
 * `npx jest test/core/suite.test.ts -t '<its name>'`. The files that mock AWS SDK clients or the
 * standard streams, and the slow ones, stay test files of their own.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
describe('building-blocks', () => { require('./building-blocks.spec'); });
describe('compliance-helper', () => { require('./compliance-helper.spec'); });
describe('container-image', () => { require('./container-image.spec'); });
describe('errors', () => { require('./errors.spec'); });
describe('event-pattern', () => { require('./event-pattern.spec'); });
describe('exact-acknowledgments', () => { require('./exact-acknowledgments.spec'); });
describe('foundation', () => { require('./foundation.spec'); });
describe('handler-function', () => { require('./handler-function.spec'); });
describe('instance-type', () => { require('./instance-type.spec'); });
describe('managed-policy-role', () => { require('./managed-policy-role.spec'); });
describe('model-package-group', () => { require('./model-package-group.spec'); });
describe('names', () => { require('./names.spec'); });
describe('resources', () => { require('./resources.spec'); });
describe('shared-helpers', () => { require('./shared-helpers.spec'); });
