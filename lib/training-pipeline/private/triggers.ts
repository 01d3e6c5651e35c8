import { Token } from 'aws-cdk-lib';

/*
 * The rules of a pipeline's triggers that need no construct: EventBridge's schedule expressions,
 * and whether a new-data trigger watches keys the pipeline writes itself.
 */

/** One field of an EventBridge cron expression. */
interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: string[];
  /** Extra forms: `?`, `L`, `W`, `#`. */
  readonly question?: boolean;
  readonly last?: boolean;
  readonly weekday?: boolean;
  readonly nth?: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * The six fields of an EventBridge rule's cron expression
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).
 */
const CRON_FIELDS: CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true, last: true, weekday: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, question: true, last: true, nth: true },
  { name: 'year', min: 1970, max: 2199 },
];

/** What is wrong with one value of a field (a number or a name), or undefined. */
function valueProblem(f: CronField, v: string): string | undefined {
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    return n >= f.min && n <= f.max ? undefined : `${f.name} "${v}" is out of range: it must be from ${f.min} to ${f.max}`;
  }
  if (f.names && f.names.includes(v.toUpperCase())) { return undefined; }
  return `${f.name} "${v}" is not a value: it must be a number from ${f.min} to ${f.max}${f.names ? ` or one of ${f.names.join(', ')}` : ''}`;
}

/** What is wrong with one comma-separated item of a field, or undefined. */
function itemProblem(f: CronField, item: string): string | undefined {
  const [base, step, ...more] = item.split('/');
  if (more.length > 0 || base === '') { return `${f.name} "${item}" is not a valid item`; }
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= f.max)) {
    return `${f.name} "${item}" has an increment that is not a whole number from 1 to ${f.max}`;
  }
  if (base === '*') { return undefined; }
  if (step === undefined && f.last && base === 'L') { return undefined; }
  if (step === undefined && f.weekday && /^(\d+W|LW)$/.test(base)) { return base === 'LW' ? undefined : valueProblem(f, base.slice(0, -1)); }
  if (step === undefined && f.last && f.nth && /^[^L]+L$/.test(base)) { return valueProblem(f, base.slice(0, -1)); }
  if (step === undefined && f.nth && base.includes('#')) {
    const [day, n] = base.split('#');
    if (!/^[1-5]$/.test(n ?? '')) { return `${f.name} "${item}": the number after # must be from 1 to 5`; }
    return valueProblem(f, day);
  }
  const range = base.split('-');
  if (range.length > 2) { return `${f.name} "${item}" is not a valid range`; }
  for (const v of range) {
    const p = valueProblem(f, v);
    if (p) { return p; }
  }
  return undefined;
}

/** What is wrong with the fields of `cron(...)`, or undefined. */
function cronProblem(body: string): string | undefined {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    return `An EventBridge cron expression has six fields (minutes hours day-of-month month day-of-week year), ` +
      `this one has ${fields.length}; for example cron(0 2 * * ? *) runs every day at 02:00 UTC`;
  }
  for (let i = 0; i < 6; i++) {
    const f = CRON_FIELDS[i];
    const value = fields[i];
    if (value === '?') {
      if (!f.question) { return `${f.name} cannot be "?" (only day-of-month and day-of-week can)`; }
      continue;
    }
    for (const item of value.split(',')) {
      const p = itemProblem(f, item);
      if (p) { return p; }
    }
  }
  if ((fields[2] === '?') === (fields[4] === '?')) {
    return 'Exactly one of day-of-month and day-of-week must be "?" (EventBridge takes one of the two)';
  }
  return undefined;
}

/** What is wrong with the fields of `rate(...)`, or undefined. */
function rateProblem(body: string): string | undefined {
  const m = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
  if (!m) { return 'A rate expression is rate(<value> <unit>) with a whole number and minute(s), hour(s) or day(s), such as rate(12 hours)'; }
  const n = Number(m[1]);
  if (n < 1) { return 'The value of a rate must be at least 1'; }
  const singular = !m[2].endsWith('s');
  if ((n === 1) !== singular) { return `EventBridge wants the unit "${n === 1 ? m[2].replace(/s$/, '') : `${m[2]}s`}" for a value of ${n}`; }
  return undefined;
}

/** What is wrong with a schedule expression of an EventBridge rule, or undefined (tokens are not checked). */
export function scheduleProblem(expression: string): string | undefined {
  if (Token.isUnresolved(expression)) { return undefined; }
  const m = /^(cron|rate)\((.*)\)$/.exec(expression.trim());
  if (!m) { return 'An EventBridge rule takes a schedule expression cron(...) or rate(...)'; }
  return m[1] === 'cron' ? cronProblem(m[2]) : rateProblem(m[2]);
}

/** Where a pipeline writes: a bucket (its name) and a key prefix under it. */
export interface OutputLocation {
  /** The bucket's name (a literal or a token). */
  readonly bucketName: string;
  /** The key prefix, without the bucket (`''` for the whole bucket). */
  readonly prefix: string;
  /** What goes there, for messages. */
  readonly what: string;
}

/** The key prefix the objects under `prefix` have: `a/b` and `a/b/` both hold `a/b/...`; `''` is the whole bucket. */
function keySpace(prefix: string): string {
  const p = prefix.replace(/\/+$/, '');
  return p === '' ? '' : `${p}/`;
}

/**
 * The output the keys under `triggerPrefix` of the bucket named `bucketName` certainly share
 * keys with, or undefined. A token in the output's prefix hides what follows it: only a trigger
 * prefix that holds the literal part before the token counts then. A token trigger prefix is not
 * checked.
 */
export function overlappingOutput(bucketName: string, triggerPrefix: string | undefined, outputs: OutputLocation[]): OutputLocation | undefined {
  const watched = triggerPrefix ?? '';
  if (Token.isUnresolved(watched)) { return undefined; }
  for (const o of outputs) {
    if (o.bucketName !== bucketName) { continue; }
    const space = keySpace(o.prefix);
    const token = space.indexOf('${Token[');
    if (token >= 0) {
      if (space.slice(0, token).startsWith(watched)) { return o; }
      continue;
    }
    if (space.startsWith(watched) || watched.startsWith(space)) { return o; }
  }
  return undefined;
}

/** Split a `bucket/prefix` location (as the definition's analysis finds them) into an output location. */
export function locationOf(location: string, what: string): OutputLocation {
  const slash = location.indexOf('/');
  return slash < 0
    ? { bucketName: location, prefix: '', what }
    : { bucketName: location.slice(0, slash), prefix: location.slice(slash + 1), what };
}
