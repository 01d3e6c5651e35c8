import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { CloudFormationClient, DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DeleteModelPackageCommand, ListModelPackagesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { MODEL, REQUEST } from './integ.endpoint';
import { STAGING_REQUEST } from './integ.project';
import { expectedTarget, INTEG_ASSETS, syntheticRegressionCsv, tarGz, TARGET_WEIGHTS } from './support';

/** The entries of a gzipped ustar archive, read back with the format's own rules (checksums included). */
function readTarGz(archive: Buffer): Array<{ name: string; type: string; mode: number; content: string }> {
  const tar = zlib.gunzipSync(archive);
  const entries: Array<{ name: string; type: string; mode: number; content: string }> = [];
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) { break; }
    const text = (start: number, length: number) => header.subarray(start, start + length).toString('ascii').replace(/\0.*$/s, '');
    const size = parseInt(text(124, 12), 8);
    const stored = parseInt(text(148, 8), 8);
    const copy = Buffer.from(header);
    copy.fill(0x20, 148, 156);
    expect(copy.reduce((sum, b) => sum + b, 0)).toBe(stored);
    expect(text(257, 6)).toBe('ustar');
    entries.push({ name: text(0, 100), type: text(156, 1), mode: parseInt(text(100, 8), 8), content: tar.subarray(offset + 512, offset + 512 + size).toString('utf-8') });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  expect(tar.length - offset).toBeGreaterThanOrEqual(1024);
  return entries;
}

describe('tarGz', () => {
  const files = [{ name: 'model.json', content: '{"weights":[0.5,1,2],"intercept":0}' }, { name: 'code/inference.py', content: 'x = 1\n'.repeat(200) }];
  const archive = tarGz(files);

  test('writes a valid ustar archive: directories first, then each file with its content', () => {
    expect(readTarGz(archive)).toEqual([
      { name: 'code/', type: '5', mode: 0o755, content: '' },
      { name: 'model.json', type: '0', mode: 0o644, content: '{"weights":[0.5,1,2],"intercept":0}' },
      { name: 'code/inference.py', type: '0', mode: 0o644, content: 'x = 1\n'.repeat(200) },
    ]);
  });

  test('is the same bytes for the same files (a stable asset hash)', () => {
    expect(tarGz(files).equals(archive)).toBe(true);
    expect(tarGz([files[0]]).equals(archive)).toBe(false);
  });

  test('refuses a path tar cannot hold', () => {
    expect(() => tarGz([{ name: 'a'.repeat(101), content: '' }])).toThrow(/longer than 100 bytes/);
  });
});

describe('the data and the expected answers', () => {
  const csv = syntheticRegressionCsv();
  const rows = csv.trim().split('\n');

  test('the data set is seeded: 400 rows under a header, the target near 2 x1 + 3 x2 - x3', () => {
    expect(syntheticRegressionCsv()).toBe(csv);
    expect(rows[0]).toBe('target,x1,x2,x3');
    expect(rows).toHaveLength(401);
    for (const row of rows.slice(1)) {
      const [y, ...x] = row.split(',').map(Number);
      expect(x.every((v) => v >= 0 && v <= 10)).toBe(true);
      expect(Math.abs(y - expectedTarget(x))).toBeLessThanOrEqual(0.501);
    }
    expect(Buffer.byteLength(csv)).toBeLessThan(20_000);
  });

  test('the staging sample expects what the target gives', () => {
    const sample = fs.readFileSync(path.join(INTEG_ASSETS, 'staging-samples', 'mid.csv'), 'utf-8').trim().split(',').map(Number);
    const expectations = JSON.parse(fs.readFileSync(path.join(INTEG_ASSETS, 'staging-samples', 'expectations.json'), 'utf-8'));
    expect(expectations['mid.csv'].numeric.value).toBe(expectedTarget(sample));
    expect(TARGET_WEIGHTS).toEqual([2, 3, -1]);
  });

  test('the staging answer accepts both of XGBoost\'s row separators and numbers near the targets only', () => {
    const targets = STAGING_REQUEST.body.trim().split('\n').map((r) => expectedTarget(r.split(',').map(Number)));
    expect(targets).toEqual([20, 32]);
    const answer = new RegExp(STAGING_REQUEST.answer);
    for (const ok of ['20.13\n31.7\n', '19.5,32.25', '24.9,27.01', '15\n37']) { expect(answer.test(ok)).toBe(true); }
    for (const bad of ['0.5\n0.5\n', '20.1', '32.0,20.0', '[20.1, 32.2]', '26,32', '20,38']) { expect(answer.test(bad)).toBe(false); }
  });

  test('the endpoint\'s request answers the model\'s weights exactly', () => {
    const rows2 = REQUEST.body.trim().split('\n').map((r) => r.split(',').map(Number));
    expect(rows2.map((r) => r.reduce((s, x, i) => s + x * MODEL.weights[i], MODEL.intercept))).toEqual(REQUEST.predictions);
  });
});

