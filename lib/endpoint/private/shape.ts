import { CfnParameter, SizeRoundingBehavior, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EndpointSettings } from './defaults';
import { Described } from './described';
import { checkInstanceType } from './instance-types';
import { checkKeyPrefix } from './locations';
import type { EndpointWithMonitorProps } from '../endpoint-with-monitor-props';
import { InstanceType } from '../../core/instance-type';
import { SAGEMAKER_NAME_PATTERN } from '../../core/names';
import { check, checkIntegerRange, isLiteralNumber, propError } from '../../private/errors';

/** The type of each struct prop, to say what was received in a message. */
const STRUCT_OF: { [prop: string]: string } = {
  vpc: 'an IVpc',
  dataCapture: 'a DataCaptureOptions',
  dataQualityMonitor: 'a DataQualityMonitorOptions',
  modelQualityMonitor: 'a ModelQualityMonitorOptions',
  modelBiasMonitor: 'a ModelBiasMonitorOptions',
  modelExplainabilityMonitor: 'a ClarifyMonitorOptions',
  asyncInference: 'an AsyncInferenceOptions',
  shadowVariant: 'a ShadowVariantOptions',
  autoscaling: 'an AutoscalingOptions',
};

/** What a struct or object prop received, in words ("a DataQualityMonitorOptions with `baseline`"). */
export function describedProp(prop: string, value: unknown): unknown {
  if (value instanceof InstanceType) { return value.name; }
  if (value === null || typeof value !== 'object') { return value; }
  return new Described(STRUCT_OF[prop] ?? 'an object', value);
}

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
    checkInstanceType(scope, 'instanceType', settings.instanceType, 'hosting');
    checkIntegerRange(scope, 'initialInstanceCount', props.initialInstanceCount, 1, 100);
  }
  if (props.dataCapture) {
    const c = props.dataCapture;
    checkIntegerRange(scope, 'dataCapture.samplingPercentage', c.samplingPercentage, 0, 100);
    check(settings.capture!.captureRequest || settings.capture!.captureResponse, scope, 'dataCapture.captureRequest', false,
      'At least one of `captureRequest` and `captureResponse` must stay on');
    if (c.prefix !== undefined) { checkKeyPrefix(scope, 'dataCapture.prefix', c.prefix); }
  }
  validateMonitorInputs(scope, props, settings);
  for (const [prop, o] of [['modelQualityMonitor', props.modelQualityMonitor], ['modelBiasMonitor', props.modelBiasMonitor]] as const) {
    if (o?.groundTruthPrefix !== undefined) { checkKeyPrefix(scope, `${prop}.groundTruthPrefix`, o.groundTruthPrefix); }
  }
  if (props.asyncInference) {
    const a = props.asyncInference;
    if (a.outputPrefix !== undefined) { checkKeyPrefix(scope, 'asyncInference.outputPrefix', a.outputPrefix); }
    if (a.failurePrefix !== undefined) { checkKeyPrefix(scope, 'asyncInference.failurePrefix', a.failurePrefix); }
    checkIntegerRange(scope, 'asyncInference.maxConcurrentInvocationsPerInstance', a.maxConcurrentInvocationsPerInstance, 1, 1000);
  }
  if (props.shadowVariant) {
    if (props.shadowVariant.instanceType !== undefined) {
      checkInstanceType(scope, 'shadowVariant.instanceType', props.shadowVariant.instanceType, 'hosting');
    }
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
      throw propError(scope, prop, describedProp(prop, value),
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
    check(captureOn, scope, prop, describedProp(prop, monitor),
      'A monitor analyses captured traffic: turn data capture on (`dataCapture: { enabled: true }`)');
    check(settings.capture?.captureRequest ?? true, scope, 'dataCapture.captureRequest', false,
      `The ${prop} reads the captured requests: keep \`captureRequest\` on`);
    checkSampled(scope, settings, prop);
  }
  for (const [prop, monitor] of [['modelQualityMonitor', props.modelQualityMonitor], ['modelBiasMonitor', props.modelBiasMonitor],
    ['modelExplainabilityMonitor', props.modelExplainabilityMonitor]] as const) {
    if (monitor === undefined) { continue; }
    check(settings.capture?.captureResponse ?? true, scope, 'dataCapture.captureResponse', false,
      `The ${prop} reads the captured responses (predictions): keep \`captureResponse\` on`);
  }
}

/**
 * A monitor needs sampled traffic: 0 percent captures nothing, and every run would fail for lack
 * of data. A CloudFormation parameter as the percentage (such as the stage parameters') gets a
 * minimum of 1, so CloudFormation refuses 0 before any resource changes, and its default must not
 * be 0.
 */
function checkSampled(scope: Construct, settings: EndpointSettings, monitor: string): void {
  const sampling = settings.capture!.samplingPercentage;
  const rule = `The ${monitor} analyses the captured traffic: with 0 percent sampled it has nothing to analyse. Capture 1 to 100 percent`;
  if (!Token.isUnresolved(sampling)) {
    check(sampling !== 0, scope, 'dataCapture.samplingPercentage', sampling, rule);
    return;
  }
  const stack = Stack.of(scope);
  const ref = JSON.stringify(stack.resolve(sampling));
  const param = stack.node.findAll().find((c): c is CfnParameter => c instanceof CfnParameter && JSON.stringify(stack.resolve(c.value)) === ref);
  if (param === undefined) { return; }
  param.minValue = Math.max(param.minValue ?? 1, 1);
  check(param.default === undefined || Number(param.default) !== 0, scope, 'dataCapture.samplingPercentage', sampling,
    `${rule}: the parameter ${param.node.id} defaults to 0`);
}
