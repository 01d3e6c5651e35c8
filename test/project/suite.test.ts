/*
 * The project tests that synthesize small stacks, in one jest file: jest loads aws-cdk-lib and the
 * library again for every test file (about half a second each), which was most of the time of
 * these. Each *.spec.ts keeps its own describe block, so its hooks stay its own. Run one of them with
 * `npx jest test/project/suite.test.ts -t '<its name>'`. The files that mock AWS SDK clients or the
 * standard streams, and the slow ones, stay test files of their own.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
describe('feature-store', () => { require('./feature-store.spec'); });
describe('flow-diagram', () => { require('./flow-diagram.spec'); });
describe('mlops-project', () => { require('./mlops-project.spec'); });
describe('retraining', () => { require('./retraining.spec'); });
describe('target-account', () => { require('./target-account.spec'); });
describe('zip', () => { require('./zip.spec'); });
