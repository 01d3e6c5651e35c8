import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  App, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation,
  Stage, Validations,
} from 'aws-cdk-lib';
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
  Validations.of(app).addPlugins(...compliancePlugins(app).map((p) => (p.name === 'cdk-validator-cfnguard' ? new TemplateCachedGuard(p) : p)));
  registered.add(app);
}

/**
 * The Guard plugin (examples/compliance.ts: the Control Tower rules of the templates' resource
 * types) as the tests run it: once per distinct template in a test run, its report kept by the
 * template's content in the run's scratch folder, where the other test workers find it too. Guard
 * checks each template on its own (its cost grows with the template), so nothing is lost by
 * splitting. The cdk-nag packs check constructs, not templates, and are not cached.
 */
class TemplateCachedGuard implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];
  private readonly dir = path.join(os.tmpdir(), 'mlops-compliance-cache');

  constructor(private readonly inner: IPolicyValidationPlugin) {
    this.name = inner.name;
    this.version = inner.version;
    this.ruleIds = inner.ruleIds;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations: PolicyViolation[] = [];
    let success = true;
    for (const templatePath of context.templatePaths) {
      const report = this.reportOf(templatePath, context);
      success &&= report.success;
      violations.push(...report.violations);
    }
    return { success, violations };
  }

  private reportOf(templatePath: string, context: IPolicyValidationContext): PolicyValidationPluginReport {
    const PLACEHOLDER = '<template>';
    const escapedPath = JSON.stringify(templatePath).slice(1, -1);
    const text = fs.readFileSync(templatePath, 'utf-8');
    const key = crypto.createHash('sha256').update(`${this.name} ${this.version}\0`).update(text).digest('hex');
    const file = path.join(this.dir, `${key}.json`);
    if (!fs.existsSync(file)) {
      const report = this.inner.validate({
        ...context,
        templatePaths: [templatePath],
        stackTemplates: context.stackTemplates.filter((t) => t.templatePath === templatePath),
      });
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify(report).split(escapedPath).join(PLACEHOLDER));
      fs.renameSync(`${file}.${process.pid}`, file);
    }
    return JSON.parse(fs.readFileSync(file, 'utf-8').split(PLACEHOLDER).join(escapedPath));
  }
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
    if (pluginReport.metadata?.error) {
      // A plugin that failed checked nothing: that is a finding too, never a pass.
      findings.push({ plugin: pluginReport.pluginName, rule: 'plugin-failed', path: '(the whole app)', description: String(pluginReport.metadata.error) });
    }
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
  if (process.env.MLOPS_TEST_VALIDATION !== '0') { delete process.env.CDK_VALIDATION; }
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
