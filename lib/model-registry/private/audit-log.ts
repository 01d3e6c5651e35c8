import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LogGroupRuleTarget } from './log-group-target';
import { EncryptedLogGroup } from '../../core/encrypted-log-group';
import { ModelApprovalStatus } from '../../core/model-approval-status';
import { IModelPackageGroup } from '../../core/model-package-group';

/**
 * The audit log of a group's decisions: an encrypted, retained log group `AuditLog` under `scope`
 * and a rule `AuditRule` that writes every approval and rejection event to it, with no Lambda.
 */
export function createAuditLog(scope: Construct, group: IModelPackageGroup, encryptionKey: kms.IKey,
  retention: logs.RetentionDays): logs.ILogGroup {
  const logGroup = new EncryptedLogGroup(scope, 'AuditLog', { encryptionKey, retention });
  new events.Rule(scope, 'AuditRule', {
    description: 'Records every approval and rejection of the model package group in the audit log group',
    eventPattern: group.approvalStatusPattern([ModelApprovalStatus.APPROVED, ModelApprovalStatus.REJECTED]),
    targets: [new LogGroupRuleTarget(logGroup)],
  });
  return logGroup;
}
