import { createHash } from 'crypto';
import { Lazy, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { check, checkIntegerRange } from '../private/errors';

/** Matches one encoded CDK string token, e.g. `${Token[AWS.StackName.12]}`. */
const TOKEN_PATTERN = /\$\{Token\[[^\]]+\]\}/g;

/** The SageMaker rule for most resource names (models, endpoint configs, endpoints, groups, pipelines). */
export const SAGEMAKER_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;

/**
 * Options for deriving a SageMaker physical name.
 */
export interface SageMakerNameOptions {
  /**
   * A readable prefix. Characters SageMaker does not allow in names become dashes,
   * runs of dashes are folded, and the prefix is shortened to fit `maxLength`.
   * It may contain tokens (a CloudFormation parameter, `Aws.STACK_NAME`); each is kept whole and
   * counted as `assumedTokenLength` characters.
   *
   * @default - the stack name and the construct id
   */
  readonly prefix?: string;

  /**
   * The configuration the name stands for. It is resolved (tokens become their CloudFormation
   * form, e.g. `{"Ref": "Bucket"}`) and hashed, so any change yields a new name and a replaced
   * resource never collides with the one it replaces.
   *
   * @default - none: the name depends only on the prefix and the construct path, and stays stable
   */
  readonly config?: any;

  /**
   * The longest name the resource allows.
   *
   * @default 63
   */
  readonly maxLength?: number;

  /**
   * The length assumed for each token in the prefix, whose value is known only at deploy time.
   * Give the longest value the token can take (for example the `MaxLength` of the parameter).
   *
   * @default 16
   */
  readonly assumedTokenLength?: number;

  /**
   * Number of hexadecimal characters of the configuration hash.
   *
   * @default 8
   */
  readonly hashLength?: number;
}

/**
 * Derives physical names that obey SageMaker's rules from a readable prefix plus a short hash of
 * the resource's configuration.
 *
 * CloudFormation replaces a Model or an EndpointConfig on every change. A literal name would make
 * the new resource collide with the old one; a name that carries a hash of the configuration
 * changes exactly when the resource is replaced.
 */
export class SageMakerName {
  /**
   * Derive a name now. The configuration is resolved in the stack of `scope`.
   *
   * @param scope the construct the name belongs to (its path makes the name unique)
   * @param options prefix, configuration and limits
   */
  public static derive(scope: IConstruct, options: SageMakerNameOptions = {}): string {
    const maxLength = options.maxLength ?? 63;
    const hashLength = options.hashLength ?? 8;
    const assumedTokenLength = options.assumedTokenLength ?? 16;
    checkIntegerRange(scope, 'maxLength', maxLength, 3, 1024);
    checkIntegerRange(scope, 'hashLength', hashLength, 4, 64);
    checkIntegerRange(scope, 'assumedTokenLength', assumedTokenLength, 1, 1024);
    check(hashLength + 2 <= maxLength, scope, 'hashLength', hashLength,
      `It must leave room for at least one prefix character and a dash within maxLength (${maxLength})`);

    const stack = Stack.of(scope);
    const prefix = options.prefix ?? defaultPrefix(scope);
    const resolvedConfig = options.config === undefined ? null : stack.resolve(options.config);
    const hash = createHash('sha256')
      .update(scope.node.path)
      .update('\0')
      .update(stableStringify(resolvedConfig))
      .digest('hex')
      .slice(0, hashLength);

    const budget = maxLength - hashLength - 1;
    const tokenCount = (prefix.match(TOKEN_PATTERN) ?? []).length;
    check(tokenCount * assumedTokenLength <= budget, scope, 'prefix', prefix,
      `Its ${tokenCount} token(s), each counted as ${assumedTokenLength} characters, do not fit in maxLength (${maxLength}) ` +
      `beside the ${hashLength}-character hash; lower assumedTokenLength or use fewer tokens`);
    const readable = fitPrefix(prefix, budget, assumedTokenLength);
    // A prefix of only odd characters sanitizes to nothing: fall back to a fixed letter.
    return readable.length > 0 ? `${readable}-${hash}` : `m-${hash}`;
  }

  /**
   * Derive a name when the template is rendered, so configuration added after this call
   * (variants, steps) is part of the hash.
   *
   * @param scope the construct the name belongs to
   * @param options prefix and limits; `config` is replaced by what `producer` returns
   * @param producer returns the configuration at synth time
   * @internal
   */
  public static _lazy(scope: IConstruct, options: SageMakerNameOptions, producer: () => any): string {
    return Lazy.string({ produce: () => SageMakerName.derive(scope, { ...options, config: producer() }) });
  }
}

/** Stack name and construct id: readable, and unique enough with the hash beside it. */
function defaultPrefix(scope: IConstruct): string {
  const stack = Stack.of(scope);
  const stackName = Token.isUnresolved(stack.stackName) ? '' : stack.stackName;
  return [stackName, scope.node.id].filter((s) => s.length > 0).join('-');
}

/**
 * Sanitize the literal parts of a prefix and shorten them so that, with every token counted as
 * `assumedTokenLength`, the whole fits in `budget` characters.
 */
function fitPrefix(prefix: string, budget: number, assumedTokenLength: number): string {
  const tokens = prefix.match(TOKEN_PATTERN) ?? [];
  const literals = prefix.split(TOKEN_PATTERN).map(sanitize);
  let literalBudget = budget - tokens.length * assumedTokenLength;
  // Shorten the literal parts from the end (the first part is the most readable one).
  const kept: string[] = [];
  for (const literal of literals) {
    const take = literal.slice(0, Math.max(0, literalBudget));
    literalBudget -= take.length;
    kept.push(take);
  }
  let out = '';
  for (let i = 0; i < kept.length; i++) {
    out += kept[i];
    if (i < tokens.length) { out += tokens[i]; }
  }
  // Names must start and end with a letter or digit.
  out = out.replace(/^-+/, '').replace(/-+$/, '');
  return out;
}

/** Replace characters SageMaker does not allow with dashes and fold runs of dashes. */
function sanitize(literal: string): string {
  return literal.replace(/[^a-zA-Z0-9-]+/g, '-').replace(/-{2,}/g, '-');
}

/** JSON with sorted object keys, so equal configurations hash equally. */
export function stableStringify(value: any): string {
  if (value === null || typeof value !== 'object') { return JSON.stringify(value) ?? 'undefined'; }
  if (Array.isArray(value)) { return `[${value.map(stableStringify).join(',')}]`; }
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(value[k])}`).join(',')}}`;
}
