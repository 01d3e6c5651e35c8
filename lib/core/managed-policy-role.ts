import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

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
 */
export class ManagedPolicyRole extends iam.Role {
  private readonly policies: iam.ManagedPolicy[] = [];
  private readonly budget: number;
  private used = 0;

  constructor(scope: Construct, id: string, props: ManagedPolicyRoleProps) {
    super(scope, id, props);
    this.budget = props.policySizeBudget ?? 4500;
  }

  /**
   * Adds a statement to the role's customer managed policy (never to an inline policy).
   */
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
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
}
