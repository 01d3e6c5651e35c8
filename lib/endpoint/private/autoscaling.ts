import { Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type { EndpointContext } from './context';
import { autoscalingSettings } from './defaults';
import { literalInstanceTypes } from './endpoint-config';
import { describedProp } from './shape';
import type { AutoscalingOptions } from '../autoscaling-options';
import { check, checkIntegerRange, isLiteralNumber } from '../../private/errors';
import { instanceTypeIsBurstable } from '../../private/instance-types';

/**
 * Autoscaling of the production variant ("ScalableTarget"): its instance count, or the
 * provisioned concurrency of a serverless variant, tracked on invocations per instance (or
 * provisioned concurrency utilization) and an optional custom metric.
 */
export function createAutoscaling(ctx: EndpointContext, a: AutoscalingOptions, endpoint: sagemaker.CfnEndpoint): appscaling.ScalableTarget {
  const scope = ctx.scope;
  const serverless = ctx.props.serverless;
  if (serverless) {
    check(serverless.provisionedConcurrency !== undefined, scope, 'autoscaling', describedProp('autoscaling', a),
      'A serverless variant scales its provisioned concurrency: set `serverless.provisionedConcurrency`');
  } else {
    const burstable = literalInstanceTypes(ctx).filter(instanceTypeIsBurstable);
    check(burstable.length === 0, scope, 'instanceType', burstable.join(', '),
      'Burstable instance types (ml.t2, ml.t3) cannot be autoscaled: choose another type or turn autoscaling off');
  }
  const s = autoscalingSettings(a, ctx.props, ctx.settings);
  const maxLimit = serverless ? ctx.settings.maxConcurrency : 1000;
  checkIntegerRange(scope, 'autoscaling.minCapacity', s.minCapacity, 1, isLiteralNumber(maxLimit) ? maxLimit : 1000);
  checkIntegerRange(scope, 'autoscaling.maxCapacity', s.maxCapacity, 1, isLiteralNumber(maxLimit) ? maxLimit : 1000);
  if (isLiteralNumber(s.minCapacity) && isLiteralNumber(s.maxCapacity)) {
    check(s.maxCapacity >= s.minCapacity, scope, 'autoscaling.maxCapacity', s.maxCapacity,
      `It must be at least minCapacity (${s.minCapacity})`);
  }
  check((a.customMetric === undefined) === (a.customMetricTarget === undefined), scope,
    a.customMetric ? 'autoscaling.customMetricTarget' : 'autoscaling.customMetric', undefined,
    '`customMetric` and `customMetricTarget` go together');
  checkIntegerRange(scope, 'autoscaling.scaleInCooldown (seconds)', s.scaleInCooldown.toSeconds({ integral: false }), 0, 86400);
  checkIntegerRange(scope, 'autoscaling.scaleOutCooldown (seconds)', s.scaleOutCooldown.toSeconds({ integral: false }), 0, 86400);

  const stack = Stack.of(scope);
  const target = new appscaling.ScalableTarget(scope, 'ScalableTarget', {
    serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
    resourceId: `endpoint/${endpoint.attrEndpointName}/variant/${ctx.settings.variantName}`,
    scalableDimension: serverless ? 'sagemaker:variant:DesiredProvisionedConcurrency' : 'sagemaker:variant:DesiredInstanceCount',
    minCapacity: s.minCapacity,
    maxCapacity: s.maxCapacity,
    // The service-linked role of Application Auto Scaling for SageMaker (created on first use).
    role: iam.Role.fromRoleArn(scope, 'AutoScalingRole', stack.formatArn({
      service: 'iam', region: '', resource: 'role',
      resourceName: 'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint',
    }), { mutable: false }),
  });
  // The resource id's GetAtt of the endpoint name orders the target after the endpoint (no DependsOn: cfn-lint W3005).
  const cooldowns = { scaleInCooldown: s.scaleInCooldown, scaleOutCooldown: s.scaleOutCooldown };
  if (serverless) {
    const utilization = s.targetProvisionedConcurrencyUtilization;
    check(!isLiteralNumber(utilization) || (utilization >= 0.1 && utilization <= 0.9), scope,
      'autoscaling.targetProvisionedConcurrencyUtilization', utilization, 'It must be from 0.1 to 0.9');
    target.scaleToTrackMetric('ProvisionedConcurrency', {
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_PROVISIONED_CONCURRENCY_UTILIZATION,
      targetValue: utilization,
      ...cooldowns,
    });
  } else {
    const invocations = s.targetInvocationsPerInstance;
    check(!isLiteralNumber(invocations) || invocations > 0, scope, 'autoscaling.targetInvocationsPerInstance', invocations,
      'It must be greater than zero');
    target.scaleToTrackMetric('InvocationsPerInstance', {
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
      targetValue: invocations,
      ...cooldowns,
    });
  }
  if (a.customMetric) {
    target.scaleToTrackMetric('CustomMetric', {
      customMetric: a.customMetric,
      targetValue: a.customMetricTarget!,
      ...cooldowns,
    });
  }
  return target;
}
