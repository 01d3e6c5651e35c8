#!/usr/bin/env node
/*
 * Bundles every Lambda handler of the library with esbuild, once, at build time.
 *
 * Sources: lib/<area>/handlers/<name>.ts (TypeScript, AWS SDK v3 clients).
 * Output:  assets/handlers/<name>/index.js, shipped in the npm package, and
 *          assets/handlers/THIRD-PARTY-NOTICES.txt: every npm package inlined into a bundle, with
 *          its version, license and copyright lines (the NOTICE file points at it). A package under
 *          a license other than Apache-2.0 gets its license text copied in full.
 *          assets/handlers/.inputs.json (not shipped): what each bundle was built from, so
 *          `--if-stale` and `--check` know when a bundle is out of date.
 *
 * Constructs point lambda.Code.fromAsset at the output folder, so users need neither Docker nor
 * esbuild, and tests and synths never bundle. The AWS SDK clients are bundled (not taken from the
 * Lambda runtime) so the code runs against the exact client versions the tests mocked.
 *
 * Usage: node scripts/bundle-handlers.js [--check | --if-stale]
 *   --check     exit 1 when a bundle is missing or was built from other sources (no bundling)
 *   --if-stale  bundle only when a bundle is missing or was built from other sources (cdk.json's app)
 */
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const libDir = path.join(root, 'lib');
const outRoot = path.join(root, 'assets', 'handlers');
const inputsFile = path.join(outRoot, '.inputs.json');
const noticesFile = path.join(outRoot, 'THIRD-PARTY-NOTICES.txt');

function findHandlers() {
  const found = [];
  for (const area of fs.readdirSync(libDir, { withFileTypes: true })) {
    if (!area.isDirectory()) continue;
    const dir = path.join(libDir, area.name, 'handlers');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      if (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_')) {
        found.push({ name: f.replace(/\.ts$/, ''), entry: path.join(dir, f), area: area.name });
      }
    }
  }
  const seen = new Map();
  for (const h of found) {
    if (seen.has(h.name)) {
      throw new Error(`Two handlers are named "${h.name}": ${seen.get(h.name)} and ${h.entry}. Handler names must be unique across lib/.`);
    }
    seen.set(h.name, h.entry);
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The npm package folder an input path (relative to the root) belongs to, if any. */
function packageDirOf(input) {
  const parts = input.split('/');
  const i = parts.lastIndexOf('node_modules');
  if (i < 0) return undefined;
  const len = parts[i + 1].startsWith('@') ? 2 : 1;
  return parts.slice(0, i + 1 + len).join('/');
}

/** What a bundle depends on: the hash of every source file of the repository, the version of every package. */
function fingerprint(inputs) {
  const files = {};
  const packages = {};
  for (const input of inputs) {
    const pkgDir = packageDirOf(input);
    if (pkgDir) {
      packages[pkgDir] = JSON.parse(fs.readFileSync(path.join(root, pkgDir, 'package.json'), 'utf8')).version;
    } else {
      files[input] = sha256(path.join(root, input));
    }
  }
  return { files, packages };
}

/** Why the bundles must be rebuilt, or undefined when they are up to date. */
function staleness(handlers) {
  if (!fs.existsSync(inputsFile)) return 'no record of what the bundles were built from';
  const recorded = JSON.parse(fs.readFileSync(inputsFile, 'utf8'));
  if (recorded.script !== sha256(__filename)) return 'the bundle script changed';
  const names = handlers.map((h) => h.name);
  if (JSON.stringify(Object.keys(recorded.handlers).sort()) !== JSON.stringify(names)) return 'the set of handlers changed';
  for (const h of handlers) {
    if (!fs.existsSync(path.join(outRoot, h.name, 'index.js'))) return `${h.name} is missing`;
    const { files, packages } = recorded.handlers[h.name];
    for (const [file, hash] of Object.entries(files)) {
      if (!fs.existsSync(path.join(root, file)) || sha256(path.join(root, file)) !== hash) return `${h.name}: ${file} changed`;
    }
    for (const [dir, version] of Object.entries(packages)) {
      const pj = path.join(root, dir, 'package.json');
      if (!fs.existsSync(pj) || JSON.parse(fs.readFileSync(pj, 'utf8')).version !== version) return `${h.name}: ${dir} changed`;
    }
    // A new import shows up as a change of the importing file, which is recorded.
  }
  return undefined;
}

/** Copyright lines of a license or notice text, without the Apache-2.0 boilerplate that mentions copyright. */
function copyrightLines(text) {
  return text.split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /^(copyright\s*(\(c\)|©)?\s*\d{4}|(\(c\)|©)\s*\d{4}|copyright\s*(\(c\)|©))/i.test(l));
}

