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
 * A required attribute the version does not carry fails the deployment with a clear reason.
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
  const arn = String(event.ResourceProperties.ModelPackageArn ?? '');
  const base = {
    PhysicalResourceId: event.RequestType === 'Create' ? `baselines:${arn}` : event.PhysicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  if (event.RequestType === 'Delete') {
    return { ...base, Status: 'SUCCESS' };
  }
  const required: string[] = Array.isArray(event.ResourceProperties.Required) ? event.ResourceProperties.Required.map(String) : [];
  try {
    const out = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    const data: { [key: string]: string } = {};
    for (const [name, read] of Object.entries(BASELINE_ATTRIBUTES)) {
      // Every attribute is always present, so reading one the stack does not require never fails.
      data[name] = read(out.DriftCheckBaselines) ?? '';
    }
    const missing = required.filter((r) => !data[r]);
    if (missing.length > 0) {
      const reason = `The model package ${arn} carries no drift-check baseline for ${missing.join(', ')}. ` +
        'Register the version with DriftCheckBaselines (the quality and Clarify check steps of the training pipeline), ' +
        'or give the monitor explicit baseline URIs.';
      log.warn('missing baselines', { arn, missing });
      return { ...base, Status: 'FAILED', Reason: reason };
    }
    log.info('baselines read', { arn, data });
    return { ...base, PhysicalResourceId: `baselines:${arn}`, Status: 'SUCCESS', Data: data };
  } catch (e: any) {
    log.error('DescribeModelPackage failed', { arn, error: e });
    return { ...base, Status: 'FAILED', Reason: `DescribeModelPackage of ${arn} failed: ${e?.name ?? 'Error'}: ${e?.message ?? e}`.slice(0, 1000) };
  }
}

export const handler = customResourceHandler('model-package-baselines', respondTo);
