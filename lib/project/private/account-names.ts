/*
 * The names both sides of a cross-account project derive from the project's name, so the tooling
 * stack and the target-account stacks find each other's roles without a cross-stack reference
 * (none can cross accounts) and without a value copied by hand.
 */

/** The stages of a project. */
export type StageName = 'staging' | 'prod';

/** The roles a target account (the account of a stage) holds for one project. */
export interface TargetRoleNames {
  /** Assumed by the tooling account's deploy pipeline role: deploys and deletes the stage stack. */
  readonly deploy: string;
  /** CloudFormation deploys the stage stack with it (what the stage template creates, nothing else). */
  readonly cloudFormation: string;
  /** The execution role of the stage's models. */
  readonly model: string;
  /** The role of the stage's Model Monitor jobs. */
  readonly monitoring: string;
  /** Assumed by the tooling account's deploy actions function: the staging test and the prod checks. */
  readonly test: string;
  /** The role of the rule that forwards the stage's alarms to the tooling account's event bus. */
  readonly forwarder: string;
}

/** IAM role names: at most 64 characters; a project name has at most 24. */
export function targetRoleNames(project: string, stage: StageName): TargetRoleNames {
  const base = `${project}-${stage}`;
  return {
    deploy: `${base}-deploy`,
    cloudFormation: `${base}-cloudformation`,
    model: `${base}-model`,
    monitoring: `${base}-monitoring`,
    test: `${base}-test`,
    forwarder: `${base}-alarm-forwarder`,
  };
}

/** The tooling account's roles that the target accounts trust. */
export function toolingRoleNames(project: string): { readonly pipeline: string; readonly deployActions: string } {
  return { pipeline: `${project}-deploy-pipeline`, deployActions: `${project}-deploy-actions` };
}

/**
 * The deploy pipeline's artifact bucket, named so the target accounts' deploy roles can read it:
 * at most 24 + 8 + 12 + 1 + 14 = 59 characters, globally unique by account and region.
 */
export function pipelineArtifactsBucketName(project: string, account: string, region: string): string {
  return `${project}-deploy-${account}-${region}`;
}

/** The topic of a target account's stage alarms, and the rule that forwards their state changes. */
export function targetAlarmNames(project: string, stage: StageName): { readonly topic: string; readonly forwardingRule: string } {
  return { topic: `${project}-${stage}-alarms`, forwardingRule: `${project}-${stage}-forward-alarms` };
}

/** An IAM role ARN of an account (the partition of the stack that refers to it). */
export function roleArn(partition: string, account: string, name: string): string {
  return `arn:${partition}:iam::${account}:role/${name}`;
}

/**
 * The project's image repositories when a stage runs in another account: that account's model
 * role pulls the inference image by the repository's ARN (`MlopsTargetAccount.imageRepositoryArns`).
 */
export function imageRepositoryNames(project: string): { readonly training: string; readonly inference: string } {
  return { training: `${project}/training`, inference: `${project}/inference` };
}
