/*
 * npm run bench (part 3): MlopsProject.
 *
 * 1. Synth time in this process: an empty stack (the floor), one project, ten projects in one app.
 * 2. Synth time through the CLI as a consumer runs it: `cdk synth` of a compiled JavaScript app
 *    that imports the compiled library (lib/*.js from jsii), for the empty stack and one project.
 * 3. The always-on instance-hours per month of a deployed project for each staging option,
 *    computed from the synthesized templates (the stage settings the release handler gets).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { MetricComparison, MlopsProject, MlopsProjectProps, StagingMode } from '../lib';
import { median, synthEmpty, timeMs, tmp } from './util';
import { alwaysOnEndpoints, PRICES } from '../examples/costs';

const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 5);
const CLI_REPETITIONS = Number(process.env.BENCH_CLI_REPETITIONS ?? 3);
const ROOT = path.join(__dirname, '..');
const HOURS_PER_MONTH = PRICES.hoursPerMonth;

function projectProps(name: string, mode: StagingMode = StagingMode.EPHEMERAL): MlopsProjectProps {
  return {
    projectName: name,
    training: {
      inputDataUri: 's3://my-raw-data/churn/',
      preprocessingScript: { s3Uri: 's3://code-bucket/preprocess.py' },
      evaluationScript: { s3Uri: 's3://code-bucket/evaluate.py' },
      metricJsonPath: 'binary_classification_metrics.auc.value',
      metricThreshold: 0.75,
      metricComparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO,
    },
    staging: { mode },
    endpoint: mode === StagingMode.SERVERLESS ? { networkIsolation: false } : { dataQualityMonitor: true },
  };
}

function synthProjects(count: number): App {
  const app = new App({ outdir: tmp() });
  for (let i = 0; i < count; i++) {
    const stack = new Stack(app, `Project${i}`, { env: { account: '123456789012', region: 'eu-west-1' } });
    new MlopsProject(stack, 'Project', projectProps(`model-${i}`));
  }
  app.synth();
  return app;
}

interface CliTimes {
  readonly empty: number;
  readonly one: number;
  readonly ten: number;
}

/**
 * A consumer app in compiled JavaScript, run through the CLI: the empty stack, one project, ten
 * projects; with aws-cdk-lib's built-in template validation (the default) and without it
 * (`CDK_VALIDATION=false`), to tell this library's cost from the validator's, which grows with the
 * size of every template.
 */
function cliTimes(): { validated: CliTimes; unvalidated: CliTimes } | string {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) { return 'skipped: run `npx jsii` first (the CLI benchmark uses the compiled library)'; }
  const dir = tmp();
  const lib = JSON.stringify(path.join(ROOT, 'lib'));
  const cdkLib = JSON.stringify(path.join(ROOT, 'node_modules', 'aws-cdk-lib'));
  fs.writeFileSync(path.join(dir, 'empty.js'), `const { App, Stack, Validations } = require(${cdkLib});\n` +
    'const app = new App(); const s = new Stack(app, "Empty");\n' +
    'Validations.of(s).acknowledge({ id: "CloudFormation-Validate::F0001", reason: "empty on purpose" }); app.synth();\n');
  const projects = (count: number) => `const { App, Stack } = require(${cdkLib});\nconst { MlopsProject } = require(${lib});\n` +
    `const app = new App();\nfor (let i = 0; i < ${count}; i++) {\n` +
    '  const s = new Stack(app, `Churn${i}`, { env: { account: "123456789012", region: "eu-west-1" } });\n' +
    `  new MlopsProject(s, "Project", { ...${JSON.stringify(projectProps('churn'))}, projectName: \`churn-\${i}\` });\n}\napp.synth();\n`;
  fs.writeFileSync(path.join(dir, 'one.js'), projects(1));
  fs.writeFileSync(path.join(dir, 'ten.js'), projects(10));
  const cli = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const run = (file: string, validation: boolean) => timeMs(() => execFileSync(process.execPath, [cli, 'synth', '--quiet', '--app', `node ${path.join(dir, file)}`,
    '--output', path.join(dir, `out-${file}`), '--no-version-reporting', '--no-notices'], {
    cwd: dir, stdio: 'pipe',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', ...(validation ? {} : { CDK_VALIDATION: 'false' }) },
  }));
  const measure = (validation: boolean): CliTimes => {
    run('empty.js', validation);
    run('one.js', validation);
    const times: Record<string, number[]> = { empty: [], one: [], ten: [] };
    for (let i = 0; i < CLI_REPETITIONS; i++) {
      for (const k of ['empty', 'one', 'ten']) { times[k].push(run(`${k}.js`, validation)); }
    }
    return { empty: median(times.empty), one: median(times.one), ten: median(times.ten) };
  };
  return { validated: measure(true), unvalidated: measure(false) };
}

