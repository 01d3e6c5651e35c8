import { Token } from 'aws-cdk-lib';
import { Described } from './described';
import { InstanceType } from '../../core/instance-type';
import { propError, Where } from '../../private/errors';
import { INSTANCE_TYPE_PATTERN, InstanceTypeUse, offersInstanceType, unknownInstanceTypeRule } from '../../private/instance-types';

/*
 * Every instance type the endpoint takes is checked for its use, naming the construct and the
 * prop: the variants and the stage parameters for hosting (SageMaker's
 * ProductionVariantInstanceType), the Model Monitor jobs for processing (MonitoringClusterConfig
 * takes a ProcessingInstanceType).
 */

/**
 * Check that `value` is an InstanceType SageMaker offers for `use`, and return it. A plain string
 * (JavaScript callers can pass one) is refused with the fix, and with suggestions when it is not a
 * SageMaker instance type at all; `InstanceType.of` refuses such a name before any construct
 * exists, so this is where a typo that reached the construct is named with its prop.
 */
export function checkInstanceType(scope: Where, prop: string, value: unknown, use: InstanceTypeUse): InstanceType {
  if (value instanceof InstanceType) {
    value._checkFor(scope, prop, use);
    return value;
  }
  if (typeof value === 'string' && !Token.isUnresolved(value)) {
    const known = INSTANCE_TYPE_PATTERN.test(value) && offersInstanceType(use, value);
    throw propError(scope, prop, value, known
      ? `It must be an InstanceType, not a string: InstanceType.of(${JSON.stringify(value)})`
      : `It must be an InstanceType, not a string, and ${unknownInstanceTypeRule(value, use)}`);
  }
  throw propError(scope, prop, value !== null && typeof value === 'object' ? new Described('an object', value) : value,
    'It must be an InstanceType, such as InstanceType.ML_M5_LARGE or InstanceType.of("ml.m5.large")');
}
