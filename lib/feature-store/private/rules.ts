import { CfnResource, Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import { check, propError, Where } from '../../private/errors';

/** SageMaker FeatureDefinition.FeatureName (API reference): 1-64 characters. */
const FEATURE_NAME_PATTERN = /^[a-zA-Z0-9]([-_]*[a-zA-Z0-9])*$/;

/** AWS::SageMaker::FeatureGroup FeatureGroupName: 1-64 characters, letters, digits and inner hyphens. */
const GROUP_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;

/** Names SageMaker keeps for the offline store's own columns. */
const RESERVED_FEATURE_NAMES = ['is_deleted', 'write_time', 'api_invocation_time'];

/** At most this many features per group (CloudFormation FeatureDefinitions maximum). */
export const MAX_FEATURES = 2500;

/** Glue database names: lowercase letters, digits and underscores, at most 255 characters. */
export const GLUE_NAME_PATTERN = /^[a-z0-9_]{1,255}$/;

/**
 * What is wrong with a feature name, as a rule sentence (undefined when it is valid). The name
 * must be a literal: the schema is compared at synth.
 */
export function featureNameIssue(name: unknown): string | undefined {
  if (typeof name !== 'string' || Token.isUnresolved(name)) {
    return 'Feature names must be literal strings: the schema is checked and locked at synth time';
  }
  if (name.length < 1 || name.length > 64 || !FEATURE_NAME_PATTERN.test(name)) {
    return 'A feature name has 1 to 64 characters: letters, digits, and hyphens or underscores between them ' +
      '(it must start and end with a letter or digit)';
  }
  if (RESERVED_FEATURE_NAMES.includes(name.toLowerCase())) {
    return `It is reserved by SageMaker Feature Store for the offline store's own columns (${RESERVED_FEATURE_NAMES.join(', ')})`;
  }
  return undefined;
}

/** Check a user-given feature group name. */
export function checkGroupName(where: Where, prop: string, name: string): void {
  if (Token.isUnresolved(name)) { return; }
  check(typeof name === 'string' && name.length >= 1 && name.length <= 64 && GROUP_NAME_PATTERN.test(name), where, prop, name,
    'A feature group name has 1 to 64 characters: letters, digits and hyphens, starting and ending with a letter or digit');
}

/** The TtlDuration of an online store: the largest unit that expresses the duration exactly. */
export function ttlDuration(where: Where, prop: string, ttl: Duration): { Unit: string; Value: number } {
  const ms = ttl.toMilliseconds();
  if (Token.isUnresolved(ms)) { throw propError(where, prop, ttl, 'It must be a literal duration'); }
  check(ms >= 1000 && ms % 1000 === 0, where, prop, ttl, 'It must be a whole number of seconds, at least 1 second');
  const seconds = ms / 1000;
  const units: Array<[string, number]> = [['Weeks', 604800], ['Days', 86400], ['Hours', 3600], ['Minutes', 60], ['Seconds', 1]];
  for (const [unit, size] of units) {
    if (seconds % size === 0) { return { Unit: unit, Value: seconds / size }; }
  }
  /* istanbul ignore next: the Seconds unit always divides */
  return { Unit: 'Seconds', Value: seconds };
}

/**
 * Check an S3 key prefix for the offline store (or Athena results). Roles and grants are scoped to
 * `<prefix>/*`, so IAM wildcards in the prefix itself would widen them to other keys: `*` and `?`
 * are refused, as is anything outside the characters safe in S3 keys and Athena locations.
 */
export function checkPrefix(where: Where, prop: string, prefix: string): void {
  if (Token.isUnresolved(prefix)) { return; }
  check(typeof prefix === 'string' && prefix.length >= 1 && prefix.length <= 512, where, prop, prefix, 'It must have 1 to 512 characters');
  check(!/[*?]/.test(prefix), where, prop, prefix,
    'It must not contain the IAM wildcards `*` or `?`: the offline store role and the read grants are scoped to this prefix, ' +
    'and a wildcard in it would extend them to objects outside it');
  check(!prefix.startsWith('/') && !prefix.includes('//'), where, prop, prefix,
    'It must not start with a slash or contain an empty path segment (`//`)');
  check(/^[a-zA-Z0-9!_.'()\-/=]+$/.test(prefix), where, prop, prefix,
    'It may contain only letters, digits and the characters ! _ . \' ( ) - / = (characters safe in S3 keys and Athena locations)');
}

/** The offline store prefix segment of a group: its construct id in lowercase, safe in S3 keys. */
export function prefixSegment(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'group';
}

/** Make a Glue-friendly name: lowercase, underscores, no leading digit issues. */
export function glueName(raw: string, max: number): string {
  let s = raw.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/_{2,}/g, '_').replace(/^_+/, '').replace(/_+$/, '');
  if (s.length === 0) { s = 'features'; }
  return s.slice(0, max).replace(/_+$/, '');
}

/** The catalog of retained offline data is kept with it (unless the user says otherwise). */
export function retained<T extends CfnResource>(resource: T, policy: RemovalPolicy | undefined): T {
  resource.applyRemovalPolicy(policy ?? RemovalPolicy.RETAIN);
  return resource;
}
