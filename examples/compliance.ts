import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { IPolicyValidationPlugin, Stack } from 'aws-cdk-lib';
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
  quietCdkNagDeprecationRead();
  return [
    new AwsSolutionsChecks(app),
    new HIPAASecurityChecks(app),
    new NIST80053R5Checks(app),
    new PCIDSS321Checks(app),
    new CfnGuardValidator(),
  ];
}

/** Context that turns aws-cdk-lib's own CloudFormation schema validation findings into errors. */
export const STRICT_VALIDATION_CONTEXT = {
  '@aws-cdk/core:validateAgainstDefaultRules': true,
};

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
