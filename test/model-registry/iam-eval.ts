/*
 * A small IAM policy evaluator for tests: explicit Deny > Allow > implicit deny, over the identity
 * policies a role has in a synthesized template. It knows the parts of the policy language the
 * library writes (Action / Resource with `*` and `?`, and the condition operators below); anything
 * else makes it throw rather than guess.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** The outcome of a request. */
export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** One request: the action, the resource ARN and the request's condition keys. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: { [key: string]: string };
}

/** Resolve the intrinsics the library puts in ARNs (the partition becomes `aws`). */
export function resolveArn(value: unknown): string {
  if (typeof value === 'string') { return value; }
  if (value && typeof value === 'object') {
    const v = value as Record<string, any>;
    if ('Fn::Join' in v) { return (v['Fn::Join'][1] as unknown[]).map(resolveArn).join(v['Fn::Join'][0]); }
    if ('Ref' in v) { return v.Ref === 'AWS::Partition' ? 'aws' : `\${${v.Ref}}`; }
    if ('Fn::GetAtt' in v) { return `\${${v['Fn::GetAtt'].join('.')}}`; }
  }
  throw new Error(`Cannot resolve ${JSON.stringify(value)}`);
}

function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('')}$`,
    ignoreCase ? 'i' : '');
  return re.test(value);
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

function conditionHolds(condition: Record<string, Record<string, unknown>> | undefined, context: { [key: string]: string }): boolean {
  if (!condition) { return true; }
  return Object.entries(condition).every(([operator, keys]) => Object.entries(keys).every(([key, expected]) => {
    const actual = context[key];
    const values = list(expected).map(resolveArn);
    switch (operator) {
      case 'StringEquals': case 'ArnEquals': return actual !== undefined && values.includes(actual);
      case 'StringEqualsIgnoreCase': return actual !== undefined && values.some((v) => v.toLowerCase() === actual.toLowerCase());
      case 'StringNotEquals': return actual === undefined || !values.includes(actual);
      case 'StringLike': case 'ArnLike': return actual !== undefined && values.some((v) => glob(v, actual, false));
      default: throw new Error(`The test evaluator does not know the condition operator ${operator}`);
    }
  }));
}

function matches(statement: any, request: IamRequest): boolean {
  if (statement.NotAction || statement.NotResource || statement.Principal) {
    throw new Error('The test evaluator handles identity-policy statements with Action and Resource only');
  }
  const actionOk = list(statement.Action).some((a) => glob(String(a), request.action, true));
  const resourceOk = list(statement.Resource).some((r) => glob(resolveArn(r), request.resource, false));
  return actionOk && resourceOk && conditionHolds(statement.Condition, request.context ?? {});
}

/** Evaluate `request` against identity-policy statements. */
export function evaluate(statements: any[], request: IamRequest): Decision {
  const hits = statements.filter((s) => matches(s, request));
  if (hits.some((s) => s.Effect === 'Deny')) { return 'ExplicitDeny'; }
  return hits.some((s) => s.Effect === 'Allow') ? 'Allow' : 'ImplicitDeny';
}

/** Every statement of the inline and customer managed policies attached to `role` in `template`. */
export function statementsOfRole(template: { Resources: Record<string, any> }, stack: Stack, role: iam.IRole): any[] {
  const id = stack.getLogicalId((role.node.defaultChild as iam.CfnRole));
  const attached = (r: any) => (r.Properties.Roles ?? []).some((x: any) => x.Ref === id);
  return Object.values(template.Resources)
    .filter((r: any) => (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') && attached(r))
    .flatMap((r: any) => r.Properties.PolicyDocument.Statement);
}