/** Always-on endpoint instance-hours per month of a deployed project, from its synthesized template. */
function alwaysOn(mode: StagingMode): { stage: string; what: string; hours: number }[] {
  const app = new App({ outdir: tmp() });
  const stack = new Stack(app, 'Churn', { env: { account: '123456789012', region: 'eu-west-1' } });
  new MlopsProject(stack, 'Project', projectProps('churn', mode));
  return alwaysOnEndpoints(app.synth().getStackByName('Churn').template);
}

function main(): void {
  synthEmpty();
  synthProjects(1);
  const empty: number[] = [];
  const one: number[] = [];
  const ten: number[] = [];
  for (let i = 0; i < REPETITIONS; i++) {
    empty.push(timeMs(synthEmpty));
    one.push(timeMs(() => synthProjects(1)));
    ten.push(timeMs(() => synthProjects(10)));
  }
  const floor = median(empty);
  const p1 = median(one);
  const p10 = median(ten);
  console.log('## MlopsProject');
  console.log('');
  console.log(`In-process synth, median of ${REPETITIONS} (no compliance plugins):`);
  console.log('');
  console.log('| app | synth time (ms) | ratio |');
  console.log('|---|---:|---:|');
  console.log(`| one empty stack (floor) | ${floor.toFixed(0)} | 1.0 |`);
  console.log(`| one project | ${p1.toFixed(0)} | ${(p1 / floor).toFixed(1)} x floor |`);
  console.log(`| ten projects in one app | ${p10.toFixed(0)} | ${(p10 / p1).toFixed(1)} x one project |`);
  console.log('');
  const cli = cliTimes();
  if (typeof cli === 'string') {
    console.log(`CLI: ${cli}`);
  } else {
    console.log(`Through the CLI (\`cdk synth\` of a compiled JavaScript consumer app, a fresh process each run), median of ${CLI_REPETITIONS}:`);
    console.log('');
    console.log('| aws-cdk-lib template validation | empty stack (floor) (ms) | one project (ms) | one / floor | ten projects (ms) | ten / one |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const [name, t] of [['on (default)', cli.validated], ['off (CDK_VALIDATION=false)', cli.unvalidated]] as const) {
      console.log(`| ${name} | ${t.empty.toFixed(0)} | ${t.one.toFixed(0)} | ${(t.one / t.empty).toFixed(2)} | ${t.ten.toFixed(0)} | ${(t.ten / t.one).toFixed(2)} |`);
    }
  }
  console.log('');
  console.log(`Always-on endpoint instance-hours per month (${HOURS_PER_MONTH} h), from the synthesized templates:`);
  console.log('');
  console.log('| staging option | staging | prod | instance-hours per month |');
  console.log('|---|---|---|---:|');
  for (const mode of [StagingMode.EPHEMERAL, StagingMode.SERVERLESS, StagingMode.PERSISTENT]) {
    const rows = alwaysOn(mode);
    const staging = rows.find((r) => r.stage === 'staging')!;
    const prod = rows.find((r) => r.stage === 'prod')!;
    console.log(`| ${mode} | ${staging.what} | ${prod.what} | ${rows.reduce((n, r) => n + r.hours, 0)} |`);
  }
}

main();
