#!/usr/bin/env node
/*
 * AWS's CloudFormation linter (cfn-lint) on every template the main job synthesized, the stage
 * templates included: errors fail the run, warnings are listed. A finding that is a false positive
 * is acknowledged in .cfnlint-acknowledgments.json, per rule and resource (a logical-id pattern),
 * with the reason; an acknowledgment that matches nothing fails the run, so the file stays current.
 *
 * Usage: node scripts/cfn-lint-check.js [cdk.out]
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const out = path.resolve(process.argv[2] ?? path.join(root, 'cdk.out'));
const templates = fs.readdirSync(out).filter((f) => f.endsWith('.template.json')).map((f) => path.join(out, f));
if (templates.length === 0) {
  console.error(`cfn-lint: no templates in ${out}: run the main job (npx cdk synth) first`);
  process.exit(1);
}
const acknowledgments = JSON.parse(fs.readFileSync(path.join(root, '.cfnlint-acknowledgments.json'), 'utf-8'));

let raw;
try {
  raw = execFileSync('cfn-lint', ['--format', 'json', '--', ...templates], { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
} catch (e) {
  // cfn-lint exits non-zero when it finds anything; its JSON report is still on stdout.
  if (e.stdout === undefined || e.stdout === null || e.code === 'ENOENT') {
    console.error(`cfn-lint could not run: ${e.message}`);
    process.exit(1);
  }
  raw = e.stdout;
}
const findings = JSON.parse(raw || '[]');
const used = new Set();
const open = [];
for (const f of findings) {
  const resource = f.Location?.Path?.[0] === 'Resources' ? f.Location.Path[1] : '';
  const ack = acknowledgments.find((a, i) => a.rule === f.Rule.Id && new RegExp(`^${a.resource}$`).test(resource) && (used.add(i), true));
  if (!ack) { open.push({ ...f, resource }); }
}
const line = (f) => `${f.Level.toUpperCase()} ${f.Rule.Id} ${path.basename(f.Filename)} ${f.resource || f.Location.Path.join('/')}: ${f.Message}`;
const errors = open.filter((f) => f.Level === 'Error');
const warnings = open.filter((f) => f.Level !== 'Error');
for (const f of [...errors, ...warnings]) { console.log(line(f)); }
const stale = acknowledgments.filter((_, i) => !used.has(i));
for (const a of stale) { console.log(`STALE acknowledgment ${a.rule} ${a.resource}: it matches no finding; remove it`); }
console.log(`cfn-lint: ${templates.length} templates, ${errors.length} errors, ${warnings.length} warnings, ` +
  `${findings.length - open.length} acknowledged`);
process.exit(errors.length > 0 || stale.length > 0 ? 1 : 0);
