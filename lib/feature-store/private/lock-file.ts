import * as fs from 'fs';
import * as path from 'path';
import { IConstruct } from 'constructs';
import { stableStringify } from '../../core/names';
import { SchemaLockContext, SchemaLockMode, SchemaLockOptions } from '../schema-lock';

/** The lock file name used when nothing else is configured. */
const DEFAULT_LOCK_FILE = 'feature-store.lock.json';

/** What the lock records about one feature group. */
export interface LockEntry {
  /** CloudFormation logical id: a new one makes CloudFormation create a new group. */
  readonly logicalId: string;
  /** The FeatureGroupName as rendered (a string, or a CloudFormation expression). */
  readonly featureGroupName: unknown;
  readonly recordIdentifierFeatureName: string;
  readonly eventTimeFeatureName: string;
  /** Feature name -> FeatureType, in definition order. */
  readonly features: { [name: string]: string };
  /** Every property whose change makes CloudFormation replace the group, as rendered. */
  readonly replacementProperties: { [key: string]: unknown };
}

/** The whole lock file. */
export interface LockFile {
  readonly comment?: string;
  readonly version: number;
  readonly featureGroups: { [constructPath: string]: LockEntry };
}

const COMMENT = 'Written by cdk-sagemaker-mlops FeatureGroup at synth time. Commit this file: it records each feature ' +
  'group\'s schema so that a change that would replace a group (and lose its data) is refused. See the FeatureStore README.';

/** The lock settings in effect for a construct: props first, then context, then the environment. */
export function lockSettings(scope: IConstruct, options: SchemaLockOptions | undefined): { file: string; mode: SchemaLockMode } {
  const ctxFile = scope.node.tryGetContext(SchemaLockContext.FILE);
  const ctxMode = scope.node.tryGetContext(SchemaLockContext.MODE);
  const file = options?.file ?? (typeof ctxFile === 'string' && ctxFile.length > 0 ? ctxFile : DEFAULT_LOCK_FILE);
  let mode = options?.mode;
  if (mode === undefined && ctxMode !== undefined) {
    const m = String(ctxMode).toLowerCase();
    const known = Object.values(SchemaLockMode) as string[];
    if (!known.includes(m)) {
      throw new Error(`[${scope.node.path}] Invalid context \`${SchemaLockContext.MODE}\`: received ${JSON.stringify(ctxMode)}. ` +
        `It must be one of ${known.map((k) => JSON.stringify(k)).join(', ')}.`);
    }
    mode = m as SchemaLockMode;
  }
  if (mode === undefined) {
    mode = isCi() ? SchemaLockMode.VERIFY : SchemaLockMode.UPDATE;
  }
  return { file: path.resolve(file), mode };
}

/** CI services set CI=true (GitHub Actions, GitLab, CodeBuild with it configured, Jenkins plugins...). */
function isCi(): boolean {
  const v = (process.env.CI ?? '').toLowerCase();
  return v !== '' && v !== 'false' && v !== '0';
}

/** Read the lock file; a missing file is an empty lock. */
export function readLock(file: string): LockFile {
  if (!fs.existsSync(file)) { return { version: 1, featureGroups: {} }; }
  let parsed: any;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf-8'));
  } catch (e: any) {
    throw new Error(`The feature store schema lock ${file} is not valid JSON (${e?.message}). ` +
      'Restore it from version control (a merge conflict?) rather than deleting it: without it, replacements are not detected.');
  }
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.featureGroups !== 'object' || parsed.version !== 1) {
    throw new Error(`The feature store schema lock ${file} is not a version 1 lock file written by cdk-sagemaker-mlops. ` +
      'Restore it from version control, or point `schemaLock.file` at another path.');
  }
  return parsed as LockFile;
}

/** Write one entry into the lock file (read-modify-write, keys sorted, atomic rename). */
export function writeLockEntry(file: string, key: string, entry: LockEntry): void {
  const lock = readLock(file);
  const groups: { [k: string]: LockEntry } = { ...lock.featureGroups, [key]: entry };
  const sorted: { [k: string]: LockEntry } = {};
  for (const k of Object.keys(groups).sort()) { sorted[k] = groups[k]; }
  const out: LockFile = { comment: COMMENT, version: 1, featureGroups: sorted };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(out, undefined, 2) + '\n');
  fs.renameSync(tmp, file);
}

/** The differences between the locked schema and the current one. */
export interface SchemaDiff {
  /** Changes that replace the group (each a short phrase). */
  readonly breaking: string[];
  /** Changes that SageMaker and CloudFormation make in place (added features). */
  readonly additions: string[];
  /** Whether the rendered FeatureGroupName differs. */
  readonly nameChanged: boolean;
  /** Whether anything the lock records differs. */
  readonly changed: boolean;
}

/** Compare a locked entry with the current one. */
export function diffSchemas(before: LockEntry, after: LockEntry): SchemaDiff {
  const breaking: string[] = [];
  const additions: string[] = [];
  if (before.logicalId !== after.logicalId) {
    breaking.push(`the CloudFormation logical id changed from ${before.logicalId} to ${after.logicalId} (a moved or renamed construct is a new group)`);
  }
  if (before.recordIdentifierFeatureName !== after.recordIdentifierFeatureName) {
    breaking.push(`the record identifier changed from \`${before.recordIdentifierFeatureName}\` to \`${after.recordIdentifierFeatureName}\``);
  }
  if (before.eventTimeFeatureName !== after.eventTimeFeatureName) {
    breaking.push(`the event time feature changed from \`${before.eventTimeFeatureName}\` to \`${after.eventTimeFeatureName}\``);
  }
  const removed: string[] = [];
  for (const [name, type] of Object.entries(before.features ?? {})) {
    const now = after.features[name];
    if (now === undefined) {
      removed.push(name);
    } else if (now !== type) {
      breaking.push(`feature \`${name}\` re-typed from ${type} to ${now}`);
    }
  }
  const added = Object.keys(after.features).filter((n) => before.features?.[n] === undefined);
  if (removed.length > 0) {
    const renameHint = added.length > 0 ? ` (renaming a feature is removing it and adding another; added: ${added.map((n) => `\`${n}\``).join(', ')})` : '';
    breaking.push(`feature(s) ${removed.map((n) => `\`${n}\``).join(', ')} removed${renameHint}`);
  }
  for (const name of added) { additions.push(`feature \`${name}\` (${after.features[name]}) added`); }
  const keys = new Set([...Object.keys(before.replacementProperties ?? {}), ...Object.keys(after.replacementProperties)]);
  for (const key of [...keys].sort()) {
    const b = stableStringify(before.replacementProperties?.[key]);
    const a = stableStringify(after.replacementProperties[key]);
    if (a !== b) { breaking.push(`${key} changed from ${short(b)} to ${short(a)}`); }
  }
  const nameChanged = stableStringify(before.featureGroupName) !== stableStringify(after.featureGroupName);
  if (nameChanged) {
    breaking.push(`the group name changed from ${short(stableStringify(before.featureGroupName))} to ${short(stableStringify(after.featureGroupName))}`);
  }
  const orderChanged = Object.keys(before.features ?? {}).filter((n) => after.features[n] !== undefined).join(',') !==
    Object.keys(after.features).filter((n) => before.features?.[n] !== undefined).join(',');
  const changed = breaking.length > 0 || additions.length > 0 || nameChanged || orderChanged;
  return { breaking, additions, nameChanged, changed };
}

function short(json: string): string {
  return json.length > 200 ? json.slice(0, 197) + '...' : json;
}
