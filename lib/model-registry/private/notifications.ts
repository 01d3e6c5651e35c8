import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ModelApprovalStatus } from '../../core/model-approval-status';
import { IModelPackageGroup } from '../../core/model-package-group';
import { snsTarget } from '../../private/event-targets';

/**
 * The id of the role the registry's rules publish to the notification topic with (one for all of
 * them): EventBridge assumes it for rules of this account only, so the topic's policy needs no
 * statement for `events.amazonaws.com`.
 */
export const PUBLISHER_ROLE_ID = 'NotificationPublisher';

/** The approval notification topic, `Notifications` under `scope`: KMS-encrypted, TLS only, with e-mail subscriptions. */
export function createNotificationTopic(scope: Construct, encryptionKey: kms.IKey, emails: string[]): sns.ITopic {
  const topic = new sns.Topic(scope, 'Notifications', {
    displayName: 'Model approval',
    masterKey: encryptionKey,
    enforceSSL: true,
  });
  for (const email of emails) {
    topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
  return topic;
}

/**
 * The manual policy without a handler: a rule `NotifyOnRegistration` under `scope` sends each
 * registration of the group to the topic, with a message made from the event itself (no Lambda).
 */
export function notifyRegistrations(scope: Construct, group: IModelPackageGroup, topic: sns.ITopic): events.Rule {
  return new events.Rule(scope, 'NotifyOnRegistration', {
    description: 'A version of the model package group is registered and waits for approval',
    eventPattern: group.approvalStatusPattern([ModelApprovalStatus.PENDING_MANUAL_APPROVAL]),
    targets: [snsTarget(scope, PUBLISHER_ROLE_ID, topic, registrationMessage())],
  });
}

/** The message of a registration: version, metrics location and a console link, from the event's fields. */
function registrationMessage(): events.RuleTargetInput {
  const region = events.EventField.fromPath('$.region');
  const group = events.EventField.fromPath('$.detail.ModelPackageGroupName');
  const version = events.EventField.fromPath('$.detail.ModelPackageVersion');
  const arn = events.EventField.fromPath('$.detail.ModelPackageArn');
  const metrics = events.EventField.fromPath('$.detail.ModelMetrics.ModelQuality.Statistics.S3Uri');
  return events.RuleTargetInput.fromText(
    `Version ${version} of model package group ${group} is waiting for approval (PendingManualApproval). ` +
    `Model package: ${arn}. Model-quality metrics: ${metrics}. ` +
    'Review it and approve or reject it in the SageMaker console: ' +
    `https://${region}.console.aws.amazon.com/sagemaker/home?region=${region}#/model-registry/${group}`);
}
