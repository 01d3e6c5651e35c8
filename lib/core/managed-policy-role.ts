import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { UNSCOPED_ACTIONS } from '../private/unscoped-actions';

/**
 * Props of a {@link ManagedPolicyRole}.
 */
export interface ManagedPolicyRoleProps extends iam.RoleProps {
  /**
   * Estimated size (characters of the policy document, after CloudFormation resolves it) at which
   * a further customer managed policy is started. IAM allows 6,144 characters per managed policy;
   * the default leaves room for ARNs longer than the intrinsic functions that stand for them.
   *
   * @default 4500
   */
  readonly policySizeBudget?: number;
}

/**
 * An IAM role whose permissions live in customer managed policies of its own instead of an
 * inline policy.
 *
 * The HIPAA Security, NIST 800-53 R5 and PCI DSS 3.2.1 packs (`IAMNoInlinePolicy`) flag inline
 * policies. Every statement added to this role (by `addToPrincipalPolicy`, and so by every
 * `grant*` method of aws-cdk-lib and of this library) goes to a managed policy attached to the
 * role alone; a new policy is started when one gets close to IAM's size limit.
 *
 * Statements that allow, on `Resource: *`, only actions AWS offers no resource scope for
 * (`ecr:GetAuthorizationToken`, `cloudwatch:PutMetricData`, EC2 Describe actions...) go to a policy
 * of their own (`UnscopedPermissions`), where the cdk-nag finding of `Resource::*` is acknowledged
 * for that policy only: any other action granted on `*` lands in the main policy and is reported.
 *
 * @example
 * import * as iam from 'aws-cdk-lib/aws-iam';
 * import * as s3 from 'aws-cdk-lib/aws-s3';
 * import { ManagedPolicyRole } from 'cdk-sagemaker-mlops';
 *
 * const jobRole = new ManagedPolicyRole(this, 'JobRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
 * // The grant's statements go to a customer managed policy of the role, not to an inline policy.
 * s3.Bucket.fromBucketName(this, 'TrainingData', 'my-training-data').grantRead(jobRole);
 */
export class ManagedPolicyRole extends iam.Role {
  private readonly policies: iam.ManagedPolicy[] = [];
  private readonly budget: number;
  private used = 0;
  private unscoped?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ManagedPolicyRoleProps) {
    super(scope, id, props);
    this.budget = props.policySizeBudget ?? 4500;
  }

  /**
   * Adds a statement to the role's customer managed policy (never to an inline policy).
   */
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (isUnscoped(Stack.of(this).resolve(statement.toStatementJson()))) {
      const policy = this.unscopedPolicy();
      policy.addStatements(statement);
      return { statementAdded: true, policyDependable: policy };
    }
    const size = JSON.stringify(Stack.of(this).resolve(statement.toStatementJson())).length;
    let policy = this.policies[this.policies.length - 1];
    if (!policy || (this.used + size > this.budget && this.used > 0)) {
      const n = this.policies.length + 1;
      policy = new iam.ManagedPolicy(this, n === 1 ? 'Permissions' : `Permissions${n}`, {
        description: `Permissions of ${this.node.path}${n === 1 ? '' : ` (part ${n})`}`,
        roles: [this],
      });
      this.policies.push(policy);
      this.used = 0;
    }
    policy.addStatements(statement);
    this.used += size;
    return { statementAdded: true, policyDependable: policy };
  }

  private unscopedPolicy(): iam.ManagedPolicy {
    if (!this.unscoped) {
      this.unscoped = new iam.ManagedPolicy(this, 'UnscopedPermissions', {
        description: `Permissions of ${this.node.path} that AWS offers no resource scope for`,
        roles: [this],
      });
      Validations.of(this.unscoped).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'This policy holds only actions that AWS offers no resource-level permissions for (ECR authorization tokens, ' +
          'CloudWatch metrics in named namespaces, EC2 Describe, CodePipeline job results, listing); every other permission of the ' +
          'role is scoped, and a wildcard resource there is reported.',
      });
    }
    return this.unscoped;
  }
}

/** An Allow of only resource-less actions on `*` (no NotAction or NotResource). */
function isUnscoped(json: any): boolean {
  if (json.Effect !== 'Allow' || json.NotAction || json.NotResource || json.NotPrincipal) { return false; }
  const resources = [json.Resource].flat();
  const actions = [json.Action].flat();
  return resources.length === 1 && resources[0] === '*' && actions.length > 0 && actions.every((a: unknown) => typeof a === 'string' && UNSCOPED_ACTIONS.has(a));
}