function licenseText(dir) {
  const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  return file ? fs.readFileSync(path.join(dir, file), 'utf8') : undefined;
}

function writeNotices(usedBy) {
  const lines = [
    'Third-party software inlined into the Lambda handler bundles of cdk-sagemaker-mlops',
    '(assets/handlers/<handler>/index.js). Generated by scripts/bundle-handlers.js; do not edit.',
    '',
    'Apache-2.0 is the license of cdk-sagemaker-mlops too: its full text is in the LICENSE file',
    'at the root of the package. Texts of other licenses follow their package below.',
    '',
  ];
  for (const dir of [...usedBy.keys()].sort()) {
    const abs = path.join(root, dir);
    const pkg = JSON.parse(fs.readFileSync(path.join(abs, 'package.json'), 'utf8'));
    const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license && pkg.license.type) || 'UNKNOWN';
    const text = licenseText(abs) || '';
    const notice = fs.existsSync(path.join(abs, 'NOTICE')) ? fs.readFileSync(path.join(abs, 'NOTICE'), 'utf8').trim() : undefined;
    const homepage = pkg.homepage || (pkg.repository && (pkg.repository.url || pkg.repository)) || `https://www.npmjs.com/package/${pkg.name}`;
    lines.push('-'.repeat(100));
    lines.push(`${pkg.name} ${pkg.version} (${license}) ${homepage}`);
    lines.push(`in: ${[...usedBy.get(dir)].sort().join(', ')}`);
    for (const c of [...new Set(copyrightLines(text))]) lines.push(c);
    if (notice) lines.push('', 'NOTICE:', notice);
    if (license !== 'Apache-2.0') {
      if (!text) throw new Error(`${pkg.name} (${license}) is bundled but ships no license file to reproduce; add its text by hand or drop it.`);
      lines.push('', text.trim());
    }
  }
  lines.push('-'.repeat(100), '');
  fs.writeFileSync(noticesFile, lines.join('\n'));
}

async function main() {
  const handlers = findHandlers();
  const mode = process.argv.includes('--check') ? 'check' : process.argv.includes('--if-stale') ? 'if-stale' : 'always';
  if (mode !== 'always') {
    const why = staleness(handlers);
    if (!why) return;
    if (mode === 'check') {
      console.error(`The handler bundles are stale (${why}). Run: npm run bundle`);
      process.exit(1);
    }
  }
  const esbuild = require('esbuild');
  fs.rmSync(outRoot, { recursive: true, force: true });
  const started = Date.now();
  const results = await Promise.all(handlers.map((h) => esbuild.build({
    entryPoints: [h.entry],
    outfile: path.join(outRoot, h.name, 'index.js'),
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    // Prefer the ES module builds of the AWS SDK so unused commands are shaken out.
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  })));
  const record = { script: sha256(__filename), handlers: {} };
  const usedBy = new Map();
  handlers.forEach((h, i) => {
    const output = Object.values(results[i].metafile.outputs)[0];
    // Only the inputs that put bytes into the bundle (type-only and shaken-out modules add nothing).
    const inputs = Object.entries(output.inputs).filter(([, v]) => v.bytesInOutput > 0).map(([k]) => k);
    record.handlers[h.name] = fingerprint(Object.keys(results[i].metafile.inputs));
    for (const input of inputs) {
      const dir = packageDirOf(input);
      if (dir) usedBy.set(dir, (usedBy.get(dir) || new Set()).add(h.name));
    }
  });
  writeNotices(usedBy);
  fs.writeFileSync(inputsFile, JSON.stringify(record, undefined, 1));
  const sizes = handlers.map((h) => `${h.name} ${(fs.statSync(path.join(outRoot, h.name, 'index.js')).size / 1024).toFixed(0)} KiB`);
  if (!process.env.CI || process.env.BUNDLE_VERBOSE) {
    console.error(`bundled ${handlers.length} handler(s) in ${Date.now() - started} ms: ${sizes.join(', ')}`);
  }
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
