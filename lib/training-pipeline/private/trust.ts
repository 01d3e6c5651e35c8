import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/*
 * The trust policies of the roles a pipeline creates, with the confused-deputy conditions the
 * services document, and only those:
 *
 * - SageMaker: "Cross-service confused deputy prevention" in the SageMaker developer guide
 *   (https://docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html;
 *   archived as awsdocs/amazon-sagemaker-developer-guide @ b7eb5235f273fb2a1b0801167bf98647741f4f7d
 *   doc_source/security-confused-deputy-prevention.md). The execution role of a pipeline trusts
 *   `aws:SourceArn` `arn:...:pipeline/<name>/*` (the pipeline's executions); job roles trust the
 *   ARNs of the jobs (`training-job/*`, `processing-job/*`, `transform-job/*`). Models and
 *   endpoints use the account-wide form `arn:...:sagemaker:<region>:<account>:*`, which the page
 *   says to take literally. The account is in every ARN, so no `aws:SourceAccount` is needed.
 * - EventBridge: "Cross-service confused deputy prevention in Amazon EventBridge"
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html):
 *   for rule targets `aws:SourceArn` is the rule ARN; with `aws:SourceAccount`.
 */

/** SageMaker's service principal. */
const SAGEMAKER = 'sagemaker.amazonaws.com';

/**
 * The step types whose jobs assume the job role with a documented job ARN: processing jobs
 * (processing and check steps), training jobs, transform jobs. Steps that run no job with the
 * job role need nothing; any other step type (a tuning job, a model, a step type this library does
 * not know) makes the trust fall back to the account-wide form.
 */
const JOB_ARN_OF_STEP: { [type: string]: string | null } = {
  Processing: 'processing-job',
  QualityCheck: 'processing-job',
  ClarifyCheck: 'processing-job',
  Training: 'training-job',
  Transform: 'transform-job',
  Condition: null,
  Fail: null,
  Lambda: null,
  Callback: null,
  RegisterModel: null,
};

/** Both spellings of a name in an ARN: SageMaker writes the ARNs of many resources in lower case. */
function spellings(name: string): string[] {
  return Token.isUnresolved(name) || name.toLowerCase() === name ? [name] : [name, name.toLowerCase()];
}

/** The principal of a pipeline's execution role: SageMaker, for executions of this pipeline only. */
export function pipelineExecutionPrincipal(stack: Stack, pipelineName: string): iam.IPrincipal {
  const arns = spellings(pipelineName).map((n) => stack.formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: `${n}/*` }));
  return new iam.ServicePrincipal(SAGEMAKER, { conditions: { ArnLike: { 'aws:SourceArn': arns } } });
}

/**
 * The principal of a pipeline's job role: SageMaker, for jobs of this account and region of the
 * kinds the definition runs. `stepTypes` is read when the template is rendered (the definition
 * is complete then).
 */
export function jobPrincipal(stack: Stack, stepTypes: () => ReadonlySet<string>): iam.IPrincipal {
  const arn = (resource: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: '*' });
  const accountWide = `arn:${stack.partition}:sagemaker:${stack.region}:${stack.account}:*`;
  const arns = Lazy.list({
    produce: () => {
      const types = [...stepTypes()];
      if (types.some((t) => JOB_ARN_OF_STEP[t] === undefined)) { return [accountWide]; }
      const kinds = [...new Set(types.map((t) => JOB_ARN_OF_STEP[t]).filter((k): k is string => typeof k === 'string'))].sort();
      return kinds.length > 0 ? kinds.map(arn) : [accountWide];
    },
  });
  return new iam.ServicePrincipal(SAGEMAKER, { conditions: { ArnLike: { 'aws:SourceArn': arns } } });
}

/**
 * The principal of the role that EventBridge starts a pipeline with: EventBridge, for the given
 * rules of this account only. `ruleArns` is read when the template is rendered (every trigger has
 * been added then).
 */
export function triggerPrincipal(stack: Stack, ruleArns: () => string[]): iam.IPrincipal {
  return new iam.ServicePrincipal('events.amazonaws.com', {
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnEquals: { 'aws:SourceArn': Lazy.list({ produce: ruleArns }) },
    },
  });
}
