/*
 * Render and synth time of TrainingPipeline definitions of 10, 50 and 200 steps.
 *
 *   npx ts-node -P tsconfig.dev.json --prefer-ts-exts bench/pipeline-render.ts
 *
 * Each pipeline is a chain: every step is a processing job that reads the previous step's output
 * (a property reference), every tenth step is followed by a condition on a parameter, so the graph
 * checks (references, cycles, parameters, types) all run. "render" is PipelineDefinition.render plus
 * resolving it in the stack; "synth" is the whole app synthesis (roles, statements, the template).
 * Prints a markdown table (median of the repetitions) and the growth of the time per step.
 */
import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import {
  Condition, ConditionStep, FailStep, PipelineParameter, ProcessingStep, Step, TrainingPipeline,
} from '../lib/training-pipeline';
import { ContainerImage } from '../lib/core';
import { median } from './util';

const SIZES = [10, 50, 200];
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 7);

function buildSteps(n: number, threshold: PipelineParameter): Step[] {
  const image = ContainerImage.fromImageUri('111122223333.dkr.ecr.us-east-1.amazonaws.com/bench:1');
  const steps: Step[] = [];
  let previous: ProcessingStep | undefined;
  while (steps.length < n) {
    const i = steps.length;
    const step: ProcessingStep = new ProcessingStep(`Step${i}`, {
      image,
      code: { s3Uri: `s3://bench-code/step${i}.py` },
      inputs: [{
        inputName: 'in',
        source: previous ? previous.properties.outputUri('out').asString : 's3://bench-data/in/',
        destination: '/opt/ml/processing/input',
      }],
      outputs: [{ outputName: 'out', source: '/opt/ml/processing/output' }],
    });
    steps.push(step);
    previous = step;
    if (steps.length % 10 === 9 && steps.length < n) {
      steps.push(new ConditionStep(`Gate${i}`, {
        conditions: [Condition.greaterThan(threshold, i)],
        elseSteps: [new FailStep(`Stop${i}`, { errorMessage: `stopped at ${i}` })],
        dependsOn: [step],
      }));
    }
  }
  return steps;
}

function pipelineIn(app: App, n: number): { stack: Stack; pipeline: TrainingPipeline } {
  const stack = new Stack(app, `Bench${n}`);
  const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: `bench-${n}` });
  const threshold = PipelineParameter.integer('Threshold', { defaultValue: 1 });
  pipeline.addParameter(threshold);
  pipeline.addStep(...buildSteps(n, threshold));
  return { stack, pipeline };
}

function measure(n: number): { render: number; synth: number; bytes: number; steps: number } {
  const renders: number[] = [];
  const synths: number[] = [];
  let bytes = 0;
  let steps = 0;
  for (let r = 0; r < REPETITIONS + 1; r++) {
    const app = new App();
    const { stack, pipeline } = pipelineIn(app, n);
    const t0 = performance.now();
    const rendered = stack.resolve(pipeline.definition.render(stack, {
      defaultRole: pipeline.jobRole, encryptionKey: pipeline.encryptionKey, defaultBucket: pipeline.artifactBucket,
    }));
    const t1 = performance.now();

    const synthApp = new App();
    const fresh = pipelineIn(synthApp, n);
    const t2 = performance.now();
    synthApp.synth();
    const t3 = performance.now();
    if (r === 0) { continue; } // warm-up
    renders.push(t1 - t0);
    synths.push(t3 - t2);
    bytes = JSON.stringify(rendered).length;
    steps = fresh.pipeline.definition.stepCount;
  }
  return { render: median(renders), synth: median(synths), bytes, steps };
}

// A warm-up round over every size, so that JIT compilation is not counted in the smallest size.
SIZES.forEach((n) => { const app = new App(); pipelineIn(app, n); app.synth(); });
const rows = SIZES.map((n) => ({ n, ...measure(n) }));
const base = rows[0];
console.log(`TrainingPipeline render and synth time (median of ${REPETITIONS}, node ${process.version})\n`);
console.log('| steps (incl. conditions and fail steps) | definition size | render (ms) | render per step (ms) | synth (ms) | synth per step (ms) |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.n} (${r.steps}) | ${(r.bytes / 1024).toFixed(1)} KiB | ${r.render.toFixed(1)} | ${(r.render / r.steps).toFixed(3)} | ${r.synth.toFixed(1)} | ${(r.synth / r.steps).toFixed(3)} |`);
}
console.log('\nMarginal cost of an added step (the fixed cost of the stack, roles, key and bucket removed):\n');
console.log('| from -> to | render (ms per added step) | synth (ms per added step) |');
console.log('|---|---:|---:|');
for (let i = 1; i < rows.length; i++) {
  const a = rows[i - 1];
  const b = rows[i];
  const d = b.steps - a.steps;
  console.log(`| ${a.steps} -> ${b.steps} | ${((b.render - a.render) / d).toFixed(3)} | ${((b.synth - a.synth) / d).toFixed(3)} |`);
}
const last = rows[rows.length - 1];
const renderGrowth = (last.render / last.steps) / (base.render / base.steps);
const synthGrowth = (last.synth / last.steps) / (base.synth / base.steps);
console.log(`\nGrowth of the time per step from ${base.steps} to ${last.steps} steps: render x${renderGrowth.toFixed(2)}, synth x${synthGrowth.toFixed(2)} ` +
  '(1.0 is linear; a quadratic cost would give about x' + (last.steps / base.steps).toFixed(0) + ').');
