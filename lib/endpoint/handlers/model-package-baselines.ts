/**
 * The model-package-baselines custom resource of EndpointWithMonitor.
 *
 * Reads the drift-check baselines a model package version carries (DescribeModelPackage,
 * `DriftCheckBaselines`) and returns their S3 URIs as attributes, so the Model Monitor job
 * definitions use exactly the baselines that travelled with the approved version.
 *
 * Resource properties: ModelPackageArn, Required (the attribute names the stack reads).
 * Attributes: DataQualityStatistics, DataQualityConstraints, ModelQualityConstraints,
 * BiasConstraints, BiasConfig, ExplainabilityConstraints, ExplainabilityConfig.
 * A required attribute the version does not carry, a version that is not Approved, and a broken
 * request (no ARN, a `Required` that is not a list of attribute names) fail the deployment with a
 * clear reason.
 * Delete does nothing (the resource reads, it creates nothing).
 */
import { DescribeModelPackageCommand, DescribeModelPackageCommandOutput, SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { CustomResourceResponse, customResourceHandler } from '../../core/handlers/_cfn-response';
import { Logger } from '../../core/handlers/_logger';

const sagemaker = new SageMakerClient({});

/** The attributes, each with where it sits in DescribeModelPackage's DriftCheckBaselines. */
export const BASELINE_ATTRIBUTES: { [name: string]: (d: DescribeModelPackageCommandOutput['DriftCheckBaselines']) => string | undefined } = {
  DataQualityStatistics: (d) => d?.ModelDataQuality?.Statistics?.S3Uri,
  DataQualityConstraints: (d) => d?.ModelDataQuality?.Constraints?.S3Uri,
  ModelQualityConstraints: (d) => d?.ModelQuality?.Constraints?.S3Uri,
  BiasConstraints: (d) => d?.Bias?.PostTrainingConstraints?.S3Uri,
  BiasConfig: (d) => d?.Bias?.ConfigFile?.S3Uri,
  ExplainabilityConstraints: (d) => d?.Explainability?.Constraints?.S3Uri,
  ExplainabilityConfig: (d) => d?.Explainability?.ConfigFile?.S3Uri,
};


/** Work out the response to one event (no I/O except DescribeModelPackage). */
export async function respondTo(event: CloudFormationCustomResourceEvent, log: Logger): Promise<CustomResourceResponse> {
  const props: { [key: string]: unknown } = event.ResourceProperties ?? {};
  const arn = typeof props.ModelPackageArn === 'string' ? props.ModelPackageArn : '';
  const base = {
    PhysicalResourceId: event.RequestType === 'Create' ? `baselines:${arn}` : event.PhysicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  if (event.RequestType === 'Delete') {
    return { ...base, Status: 'SUCCESS' };
  }
  const failed = (reason: string, fields: Record<string, unknown>): CustomResourceResponse => {
    log.warn('refused', { arn, reason, ...fields });
    return { ...base, Status: 'FAILED', Reason: reason.slice(0, 1000) };
  };
  if (arn === '') {
    return failed('The resource property ModelPackageArn is missing or empty: it must be the ARN of a model package version.',
      { received: props.ModelPackageArn });
  }
  // The stack always sends the list (empty when no monitor reads a baseline); anything else is a
  // broken request, never "nothing required": a monitor would start without its baseline.
  const required = props.Required ?? [];
  if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) {
    return failed(`The resource property Required must be a list of attribute names, received ${JSON.stringify(required)}.`, { required });
  }
  const unknown = required.filter((r) => !Object.prototype.hasOwnProperty.call(BASELINE_ATTRIBUTES, r));
  if (unknown.length > 0) {
    return failed(`The resource property Required names unknown attributes (${unknown.join(', ')}): ` +
      `the attributes are ${Object.keys(BASELINE_ATTRIBUTES).join(', ')}.`, { unknown });
  }
  let out: DescribeModelPackageCommandOutput;
  try {
    out = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
  } catch (e: any) {
    log.error('DescribeModelPackage failed', { arn, error: e });
    return { ...base, Status: 'FAILED', Reason: `DescribeModelPackage of ${arn} failed: ${e?.name ?? 'Error'}: ${e?.message ?? e}`.slice(0, 1000) };
  }
  // The endpoint serves approved versions only: a Rejected (or still pending) version's baselines
  // must not start monitoring, and its deployment must not go on.
  if (out.ModelApprovalStatus !== 'Approved') {
    return failed(`The model package ${arn} is ${out.ModelApprovalStatus ? `${out.ModelApprovalStatus}, not Approved` : 'without an approval status'}: ` +
      'an endpoint deploys approved model package versions only. Approve the version in the model registry, or deploy an approved one.',
    { status: out.ModelApprovalStatus });
  }
  const data: { [key: string]: string } = {};
  for (const [name, read] of Object.entries(BASELINE_ATTRIBUTES)) {
    // Every attribute is always present, so reading one the stack does not require never fails.
    data[name] = read(out.DriftCheckBaselines) ?? '';
  }
  const missing = required.filter((r) => !data[r]);
  if (missing.length > 0) {
    return failed(`The model package ${arn} carries no drift-check baseline for ${missing.join(', ')}. ` +
      'Register the version with DriftCheckBaselines (the quality and Clarify check steps of the training pipeline), ' +
      'or give the monitor explicit baseline URIs.', { missing });
  }
  log.info('baselines read', { arn, data });
  return { ...base, PhysicalResourceId: `baselines:${arn}`, Status: 'SUCCESS', Data: data };
}

export const handler = customResourceHandler('model-package-baselines', respondTo);
