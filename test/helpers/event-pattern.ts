/**
 * An EventBridge event-pattern matcher, good enough for the patterns this library writes, so rules
 * can be checked offline against the real sample events in test/fixtures/events.
 *
 * Supported (as documented in the EventBridge user guide, "Content filtering in Amazon EventBridge
 * event patterns"): exact string, number, boolean and null values; `prefix`; `suffix`;
 * `equals-ignore-case`; `anything-but` (a value, a list, or `{ prefix }` / `{ suffix }`); `exists`;
 * `numeric` ranges; `$or`. An event field that is an array matches when any element matches.
 * Anything else throws, so a pattern we cannot check is never reported as a match.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function matchesEventPattern(pattern: object, event: object): boolean {
  return matchObject(pattern as { [key: string]: Json }, event as Json);
}

function matchObject(pattern: { [key: string]: Json }, value: Json | undefined): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(sub)) { throw new Error('$or takes a list of patterns'); }
      const ok = sub.some((alt) => matchObject(alt as { [key: string]: Json }, value));
      if (!ok) { return false; }
      continue;
    }
    const field = isObject(value) ? value[key] : undefined;
    if (Array.isArray(sub)) {
      if (!matchField(sub, field)) { return false; }
    } else if (isObject(sub)) {
      if (!isObject(field) && field !== undefined) { return false; }
      if (!matchObject(sub, field)) { return false; }
    } else {
      throw new Error(`Pattern field "${key}" must be a list of values or a nested object, got ${JSON.stringify(sub)}`);
    }
  }
  return true;
}

/** A field matches when any of its matchers matches (any element, when the event field is an array). */
function matchField(matchers: Json[], field: Json | undefined): boolean {
  // `exists: false` is about the field as a whole.
  for (const m of matchers) {
    if (isObject(m) && 'exists' in m) {
      const exists = field !== undefined;
      if (m.exists === exists) { return true; }
    }
  }
  const values: (Json | undefined)[] = Array.isArray(field) ? field : [field];
  return matchers.some((m) => !(isObject(m) && 'exists' in m) && values.some((v) => matchValue(m, v)));
}

function matchValue(matcher: Json, value: Json | undefined): boolean {
  if (value === undefined) { return false; }
  if (!isObject(matcher)) {
    return matcher === value;
  }
  const keys = Object.keys(matcher);
  if (keys.length !== 1) { throw new Error(`A content filter has exactly one key, got ${JSON.stringify(matcher)}`); }
  const [op] = keys;
  const arg = matcher[op];
  switch (op) {
    case 'prefix':
      return typeof value === 'string' && matchPrefixOrSuffix(arg, value, 'prefix');
    case 'suffix':
      return typeof value === 'string' && matchPrefixOrSuffix(arg, value, 'suffix');
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof arg === 'string' && value.toLowerCase() === arg.toLowerCase();
    case 'anything-but':
      return matchAnythingBut(arg, value);
    case 'numeric':
      return typeof value === 'number' && matchNumeric(arg, value);
    default:
      throw new Error(`Unsupported content filter "${op}" in ${JSON.stringify(matcher)}`);
  }
}

function matchPrefixOrSuffix(arg: Json, value: string, kind: 'prefix' | 'suffix'): boolean {
  if (typeof arg === 'string') {
    return kind === 'prefix' ? value.startsWith(arg) : value.endsWith(arg);
  }
  if (isObject(arg) && typeof arg['equals-ignore-case'] === 'string') {
    const a = (arg['equals-ignore-case'] as string).toLowerCase();
    return kind === 'prefix' ? value.toLowerCase().startsWith(a) : value.toLowerCase().endsWith(a);
  }
  throw new Error(`Unsupported ${kind} argument ${JSON.stringify(arg)}`);
}

function matchAnythingBut(arg: Json, value: Json): boolean {
  if (Array.isArray(arg)) { return !arg.includes(value); }
  if (isObject(arg)) {
    if (typeof arg.prefix === 'string') { return typeof value === 'string' && !value.startsWith(arg.prefix); }
    if (typeof arg.suffix === 'string') { return typeof value === 'string' && !value.endsWith(arg.suffix); }
    throw new Error(`Unsupported anything-but argument ${JSON.stringify(arg)}`);
  }
  return arg !== value;
}

function matchNumeric(arg: Json, value: number): boolean {
  if (!Array.isArray(arg) || arg.length % 2 !== 0) { throw new Error(`numeric takes operator/value pairs, got ${JSON.stringify(arg)}`); }
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const bound = arg[i + 1];
    if (typeof bound !== 'number') { throw new Error(`numeric bound must be a number, got ${JSON.stringify(bound)}`); }
    const ok = op === '=' ? value === bound
      : op === '<' ? value < bound
        : op === '<=' ? value <= bound
          : op === '>' ? value > bound
            : op === '>=' ? value >= bound
              : (() => { throw new Error(`Unsupported numeric operator ${JSON.stringify(op)}`); })();
    if (!ok) { return false; }
  }
  return true;
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
