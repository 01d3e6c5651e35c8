#!/usr/bin/env node
/*
 * Checks the npm package as a user gets it. Run after `npm run bundle` and the jsii compile
 * (.ci/run does both before it).
 *
 *   node scripts/check-package.js surface   the TypeScript entry point exports exactly the jsii types
 *   node scripts/check-package.js pack      surface, then `npm pack` into a temporary folder and:
 *     - the file list: LICENSE, NOTICE, .jsii, README.md, API.md, the compiled lib/ (a .js and a .d.ts
 *       for every source file), every prebuilt handler bundle and its third-party notices; no
 *       TypeScript sources, tests, examples, scripts, source maps or build records;
 *     - the shipped .d.ts files type-check (tsconfig.json strips @internal members, which jsii's strict
 *       rule set forbids: this shows no public declaration lost a type it names);
 *     - a consumer app outside the repository installs the tarball with aws-cdk-lib and constructs at
 *       the repository's versions and synthesizes an MlopsProject with plain `node app.js`.
 *   Temporary folders are removed at the end, also on failure.
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));
const started = Date.now();
const problems = [];

function fail(message) { problems.push(message); }
function log(message) { console.log(`check-package: ${message} (${((Date.now() - started) / 1000).toFixed(1)} s)`); }

/** Every name lib/index.ts exports (values and types) against the types of the jsii assembly. */
function checkSurface() {
  const ts = require('typescript');
  const index = path.join(root, 'lib', 'index.ts');
  if (!fs.existsSync(path.join(root, '.jsii'))) throw new Error('.jsii is missing: compile first (npm run compile)');
  // The package's own declarations only: files of node_modules (aws-cdk-lib...) are read as empty, names are all it needs.
  const options = { noEmit: true, skipLibCheck: true, types: [], noLib: true };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, ...rest) => (file.includes(`${path.sep}node_modules${path.sep}`) || file.includes('/node_modules/')
    ? ts.createSourceFile(file, 'export {};', ts.ScriptTarget.ES2022) : getSourceFile(file, ...rest));
  const program = ts.createProgram([index], options, host);
  const checker = program.getTypeChecker();
  const exported = new Set(checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(index))).map((s) => s.name));
  const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
  const jsii = new Set(Object.values(assembly.types).filter((t) => !t.namespace).map((t) => t.name));
  const extra = [...exported].filter((n) => !jsii.has(n)).sort();
  const missing = [...jsii].filter((n) => !exported.has(n)).sort();
  if (extra.length) fail(`lib/index.ts exports what jsii does not (keep it in its module or a private/ folder): ${extra.join(', ')}`);
  if (missing.length) fail(`jsii has types lib/index.ts does not export: ${missing.join(', ')}`);
  log(`surface: ${exported.size} exports, ${jsii.size} jsii types`);
}

function sh(cmd, args, options = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

function listFiles(dir, base = dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p, base) : [path.relative(base, p).split(path.sep).join('/')];
  });
}

