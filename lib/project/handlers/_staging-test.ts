/**
 * The staging test itself: invoke an endpoint with the project's sample payloads and judge each
 * response (status, an expectation per sample) and the latency percentile. Pure logic apart from
 * the `invoke` function it is given, so it is tested without any SDK.
 */

/** What a sample's response must be. */
export interface Expectation {
  /** The HTTP status (200 unless given). */
  readonly status?: number;
  /** The response body, exactly (after trimming whitespace at both ends). */
  readonly exact?: string;
  /** A number within a tolerance: the body as a number, or the value at `path` of a JSON body. */
  readonly numeric?: { readonly value: number; readonly tolerance?: number; readonly path?: string };
  /** A regular expression the body must match. */
  readonly regex?: string;
  /** A JSON shape the body must have: type names (`number`, `string`, `boolean`, `object`, `array`, `null`, `any`) at each key. */
  readonly jsonShape?: unknown;
  /** The content type of this sample (default: the test's). */
  readonly contentType?: string;
}

/** One sample payload. */
export interface Sample {
  readonly name: string;
  readonly body: Buffer;
  readonly expectation: Expectation;
}

/** The answer of one invocation. */
export interface Invocation {
  readonly status: number;
  readonly body: string;
  readonly latencyMs: number;
  readonly error?: string;
}

/** Options of a test run. */
export interface TestOptions {
  readonly contentType: string;
  readonly accept: string;
  readonly invocationsPerSample: number;
  readonly latencyPercentile: number;
  readonly latencyThresholdMs: number;
  /** Stop invoking at this time (epoch ms), so the action always answers before the function times out. */
  readonly deadline: number;
}

/** The result of one sample. */
export interface SampleResult {
  readonly name: string;
  readonly passed: boolean;
  readonly problems: string[];
  readonly statuses: number[];
  readonly latenciesMs: number[];
  readonly firstResponse: string;
}

/** The test report (written to S3 and linked from the manual approval). */
export interface TestReport {
  readonly passed: boolean;
  readonly summary: string;
  readonly samples: SampleResult[];
  readonly latency: { readonly percentile: number; readonly valueMs?: number; readonly thresholdMs: number;
    readonly p50Ms?: number; readonly p90Ms?: number; readonly p99Ms?: number; readonly maxMs?: number };
  readonly invocations: number;
  readonly timedOut: boolean;
}

const SHAPE_TYPES = new Set(['number', 'string', 'boolean', 'object', 'array', 'null', 'any']);

