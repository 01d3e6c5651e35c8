import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * The rule sets every example must pass, registered as validation plugins:
 * cdk-nag AwsSolutions, HIPAA Security, NIST 800-53 R5 and PCI DSS 3.2.1, and the
 * CloudFormation Guard rules (Control Tower proactive controls) of @cdklabs/cdk-validator-cfnguard.
 *
 * In your own app: `Validations.of(app).addPlugins(...compliancePlugins(app))`.
 */
export function compliancePlugins(app: IConstruct): IPolicyValidationPlugin[] {
  return [...cdkNagPacks(app), new ControlTowerGuardRules()];
}

/** The four cdk-nag packs (the cheap part of the checks: they run in this process, on the constructs). */
export function cdkNagPacks(app: IConstruct): IPolicyValidationPlugin[] {
  quietCdkNagDeprecationRead();
  return [
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R5Checks(app),
    new PCIDSS321Checks(app),
  ];
}

/** Context that turns aws-cdk-lib's own CloudFormation schema validation findings into errors. */
export const STRICT_VALIDATION_CONTEXT = {
  '@aws-cdk/core:validateAgainstDefaultRules': true,
};

/** The Control Tower rule files of @cdklabs/cdk-validator-cfnguard. */
const CONTROL_TOWER_RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');

/**
 * The Control Tower Guard rules of @cdklabs/cdk-validator-cfnguard (the same plugin name, so
 * acknowledgments `cdk-validator-cfnguard::<rule>` apply), run only with the rule files that name
 * a resource type the templates have. Every rule file selects its resources by the type constants
 * it declares (`Resources.*[ Type == %S3_BUCKET_TYPE ]`), so the others could only report "not
 * applicable"; leaving them out gives the same findings in a third of the time (cfn-guard parses
 * and runs each of its 237 files over every resource). The output buffer is large enough for the
 * whole example app (the plugin's default, 1 MB, is nearly reached by it).
 */
class ControlTowerGuardRules implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];

  constructor() {
    const all = new CfnGuardValidator();
    this.name = all.name;
    this.version = all.version;
    this.ruleIds = all.ruleIds;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const types = new Set<string>();
    for (const file of context.templatePaths) {
      const template = JSON.parse(fs.readFileSync(file, 'utf-8'));
      for (const resource of Object.values<any>(template.Resources ?? {})) { types.add(resource.Type); }
    }
    const rules = ruleFiles().filter((rule) => rule.types.some((t) => types.has(t))).map((rule) => rule.file);
    if (rules.length === 0) { return { success: true, violations: [] }; }
    return new CfnGuardValidator({ controlTowerRulesEnabled: false, rules, maxBuffer: 256 * 1024 * 1024 }).validate(context);
  }
}

let cachedRuleFiles: Array<{ file: string; types: string[] }> | undefined;

/** Each rule file with the resource types it names (`'AWS::S3::Bucket'`). */
function ruleFiles(): Array<{ file: string; types: string[] }> {
  if (!cachedRuleFiles) {
    const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    cachedRuleFiles = files(CONTROL_TOWER_RULES).sort().map((file) => ({
      file,
      types: [...fs.readFileSync(file, 'utf-8').matchAll(/["'](AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)["']/g)].map((m) => m[1]),
    }));
    const blind = cachedRuleFiles.filter((r) => r.types.length === 0);
    if (blind.length > 0) {
      throw new Error(`Guard rule files that name no resource type (they would be left out): ${blind.map((r) => r.file).join(', ')}`);
    }
  }
  return cachedRuleFiles;
}

/**
 * cdk-nag's AwsSolutions-EVB1 rule reads `CfnEventBusPolicy.principal`, which aws-cdk-lib has
 * deprecated, so every synth of a project with a stage in another account printed a deprecation
 * warning that is not about the app. aws-cdk-lib warns once per name: read it once, quietly, here.
 */
function quietCdkNagDeprecationRead(): void {
  const mode = process.env.JSII_DEPRECATED;
  process.env.JSII_DEPRECATED = 'quiet';
  try {
    void new events.CfnEventBusPolicy(new Stack(), 'Probe', { statementId: 'probe' }).principal;
  } finally {
    if (mode === undefined) { delete process.env.JSII_DEPRECATED; } else { process.env.JSII_DEPRECATED = mode; }
  }
}
