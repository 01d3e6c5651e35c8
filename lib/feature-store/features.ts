/**
 * The value type of a feature.
 */
export enum FeatureType {
  /** A string (also used for ISO-8601 event times). */
  STRING = 'String',
  /** A 64-bit integer. */
  INTEGRAL = 'Integral',
  /** A 64-bit floating-point number (also used for event times in Unix epoch seconds). */
  FRACTIONAL = 'Fractional',
}

/**
 * One feature of a feature group.
 *
 * CloudFormation's `AWS::SageMaker::FeatureGroup` accepts only a name and a scalar type per
 * feature: the List, Set and Vector collection types of the SageMaker API cannot be declared in
 * a template, so they are not offered here.
 */
export interface FeatureDefinition {
  /**
   * The feature name: 1 to 64 characters, letters, digits, and hyphens or underscores between
   * them; not `is_deleted`, `write_time` or `api_invocation_time`.
   */
  readonly name: string;

  /**
   * The value type.
   */
  readonly type: FeatureType;
}
