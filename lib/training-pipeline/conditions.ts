import { Token } from 'aws-cdk-lib';
import { describeValue, propError } from '../private/errors';
import { PipelineValue, PipelineValueType } from './values';

/**
 * The comparisons and combinators of a condition step, rendered as the SageMaker Python SDK
 * renders them.
 *
 * Operands are literals (string, number, boolean), pipeline values, or tokens of pipeline values
 * (`param.asNumber`). Operands of known types must be comparable: numbers with numbers, strings
 * with strings, booleans only for equality; a value read from a property file (`ANY`) compares
 * with anything.
 */
export abstract class Condition {
  /** `Equals`. */
  public static equalTo(left: any, right: any): Condition {
    return new Comparison('Equals', left, right);
  }
  /** `GreaterThan`. */
  public static greaterThan(left: any, right: any): Condition {
    return new Comparison('GreaterThan', left, right);
  }
  /** `GreaterThanOrEqualTo`. */
  public static greaterThanOrEqualTo(left: any, right: any): Condition {
    return new Comparison('GreaterThanOrEqualTo', left, right);
  }
  /** `LessThan`. */
  public static lessThan(left: any, right: any): Condition {
    return new Comparison('LessThan', left, right);
  }
  /** `LessThanOrEqualTo`. */
  public static lessThanOrEqualTo(left: any, right: any): Condition {
    return new Comparison('LessThanOrEqualTo', left, right);
  }
  /** `In`: true when `value` equals one of `values`. */
  public static isIn(value: any, values: any[]): Condition {
    return new InCondition(value, values);
  }
  /** `Not`. */
  public static not(condition: Condition): Condition {
    return new NotCondition(condition);
  }
  /** `Or`: true when any of the conditions is. */
  public static or(...conditions: Condition[]): Condition {
    return new OrCondition(conditions);
  }

  /** The condition's type, as in the definition (`Equals`, `In`, `Or`...). */
  public abstract readonly conditionType: string;

  /**
   * The condition as definition JSON, with its operands left as they are (the walker that renders
   * the step renders them).
   * @internal
   */
  public _toJson(): any {
    throw new Error(`The condition ${this.conditionType} cannot be rendered`);
  }

  /**
   * The type problems of the operands, as sentences (none when the condition is sound).
   * @internal
   */
  public _typeProblems(): string[] {
    return [];
  }
}

const ORDERED = new Set(['GreaterThan', 'GreaterThanOrEqualTo', 'LessThan', 'LessThanOrEqualTo']);

/** The type of an operand, or throw for something that cannot be one. */
function operandType(value: any, conditionType: string): PipelineValueType {
  const pv = PipelineValue.fromToken(value);
  if (pv) { return pv.valueType; }
  // A string (a literal, or a CloudFormation token that resolves to one).
  if (typeof value === 'string') { return PipelineValueType.STRING; }
  if (typeof value === 'number') {
    if (Token.isUnresolved(value)) { return PipelineValueType.ANY; }
    return Number.isInteger(value) ? PipelineValueType.INTEGER : PipelineValueType.FLOAT;
  }
  if (typeof value === 'boolean') { return PipelineValueType.BOOLEAN; }
  throw propError(`Condition ${conditionType}`, 'operand', value,
    'An operand must be a string, a number, a boolean or a pipeline value (parameter, step property, execution variable, Std:Join, Std:JsonGet)');
}

function typeClass(t: PipelineValueType): string {
  switch (t) {
    case PipelineValueType.INTEGER:
    case PipelineValueType.FLOAT:
      return 'number';
    case PipelineValueType.STRING: return 'string';
    case PipelineValueType.BOOLEAN: return 'boolean';
    default: return 'any';
  }
}

function describeOperand(value: any): string {
  const pv = PipelineValue.fromToken(value);
  return pv ? `${pv.describe()} (${pv.valueType})` : describeValue(value);
}

class Comparison extends Condition {
  private readonly leftType: PipelineValueType;
  private readonly rightType: PipelineValueType;
  constructor(public readonly conditionType: string, private readonly left: any, private readonly right: any) {
    super();
    this.leftType = operandType(left, conditionType);
    this.rightType = operandType(right, conditionType);
  }

  /** @internal */
  public _typeProblems(): string[] {
    const l = typeClass(this.leftType);
    const r = typeClass(this.rightType);
    if (l !== 'any' && r !== 'any' && l !== r) {
      return [`The condition ${this.conditionType} compares ${describeOperand(this.left)} with ` +
        `${describeOperand(this.right)}: operands must be of comparable types (numbers with numbers, strings with strings)`];
    }
    if (ORDERED.has(this.conditionType) && (l === 'boolean' || r === 'boolean')) {
      return [`The condition ${this.conditionType} orders a boolean (${describeOperand(l === 'boolean' ? this.left : this.right)}); ` +
        'booleans can only be compared with Equals'];
    }
    return [];
  }

  /** @internal */
  public _toJson(): any {
    return { Type: this.conditionType, LeftValue: this.left, RightValue: this.right };
  }
}

class InCondition extends Condition {
  public readonly conditionType = 'In';
  private readonly queryType: PipelineValueType;
  private readonly valueTypes: PipelineValueType[];
  constructor(private readonly query: any, private readonly values: any[]) {
    super();
    if (!Array.isArray(values) || values.length === 0) {
      throw propError('Condition In', 'values', values, 'It must list at least one value');
    }
    this.queryType = operandType(query, 'In');
    this.valueTypes = values.map((v) => operandType(v, 'In'));
  }

  /** @internal */
  public _typeProblems(): string[] {
    const q = typeClass(this.queryType);
    return this.valueTypes.flatMap((t, i) => {
      const c = typeClass(t);
      return q !== 'any' && c !== 'any' && c !== q
        ? [`The condition In looks for ${describeOperand(this.query)} among values that include ` +
          `${describeOperand(this.values[i])}: all values must be of a type comparable with the query value`]
        : [];
    });
  }

  /** @internal */
  public _toJson(): any {
    return { Type: 'In', QueryValue: this.query, Values: [...this.values] };
  }
}

class NotCondition extends Condition {
  public readonly conditionType = 'Not';
  constructor(private readonly condition: Condition) {
    super();
    if (!(condition instanceof Condition)) {
      throw propError('Condition Not', 'condition', condition, 'It must be a Condition');
    }
  }

  /** @internal */
  public _typeProblems(): string[] {
    return this.condition._typeProblems();
  }

  /** @internal */
  public _toJson(): any {
    return { Type: 'Not', Condition: this.condition._toJson() };
  }
}

class OrCondition extends Condition {
  public readonly conditionType = 'Or';
  constructor(private readonly conditions: Condition[]) {
    super();
    if (conditions.length === 0 || conditions.some((c) => !(c instanceof Condition))) {
      throw propError('Condition Or', 'conditions', conditions, 'It must list at least one Condition');
    }
  }

  /** @internal */
  public _typeProblems(): string[] {
    return this.conditions.flatMap((c) => c._typeProblems());
  }

  /** @internal */
  public _toJson(): any {
    return { Type: 'Or', Conditions: this.conditions.map((c) => c._toJson()) };
  }
}
