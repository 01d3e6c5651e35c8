#!/usr/bin/env node
/*
 * Bundles every Lambda handler of the library with esbuild, once, at build time.
 *
 * Sources: lib/<area>/handlers/<name>.ts (TypeScript, AWS SDK v3 clients).
 * Output:  assets/handlers/<name>/index.js, shipped in the npm package.
 *
 * Constructs point lambda.Code.fromAsset at the output folder, so users need neither Docker nor
 * esbuild, and tests and synths never bundle. The AWS SDK clients are bundled (not taken from the
 * Lambda runtime) so the code runs against the exact client versions the tests mocked.
 *
 * Usage: node scripts/bundle-handlers.js [--check]
 *   --check  exit 1 when an output is missing or older than its sources (no bundling)
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const libDir = path.join(root, 'lib');
const outRoot = path.join(root, 'assets', 'handlers');

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

function newestMtime(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

async function main() {
  const handlers = findHandlers();
  if (process.argv.includes('--check')) {
    const stale = handlers.filter((h) => {
      const out = path.join(outRoot, h.name, 'index.js');
      return !fs.existsSync(out) || fs.statSync(out).mtimeMs < newestMtime(path.dirname(h.entry));
    });
    if (stale.length) {
      console.error(`Stale or missing handler bundles: ${stale.map((h) => h.name).join(', ')}. Run: npm run bundle`);
      process.exit(1);
    }
    return;
  }
  const esbuild = require('esbuild');
  fs.rmSync(outRoot, { recursive: true, force: true });
  const started = Date.now();
  await Promise.all(handlers.map((h) => esbuild.build({
    entryPoints: [h.entry],
    outfile: path.join(outRoot, h.name, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    // Prefer the ES module builds of the AWS SDK so unused commands are shaken out.
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  })));
  const sizes = handlers.map((h) => `${h.name} ${(fs.statSync(path.join(outRoot, h.name, 'index.js')).size / 1024).toFixed(0)} KiB`);
  if (!process.env.CI || process.env.BUNDLE_VERBOSE) {
    console.error(`bundled ${handlers.length} handler(s) in ${Date.now() - started} ms: ${sizes.join(', ')}`);
  }
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
