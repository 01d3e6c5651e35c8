/*
 * npm run bench: synth time of the example app against the floor (an app with one empty stack),
 * measured in one run on the same machine, plus the size of the prebuilt Lambda handler bundles.
 *
 * Both apps are synthesized in this one process, alternately, after a warm-up of each, so module
 * loading and JIT warm-up are not counted and both see the same machine state. The compliance
 * plugins (4 cdk-nag packs + Guard) are timed separately, since a user may or may not register them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { compliancePlugins } from '../examples/compliance';
import { addAllExamples, EXAMPLES } from '../examples/index';
import { median, synthEmpty, timeMs, tmp } from './util';

const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 5);

function synthExamples(withPlugins: boolean): void {
  const app = new App({ outdir: tmp() });
  if (withPlugins) { Validations.of(app).addPlugins(...compliancePlugins(app)); }
  addAllExamples(app);
  app.synth();
}

function main(): void {
  synthEmpty();
  synthExamples(false);
  synthExamples(true);
  const empty: number[] = [];
  const examples: number[] = [];
  const checked: number[] = [];
  for (let i = 0; i < REPETITIONS; i++) {
    empty.push(timeMs(synthEmpty));
    examples.push(timeMs(() => synthExamples(false)));
    checked.push(timeMs(() => synthExamples(true)));
  }
  const floor = median(empty);
  const ex = median(examples);
  const withChecks = median(checked);

  const assets = path.join(__dirname, '..', 'assets', 'handlers');
  const bundles = fs.existsSync(assets)
    ? fs.readdirSync(assets).filter((name) => fs.statSync(path.join(assets, name)).isDirectory()).map((name) => ({ name, kib: fs.statSync(path.join(assets, name, 'index.js')).size / 1024 }))
    : [];

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`# cdk-sagemaker-mlops benchmark (${new Date().toISOString().slice(0, 10)})`);
  console.log(`machine: ${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${os.platform()} ${os.arch()}`);
  console.log(`examples: ${EXAMPLES.map((e) => e.name).join(', ')}; repetitions: ${REPETITIONS} (median)`);
  console.log('');
  console.log('| app | synth time (ms, median) | ratio to floor |');
  console.log('|---|---:|---:|');
  console.log(`| one empty stack (floor) | ${floor.toFixed(0)} | 1.0 |`);
  console.log(`| example app | ${ex.toFixed(0)} | ${(ex / floor).toFixed(1)} |`);
  console.log(`| example app + 4 cdk-nag packs + Guard | ${withChecks.toFixed(0)} | ${(withChecks / floor).toFixed(1)} |`);
  console.log('');
  if (bundles.length) {
    console.log('| handler bundle | size (KiB) |');
    console.log('|---|---:|');
    for (const b of bundles) { console.log(`| ${b.name} | ${b.kib.toFixed(0)} |`); }
    console.log('');
  }
  console.log(`ratio (example app / floor): ${(ex / floor).toFixed(1)}`);
}

main();
