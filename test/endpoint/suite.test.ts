/*
 * The endpoint tests that synthesize small stacks, in one jest file: jest loads aws-cdk-lib and the
 * library again for every test file (about half a second each), which was most of the time of
 * these. Each *.spec.ts keeps its own describe block, so its hooks stay its own. Run one of them with
 * `npx jest test/endpoint/suite.test.ts -t '<its name>'`. The files that mock AWS SDK clients or the
 * standard streams, and the slow ones, stay test files of their own.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
describe('alarms-and-parameters', () => { require('./alarms-and-parameters.spec'); });
describe('autoscaling-and-variants', () => { require('./autoscaling-and-variants.spec'); });
describe('bad-input', () => { require('./bad-input.spec'); });
describe('capture-and-monitor', () => { require('./capture-and-monitor.spec'); });
describe('clarify-monitors', () => { require('./clarify-monitors.spec'); });
describe('deployment', () => { require('./deployment.spec'); });
describe('foundation', () => { require('./foundation.spec'); });
describe('given-roles-and-alarm-names', () => { require('./given-roles-and-alarm-names.spec'); });
describe('hardening', () => { require('./hardening.spec'); });
describe('imports', () => { require('./imports.spec'); });
describe('model-and-names', () => { require('./model-and-names.spec'); });
describe('model-source', () => { require('./model-source.spec'); });
describe('stage-parameters', () => { require('./stage-parameters.spec'); });
