import { Annotations, Aws, CfnCondition, Fn, ICfnConditionExpression, Token, Validations } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type { EndpointContext } from './context';
import { renderAsync } from './data-capture';
import type { EndpointModel } from './model';
import { configHashedName, namePrefix } from './names';
import { InstanceType } from '../../core/instance-type';
import { instanceTypeHasStorage } from '../../private/instance-types';

/** The models and the capture config an endpoint config is made of. */
export interface EndpointConfigParts {
  readonly model: EndpointModel;
  readonly shadowModel?: EndpointModel;
  readonly dataCapture?: sagemaker.CfnEndpointConfig.DataCaptureConfigProperty;
}

/**
 * The endpoint config ("EndpointConfig"): the production variant, the shadow variant, the
 * volume key, capture and asynchronous inference. Its name is a hash of all of it (the models'
 * configurations and the tags included), so any change replaces it under a new name.
 */
export function createEndpointConfig(ctx: EndpointContext, parts: EndpointConfigParts): sagemaker.CfnEndpointConfig {
  const productionVariant = renderProductionVariant(ctx, parts.model.cfn);
  const shadowVariant = parts.shadowModel ? renderShadowVariant(ctx, parts.shadowModel.cfn) : undefined;
  const asyncConfig = renderAsync(ctx);
  const endpointConfigProps = {
    productionVariants: [productionVariant],
    shadowProductionVariants: shadowVariant ? [shadowVariant] : undefined,
    kmsKeyId: renderVolumeKey(ctx),
    dataCaptureConfig: parts.dataCapture,
    asyncInferenceConfig: asyncConfig,
  };
  const cfn = new sagemaker.CfnEndpointConfig(ctx.scope, 'EndpointConfig', {
    ...endpointConfigProps,
    tags: ctx.tags,
  });
  cfn.endpointConfigName = configHashedName(cfn, { prefix: namePrefix(ctx.endpointName, 'config') },
    // Tags (ours and those of Tags.of(), applied before rendering) are part of it: a change replaces the resource.
    () => ({ ...endpointConfigProps, tags: cfn.tags.renderTags(), models: [parts.model.config(), parts.shadowModel?.config()] }),
    ctx.deploymentId);
  acknowledgeVolumeKey(ctx, cfn);
  return cfn;
}

/**
 * Every instance type of the endpoint config: the production variant's, and the shadow variant's
 * when it has its own.
 */
export function allInstanceTypes(ctx: EndpointContext): InstanceType[] {
  return [ctx.settings.instanceType, ctx.props.shadowVariant?.instanceType].filter((t): t is InstanceType => t !== undefined);
}

/** Literal candidates of every instance type of the config (a parameter's allowed values for tokens). */
export function literalInstanceTypes(ctx: EndpointContext): string[] {
  const names: string[] = [];
  for (const t of allInstanceTypes(ctx)) {
    if (!t.isToken) { names.push(t.name); continue; }
    if (t._candidates) { names.push(...t._candidates); }
  }
  return names;
}

function renderProductionVariant(ctx: EndpointContext, model: sagemaker.CfnModel): sagemaker.CfnEndpointConfig.ProductionVariantProperty {
  const s = ctx.settings;
  const serverless = ctx.props.serverless;
  if (serverless) {
    return {
      variantName: s.variantName,
      modelName: model.attrModelName,
      serverlessConfig: {
        memorySizeInMb: serverless.memorySize.toMebibytes(),
        maxConcurrency: s.maxConcurrency,
        provisionedConcurrency: serverless.provisionedConcurrency,
      },
    };
  }
  return {
    variantName: s.variantName,
    modelName: model.attrModelName,
    instanceType: s.instanceType!.name,
    initialInstanceCount: s.initialInstanceCount,
    initialVariantWeight: 1,
  };
}

function renderShadowVariant(ctx: EndpointContext, model: sagemaker.CfnModel): sagemaker.CfnEndpointConfig.ProductionVariantProperty {
  const s = ctx.settings.shadow!;
  // The shadow variant receives (its weight / production weight) of the requests.
  return {
    variantName: s.variantName,
    modelName: model.attrModelName,
    instanceType: s.instanceType!.name,
    initialInstanceCount: s.initialInstanceCount,
    initialVariantWeight: s.samplingPercentage / 100,
  };
}

function renderVolumeKey(ctx: EndpointContext): string | undefined {
  const keyArn = ctx.encryptionKey.keyArn;
  const types = allInstanceTypes(ctx);
  if (types.some((t) => t.hasInstanceStorage)) {
    // SageMaker refuses a volume key for instance types with NVMe instance storage.
    return undefined;
  }
  const tokenTypes = types.filter((t) => t.isToken && t._candidates?.some(instanceTypeHasStorage));
  if (tokenTypes.length === 0) {
    if (types.some((t) => t.isToken && !t._candidates)) {
      Annotations.of(ctx.scope).addWarningV2('cdk-sagemaker-mlops:endpoint-instance-type-token',
        'The instance type is a token without known candidates: the volume key is set, and SageMaker will refuse it for an instance type with NVMe instance storage. Use EndpointStageParameters for a parameterized instance type.');
    }
    return keyArn;
  }
  // A parameterized instance type: leave the key out when the chosen type has instance storage.
  const conditions: ICfnConditionExpression[] = [];
  for (const t of tokenTypes) {
    for (const c of t._candidates!.filter(instanceTypeHasStorage)) {
      conditions.push(Fn.conditionEquals(t.name, c));
    }
  }
  const condition = new CfnCondition(ctx.scope, 'HasInstanceStorage', { expression: anyOf(conditions) });
  return Token.asString(Fn.conditionIf(condition.logicalId, Aws.NO_VALUE, keyArn));
}

function acknowledgeVolumeKey(ctx: EndpointContext, config: sagemaker.CfnEndpointConfig): void {
  const withStorage = allInstanceTypes(ctx).filter((t) => t.hasInstanceStorage);
  if (withStorage.length === 0) { return; }
  const reason = `The instance type (${withStorage.map((t) => t.name).join(', ')}) has NVMe instance storage, which a hardware module on the instance encrypts; ` +
    'SageMaker refuses a KmsKeyId for such instance types (CreateEndpointConfig fails).';
  Validations.of(config).acknowledge(
    { id: 'HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured', reason },
    { id: 'NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured', reason },
    { id: 'PCI.DSS.321-SageMakerEndpointConfigurationKMSKeyConfigured', reason },
  );
}

/** `Fn::Or` takes 2 to 10 conditions: fold a longer list. */
function anyOf(conditions: ICfnConditionExpression[]): ICfnConditionExpression {
  if (conditions.length === 1) { return conditions[0]; }
  if (conditions.length <= 10) { return Fn.conditionOr(...conditions); }
  const chunks: ICfnConditionExpression[] = [];
  for (let i = 0; i < conditions.length; i += 10) {
    chunks.push(anyOf(conditions.slice(i, i + 10)));
  }
  return anyOf(chunks);
}
