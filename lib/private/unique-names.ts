import { Stack, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { PropChecks } from './errors';

/**
 * A physical name a construct gives a resource whose names are unique per account and region (a
 * model package group, an endpoint, a feature group). The marker is a child of the construct;
 * at synth every construct with one looks for another marker of the same kind and name in the
 * same account and region of the app, and reports the clash (CloudFormation would fail on the
 * second stack, after the first one was deployed).
 */
class PhysicalName extends Construct {
  constructor(scope: IConstruct, id: string, public readonly kind: string, public readonly physicalName: string) {
    super(scope, id);
  }

  /** The account and region this name is unique in ("?" when unknown at synth). */
  public get where(): string {
    const stack = Stack.of(this);
    const part = (v: string) => (Token.isUnresolved(v) ? '?' : v);
    return `${part(stack.account)}/${part(stack.region)}`;
  }
}

/**
 * Record `name` (a literal physical name of kind `kind`, given as `prop`) on `scope`, and refuse at
 * synth another construct of the app that gives the same kind the same name in the same account and
 * region. Tokens are not compared.
 */
export function registerPhysicalName(scope: Construct, kind: string, prop: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) { return; }
  const marker = new PhysicalName(scope, `PhysicalName${kind.replace(/[^A-Za-z0-9]/g, '')}`, kind, name);
  PropChecks.defer(scope, () => {
    const others = scope.node.root.node.findAll().filter((c): c is PhysicalName =>
      c instanceof PhysicalName && c !== marker && c.kind === kind && c.physicalName.toLowerCase() === name.toLowerCase() && c.where === marker.where);
    return others.length === 0 ? [] : [{
      prop, value: name,
      rule: `Another ${kind} of this app has the same name in the same account and region (${others.map((o) => o.node.scope!.node.path).join(', ')}): ` +
        `${kind} names are unique per account and region, so the second deployment would fail. Give one of them another name`,
    }];
  });
}
