/*
 * The training-pipeline tests that synthesize small stacks, in one jest file: jest loads aws-cdk-lib and the
 * library again for every test file (about half a second each), which was most of the time of
 * these. Each *.spec.ts keeps its own describe block, so its hooks stay its own. Run one of them with
 * `npx jest test/training-pipeline/suite.test.ts -t '<its name>'`. The files that mock AWS SDK clients or the
 * standard streams, and the slow ones, stay test files of their own.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
describe('bad-definitions', () => { require('./bad-definitions.spec'); });
describe('bad-props', () => { require('./bad-props.spec'); });
describe('definition', () => { require('./definition.spec'); });
describe('foundation', () => { require('./foundation.spec'); });
describe('hardening', () => { require('./hardening.spec'); });
describe('input-parameters', () => { require('./input-parameters.spec'); });
describe('job-environment', () => { require('./job-environment.spec'); });
describe('large', () => { require('./large.spec'); });
describe('model-package-group', () => { require('./model-package-group.spec'); });
describe('network', () => { require('./network.spec'); });
describe('standard-pipeline', () => { require('./standard-pipeline.spec'); });
describe('steps', () => { require('./steps.spec'); });
