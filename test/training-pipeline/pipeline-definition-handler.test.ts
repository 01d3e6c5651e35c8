import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createLogger } from '../../lib/core/handlers/_logger';
import { handler, respondTo, substitute } from '../../lib/training-pipeline/handlers/pipeline-definition';

const s3 = mockClient(S3Client);
const lines: string[] = [];
const log = createLogger('pipeline-definition', {}, (l) => lines.push(l));

function event(type: 'Create' | 'Update' | 'Delete', extra: any = {}): CloudFormationCustomResourceEvent {
  return {
    RequestType: type,
    ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:writer',
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x',
    StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/s/1',
    RequestId: 'req-1',
    LogicalResourceId: 'PipelineDefinition',
    ResourceType: 'Custom::PipelineDefinition',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:writer',
      SourceBucket: 'cdk-assets',
      SourceKey: 'abc.json',
      TargetBucket: 'artifacts',
      TargetKey: 'pipelines/big/definitions/abc.json',
      Substitutions: { '<<mlops-token:0>>': 'arn:aws:iam::111122223333:role/job', '<<mlops-token:1>>': 'say "hi"' },
    },
    ...extra,
  } as any;
}

beforeEach(() => {
  s3.reset();
  lines.length = 0;
});

test('substitutes markers inside JSON strings, escaping the values', () => {
  const text = JSON.stringify({ RoleArn: '<<mlops-token:0>>', Note: 'x <<mlops-token:1>> y' });
  expect(JSON.parse(substitute(text, { '<<mlops-token:0>>': 'arn:r', '<<mlops-token:1>>': 'say "hi"' }))).toEqual({ RoleArn: 'arn:r', Note: 'x say "hi" y' });
  expect(() => substitute('"<<mlops-token:7>>"', {})).toThrow(/No value for <<mlops-token:7>>/);
});

test('Create copies the asset with the values filled in and returns where it wrote it', async () => {
  s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => JSON.stringify({ Steps: [{ RoleArn: '<<mlops-token:0>>' }] }) } as any });
  s3.on(PutObjectCommand).resolves({ VersionId: 'v1', ETag: '"e1"' });
  const out = await respondTo(event('Create'), log);
  expect(out).toMatchObject({
    Status: 'SUCCESS',
    PhysicalResourceId: 'artifacts/pipelines/big/definitions/abc.json',
    Data: { Bucket: 'artifacts', Key: 'pipelines/big/definitions/abc.json', VersionId: 'v1', ETag: 'e1' },
  });
  const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
  expect(JSON.parse(String(put.Body))).toEqual({ Steps: [{ RoleArn: 'arn:aws:iam::111122223333:role/job' }] });
  expect(put.ContentType).toBe('application/json');
  expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: 'cdk-assets', Key: 'abc.json' });
});

test('a failure is reported to CloudFormation with the reason, keeping the old resource on update', async () => {
  s3.on(GetObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
  const out = await respondTo(event('Update', { PhysicalResourceId: 'artifacts/old.json' }), log);
  expect(out).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'artifacts/old.json' });
  expect(out.Reason).toMatch(/Writing the pipeline definition to s3:\/\/artifacts\/pipelines\/big\/definitions\/abc.json failed: AccessDenied: Access Denied/);
  expect(lines.some((l) => JSON.parse(l).level === 'ERROR')).toBe(true);
});

test('Delete removes the copy, and succeeds even when it cannot', async () => {
  s3.on(DeleteObjectCommand).resolves({});
  const out = await respondTo(event('Delete', { PhysicalResourceId: 'artifacts/pipelines/big/definitions/abc.json' }), log);
  expect(out.Status).toBe('SUCCESS');
  expect(s3.commandCalls(DeleteObjectCommand)[0].args[0].input).toEqual({ Bucket: 'artifacts', Key: 'pipelines/big/definitions/abc.json' });
  s3.reset();
  s3.on(DeleteObjectCommand).rejects(new Error('gone'));
  expect((await respondTo(event('Delete', { PhysicalResourceId: 'artifacts/k.json' }), log)).Status).toBe('SUCCESS');
});

describe('bad properties and failed creates answer FAILED and never touch an object they may not own (issue 10 item 8)', () => {
  test.each([
    ['TargetKey missing', { TargetKey: undefined }, /The resource properties TargetKey must be non-empty strings; nothing was written/],
    ['TargetBucket and SourceKey empty', { TargetBucket: '', SourceKey: '' }, /The resource properties SourceKey, TargetBucket must be non-empty strings/],
    ['Substitutions not a map of strings', { Substitutions: { '<<mlops-token:0>>': 7 } }, /Substitutions must be a map of markers to strings/],
  ])('%s: FAILED with the reason, no S3 call, never s3://undefined', async (_name, change, reason) => {
    const e = event('Create');
    const out = await respondTo({ ...e, ResourceProperties: { ...e.ResourceProperties, ...change } } as any, log);
    expect(out).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'failed:req-1' });
    expect(out.Reason).toMatch(reason);
    expect(out.Reason).not.toMatch(/undefined/);
    expect(s3.calls()).toHaveLength(0);
  });

  test('no properties at all on an Update keeps the resource CloudFormation has', async () => {
    const out = await respondTo({ ...event('Update', { PhysicalResourceId: 'artifacts/old.json' }), ResourceProperties: undefined } as any, log);
    expect(out).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'artifacts/old.json', Reason: expect.stringMatching(/no properties/) });
  });

  test('a failed Create names no object, so the Delete CloudFormation sends after it deletes nothing', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const created = await respondTo(event('Create'), log);
    expect(created).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'failed:req-1' });
    expect(created.Reason).toMatch(/to s3:\/\/artifacts\/pipelines\/big\/definitions\/abc\.json failed: AccessDenied/);
    s3.reset();
    const deleted = await respondTo(event('Delete', { PhysicalResourceId: created.PhysicalResourceId }), log);
    expect(deleted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'failed:req-1' });
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  test('an asset without a body fails instead of writing an empty definition', async () => {
    s3.on(GetObjectCommand).resolves({} as any);
    const out = await respondTo(event('Create'), log);
    expect(out).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/s3:\/\/cdk-assets\/abc\.json has no body/) });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('the Lambda handler sends the FAILED answer to CloudFormation', async () => {
    const realFetch = global.fetch;
    const sent: any[] = [];
    global.fetch = (async (_url: string, init: any) => { sent.push(JSON.parse(init.body)); return { ok: true, status: 200 } as any; }) as any;
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const e = event('Create');
      await handler({ ...e, ResourceProperties: { ...e.ResourceProperties, SourceBucket: undefined } } as any, { getRemainingTimeInMillis: () => 120000 });
    } finally {
      global.fetch = realFetch;
      write.mockRestore();
    }
    expect(sent).toEqual([expect.objectContaining({ Status: 'FAILED', PhysicalResourceId: 'failed:req-1', Reason: expect.stringMatching(/SourceBucket/) })]);
  });
});
