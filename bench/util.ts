/* What the benchmarks share: a scratch output folder, a timer, the median, and the floor. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';

const scratch: string[] = [];
process.on('exit', () => {
  for (const dir of scratch) { fs.rmSync(dir, { recursive: true, force: true }); }
});

/** A new scratch folder for one synth's cloud assembly (removed when the benchmark ends). */
export function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-'));
  scratch.push(dir);
  return dir;
}

/** Wall time of `fn`, in milliseconds. */
export function timeMs(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The floor: synthesize an app with one empty stack. */
export function synthEmpty(): void {
  const app = new App({ outdir: tmp() });
  const stack = new Stack(app, 'Empty');
  Validations.of(stack).acknowledge({ id: 'CloudFormation-Validate::F0001', reason: 'The benchmark floor is an empty stack on purpose.' });
  app.synth();
}
