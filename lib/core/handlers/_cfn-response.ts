/**
 * CloudFormation custom-resource plumbing shared by the handlers that back a custom resource
 * (bundled into each; files starting with `_` are not handlers of their own).
 *
 * CloudFormation waits for an answer on the pre-signed URL until the resource's service timeout
 * (one hour by default): a handler that throws, or that Lambda stops at its timeout, must still
 * answer. So every failure becomes a FAILED response with a reason, sent before the function's
 * own timeout.
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

/** The part of the Lambda context the wrapper uses. */
export interface CustomResourceContext {
  getRemainingTimeInMillis(): number;
}

/** CloudFormation accepts a reason of at most 4 KB in the response; keep it well below. */
const MAX_REASON = 1000;

/** How long before Lambda's timeout the wrapper answers FAILED on its own. */
const TIMEOUT_MARGIN_MS = 5000;

/** Send the response to CloudFormation's pre-signed URL. */
export async function send(url: string, response: CustomResourceResponse): Promise<void> {
  const body = JSON.stringify(response);
  const res = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) } });
  if (!res.ok) {
    throw new Error(`CloudFormation refused the response: HTTP ${res.status}`);
  }
}

/**
 * The FAILED response to an event, with a reason. The physical id is the event's own on Update
 * and Delete (CloudFormation keeps the resource it knows); on a Create that never made anything
 * it names no object, so the Delete CloudFormation sends after the failure removes nothing.
 */
export function failedResponse(event: CloudFormationCustomResourceEvent, reason: string): CustomResourceResponse {
  const physical = event.RequestType === 'Create' ? `failed:${event.RequestId}` : event.PhysicalResourceId;
  return {
    Status: 'FAILED',
    Reason: reason.slice(0, MAX_REASON),
    PhysicalResourceId: physical,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
}

/**
 * A Lambda handler for a custom resource: `respondTo` works out the response, which is then sent
 * to CloudFormation. Whatever happens, CloudFormation gets an answer: an error thrown by
 * `respondTo` becomes a FAILED response with its message, and so does running out of time (the
 * answer goes out a few seconds before Lambda's timeout).
 */
export function customResourceHandler(name: string,
  respondTo: (event: CloudFormationCustomResourceEvent, log: Logger) => Promise<CustomResourceResponse>) {
  return async (event: CloudFormationCustomResourceEvent, context?: CustomResourceContext): Promise<void> => {
    const log = createLogger(name, { requestType: event?.RequestType, logicalId: event?.LogicalResourceId });
    if (!event || typeof event.ResponseURL !== 'string') {
      // Not a CloudFormation request: there is nobody to answer.
      log.error('not a custom resource event', { keys: event && typeof event === 'object' ? Object.keys(event) : typeof event });
      throw new Error('Not a CloudFormation custom resource event (no ResponseURL)');
    }
    let timer: NodeJS.Timeout | undefined;
    const remaining = context?.getRemainingTimeInMillis?.();
    const deadline = new Promise<CustomResourceResponse>((resolve) => {
      if (remaining === undefined) { return; }
      timer = setTimeout(() => {
        log.error('out of time', { remainingMs: remaining });
        resolve(failedResponse(event, `The ${name} handler ran out of time (its Lambda timeout) before it finished`));
      }, Math.max(0, remaining - TIMEOUT_MARGIN_MS));
    });
    let response: CustomResourceResponse;
    try {
      response = await Promise.race([respondTo(event, log), deadline]);
    } catch (e: any) {
      log.error('handler failed', { error: e });
      response = failedResponse(event, `The ${name} handler failed: ${e?.name ?? 'Error'}: ${e?.message ?? String(e)}`);
    } finally {
      if (timer) { clearTimeout(timer); }
    }
    try {
      await send(event.ResponseURL, response);
    } catch (e: any) {
      // Lambda retries a failed asynchronous invocation: the next attempt answers again.
      log.error('response not delivered', { error: e, status: response.Status });
      throw e;
    }
  };
}