function checkFileList(files, unpacked) {
  const has = new Set(files);
  for (const f of ['package.json', 'LICENSE', 'NOTICE', '.jsii', 'README.md', 'API.md', 'lib/index.js', 'lib/index.d.ts',
    'assets/handlers/THIRD-PARTY-NOTICES.txt']) {
    if (!has.has(f)) fail(`the package lacks ${f}`);
  }
  const handlers = fs.readdirSync(path.join(root, 'lib')).flatMap((area) => {
    const dir = path.join(root, 'lib', area, 'handlers');
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^[a-z].*\.ts$/.test(f) && !f.endsWith('.d.ts')).map((f) => f.slice(0, -3)) : [];
  });
  for (const h of handlers) {
    if (!has.has(`assets/handlers/${h}/index.js`)) fail(`the package lacks the prebuilt handler bundle assets/handlers/${h}/index.js`);
  }
  // Every compiled source of lib/ (handlers are bundled instead) has its .js and .d.ts.
  const sources = listFiles(path.join(root, 'lib')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.includes('/handlers/'));
  for (const s of sources) {
    for (const ext of ['.js', '.d.ts']) {
      if (!has.has(`lib/${s.slice(0, -3)}${ext}`)) fail(`the package lacks lib/${s.slice(0, -3)}${ext}`);
    }
  }
  for (const f of files) {
    if (/^(test|examples|bin|bench|scripts|src|dist|cdk\.out|coverage)\//.test(f)) fail(`the package ships ${f}`);
    if ((f.endsWith('.ts') && !f.endsWith('.d.ts')) || f.endsWith('.map') || /(^|\/)tsconfig[^/]*\.json$/.test(f) || f.endsWith('.tsbuildinfo')) fail(`the package ships ${f}`);
    if (f === 'assets/handlers/.inputs.json') fail(`the package ships the build record ${f}`);
    if (f.endsWith('.js') && /\/\/# sourceMappingURL=/.test(fs.readFileSync(path.join(unpacked, f), 'utf8'))) fail(`${f} has a source map comment`);
    if (f.endsWith('.d.ts') && /@internal\b/.test(fs.readFileSync(path.join(unpacked, f), 'utf8'))) fail(`${f} declares @internal members`);
  }
}

/** Copies the shipped .d.ts files to .ts files (declarations are valid TypeScript) and type-checks them. */
function checkDeclarations(installed, work) {
  const out = path.join(work, 'dts');
  for (const f of listFiles(path.join(installed, 'lib')).filter((x) => x.endsWith('.d.ts'))) {
    const target = path.join(out, f.replace(/\.d\.ts$/, '.ts'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(installed, 'lib', f), target);
  }
  fs.writeFileSync(path.join(work, 'tsconfig.json'), JSON.stringify({
    // skipLibCheck skips aws-cdk-lib's .d.ts, not these copies, which are plain .ts files here.
    compilerOptions: { noEmit: true, strict: true, skipLibCheck: true, module: 'node20', target: 'es2023', lib: ['es2023'], types: [] },
    include: ['dts/**/*.ts'],
  }));
  try {
    sh(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(work, 'tsconfig.json')], { cwd: work });
  } catch (e) {
    fail(`the shipped .d.ts files do not type-check:\n${e.stdout}${e.stderr}`);
  }
}

const CONSUMER_APP = `'use strict';
// A consumer of the installed package: plain JavaScript, no TypeScript, no access to the repository.
const fs = require('fs');
const path = require('path');
const { App, Stack } = require('aws-cdk-lib');
const { ApprovalPolicy, MetricComparison, MlopsProject } = require('cdk-sagemaker-mlops');

const here = __dirname;
fs.writeFileSync(path.join(here, 'preprocess.py'), 'print("preprocess")\\n');
fs.writeFileSync(path.join(here, 'evaluate.py'), 'print("evaluate")\\n');
fs.mkdirSync(path.join(here, 'samples'), { recursive: true });
fs.writeFileSync(path.join(here, 'samples', 'one.csv'), '1,2,3\\n');

// Asset metadata (as the CDK CLI sets it) says which folder each function's code comes from.
const app = new App({ outdir: path.join(here, 'cdk.out'), context: { 'aws:cdk:enable-asset-metadata': true } });
const stack = new Stack(app, 'ChurnProject', { env: { account: '123456789012', region: 'eu-west-1' } });
new MlopsProject(stack, 'Churn', {
  projectName: 'churn',
  training: {
    inputDataUri: 's3://my-raw-data/churn/',
    preprocessingScript: { localFile: path.join(here, 'preprocess.py') },
    evaluationScript: { localFile: path.join(here, 'evaluate.py') },
    metricJsonPath: 'binary_classification_metrics.auc.value',
    metricThreshold: 0.75,
    metricComparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO,
  },
  approval: { policy: ApprovalPolicy.METRIC_THRESHOLDS_THEN_MANUAL, metricThresholds: [
    { metricJsonPath: 'binary_classification_metrics.auc.value', comparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO, value: 0.75 },
  ] },
  endpoint: { dataQualityMonitor: true },
  stagingTest: { samplesDirectory: path.join(here, 'samples') },
  notificationEmails: ['ml-team@example.com'],
});
const assembly = app.synth();
const artifact = assembly.getStackByName('ChurnProject');
const resources = Object.values(artifact.template.Resources);
const pipelines = resources.filter((r) => r.Type === 'AWS::CodePipeline::Pipeline').map((r) => r.Properties.Name);
if (!pipelines.includes('churn-deploy')) throw new Error('no deploy pipeline (churn-deploy) in the template: ' + pipelines.join(', '));
// Every Lambda function's code is a staged copy of a prebuilt bundle from the package.
const functions = resources.filter((r) => r.Type === 'AWS::Lambda::Function');
const assetDirs = functions.map((r) => r.Metadata && r.Metadata['aws:asset:path']).filter(Boolean);
if (!functions.length || assetDirs.length === 0) throw new Error('no Lambda function with a file asset');
for (const dir of assetDirs) {
  if (!fs.existsSync(path.join(assembly.directory, dir, 'index.js'))) throw new Error('asset ' + dir + ' has no index.js');
}
console.log(JSON.stringify({ resources: resources.length, pipelines, functions: functions.length, assets: assetDirs.length }));
`;

function checkPack() {
  sh(process.execPath, [path.join(root, 'scripts', 'bundle-handlers.js'), '--check'], { cwd: root });
  const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-sagemaker-mlops-pack-'));
  const consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-sagemaker-mlops-consumer-'));
  if (!path.relative(root, consumer).startsWith('..')) throw new Error(`the consumer folder ${consumer} is inside the repository`);
  try {
    // The build already ran (bundle, jsii): pack what it made, without running prepack again.
    const out = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: root });
    const [info] = JSON.parse(out.slice(out.indexOf('[')));
    const tarball = path.join(packDir, info.filename);
    log(`packed ${info.entryCount} files, ${(info.size / 1024).toFixed(0)} KiB (unpacked ${(info.unpackedSize / 1024).toFixed(0)} KiB)`);

    const unpacked = path.join(packDir, 'unpacked');
    fs.mkdirSync(unpacked);
    sh('tar', ['xzf', tarball, '-C', unpacked]);
    checkFileList(info.files.map((f) => f.path), path.join(unpacked, 'package'));

    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '0.0.0', private: true }));
    const dev = pkg.devDependencies;
    sh('npm', ['install', tarball, `aws-cdk-lib@${dev['aws-cdk-lib']}`, `constructs@${dev.constructs}`,
      '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], { cwd: consumer });
    log('installed the tarball with aws-cdk-lib and constructs in a fresh app');
    const installed = path.join(consumer, 'node_modules', pkg.name);

    checkDeclarations(installed, consumer);
    log('type-checked the shipped .d.ts files');

    fs.writeFileSync(path.join(consumer, 'app.js'), CONSUMER_APP);
    try {
      const result = sh(process.execPath, ['app.js'], { cwd: consumer, env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } });
      log(`synthesized the consumer app: ${result.trim()}`);
    } catch (e) {
      fail(`the consumer app failed:\n${e.stdout}${e.stderr}`);
    }
  } finally {
    fs.rmSync(packDir, { recursive: true, force: true });
    fs.rmSync(consumer, { recursive: true, force: true });
  }
}

try {
  const what = process.argv[2] || 'pack';
  if (!['surface', 'pack'].includes(what)) throw new Error(`Usage: node scripts/check-package.js [surface|pack] (got ${what})`);
  checkSurface();
  if (what === 'pack') checkPack();
} catch (e) {
  fail(e.stdout || e.stderr ? `${e.message}\n${e.stdout || ''}${e.stderr || ''}` : (e.stack || String(e)));
}
if (problems.length) {
  console.error(problems.map((p) => `check-package: ${p}`).join('\n'));
  process.exit(1);
}
log('ok');
