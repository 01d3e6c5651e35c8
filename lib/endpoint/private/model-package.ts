import { Token } from 'aws-cdk-lib';
import type { IModelPackageGroup } from '../../core/model-package-group';
import { checkKeyPrefix } from './locations';
import { check, isLiteralString, Where } from '../../private/errors';

/*
 * The rules on model package versions and on the key prefixes their files are read from, shared
 * by the model source and the drift-check baselines of a version.
 */

/** A versioned model package ARN: the group (1 to 63 letters, digits and dashes) and the version. */
const VERSION_ARN = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):(\d{12}):model-package\/([a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62})\/\d+$/;

/**
 * Check a literal model package ARN: a version (not a group), and, when `group` is given, a
 * version of that group (in its account and region, when both are known at synth time).
 */
export function checkModelPackageVersion(scope: Where, prop: string, arn: string, group?: IModelPackageGroup): void {
  if (!isLiteralString(arn)) { return; }
  const m = VERSION_ARN.exec(arn);
  check(m !== null, scope, prop, arn,
    'It must be the ARN of a versioned model package: arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>');
  if (group === undefined) { return; }
  const [, region, account, groupName] = m!;
  const expected = group.modelPackageGroupName;
  if (isLiteralString(expected)) {
    // SageMaker writes ARNs in lower case.
    check(groupName.toLowerCase() === expected.toLowerCase(), scope, prop, arn,
      `It must be a version of the model package group \`modelPackageGroup\` (${expected}): ` +
      `arn:<partition>:sagemaker:<region>:<account>:model-package/${expected.toLowerCase()}/<version>`);
  }
  if (!Token.isUnresolved(group.env.account)) {
    check(account === group.env.account, scope, prop, arn,
      `It must be in the account of the model package group \`modelPackageGroup\` (${group.env.account})`);
  }
  if (!Token.isUnresolved(group.env.region)) {
    check(region === group.env.region, scope, prop, arn,
      `It must be in the region of the model package group \`modelPackageGroup\` (${group.env.region})`);
  }
}

/**
 * The key prefix a role may read: the explicit one, else the group's prefix in the storage
 * layout; with neither, the bad input is refused (never the whole bucket). A trailing slash is
 * dropped.
 */
export function readPrefix(scope: Where, prop: string, explicit: string | undefined, fromGroup: (() => string) | undefined,
  what: string): string {
  if (explicit !== undefined) {
    return checkKeyPrefix(scope, prop, explicit);
  }
  check(fromGroup !== undefined, scope, prop, undefined,
    `Give the model package group (\`modelPackageGroup\`: the ${what} are read under its prefix of the storage layout) ` +
    `or the key prefix of the ${what} (\`${prop}\`): the role may read that prefix only, never the whole bucket`);
  return fromGroup!();
}
