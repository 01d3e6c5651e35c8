#!/usr/bin/env node
/*
 * Translates the TypeScript examples of the package (README.md and the @example blocks of lib/,
 * both in the .jsii assembly) with jsii-rosetta, into the implicit tablet `.jsii.tabl.json` that
 * jsii-pacmak reads: the generated Python (Java, C#, Go) packages then show them in their language.
 * Strict: an example that does not compile fails the run (rosetta/default.ts-fixture is the stack
 * every example runs in).
 *
 * Rosetta compiles the examples in a folder where `cdk-sagemaker-mlops` and its dependencies
 * resolve. Left to itself it makes one with `npm install`; this script links the repository's own
 * node_modules instead (no network, the exact versions the tests use) and removes it afterwards.
 *
 * Usage: node scripts/rosetta.js   (after the jsii compile)
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));
if (!fs.existsSync(path.join(root, '.jsii'))) {
  console.error('rosetta: .jsii is missing: compile first (npm run compile)');
  process.exit(1);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-sagemaker-mlops-rosetta-'));
try {
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  const own = path.join(root, 'node_modules');
  for (const name of fs.readdirSync(own)) {
    if (name === '.bin' || name.startsWith('.')) continue;
    fs.symlinkSync(fs.realpathSync(path.join(own, name)), path.join(modules, name));
  }
  fs.symlinkSync(root, path.join(modules, pkg.name));
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'jsii-rosetta', 'bin', 'jsii-rosetta'), 'extract', '--strict', '--directory', dir], {
    cwd: root,
    stdio: 'inherit',
  });
} catch (e) {
  console.error(`rosetta: ${e.message}`);
  process.exitCode = 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
