import { Resource, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ManagedPolicyRole } from '../core/managed-policy-role';

/**
 * An SNS topic as the target of EventBridge rules, published to with a role instead of through
 * the topic's policy: `targets.SnsTopic` otherwise adds a topic policy statement for
 * `events.amazonaws.com` with no condition (any rule of any account could publish). The role,
 * one per scope and topic, trusts EventBridge for rules of this account only, may publish to this
 * topic only, and may use the topic's key (the grant the target makes).
 *
 * A topic this app does not create (imported by ARN, such as the project topic a stage template
 * receives as a parameter) gets the plain target: aws-cdk-lib writes no policy for it, the topic's
 * owner allows EventBridge (MlopsProject does, for its own rules only), and the template needs no
 * IAM resource.
 */
export function snsTarget(scope: Construct, id: string, topic: sns.ITopic, message?: events.RuleTargetInput): events.IRuleTarget {
  if (!Resource.isOwnedResource(topic)) { return new targets.SnsTopic(topic, { message }); }
  const stack = Stack.of(scope);
  const existing = scope.node.tryFindChild(id) as ManagedPolicyRole | undefined;
  const role = existing ?? new ManagedPolicyRole(scope, id, {
    assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: `Lets EventBridge rules of this account publish to the topic of ${scope.node.path}`,
  });
  if (!existing && topic.masterKey) {
    // The target grants the role `topic.grantPublish`: sns:Publish on the topic, and on its key
    // kms:Decrypt and kms:GenerateDataKey*, the one wildcard action aws-cdk-lib writes there.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'aws-cdk-lib\'s topic.grantPublish names kms:GenerateDataKey* (the plain and without-plaintext variants) on the topic\'s key only.',
    });
  }
  return new targets.SnsTopic(topic, { message, authorizeUsingRole: true, role });
}
