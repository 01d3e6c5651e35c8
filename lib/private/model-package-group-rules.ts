import { check, isLiteralString, Where } from './errors';
import { SAGEMAKER_NAME_PATTERN } from '../core/names';

/** The detail-type SageMaker gives model package events. */
export const MODEL_PACKAGE_STATE_CHANGE = 'SageMaker Model Package State Change';

/** Check a literal group name against SageMaker's rule (tokens are checked by SageMaker). */
export function checkGroupName(where: Where, prop: string, name: string | undefined): void {
  if (!isLiteralString(name)) { return; }
  check(name.length >= 1 && name.length <= 63, where, prop, name, 'A model package group name has 1 to 63 characters');
  check(SAGEMAKER_NAME_PATTERN.test(name), where, prop, name,
    'A model package group name has letters, digits and single or repeated dashes, and starts and ends with a letter or digit');
}

