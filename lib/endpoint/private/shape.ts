import { SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EndpointSettings } from './defaults';
import type { EndpointWithMonitorProps } from '../endpoint-with-monitor-props';
import { InstanceType } from '../../core/instance-type';
import { SAGEMAKER_NAME_PATTERN } from '../../core/names';
import { check, checkIntegerRange, isLiteralNumber, propError } from '../../private/errors';

/*
 * The rules on the shape of EndpointWithMonitor's props (which props go together), checked at
 * once in the constructor, before any resource is created.
 */

/** SageMaker names of endpoints and variants: up to 63 letters, digits and dashes. */
export function checkSageMakerName(scope: Construct, prop: string, name: string): void {
  if (Token.isUnresolved(name)) { return; }
  check(SAGEMAKER_NAME_PATTERN.test(name) && name.length <= 63, scope, prop, name,
    'It must be 1 to 63 letters, digits and dashes, starting and ending with a letter or digit');
}

/** Check the props' shape. */
export function validateShape(scope: Construct, props: EndpointWithMonitorProps, settings: EndpointSettings): void {
  if (props.serverless) {
    validateServerless(scope, props, settings);
  } else {
    checkIntegerRange(scope, 'initialInstanceCount', props.initialInstanceCount, 1, 100);
  }
  if (props.dataCapture) {
    const c = props.dataCapture;
    checkIntegerRange(scope, 'dataCapture.samplingPercentage', c.samplingPercentage, 0, 100);
    check(settings.capture!.captureRequest || settings.capture!.captureResponse, scope, 'dataCapture.captureRequest', false,
      'At least one of `captureRequest` and `captureResponse` must stay on');
    if (c.prefix !== undefined && !Token.isUnresolved(c.prefix)) {
      check(!c.prefix.startsWith('/') && c.prefix.length > 0, scope, 'dataCapture.prefix', c.prefix, 'It must be a key prefix without a leading slash');
    }
  }
  validateMonitorInputs(scope, props, settings);
  if (props.asyncInference?.maxConcurrentInvocationsPerInstance !== undefined) {
    checkIntegerRange(scope, 'asyncInference.maxConcurrentInvocationsPerInstance', props.asyncInference.maxConcurrentInvocationsPerInstance, 1, 1000);
  }
  if (props.shadowVariant) {
    checkIntegerRange(scope, 'shadowVariant.initialInstanceCount', props.shadowVariant.initialInstanceCount, 1, 100);
    checkIntegerRange(scope, 'shadowVariant.samplingPercentage', props.shadowVariant.samplingPercentage, 1, 100);
    const name = settings.shadow!.variantName;
    checkSageMakerName(scope, 'shadowVariant.variantName', name);
    check(name !== settings.variantName, scope, 'shadowVariant.variantName', name,
      'It must differ from the production variant name');
  }
}

function validateServerless(scope: Construct, props: EndpointWithMonitorProps, settings: EndpointSettings): void {
  for (const [prop, value] of [['instanceType', props.instanceType], ['initialInstanceCount', props.initialInstanceCount],
    ['vpc', props.vpc], ['dataCapture', props.dataCapture], ['dataQualityMonitor', props.dataQualityMonitor],
    ['modelQualityMonitor', props.modelQualityMonitor], ['modelBiasMonitor', props.modelBiasMonitor],
    ['modelExplainabilityMonitor', props.modelExplainabilityMonitor], ['asyncInference', props.asyncInference],
    ['shadowVariant', props.shadowVariant]] as const) {
    if (value !== undefined) {
      throw propError(scope, prop, value instanceof InstanceType ? value.name : typeof value === 'object' ? 'set' : value,
        'A serverless variant does not support it (SageMaker Serverless Inference has no instances, VPC, data capture, Model Monitor, asynchronous mode or shadow variants)');
    }
  }
  check(props.networkIsolation !== true, scope, 'networkIsolation', true, 'A serverless variant does not support network isolation');
  const mem = props.serverless!.memorySize.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  check([1024, 2048, 3072, 4096, 5120, 6144].includes(mem), scope, 'serverless.memorySize', `${mem} MiB`,
    'It must be 1, 2, 3, 4, 5 or 6 GiB');
  checkIntegerRange(scope, 'serverless.maxConcurrency', settings.maxConcurrency, 1, 200);
  if (props.serverless!.provisionedConcurrency !== undefined) {
    checkIntegerRange(scope, 'serverless.provisionedConcurrency', props.serverless!.provisionedConcurrency, 1,
      isLiteralNumber(settings.maxConcurrency) ? settings.maxConcurrency : 200);
  }
}

/** A monitor reads captured traffic: capture on, with the requests (and the responses, for the monitors of predictions). */
function validateMonitorInputs(scope: Construct, props: EndpointWithMonitorProps, settings: EndpointSettings): void {
  const captureOn = settings.capture?.enabled ?? false;
  for (const [prop, monitor] of [['dataQualityMonitor', props.dataQualityMonitor], ['modelQualityMonitor', props.modelQualityMonitor],
    ['modelBiasMonitor', props.modelBiasMonitor], ['modelExplainabilityMonitor', props.modelExplainabilityMonitor]] as const) {
    if (monitor === undefined) { continue; }
    check(captureOn, scope, prop, 'set',
      'A monitor analyses captured traffic: turn data capture on (`dataCapture: { enabled: true }`)');
    check(settings.capture?.captureRequest ?? true, scope, 'dataCapture.captureRequest', false,
      `The ${prop} reads the captured requests: keep \`captureRequest\` on`);
  }
  for (const [prop, monitor] of [['modelQualityMonitor', props.modelQualityMonitor], ['modelBiasMonitor', props.modelBiasMonitor],
    ['modelExplainabilityMonitor', props.modelExplainabilityMonitor]] as const) {
    if (monitor === undefined) { continue; }
    check(settings.capture?.captureResponse ?? true, scope, 'dataCapture.captureResponse', false,
      `The ${prop} reads the captured responses (predictions): keep \`captureResponse\` on`);
  }
}
