import { CfnResource } from 'aws-cdk-lib';
import { Dependable, IConstruct, IDependable } from 'constructs';

/**
 * The policies of a role, as something to depend on: found when the template is rendered, so
 * policies added after the dependency was declared count too.
 *
 * A resource that SageMaker, Lambda or Feature Store checks the role's permissions for at creation
 * must wait for the role's policies, not only for the role: its reference to the role (`GetAtt`
 * or `Ref`) orders it after the role already, so a DependsOn on the role itself is redundant
 * (cfn-lint W3005); the dependency goes to the policies only.
 */
export function policiesOf(role: IConstruct): IDependable {
  const dependable: IDependable = {};
  Dependable.implement(dependable, {
    get dependencyRoots(): IConstruct[] {
      return role.node.findAll().filter((c): c is CfnResource =>
        CfnResource.isCfnResource(c) && (c.cfnResourceType === 'AWS::IAM::ManagedPolicy' || c.cfnResourceType === 'AWS::IAM::Policy'));
    },
  });
  return dependable;
}
