import * as path from 'path';
import { Annotations, Stack } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct, IConstruct } from 'constructs';
import { stableStringify } from '../../core/names';
import { formatIssueWithoutPath } from '../../private/errors';
import { FeatureDefinition } from '../features';
import { SchemaLockMode, SchemaLockOptions } from '../schema-lock';
import { diffSchemas, LockEntry, lockSettings, readLock, writeLockEntry } from './lock-file';

/** What the schema lock compares of a group. */
export interface GuardedGroup {
  readonly resource: sagemaker.CfnFeatureGroup;
  /** The name as rendered: a given name, or the lazy derived one. */
  readonly physicalName: string;
  /** The name the user gave, if any. */
  readonly givenName?: string;
  readonly features: FeatureDefinition[];
  readonly recordIdentifierFeatureName: string;
  readonly eventTimeFeatureName: string;
  readonly schemaVersion?: number;
  readonly allowReplacement?: boolean;
  readonly schemaLock?: SchemaLockOptions;
  /** Every property CloudFormation cannot change without replacing the group (resolved at synth). */
  readonly replacementProperties: () => { [key: string]: unknown };
}

/*
 * The lock is compared in a validation (at synth, once names and tags are final); aws-cdk-lib puts
 * the construct path in front of each message, so the messages leave it out.
 */

/**
 * Compare the group with its entry in the schema lock at synth, refuse a change that replaces it
 * (unless allowed, with a new name), and record new groups and allowed changes (update mode).
 */
export function guardSchema(scope: Construct, group: GuardedGroup): void {
  const settings = lockSettings(scope, group.schemaLock);
  if (settings.mode === SchemaLockMode.DISABLED) {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-mlops:featureStoreLockDisabled',
      'The feature store schema lock is disabled: nothing stops a change that replaces this feature group and loses its data.');
    return;
  }
  if (group.allowReplacement) {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-mlops:featureGroupAllowReplacement',
      '`allowReplacement` is set: a change that replaces this feature group (a new, empty group) is accepted. Remove it once the change is deployed.');
  }
  scope.node.addValidation({ validate: () => validateAgainstLock(scope, group, settings) });
}

function currentEntry(group: GuardedGroup): LockEntry {
  const stack = Stack.of(group.resource);
  return {
    logicalId: stack.resolve(group.resource.logicalId),
    featureGroupName: stack.resolve(group.physicalName),
    recordIdentifierFeatureName: group.recordIdentifierFeatureName,
    eventTimeFeatureName: group.eventTimeFeatureName,
    features: Object.fromEntries(group.features.map((f) => [f.name, f.type])),
    replacementProperties: JSON.parse(JSON.stringify(stack.resolve(group.replacementProperties()))),
  };
}

function validateAgainstLock(scope: Construct, group: GuardedGroup, settings: { file: string; mode: SchemaLockMode }): string[] {
  const current = currentEntry(group);
  const key = scope.node.path;
  let lock;
  try {
    lock = readLock(settings.file);
  } catch (e: any) {
    return [e.message];
  }
  const before = lock.featureGroups[key];
  if (!before) {
    return newGroup(scope, current, lock.featureGroups, settings);
  }
  const diff = diffSchemas(before, current);
  if (!diff.changed) { return []; }
  const lockName = path.relative(process.cwd(), settings.file) || settings.file;
  const derived = group.givenName === undefined;
  if (diff.breaking.length > 0 && !group.allowReplacement) {
    return [formatIssueWithoutPath('features', lockName,
      `Against the schema recorded in that lock file: ${diff.breaking.join('; ')}. ` +
      'These changes replace the feature group: CloudFormation (or SageMaker, which can only add features to a group) ' +
      'would create a new, empty group, and the records in its online and offline stores would not follow. ' +
      'To keep the group, undo the change (add a new feature instead of changing one). To replace it on purpose, set ' +
      '`allowReplacement: true`' + (derived ? ' and raise `schemaVersion`' : ' and give a new `featureGroupName`') +
      ', synthesize, commit the updated lock file, deploy, then remove `allowReplacement`')];
  }
  if (diff.breaking.length > 0 && !diff.nameChanged) {
    return [formatIssueWithoutPath(derived ? 'schemaVersion' : 'featureGroupName', group.givenName ?? group.schemaVersion ?? 1,
      `The replacement allowed by \`allowReplacement\` (${diff.breaking.join('; ')}) needs a new group name: CloudFormation cannot ` +
      'replace a named resource in place and SageMaker cannot remove or re-type features. ' +
      (derived ? 'Raise `schemaVersion`' : 'Give a new `featureGroupName`'))];
  }
  if (settings.mode === SchemaLockMode.UPDATE) {
    writeLockEntry(settings.file, key, current);
    if (diff.breaking.length > 0) {
      Annotations.of(scope).addWarningV2('cdk-sagemaker-mlops:featureGroupReplaced',
        `This feature group will be REPLACED by a new, empty group (${diff.breaking.join('; ')}); the schema lock was updated.`);
    }
  } else {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-mlops:featureStoreLockStale',
      `The schema lock ${settings.file} does not record this feature group's current schema ` +
      `(${[...diff.breaking, ...diff.additions].join('; ') || 'feature order or name'}): synthesize without CI=true and commit the lock.`);
  }
  return [];
}

/** A group the lock does not record yet: a name another path holds is refused; orphans are warned about. */
function newGroup(scope: Construct, current: LockEntry, recorded: { [path: string]: LockEntry },
  settings: { file: string; mode: SchemaLockMode }): string[] {
  const key = scope.node.path;
  const root = scope.node.root;
  const clash = Object.entries(recorded).find(([k, e]) => k !== key
    && stableStringify(e.featureGroupName) === stableStringify(current.featureGroupName));
  if (clash) {
    const stillThere = findByPath(root, clash[0]) !== undefined;
    return [formatIssueWithoutPath('featureGroupName', current.featureGroupName,
      `The lock records this name for ${clash[0]}, ` + (stillThere
        ? 'which is still in the app: two feature groups cannot have the same name'
        : 'which is no longer in the app. A moved or renamed construct is a new group, and the old one (retained) still ' +
          'holds the name, so the deployment would fail. Keep the construct at its old path, or give this group another ' +
          'name and delete the old entry from the lock file'))];
  }
  const stackPath = Stack.of(scope).node.path;
  const orphans = Object.keys(recorded).filter((k) => k.startsWith(`${stackPath}/`) && findByPath(root, k) === undefined);
  if (orphans.length > 0) {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-mlops:featureStoreLockOrphans',
      `The schema lock records feature groups no longer in this stack (${orphans.join(', ')}). If this new group stands ` +
      'for one of them (a moved or renamed construct), it is a NEW, empty group: the old one keeps its data under its old ' +
      'name. If that is intended, delete the old entries from the lock file.');
  }
  if (settings.mode === SchemaLockMode.UPDATE) {
    writeLockEntry(settings.file, key, current);
  } else {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-mlops:featureStoreLockMissing',
      `This feature group is not in the schema lock ${settings.file}: synthesize without CI=true (or with lock mode "update") and commit the lock.`);
  }
  return [];
}

/** The construct at `path` (from the app root), if it exists. */
function findByPath(root: IConstruct, constructPath: string): IConstruct | undefined {
  let current: IConstruct | undefined = root;
  for (const segment of constructPath.split('/')) {
    current = current?.node.tryFindChild(segment);
    if (!current) { return undefined; }
  }
  return current;
}
