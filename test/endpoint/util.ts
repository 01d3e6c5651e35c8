import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ArtifactBucket } from '../../lib/core';
import { EndpointWithMonitor, EndpointWithMonitorProps, ModelSource } from '../../lib/endpoint';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const PACKAGE_ARN = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package/churn/3`;

/** A stack with an artifact bucket, in a fixed account and region unless told otherwise. */
export function newStack(app: App = new App(), env: boolean = true): { stack: Stack; artifacts: ArtifactBucket } {
  const stack = new Stack(app, 'Stack', env ? { env: { account: ACCOUNT, region: REGION } } : {});
  const artifacts = new ArtifactBucket(stack, 'Artifacts');
  return { stack, artifacts };
}

/** The model of the promote path: an approved model package version. */
export function packageModel(artifacts: ArtifactBucket, arn: string = PACKAGE_ARN): ModelSource {
  return ModelSource.fromModelPackageArn(arn, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models' });
}

type PropsFn = (artifacts: ArtifactBucket, stack: Stack) => Partial<EndpointWithMonitorProps>;

/** Build an endpoint in a fresh stack (not synthesized yet). */
export function make(props: PropsFn = () => ({}), app: App = new App()) {
  const { stack, artifacts } = newStack(app);
  const extra = props(artifacts, stack);
  const endpoint = new EndpointWithMonitor(stack, 'Endpoint', {
    model: packageModel(artifacts),
    encryptionKey: artifacts.encryptionKey,
    artifactBucket: artifacts.bucket,
    ...extra,
  });
  return { stack, artifacts, endpoint };
}

/** Build an endpoint in a fresh stack and return it with its template. */
export function build(props: PropsFn = () => ({})) {
  const made = make(props);
  return { ...made, template: Template.fromStack(made.stack) };
}

/** The only resource of a type, its properties. */
export function onlyResource(template: Template, type: string): any {
  const found = Object.values(template.findResources(type));
  if (found.length !== 1) { throw new Error(`expected one ${type}, found ${found.length}`); }
  return found[0];
}


/**
 * Every statement of the managed policies in a template (a role's scoped policy and its policy of
 * resource-less actions), in template order.
 */
export function policyStatements(template: Template): any[] {
  return Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/**
 * Every statement of the managed policies whose description matches (a role's scoped policy and its
 * policy of resource-less actions); fails when no policy matches.
 */
export function statementsOfPolicies(template: Template, description: RegExp): any[] {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter((p: any) => description.test(p.Properties.Description));
  if (policies.length === 0) throw new Error(`no managed policy described by ${description}`);
  return policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}
