import * as fs from 'fs';
import * as path from 'path';
import { App, Stage, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { compliancePlugins, STRICT_VALIDATION_CONTEXT } from '../../examples/compliance';

export { compliancePlugins, STRICT_VALIDATION_CONTEXT };

/** One finding no one acknowledged. */
export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly path: string;
  readonly description: string;
}

const registered = new WeakSet<Stage>();

/** An App with the compliance plugins registered and strict CloudFormation validation. */
export function compliantApp(): App {
  const app = new App({ context: STRICT_VALIDATION_CONTEXT });
  registerCompliance(app);
  return app;
}

/** Register the compliance plugins on an app (once). */
export function registerCompliance(app: Stage): void {
  if (registered.has(app)) { return; }
  Validations.of(app).addPlugins(...compliancePlugins(app));
  registered.add(app);
}

/**
 * Synthesize the app of `scope` with the compliance plugins and return every finding left
 * unacknowledged (an empty list when all is well).
 */
export function unacknowledgedFindings(scope: IConstruct): Finding[] {
  const app = scope.node.root as Stage;
  registerCompliance(app);
  let assemblyDir: string;
  try {
    assemblyDir = withBuiltinValidation(() => app.synth({ force: true }).directory);
  } catch (e: any) {
    if (!/Validation failed|ValidationFailed|validation-report/.test(String(e?.message))) { throw e; }
    assemblyDir = app.outdir;
  }
  const reportFile = path.join(assemblyDir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) { return []; }
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf-8'));
  const findings: Finding[] = [];
  for (const pluginReport of report.pluginReports ?? []) {
    for (const v of pluginReport.violations ?? []) {
      if (v.severity && !['error', 'fatal', 'warning'].includes(v.severity)) { continue; }
      const constructs = v.violatingConstructs?.length ? v.violatingConstructs : [{ constructPath: '(no construct)' }];
      for (const c of constructs) {
        findings.push({ plugin: pluginReport.pluginName, rule: v.ruleName, path: c.constructPath, description: v.description });
      }
    }
  }
  return findings;
}

/**
 * Run `fn` with aws-cdk-lib's built-in CloudFormation validation on (test/setup/env.js turns it off
 * for the other synths), so a compliance check also counts its findings. Its report goes to the
 * validation report the findings are read from, so nothing is printed.
 */
export function withBuiltinValidation<T>(fn: () => T): T {
  const saved = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  const error = console.error;
  console.error = () => undefined;
  try {
    return fn();
  } finally {
    console.error = error;
    if (saved === undefined) { delete process.env.CDK_VALIDATION; } else { process.env.CDK_VALIDATION = saved; }
  }
}

/** A readable list of findings, one line each. */
export function formatFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.path}: [${f.plugin}] ${f.rule}: ${f.description}`).join('\n');
}

/** Fail (with the list) when anything in the app of `scope` is left unacknowledged. */
export function expectCompliant(scope: IConstruct): void {
  const findings = unacknowledgedFindings(scope);
  if (findings.length > 0) {
    throw new Error(`${findings.length} unacknowledged compliance finding(s):\n${formatFindings(findings)}`);
  }
}
