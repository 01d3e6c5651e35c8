import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { customResourceHandler, CustomResourceResponse } from '../../lib/core/handlers/_cfn-response';

/*
 * Issue 10 item 8: a custom resource never leaves a stack waiting for CloudFormation's hour.
 * Whatever the handler does (answers, throws, runs out of time), CloudFormation gets an answer.
 */

const URL = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x';

function event(type: 'Create' | 'Update' | 'Delete', extra: any = {}): CloudFormationCustomResourceEvent {
  return {
    RequestType: type,
    ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:f',
    ResponseURL: URL,
    StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/s/1',
    RequestId: 'req-1',
    LogicalResourceId: 'Thing',
    ResourceType: 'Custom::Thing',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:f' },
    ...(type === 'Create' ? {} : { PhysicalResourceId: 'thing-1' }),
    ...extra,
  } as any;
}

let sent: Array<{ url: string; body: any }>;
let status: number;
const realFetch = global.fetch;

beforeEach(() => {
  sent = [];
  status = 200;
  global.fetch = (async (url: string, init: any) => {
    sent.push({ url, body: JSON.parse(init.body) });
    return { ok: status < 300, status } as any;
  }) as any;
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  global.fetch = realFetch;
  jest.restoreAllMocks();
  jest.useRealTimers();
});

test('the response of the handler is sent to the pre-signed URL', async () => {
  const ok: CustomResourceResponse = { Status: 'SUCCESS', PhysicalResourceId: 'p', StackId: 's', RequestId: 'r', LogicalResourceId: 'l', Data: { A: '1' } };
  await customResourceHandler('thing', async () => ok)(event('Create'));
  expect(sent).toEqual([{ url: URL, body: ok }]);
});

test('a handler that throws answers FAILED with the error as the reason (it used to send nothing: an hour of waiting)', async () => {
  const handler = customResourceHandler('thing', async () => { throw Object.assign(new Error('boom'), { name: 'TypeError' }); });
  await handler(event('Update'));
  expect(sent).toHaveLength(1);
  expect(sent[0].body).toEqual({
    Status: 'FAILED',
    Reason: 'The thing handler failed: TypeError: boom',
    PhysicalResourceId: 'thing-1',
    StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/s/1',
    RequestId: 'req-1',
    LogicalResourceId: 'Thing',
  });
});

test('a failed Create gets a physical id that names nothing (the Delete that follows must remove nothing)', async () => {
  await customResourceHandler('thing', async () => { throw new Error('no'); })(event('Create'));
  expect(sent[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'failed:req-1' });
});

test('a handler that does not finish answers FAILED a few seconds before the Lambda timeout', async () => {
  jest.useFakeTimers();
  const never = new Promise<CustomResourceResponse>(() => undefined);
  const done = customResourceHandler('thing', () => never)(event('Delete'), { getRemainingTimeInMillis: () => 30000 });
  await jest.advanceTimersByTimeAsync(24999);
  expect(sent).toEqual([]);
  await jest.advanceTimersByTimeAsync(1);
  await done;
  expect(sent[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'thing-1', Reason: expect.stringMatching(/ran out of time/) });
});

test('a long reason is cut to fit CloudFormation\'s response', async () => {
  await customResourceHandler('thing', async () => { throw new Error('x'.repeat(5000)); })(event('Update'));
  expect(sent[0].body.Reason.length).toBe(1000);
});

test('a response CloudFormation refuses is an error, so that Lambda retries the invocation', async () => {
  status = 403;
  const ok: CustomResourceResponse = { Status: 'SUCCESS', PhysicalResourceId: 'p', StackId: 's', RequestId: 'r', LogicalResourceId: 'l' };
  await expect(customResourceHandler('thing', async () => ok)(event('Create'))).rejects.toThrow(/CloudFormation refused the response: HTTP 403/);
});

test('an event without a response URL is refused (there is nobody to answer)', async () => {
  await expect(customResourceHandler('thing', async () => { throw new Error('unreachable'); })({} as any)).rejects.toThrow(/no ResponseURL/);
  expect(sent).toEqual([]);
});
