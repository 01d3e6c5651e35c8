/**
 * CloudFormation custom-resource plumbing shared by the handlers that back a custom resource
 * (bundled into each; files starting with `_` are not handlers of their own).
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createLogger, Logger } from './_logger';

/** What is sent back to CloudFormation. */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly Data?: { [key: string]: string };
}

/** Send the response to CloudFormation's pre-signed URL. */
export async function send(url: string, response: CustomResourceResponse): Promise<void> {
  const body = JSON.stringify(response);
  const res = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) } });
  if (!res.ok) {
    throw new Error(`CloudFormation refused the response: HTTP ${res.status}`);
  }
}

/**
 * A Lambda handler for a custom resource: `respondTo` works out the response (it must not throw:
 * a failure is a FAILED response with a reason), which is then sent to CloudFormation.
 */
export function customResourceHandler(name: string,
  respondTo: (event: CloudFormationCustomResourceEvent, log: Logger) => Promise<CustomResourceResponse>) {
  return async (event: CloudFormationCustomResourceEvent): Promise<void> => {
    const log = createLogger(name, { requestType: event.RequestType, logicalId: event.LogicalResourceId });
    const response = await respondTo(event, log);
    await send(event.ResponseURL, response);
  };
}
