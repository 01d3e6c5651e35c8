import { Token } from 'aws-cdk-lib';
import {
  INSTANCE_TYPE_PATTERN, instanceTypeHasStorage, instanceTypeIsBurstable, InstanceTypeUse, isKnownInstanceType, offersInstanceType,
  unknownInstanceTypeRule,
} from '../private/instance-types';
import { check, Where } from '../private/errors';

/**
 * A SageMaker hosting instance type (`ml.*`).
 *
 * Knows whether the type has NVMe instance storage (then SageMaker rejects a volume KMS key)
 * and whether it is burstable (ml.t2 and ml.t3, which Application Auto Scaling cannot scale).
 */
export class InstanceType {
  /** ml.t2.medium (burstable: cannot be autoscaled). */
  public static readonly ML_T2_MEDIUM = InstanceType.of('ml.t2.medium');
  /** ml.t3.medium (burstable; SageMaker offers it for training and processing jobs, not for endpoints). */
  public static readonly ML_T3_MEDIUM = InstanceType.of('ml.t3.medium');
  /** ml.m5.large */
  public static readonly ML_M5_LARGE = InstanceType.of('ml.m5.large');
  /** ml.m5.xlarge */
  public static readonly ML_M5_XLARGE = InstanceType.of('ml.m5.xlarge');
  /** ml.m5.2xlarge */
  public static readonly ML_M5_2XLARGE = InstanceType.of('ml.m5.2xlarge');
  /** ml.m5.4xlarge */
  public static readonly ML_M5_4XLARGE = InstanceType.of('ml.m5.4xlarge');
  /** ml.m5d.large (NVMe instance storage) */
  public static readonly ML_M5D_LARGE = InstanceType.of('ml.m5d.large');
  /** ml.m6i.large */
  public static readonly ML_M6I_LARGE = InstanceType.of('ml.m6i.large');
  /** ml.m6i.xlarge */
  public static readonly ML_M6I_XLARGE = InstanceType.of('ml.m6i.xlarge');
  /** ml.c5.large */
  public static readonly ML_C5_LARGE = InstanceType.of('ml.c5.large');
  /** ml.c5.xlarge */
  public static readonly ML_C5_XLARGE = InstanceType.of('ml.c5.xlarge');
  /** ml.c5.2xlarge */
  public static readonly ML_C5_2XLARGE = InstanceType.of('ml.c5.2xlarge');
  /** ml.c5d.xlarge (NVMe instance storage) */
  public static readonly ML_C5D_XLARGE = InstanceType.of('ml.c5d.xlarge');
  /** ml.c6i.xlarge */
  public static readonly ML_C6I_XLARGE = InstanceType.of('ml.c6i.xlarge');
  /** ml.r5.large */
  public static readonly ML_R5_LARGE = InstanceType.of('ml.r5.large');
  /** ml.g4dn.xlarge (GPU, NVMe instance storage) */
  public static readonly ML_G4DN_XLARGE = InstanceType.of('ml.g4dn.xlarge');
  /** ml.g5.xlarge (GPU, NVMe instance storage) */
  public static readonly ML_G5_XLARGE = InstanceType.of('ml.g5.xlarge');
  /** ml.g5.2xlarge (GPU, NVMe instance storage) */
  public static readonly ML_G5_2XLARGE = InstanceType.of('ml.g5.2xlarge');
  /** ml.p3.2xlarge (GPU) */
  public static readonly ML_P3_2XLARGE = InstanceType.of('ml.p3.2xlarge');
  /** ml.inf1.xlarge (AWS Inferentia) */
  public static readonly ML_INF1_XLARGE = InstanceType.of('ml.inf1.xlarge');
  /** ml.inf2.xlarge (AWS Inferentia2) */
  public static readonly ML_INF2_XLARGE = InstanceType.of('ml.inf2.xlarge');

  /**
   * An instance type by name, one SageMaker offers (checked against the instance types of the
   * SageMaker API, with suggestions for a typo). A token (for example a CloudFormation parameter)
   * is accepted; then the checks run at deploy time.
   *
   * @param name the SageMaker instance type, `ml.<family>.<size>`
   */
  public static of(name: string): InstanceType {
    // The rule (with its suggestions, a search of the whole table) only when the check fails.
    if (!Token.isUnresolved(name) && !(typeof name === 'string' && INSTANCE_TYPE_PATTERN.test(name) && isKnownInstanceType(name))) {
      check(false, 'InstanceType.of', 'name', name,
        typeof name === 'string' && INSTANCE_TYPE_PATTERN.test(name) ? unknownInstanceTypeRule(name)
          : `It must be a SageMaker instance type such as "ml.m5.large" (the \`ml.\` prefix, a family and a size). ${unknownInstanceTypeRule(String(name))}`);
    }
    return new InstanceType(name);
  }

  /**
   * An instance type this library's list does not know yet (SageMaker added it since): only its
   * form (`ml.<family>.<size>`) is checked, nowhere its use.
   *
   * @param name the SageMaker instance type, `ml.<family>.<size>`
   */
  public static unlisted(name: string): InstanceType {
    if (!Token.isUnresolved(name)) {
      check(typeof name === 'string' && INSTANCE_TYPE_PATTERN.test(name), 'InstanceType.unlisted', 'name', name,
        'It must be a SageMaker instance type such as "ml.m5.large" (the `ml.` prefix, a family and a size)');
    }
    return new InstanceType(name, undefined, true);
  }

  /**
   * A token instance type whose value is one of `candidates` (a CloudFormation parameter with
   * those allowed values), so the checks can cover every candidate.
   *
   * @internal
   */
  public static _oneOf(token: string, candidates: InstanceType[]): InstanceType {
    return new InstanceType(token, candidates.map((c) => c.name));
  }

  /** The instance type name, `ml.<family>.<size>` (or a token). */
  public readonly name: string;

  /** @internal */
  public readonly _candidates?: string[];

  /** @internal */
  public readonly _unlisted: boolean;

  private constructor(name: string, candidates?: string[], unlisted: boolean = false) {
    this.name = name;
    this._candidates = candidates;
    this._unlisted = unlisted;
  }

  /**
   * Check that SageMaker offers this type for `use` (a token is checked by SageMaker; an unlisted
   * type is not checked).
   *
   * @internal
   */
  public _checkFor(where: Where, prop: string, use: InstanceTypeUse): void {
    if (this._unlisted) { return; }
    const names = this.isToken ? (this._candidates ?? []) : [this.name];
    for (const name of names) {
      // The rule (with its suggestions, a search of the whole table) only when the check fails.
      if (!offersInstanceType(use, name)) {
        check(false, where, prop, name, unknownInstanceTypeRule(name, use));
      }
    }
  }

  /** Whether the name is a token resolved only at deploy time. */
  public get isToken(): boolean {
    return Token.isUnresolved(this.name);
  }

  /**
   * Whether the type has NVMe instance storage, where SageMaker rejects a volume KMS key.
   * False for a token.
   */
  public get hasInstanceStorage(): boolean {
    return !this.isToken && instanceTypeHasStorage(this.name);
  }

  /** Whether the type is burstable (ml.t2, ml.t3): Application Auto Scaling cannot scale it. False for a token. */
  public get isBurstable(): boolean {
    return !this.isToken && instanceTypeIsBurstable(this.name);
  }

  /** The instance type name. */
  public toString(): string {
    return this.name;
  }
}
