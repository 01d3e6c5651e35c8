import type { IModelPackageGroup } from '../../core/model-package-group';
import { check } from '../../private/errors';
import { checkGroupName } from '../../private/model-package-group-rules';

/** The props that name a model package group: the object, or a name as an escape hatch. */
export interface ModelPackageGroupProps {
  readonly modelPackageGroup?: IModelPackageGroup;
  readonly modelPackageGroupName?: string;
}

/** The group a step names, and the name it renders. */
export interface ChosenModelPackageGroup {
  /** The group object, when the step was given one. */
  readonly group?: IModelPackageGroup;
  /**
   * What the definition names the group by: the group's ARN (CreateModelPackage and
   * ListModelPackages take a name or an ARN; the ARN of a group created in the stack is a
   * reference to it, so the pipeline follows the group), or the name given.
   */
  readonly name?: string;
}

/**
 * The model package group of a step or pipeline: exactly one of `modelPackageGroup` and
 * `modelPackageGroupName` (at most one when the group is optional).
 */
export function chooseModelPackageGroup(where: string, props: ModelPackageGroupProps, required: boolean): ChosenModelPackageGroup {
  const { modelPackageGroup: group, modelPackageGroupName: name } = props;
  check(group === undefined || name === undefined, where, 'modelPackageGroupName', name,
    'Give either `modelPackageGroup` (the group object) or `modelPackageGroupName` (the escape hatch for a group known only by its name), not both');
  check(!required || group !== undefined || name !== undefined, where, 'modelPackageGroup', group,
    'It is required: the model package group (a ModelPackageGroup, or ModelPackageGroup.fromModelPackageGroupName() for one that exists); ' +
    '`modelPackageGroupName` is the escape hatch for a group known only by its name');
  if (group !== undefined) {
    check(group !== null && typeof group === 'object' && typeof group.modelPackageGroupName === 'string' && typeof group.grantRegister === 'function',
      where, 'modelPackageGroup', group, 'It must be an IModelPackageGroup (a ModelPackageGroup, or ModelPackageGroup.fromModelPackageGroupName())');
    return { group, name: group.modelPackageGroupArn };
  }
  if (name !== undefined) {
    check(typeof name === 'string', where, 'modelPackageGroupName', name, 'It must be a string: the name of the model package group');
    checkGroupName(where, 'modelPackageGroupName', name);
  }
  return { name };
}
