import { check, formatIssueWithoutPath, MlopsPropError, PropIssue, Where } from '../../private/errors';
import { FeatureDefinition, FeatureType } from '../features';
import { featureNameIssue, MAX_FEATURES } from './rules';

/** The props that define a group's schema. */
export interface SchemaProps {
  readonly features: FeatureDefinition[];
  readonly recordIdentifierFeatureName: string;
  readonly eventTimeFeatureName: string;
}

/**
 * Check the feature definitions, the record identifier and the event time, and report every
 * problem at once (one error listing them all), so that a schema with several mistakes is fixed
 * in one round.
 */
export function checkFeatureDefinitions(where: Where, props: SchemaProps): void {
  const features = props.features;
  check(Array.isArray(features) && features.length >= 1 && features.length <= MAX_FEATURES,
    where, 'features', Array.isArray(features) ? `${features.length} features` : features,
    `A feature group has 1 to ${MAX_FEATURES} features`);
  const issues = [...definitionIssues(features), ...keyFeatureIssues(features, props)];
  if (issues.length === 1) {
    throw new MlopsPropError(where, issues[0].prop, issues[0].value, issues[0].rule);
  }
  if (issues.length > 1) {
    throw new MlopsPropError(where, 'features', `${features.length} features`,
      `The schema has ${issues.length} problems, all listed here:\n` +
      issues.map((i) => `  - ${formatIssueWithoutPath(i.prop, i.value, i.rule)}`).join('\n'));
  }
}

/** Each feature: a valid, unique (ignoring case) name and a FeatureType. */
function definitionIssues(features: FeatureDefinition[]): PropIssue[] {
  const issues: PropIssue[] = [];
  const seen = new Map<string, string>();
  features.forEach((f, i) => {
    const name = f?.name;
    const nameIssue = featureNameIssue(name);
    if (nameIssue) {
      issues.push({ prop: `features[${i}].name`, value: name, rule: nameIssue });
    } else {
      const lower = name.toLowerCase();
      const other = seen.get(lower);
      if (other !== undefined) {
        issues.push({ prop: `features[${i}].name`, value: name, rule: `It is already used by feature \`${other}\`; ` +
          'names must be unique, ignoring case (the offline store\'s Glue table columns are lowercase)' });
      } else {
        seen.set(lower, name);
      }
    }
    if (!Object.values(FeatureType).includes(f?.type)) {
      issues.push({ prop: `features[${i}].type`, value: f?.type,
        rule: `It must be a FeatureType (${Object.values(FeatureType).join(', ')})` });
    }
  });
  return issues;
}

/** The record identifier and the event time: features of the right types, and not the same one. */
function keyFeatureIssues(features: FeatureDefinition[], props: SchemaProps): PropIssue[] {
  const issues: PropIssue[] = [];
  const byName = new Map(features.map((f) => [f?.name, f?.type]));
  const keys = [
    { prop: 'recordIdentifierFeatureName', allowed: [FeatureType.STRING, FeatureType.INTEGRAL],
      rule: 'The record identifier must be a String or Integral feature' },
    { prop: 'eventTimeFeatureName', allowed: [FeatureType.STRING, FeatureType.FRACTIONAL],
      rule: 'The event time must be a String (ISO-8601) or Fractional (epoch seconds) feature' },
  ] as const;
  for (const key of keys) {
    const name = props[key.prop];
    const nameIssue = featureNameIssue(name);
    if (nameIssue) {
      issues.push({ prop: key.prop, value: name, rule: nameIssue });
      continue;
    }
    const type = byName.get(name);
    if (type === undefined) {
      issues.push({ prop: key.prop, value: name, rule: 'It must name one of the features' });
    } else if (!(key.allowed as readonly FeatureType[]).includes(type)) {
      issues.push({ prop: key.prop, value: name, rule: `${key.rule}; it is ${type}` });
    }
  }
  if (props.recordIdentifierFeatureName === props.eventTimeFeatureName && props.eventTimeFeatureName !== undefined) {
    issues.push({ prop: 'eventTimeFeatureName', value: props.eventTimeFeatureName,
      rule: 'The event time and the record identifier must be different features' });
  }
  return issues;
}