describe('the teardown handler', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const handler = require(path.join(INTEG_ASSETS, 'teardown', 'index.js'));
  const cfn = mockClient(CloudFormationClient);
  const sm = mockClient(SageMakerClient);
  const gone = Object.assign(new Error('Stack with id mlops-integ-prod does not exist'), { name: 'ValidationError' });
  const event = (RequestType: string) => ({
    RequestType, LogicalResourceId: 'Teardown', PhysicalResourceId: 'integ-teardown-Teardown',
    ResourceProperties: { StackNames: ['mlops-integ-staging', 'mlops-integ-prod'], RoleArn: 'arn:aws:iam::111111111111:role/deploy', ModelPackageGroupName: 'g' },
  });
  // The handler logs what it deletes (to the function's log): captured here, and checked.
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const logged = () => log.mock.calls.map((c) => JSON.parse(String(c[0])));
  beforeEach(() => { cfn.reset(); sm.reset(); log.mockClear(); });
  afterAll(() => { cfn.restore(); sm.restore(); log.mockRestore(); });

  test('create and update touch nothing', async () => {
    await expect(handler.onEvent({ ...event('Create'), PhysicalResourceId: undefined })).resolves.toEqual({ PhysicalResourceId: 'integ-teardown-Teardown' });
    await expect(handler.isComplete(event('Update'))).resolves.toEqual({ IsComplete: true });
    expect(cfn.calls()).toHaveLength(0);
    expect(sm.calls()).toHaveLength(0);
  });

  test('delete starts the deletion of the stage stacks that exist, with their role', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'mlops-integ-staging' }).resolves({ Stacks: [{ StackName: 'mlops-integ-staging', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }] });
    cfn.on(DescribeStacksCommand, { StackName: 'mlops-integ-prod' }).rejects(gone);
    await handler.onEvent(event('Delete'));
    expect(cfn.commandCalls(DeleteStackCommand).map((c) => c.args[0].input)).toEqual([
      { StackName: 'mlops-integ-staging', RoleARN: 'arn:aws:iam::111111111111:role/deploy' },
    ]);
    expect(sm.calls()).toHaveLength(0);
    expect(logged()).toEqual([{ message: 'Deleting a stack the test made', stackName: 'mlops-integ-staging' }]);
  });

  test('waits while a stage stack exists, and deletes no version meanwhile', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'mlops-integ-staging', StackStatus: 'DELETE_IN_PROGRESS', CreationTime: new Date() }] });
    await expect(handler.isComplete(event('Delete'))).resolves.toEqual({ IsComplete: false });
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(sm.calls()).toHaveLength(0);
  });

  test('deletes a stack again once it settled, and fails on DELETE_FAILED', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'mlops-integ-staging', StackStatus: 'UPDATE_ROLLBACK_COMPLETE', CreationTime: new Date() }] });
    await expect(handler.isComplete(event('Delete'))).resolves.toEqual({ IsComplete: false });
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(1);
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'mlops-integ-staging', StackStatus: 'DELETE_FAILED', CreationTime: new Date() }] });
    await expect(handler.isComplete(event('Delete'))).rejects.toThrow(/mlops-integ-staging could not be deleted/);
  });

  test('once the stacks are gone, deletes every version of the group, page by page', async () => {
    cfn.on(DescribeStacksCommand).rejects(gone);
    sm.on(ListModelPackagesCommand)
      .resolvesOnce({ ModelPackageSummaryList: [summary(1)], NextToken: 'next' })
      .resolvesOnce({ ModelPackageSummaryList: [summary(2)] });
    await expect(handler.isComplete(event('Delete'))).resolves.toEqual({ IsComplete: true });
    expect(sm.commandCalls(ListModelPackagesCommand).map((c) => c.args[0].input)).toEqual([
      { ModelPackageGroupName: 'g', ModelPackageType: 'Versioned', MaxResults: 100, NextToken: undefined },
      { ModelPackageGroupName: 'g', ModelPackageType: 'Versioned', MaxResults: 100, NextToken: 'next' },
    ]);
    const arns = [summary(1).ModelPackageArn, summary(2).ModelPackageArn];
    expect(sm.commandCalls(DeleteModelPackageCommand).map((c) => c.args[0].input.ModelPackageName)).toEqual(arns);
    expect(logged()).toEqual([{ message: 'Deleted the model package versions', group: 'g', deleted: arns }]);
  });

  test('other errors of DescribeStacks are not taken for a deleted stack', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    await expect(handler.isComplete(event('Delete'))).rejects.toThrow(/Rate exceeded/);
    expect(sm.calls()).toHaveLength(0);
  });

  function summary(version: number) {
    return {
      ModelPackageArn: `arn:aws:sagemaker:eu-west-1:111111111111:model-package/g/${version}`, ModelPackageGroupName: 'g',
      ModelPackageVersion: version, ModelPackageStatus: 'Completed' as const, CreationTime: new Date(),
    };
  }
});