/** The samples of a samples folder: every file but `expectations.json`, which maps file names to expectations. */
export function samplesFrom(files: Map<string, Buffer>): Sample[] {
  const raw = files.get('expectations.json');
  let expectations: { [name: string]: Expectation } = {};
  if (raw) {
    const parsed = JSON.parse(raw.toString('utf-8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('expectations.json must be an object that maps sample file names to expectations');
    }
    expectations = parsed;
  }
  const names = [...files.keys()].filter((n) => n !== 'expectations.json').sort();
  for (const name of Object.keys(expectations)) {
    if (!files.has(name)) { throw new Error(`expectations.json names ${name}, which is not a file of the samples folder`); }
  }
  if (names.length === 0) { throw new Error('The samples folder holds no sample payload'); }
  return names.map((name) => ({ name, body: files.get(name)!, expectation: checkExpectation(name, expectations[name] ?? {}) }));
}

function checkExpectation(name: string, e: Expectation): Expectation {
  if (e.numeric !== undefined && (typeof e.numeric.value !== 'number' || !Number.isFinite(e.numeric.value))) {
    throw new Error(`The expectation of ${name}: numeric.value must be a finite number`);
  }
  if (e.regex !== undefined) {
    try { new RegExp(e.regex); } catch { throw new Error(`The expectation of ${name}: regex is not a valid regular expression`); }
  }
  return e;
}

/** Run the test. `invoke` sends one payload and reports what came back (never throws). */
export async function runTest(samples: Sample[], options: TestOptions,
  invoke: (body: Buffer, contentType: string, accept: string) => Promise<Invocation>): Promise<TestReport> {
  const results: SampleResult[] = [];
  const latencies: number[] = [];
  let timedOut = false;
  let invocations = 0;
  for (const sample of samples) {
    const statuses: number[] = [];
    const sampleLatencies: number[] = [];
    const problems: string[] = [];
    let first: Invocation | undefined;
    for (let i = 0; i < options.invocationsPerSample; i++) {
      if (Date.now() >= options.deadline) { timedOut = true; break; }
      const answer = await invoke(sample.body, sample.expectation.contentType ?? options.contentType, options.accept);
      invocations++;
      first = first ?? answer;
      statuses.push(answer.status);
      if (answer.status >= 200 && answer.status < 300) {
        sampleLatencies.push(answer.latencyMs);
        latencies.push(answer.latencyMs);
      }
      const wrong = judge(sample.expectation, answer);
      if (wrong && !problems.includes(wrong)) { problems.push(wrong); }
    }
    if (!first) { problems.push('not invoked: the test ran out of time'); }
    results.push({
      name: sample.name, passed: problems.length === 0, problems, statuses, latenciesMs: sampleLatencies,
      firstResponse: (first?.body ?? first?.error ?? '').slice(0, 1000),
    });
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const value = percentile(sorted, options.latencyPercentile);
  const latencyOk = value === undefined || value <= options.latencyThresholdMs;
  const failed = results.filter((r) => !r.passed);
  const passed = failed.length === 0 && latencyOk && !timedOut;
  const parts: string[] = [];
  parts.push(`${results.length - failed.length} of ${results.length} samples passed`);
  if (value !== undefined) {
    parts.push(`p${options.latencyPercentile} latency ${Math.round(value)} ms (threshold ${options.latencyThresholdMs} ms)`);
  }
  if (timedOut) { parts.push('the test ran out of time before every invocation'); }
  for (const f of failed.slice(0, 5)) { parts.push(`${f.name}: ${f.problems.join('; ')}`); }
  if (!latencyOk) { parts.push(`latency above the threshold`); }
  return {
    passed,
    summary: `${passed ? 'PASSED' : 'FAILED'}: ${parts.join('. ')}`,
    samples: results,
    latency: {
      percentile: options.latencyPercentile, valueMs: value, thresholdMs: options.latencyThresholdMs,
      p50Ms: percentile(sorted, 50), p90Ms: percentile(sorted, 90), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1],
    },
    invocations,
    timedOut,
  };
}

/** Why an answer does not meet the expectation, or undefined. */
export function judge(e: Expectation, answer: Invocation): string | undefined {
  const status = e.status ?? 200;
  if (answer.status !== status) {
    return `status ${answer.status}${answer.error ? ` (${answer.error.slice(0, 200)})` : ''}, expected ${status}`;
  }
  if (answer.status < 200 || answer.status >= 300) { return undefined; }
  const body = answer.body.trim();
  if (e.exact !== undefined && body !== e.exact.trim()) {
    return `response ${JSON.stringify(body.slice(0, 100))} is not ${JSON.stringify(e.exact.slice(0, 100))}`;
  }
  if (e.regex !== undefined && !new RegExp(e.regex).test(body)) {
    return `response ${JSON.stringify(body.slice(0, 100))} does not match /${e.regex}/`;
  }
  if (e.numeric !== undefined) {
    const got = numberIn(body, e.numeric.path);
    const tolerance = e.numeric.tolerance ?? 0;
    if (got === undefined) { return `response ${JSON.stringify(body.slice(0, 100))} holds no number${e.numeric.path ? ` at ${e.numeric.path}` : ''}`; }
    if (Math.abs(got - e.numeric.value) > tolerance) { return `response ${got} is not within ${tolerance} of ${e.numeric.value}`; }
  }
  if (e.jsonShape !== undefined) {
    let parsed: unknown;
    try { parsed = JSON.parse(body); } catch { return 'response is not JSON'; }
    const wrong = shapeProblem(e.jsonShape, parsed, '$');
    if (wrong) { return wrong; }
  }
  return undefined;
}

function numberIn(body: string, path?: string): number | undefined {
  let value: unknown = body;
  if (path !== undefined) {
    try { value = JSON.parse(body); } catch { return undefined; }
    for (const part of path.split('.').filter((p) => p.length > 0)) {
      if (value === null || typeof value !== 'object') { return undefined; }
      value = (value as any)[/^\d+$/.test(part) && Array.isArray(value) ? Number(part) : part];
    }
  } else {
    // A CSV or plain-text answer: the first field of the first line.
    value = body.split(/\r?\n/)[0].split(',')[0];
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function typeOf(v: unknown): string {
  if (v === null) { return 'null'; }
  if (Array.isArray(v)) { return 'array'; }
  return typeof v;
}

/** Why `value` does not have `shape`, or undefined. */
export function shapeProblem(shape: unknown, value: unknown, where: string): string | undefined {
  if (typeof shape === 'string') {
    if (!SHAPE_TYPES.has(shape)) { return `the shape at ${where} names an unknown type "${shape}"`; }
    return shape === 'any' || typeOf(value) === shape ? undefined : `${where} is ${typeOf(value)}, expected ${shape}`;
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) { return `${where} is ${typeOf(value)}, expected array`; }
    if (shape.length === 0) { return undefined; }
    for (let i = 0; i < value.length; i++) {
      const wrong = shapeProblem(shape[0], value[i], `${where}[${i}]`);
      if (wrong) { return wrong; }
    }
    return undefined;
  }
  if (shape && typeof shape === 'object') {
    if (typeOf(value) !== 'object') { return `${where} is ${typeOf(value)}, expected object`; }
    for (const [k, sub] of Object.entries(shape)) {
      if (!(k in (value as object))) { return `${where}.${k} is missing`; }
      const wrong = shapeProblem(sub, (value as any)[k], `${where}.${k}`);
      if (wrong) { return wrong; }
    }
    return undefined;
  }
  return `the shape at ${where} must be a type name, an object or an array`;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) { return undefined; }
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
