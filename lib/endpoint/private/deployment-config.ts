import { Annotations, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type { EndpointContext } from './context';
import { allInstanceTypes } from './endpoint-config';
import { CapacitySizeType, TrafficRouting, TrafficRoutingType } from '../deployment';
import { check, checkIntegerRange, isLiteralNumber, PropChecks, PropIssue } from '../../private/errors';

/*
 * The guarded update of the endpoint (SageMaker's blue/green deployment config): its timing,
 * its rules, and its rendering with the rollback alarms known at synth time.
 */

/** SageMaker accepts at most this many rollback alarms. */
const MAX_ROLLBACK_ALARMS = 10;

/** The waits of a deployment, in seconds. */
interface DeploymentTiming {
  readonly routing: TrafficRouting;
  readonly wait: number;
  readonly bake: number;
  readonly total: number;
  readonly timeout: number;
}

function deploymentTiming(ctx: EndpointContext): DeploymentTiming {
  const d = ctx.settings.deployment;
  const routing = d.trafficRouting;
  const wait = routing.waitInterval.toSeconds({ integral: false });
  const bake = d.bakeTime.toSeconds({ integral: false });
  let steps = 1;
  if (routing.type === TrafficRoutingType.LINEAR && routing.stepSize) {
    const count = ctx.settings.initialInstanceCount;
    if (routing.stepSize.type === CapacitySizeType.CAPACITY_PERCENT) {
      steps = Math.ceil(100 / routing.stepSize.value);
    } else if (isLiteralNumber(count)) {
      steps = Math.ceil(count / routing.stepSize.value);
    } else {
      steps = 10; // 10% is the smallest linear step SageMaker allows
    }
  }
  const total = wait * steps + bake;
  const maximum = ctx.props.deployment?.maximumExecutionTimeout;
  const timeout = maximum
    ? maximum.toSeconds({ integral: false })
    : Math.min(28800, Math.max(600, total + 1800));
  return { routing, wait, bake, total, timeout };
}

/**
 * Check the deployment's timing and step sizes now, and the number of rollback alarms (which
 * can grow after construction) at synth.
 */
export function validateDeployment(ctx: EndpointContext, rollbackAlarms: () => cloudwatch.IAlarm[]): void {
  const maximum = ctx.props.deployment?.maximumExecutionTimeout;
  const { routing, wait, bake, total, timeout } = deploymentTiming(ctx);
  const scope = ctx.scope;
  checkIntegerRange(scope, 'deployment.trafficRouting.waitInterval (seconds)', wait, 0, 3600);
  checkIntegerRange(scope, 'deployment.bakeTime (seconds)', bake, 0, 3600);
  if (maximum) {
    checkIntegerRange(scope, 'deployment.maximumExecutionTimeout (seconds)', timeout, 600, 28800);
  }
  check(timeout > total, scope, 'deployment.maximumExecutionTimeout', maximum ?? Duration.seconds(timeout),
    `It must be longer than all waits plus the bake time (${total} seconds: ${wait} s wait per step and ${bake} s bake time)`);
  const count = ctx.settings.initialInstanceCount;
  if (routing.type !== TrafficRoutingType.ALL_AT_ONCE) {
    check(!ctx.settings.serverless, scope, 'deployment.trafficRouting', routing.type,
      'A serverless variant shifts traffic all at once: use TrafficRouting.allAtOnce()');
  }
  if (routing.type === TrafficRoutingType.CANARY) {
    const size = routing.canarySize!;
    if (size.type === CapacitySizeType.CAPACITY_PERCENT) {
      checkIntegerRange(scope, 'deployment.trafficRouting.canarySize (percent)', size.value, 1, 50);
    } else {
      checkIntegerRange(scope, 'deployment.trafficRouting.canarySize (instances)', size.value, 1, 100);
      if (isLiteralNumber(count)) {
        check(size.value <= count / 2, scope, 'deployment.trafficRouting.canarySize (instances)', size.value,
          `It must be at most half of the variant's ${count} instance(s)`);
      }
    }
  }
  if (routing.type === TrafficRoutingType.LINEAR) {
    const size = routing.stepSize!;
    if (size.type === CapacitySizeType.CAPACITY_PERCENT) {
      checkIntegerRange(scope, 'deployment.trafficRouting.stepSize (percent)', size.value, 10, 50);
    } else {
      checkIntegerRange(scope, 'deployment.trafficRouting.stepSize (instances)', size.value, 1, 100);
      if (isLiteralNumber(count)) {
        check(size.value >= count / 10 && size.value <= count / 2, scope, 'deployment.trafficRouting.stepSize (instances)', size.value,
          `It must be 10 to 50 percent of the variant's ${count} instance(s)`);
      }
    }
  }
  if (allInstanceTypes(ctx).some((t) => !t.isToken && /^ml\.inf1\./.test(t.name)) && routing.type !== TrafficRoutingType.ALL_AT_ONCE) {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-mlops:endpoint-inf1-guardrails',
      'SageMaker does not apply canary or linear traffic shifting to Inf1 instances: it falls back to all at once without a bake time.');
  }
  PropChecks.defer(scope, () => {
    const issues: PropIssue[] = [];
    const alarms = rollbackAlarms();
    if (alarms.length > MAX_ROLLBACK_ALARMS) {
      issues.push({ prop: 'deployment.rollbackAlarms', value: `${alarms.length} alarms`,
        rule: `SageMaker accepts at most ${MAX_ROLLBACK_ALARMS} rollback alarms (the 2 default ones included)` });
    }
    return issues;
  });
}

/** The deployment config, with the rollback alarms as they are when the template is rendered. */
export function renderDeploymentConfig(ctx: EndpointContext, rollbackAlarms: cloudwatch.IAlarm[]): sagemaker.CfnEndpoint.DeploymentConfigProperty {
  const { routing, wait, bake, timeout } = deploymentTiming(ctx);
  return {
    blueGreenUpdatePolicy: {
      trafficRoutingConfiguration: {
        type: routing.type,
        waitIntervalInSeconds: wait,
        canarySize: routing.canarySize ? { type: routing.canarySize.type, value: routing.canarySize.value } : undefined,
        linearStepSize: routing.stepSize ? { type: routing.stepSize.type, value: routing.stepSize.value } : undefined,
      },
      terminationWaitInSeconds: bake,
      maximumExecutionTimeoutInSeconds: timeout,
    },
    autoRollbackConfiguration: rollbackAlarms.length > 0
      ? { alarms: rollbackAlarms.map((a) => ({ alarmName: a.alarmName })) }
      : undefined,
  };
}
