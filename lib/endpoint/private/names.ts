import { CfnParameter, Lazy, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { SageMakerName, SageMakerNameOptions } from '../../core/names';

/**
 * A name derived from a hash of the resolved configuration, rendered when the template is
 * synthesized (so configuration added later is part of the hash).
 *
 * When the configuration refers to a CloudFormation parameter, a hash computed at synth time
 * cannot see the parameter's value: a new value would replace the resource under the same name,
 * and CloudFormation would fail on the name collision. Then the deployment id (a parameter that
 * changes with every deployment) is appended; without one the name is left out, and
 * CloudFormation generates a fresh unique one on every replacement.
 */
export function configHashedName(scope: IConstruct, options: SageMakerNameOptions, producer: () => any,
  deploymentId?: () => string | undefined): string {
  return Token.asString(Lazy.any({
    produce: () => {
      const config = producer();
      if (!refersToParameter(scope, config)) {
        return SageMakerName.derive(scope, { ...options, config });
      }
      const id = deploymentId?.();
      if (id === undefined) { return undefined; }
      // The deployment id (at most 16 characters) tells replacements apart.
      const maxLength = (options.maxLength ?? 63) - 17;
      return `${SageMakerName.derive(scope, { ...options, maxLength, config })}-${id}`;
    },
  }));
}

/** Whether the resolved form of `config` contains a `Ref` to a CloudFormation parameter of the stack. */
function refersToParameter(scope: IConstruct, config: any): boolean {
  const stack = Stack.of(scope);
  const parameterIds = new Set(stack.node.findAll()
    .filter((c): c is CfnParameter => c instanceof CfnParameter)
    .map((p) => stack.resolve(p.logicalId)));
  if (parameterIds.size === 0) { return false; }
  const walk = (v: any): boolean => {
    if (v === null || typeof v !== 'object') { return false; }
    if (Array.isArray(v)) { return v.some(walk); }
    if (typeof v.Ref === 'string' && parameterIds.has(v.Ref)) { return true; }
    return Object.values(v).some(walk);
  };
  return walk(stack.resolve(config));
}

/**
 * The readable start of the derived names of an endpoint's resources: the endpoint name (up to 40
 * characters; a token, such as a stage parameter, counts as 16) and the kind of resource.
 */
export function namePrefix(endpointName: string, kind: string): string {
  const base = Token.isUnresolved(endpointName) ? endpointName : endpointName.slice(0, 40);
  return `${base}-${kind}`;
}
