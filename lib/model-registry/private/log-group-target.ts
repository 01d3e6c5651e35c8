import { ArnFormat, Names, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * An EventBridge target that writes the whole matched event to a CloudWatch log group, with no
 * Lambda function.
 *
 * aws-cdk-lib's `targets.CloudWatchLogGroup` installs the log group resource policy through a
 * Lambda-backed custom resource. EventBridge needs only an `AWS::Logs::ResourcePolicy` that lets
 * `events.amazonaws.com` (and `delivery.logs.amazonaws.com`) write to the group, limited to the
 * rules that target it, so this target renders that policy directly.
 */
export class LogGroupRuleTarget implements events.IRuleTarget {
  constructor(private readonly logGroup: logs.LogGroup) {}

  public bind(rule: events.IRule, _id?: string): events.RuleTargetConfig {
    const stack = Stack.of(this.logGroup);
    this.logGroup.addToResourcePolicy(new iam.PolicyStatement({
      sid: `EventBridgeDelivery${Names.nodeUniqueId(rule.node)}`.slice(0, 100),
      principals: [
        new iam.ServicePrincipal('events.amazonaws.com'),
        new iam.ServicePrincipal('delivery.logs.amazonaws.com'),
      ],
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [this.logGroup.logGroupArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
    }));
    return {
      arn: stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: this.logGroup.logGroupName,
      }),
      targetResource: this.logGroup,
    };
  }
}
