import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type { EndpointContext } from './context';
import { grantKey, grantWriteObjects } from '../../private/grants';

/*
 * What the endpoint writes to its artifact bucket while it serves: captured traffic and the
 * results of asynchronous requests, each under its prefix, with the execution role's grants.
 */

/** The data capture config, and the execution role's right to write the captured data. */
export function renderDataCapture(ctx: EndpointContext): sagemaker.CfnEndpointConfig.DataCaptureConfigProperty | undefined {
  const c = ctx.props.dataCapture;
  const s = ctx.settings.capture;
  if (!c || !s) { return undefined; }
  const bucket = ctx.artifactBucket!;
  const prefix = ctx.prefixes.dataCapture;
  const modes = [
    ...(s.captureRequest ? [{ captureMode: 'Input' }] : []),
    ...(s.captureResponse ? [{ captureMode: 'Output' }] : []),
  ];
  if (s.enabled) {
    grantWriteObjects(ctx.role, bucket, `${prefix}/*`,
      'SageMaker writes one captured-data object per hour and instance, named at run time, under the endpoint\'s capture prefix.');
    grantKey(ctx.role, ctx.encryptionKey, ['kms:GenerateDataKey', 'kms:Encrypt']);
  }
  return {
    enableCapture: s.enabled,
    initialSamplingPercentage: s.samplingPercentage,
    destinationS3Uri: `s3://${bucket.bucketName}/${prefix}`,
    kmsKeyId: ctx.encryptionKey.keyArn,
    captureOptions: modes,
    captureContentTypeHeader: c.csvContentTypes || c.jsonContentTypes
      ? { csvContentTypes: c.csvContentTypes, jsonContentTypes: c.jsonContentTypes }
      : undefined,
  };
}

/** The asynchronous inference config, and the execution role's right to write results and notify. */
export function renderAsync(ctx: EndpointContext): sagemaker.CfnEndpointConfig.AsyncInferenceConfigProperty | undefined {
  const a = ctx.props.asyncInference;
  if (!a) { return undefined; }
  const bucket = ctx.artifactBucket!;
  const output = ctx.prefixes.asyncOutput;
  const failure = ctx.prefixes.asyncFailure;
  const reason = 'SageMaker writes one result object per asynchronous request, named at run time, under the endpoint\'s output prefixes.';
  grantWriteObjects(ctx.role, bucket, `${output}/*`, reason);
  grantWriteObjects(ctx.role, bucket, `${failure}/*`, reason);
  grantKey(ctx.role, ctx.encryptionKey, ['kms:GenerateDataKey', 'kms:Encrypt']);
  a.successTopic?.grantPublish(ctx.role);
  a.errorTopic?.grantPublish(ctx.role);
  return {
    clientConfig: a.maxConcurrentInvocationsPerInstance !== undefined
      ? { maxConcurrentInvocationsPerInstance: a.maxConcurrentInvocationsPerInstance }
      : undefined,
    outputConfig: {
      s3OutputPath: `s3://${bucket.bucketName}/${output}`,
      s3FailurePath: `s3://${bucket.bucketName}/${failure}`,
      kmsKeyId: ctx.encryptionKey.keyArn,
      notificationConfig: a.successTopic || a.errorTopic
        ? { successTopic: a.successTopic?.topicArn, errorTopic: a.errorTopic?.topicArn }
        : undefined,
    },
  };
}
