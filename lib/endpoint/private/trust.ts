import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * SageMaker as the principal of the endpoint's service roles (the model's execution role and the
 * monitoring role), for this account and region only: the confused-deputy conditions AWS
 * documents for SageMaker.
 *
 * Source: SageMaker Developer Guide, "Cross-service confused deputy prevention"
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html;
 * awsdocs/amazon-sagemaker-developer-guide @ b7eb5235 doc_source/security-confused-deputy-prevention.md):
 * - its general section shows `aws:SourceAccount` with `aws:SourceArn`;
 * - for inference (real-time, serverless and asynchronous endpoints) the execution role's trust
 *   takes exactly `"aws:SourceArn": "arn:aws:sagemaker:<region>:<account>:*"` with `ArnLike`
 *   ("Do not replace the aws:SourceArn in this template with the full ARN of a specific model or
 *   endpoint"; the asterisk is not a wildcard there and must stay).
 * - Model Monitor runs its jobs as processing jobs (documented form `processing-job/*`), but the
 *   guide gives no form for executions started by a monitoring schedule, whose source could be the
 *   schedule: the monitoring role takes the same account-and-region form, which covers both and
 *   still refuses every other account and region.
 */
export function sagemakerPrincipal(scope: IConstruct): iam.ServicePrincipal {
  const stack = Stack.of(scope);
  return new iam.ServicePrincipal('sagemaker.amazonaws.com', {
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:*` },
    },
  });
}
