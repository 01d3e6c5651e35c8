import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/*
 * Per-resource, per-finding acknowledgments of cdk-nag's AwsSolutions-IAM5 (wildcard) findings.
 *
 * cdk-nag names a wildcard resource in the finding id the way it renders the resolved value:
 * `Fn::GetAtt [X, Arn]` as `<X.Arn>`, `Ref X` as `<X>`, `Fn::Join` by joining the parts. The ids
 * are exact, so an acknowledgment covers one resource pattern on one role and nothing else.
 */

/** Render a resolved CloudFormation value the way cdk-nag names it in finding ids. */
export function renderForNag(v: unknown): string {
  if (typeof v === 'string') { return v; }
  if (v && typeof v === 'object') {
    const o = v as any;
    if (typeof o.Ref === 'string') { return `<${o.Ref}>`; }
    if (Array.isArray(o['Fn::GetAtt'])) { return `<${o['Fn::GetAtt'].join('.')}>`; }
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, parts] = o['Fn::Join'];
      return (parts as unknown[]).map(renderForNag).join(sep);
    }
  }
  return JSON.stringify(v);
}

/** The AwsSolutions-IAM5 finding ids of the wildcard resources among `resources` (resolved in `stack`). */
export function wildcardResourceIds(stack: Stack, resources: unknown[]): string[] {
  const ids = new Set<string>();
  for (const r of resources) {
    const resolved = stack.resolve(r);
    for (const one of Array.isArray(resolved) ? resolved : [resolved]) {
      const rendered = renderForNag(one);
      // `Resource::*` is never acknowledged here: its one finding id covers any action, so a
      // ManagedPolicyRole keeps such statements in a policy of their own (see UNSCOPED_ACTIONS).
      if (rendered.includes('*') && rendered !== '*') { ids.add(`AwsSolutions-IAM5[Resource::${rendered}]`); }
    }
  }
  return [...ids];
}

/**
 * Acknowledge, on `target` only, the AwsSolutions-IAM5 findings of the wildcard resources in
 * `statements`. Logical ids are final only at synth, so the ids are worked out then.
 */
export function acknowledgeWildcardResources(target: IConstruct, statements: iam.PolicyStatement[], reason: string): void {
  target.node.addValidation({
    validate: () => {
      const stack = Stack.of(target);
      const resources = statements.flatMap((s) => {
        const r = stack.resolve(s.toStatementJson()).Resource;
        return r === undefined ? [] : Array.isArray(r) ? r : [r];
      });
      const ids = wildcardResourceIds(stack, resources);
      if (ids.length > 0) {
        Validations.of(target).acknowledge(...ids.map((id) => ({ id, reason })));
      }
      return [];
    },
  });
}
