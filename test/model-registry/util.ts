import { Json } from '../helpers/event-pattern';

/**
 * Replace every CloudFormation intrinsic (`{"Ref": ...}`, `{"Fn::...": ...}`) in a rendered event
 * pattern with `literal`: what CloudFormation would put there at deploy time for the group the
 * sample event is about.
 */
export function resolveIntrinsics(value: Json, literal: string): Json {
  if (Array.isArray(value)) { return value.map((v) => resolveIntrinsics(v, literal)); }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) { return literal; }
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) { out[k] = resolveIntrinsics(v, literal); }
    return out;
  }
  return value;
}

/** The EventPattern of the rule with this description substring, from a template JSON. */
export function patternOfRule(template: any, logicalIdStart: string): { [key: string]: Json } {
  const entries = Object.entries(template.Resources as Record<string, any>)
    .filter(([id, r]) => r.Type === 'AWS::Events::Rule' && id.startsWith(logicalIdStart));
  if (entries.length !== 1) {
    throw new Error(`Expected one rule whose logical ID starts with ${logicalIdStart}, found ${entries.map(([id]) => id).join(', ') || 'none'}`);
  }
  return entries[0][1].Properties.EventPattern;
}
