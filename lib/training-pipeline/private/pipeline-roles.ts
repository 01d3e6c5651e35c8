import { ArnFormat, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IModelPackageGroup } from '../../core/model-package-group';
import { wildcardResourceIds } from '../../private/nag';
import type { JobNetworkConfig } from '../definition-options';
import { bucketArn, collapseLocations, DefinitionNeeds, objectArn } from './permissions';

/*
 * The statements of a pipeline's two roles, from what its definition needs (private/permissions.ts
 * finds that in the rendered JSON, typed and imported definitions alike) and from what its steps
 * declared while rendering (functions, queues, model package groups as objects).
 */

/** What the roles of one pipeline need. */
export interface PipelineRoleNeeds {
  /** Found in the rendered definition. */
  readonly needs: DefinitionNeeds;
  /** Whether the definition was imported as JSON (its Lambda functions are named only in the JSON). */
  readonly imported: boolean;
  /** Statements typed steps declared (invoking a function, sending to a queue). */
  readonly stepStatements: iam.PolicyStatement[];
  /** The keys of the jobs, the pipeline's key first. */
  readonly keys: kms.IKey[];
  /** The network of the jobs, if they run in a VPC. */
  readonly network?: JobNetworkConfig;
  /** Model package groups (objects) steps register into. */
  readonly registerGroups: IModelPackageGroup[];
  /** Model package groups (objects) check steps read baselines from. */
  readonly readGroups: IModelPackageGroup[];
}

/** Acknowledge, on `role`, the AwsSolutions-IAM5 findings of exactly these wildcard resources. */
export function acknowledgeWildcardIds(role: iam.IRole, resources: string[], reason: string): void {
  const ids = wildcardResourceIds(Stack.of(role), resources);
  if (ids.length > 0) {
    Validations.of(role).acknowledge(...ids.map((id) => ({ id, reason })));
  }
}

/** SageMaker job types, the resource of the jobs they start, and the actions on them. */
const JOBS: Array<[string, string, string[]]> = [
  ['Processing', 'processing-job', ['sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob']],
  ['QualityCheck', 'processing-job', ['sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob']],
  ['ClarifyCheck', 'processing-job', ['sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob']],
  ['Training', 'training-job', ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob']],
  ['Tuning', 'hyper-parameter-tuning-job', ['sagemaker:CreateHyperParameterTuningJob', 'sagemaker:DescribeHyperParameterTuningJob',
    'sagemaker:StopHyperParameterTuningJob', 'sagemaker:ListTrainingJobsForHyperParameterTuningJob']],
  ['Transform', 'transform-job', ['sagemaker:CreateTransformJob', 'sagemaker:DescribeTransformJob', 'sagemaker:StopTransformJob']],
  ['Model', 'model', ['sagemaker:CreateModel', 'sagemaker:DescribeModel']],
];

/**
 * The execution role (SageMaker Pipelines runs the pipeline with it): the jobs it starts, the
 * model packages it registers, experiments, PassRole of the job roles, the property files it
 * reads, and the keys.
 */
export function grantExecutionRole(role: iam.IRole, p: PipelineRoleNeeds): void {
  const stack = Stack.of(role);
  const { needs } = p;
  const arn = (resource: string, name: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: name });
  const wildcards: string[] = [];
  const execution: iam.PolicyStatement[] = [];
  const byResource = new Map<string, Set<string>>();
  for (const [type, resource, actions] of JOBS) {
    if (!needs.stepTypes.has(type)) { continue; }
    // SageMaker Pipelines names the jobs it starts `pipelines-<execution id>-<step>-<hash>`.
    const name = type === 'Tuning' ? '*' : 'pipelines-*';
    const set = byResource.get(resource + '/' + name) ?? new Set<string>();
    actions.forEach((a) => set.add(a));
    set.add('sagemaker:AddTags');
    byResource.set(resource + '/' + name, set);
  }
  for (const [key, actions] of byResource) {
    const [resource, name] = [key.slice(0, key.lastIndexOf('/')), key.slice(key.lastIndexOf('/') + 1)];
    const r = arn(resource, name);
    wildcards.push(r);
    execution.push(new iam.PolicyStatement({ actions: [...actions].sort(), resources: [r] }));
  }
  // Groups given as objects are granted through the group (below); names found only in the JSON here.
  const objectGroups = new Set([...p.registerGroups, ...p.readGroups].flatMap((g) => [g.modelPackageGroupName, g.modelPackageGroupArn]));
  const groupNames = needs.modelPackageGroups.filter((g) => !objectGroups.has(g));
  const checks = needs.stepTypes.has('QualityCheck') || needs.stepTypes.has('ClarifyCheck');
  if (groupNames.length > 0) {
    const groupArns = groupNames.map((g) => arn('model-package-group', g));
    const packageArnsOf = (g: string) => {
      const list = [arn('model-package', `${g}/*`)];
      if (!Token.isUnresolved(g) && g.toLowerCase() !== g) { list.push(arn('model-package', `${g.toLowerCase()}/*`)); }
      return list;
    };
    const packageArns = groupNames.flatMap(packageArnsOf);
    wildcards.push(...packageArns);
    execution.push(new iam.PolicyStatement({
      actions: ['sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackage', 'sagemaker:AddTags', 'sagemaker:DescribeModelPackageGroup'],
      resources: [...groupArns, ...packageArns],
    }));
    // The self-approval guard IModelPackageGroup.grantRegister gives a group object, for groups
    // given by name: no version registered as Approved (which fires the group's onApproved rules
    // without the approval policy), unless a step opted in. StringEquals, not StringNotEquals: a
    // request without the status must stay allowed (an absent key makes StringNotEquals true).
    const guarded = groupNames.filter((g) => !needs.approvedGroups.includes(g));
    if (guarded.length > 0) {
      execution.push(selfApprovalDeny([...guarded.map((g) => arn('model-package-group', g)), ...guarded.flatMap(packageArnsOf)]));
    }
  }
  const readOnly = p.readGroups.filter((g) => !p.registerGroups.includes(g));
  if (checks && (groupNames.length > 0 || p.readGroups.length > 0) && readOnly.length === 0) {
    // Check steps look up the latest approved baselines of the group; ListModelPackages has no resource scope.
    execution.push(new iam.PolicyStatement({ actions: ['sagemaker:ListModelPackages'], resources: ['*'] }));
    wildcards.push('*');
  }
  if (needs.experiments) {
    const exp = [arn('experiment', '*'), arn('experiment-trial', '*'), arn('experiment-trial-component', '*')];
    wildcards.push(...exp);
    execution.push(new iam.PolicyStatement({
      actions: ['sagemaker:CreateExperiment', 'sagemaker:CreateTrial', 'sagemaker:DescribeExperiment', 'sagemaker:DescribeTrial',
        'sagemaker:CreateTrialComponent', 'sagemaker:AssociateTrialComponent', 'sagemaker:AddTags'],
      resources: exp,
    }));
  }
  if (needs.roleArns.length > 0) {
    execution.push(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: needs.roleArns,
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }));
  }
  // Typed Lambda steps add their own statement; imported definitions name the functions in the JSON.
  if (p.imported && needs.functionArns.length > 0) {
    execution.push(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: needs.functionArns }));
  }
  if (needs.propertyFileLocations.length > 0) {
    const r = collapseLocations(needs.propertyFileLocations).map((l) => objectArn(stack, l));
    wildcards.push(...r);
    execution.push(...chunked(r, (resources) => new iam.PolicyStatement({ actions: ['s3:GetObject'], resources })));
  }
  if (p.network) {
    // SageMaker checks the subnets and security groups of a job with the caller's permissions.
    execution.push(new iam.PolicyStatement({
      actions: ['ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeDhcpOptions'],
      resources: ['*'],
    }));
    wildcards.push('*');
  }
  const keyArns = p.keys.map((k) => k.keyArn);
  execution.push(new iam.PolicyStatement({
    actions: ['kms:CreateGrant', 'kms:DescribeKey'],
    resources: keyArns,
    conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  }));
  execution.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: keyArns }));
  for (const s of [...execution, ...p.stepStatements]) { role.addToPrincipalPolicy(s); }
  // The register steps may create model packages in their groups only; check steps read theirs.
  for (const group of p.registerGroups) {
    if (needs.approvedGroups.includes(group.modelPackageGroupArn)) {
      // A step opted in to registering as Approved: the same statement as grantRegister, without its guard.
      const groupArn = stack.formatArn({
        service: 'sagemaker', resource: 'model-package-group', account: group.env.account, region: group.env.region,
        resourceName: Token.isUnresolved(group.modelPackageGroupName) ? group.modelPackageGroupName : group.modelPackageGroupName.toLowerCase(),
      });
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['sagemaker:CreateModelPackage', 'sagemaker:AddTags', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup'],
        resources: [groupArn, group.modelPackageVersionsArn],
      }));
    } else {
      group.grantRegister(role);
    }
    wildcards.push(group.modelPackageVersionsArn);
  }
  for (const group of readOnly) {
    group.grantRead(role);
    wildcards.push(group.modelPackageVersionsArn, '*');
  }
  acknowledgeWildcardIds(role, wildcards, 'SageMaker Pipelines names the jobs, models, experiments and trials it creates at run time ' +
    '(`pipelines-<execution id>-...`); the statement is limited to those name patterns and to the prefixes this pipeline uses. ' +
    'sagemaker:ListModelPackages (check steps) and the ec2:Describe* actions (jobs in a VPC) support no resource scope.');
}

/**
 * The job role (the default role of the jobs): the S3 locations they read and write, the
 * images, the keys, logs and metrics, and network interfaces in the VPC.
 */
export function grantJobRole(role: iam.IRole, p: PipelineRoleNeeds): void {
  const stack = Stack.of(role);
  const { needs } = p;
  const job: iam.PolicyStatement[] = [];
  const jobWildcards: string[] = [];
  // What a job writes, a later job reads: its properties (output URIs, model artifacts) are known
  // only at run time, so the locations written are read as well.
  const reads = collapseLocations(unique([...needs.reads, ...needs.writes])).map((l) => objectArn(stack, l));
  const writes = collapseLocations(needs.writes).map((l) => objectArn(stack, l));
  job.push(...chunked(reads, (resources) => new iam.PolicyStatement({ actions: ['s3:GetObject'], resources })));
  job.push(...chunked(writes, (resources) => new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources })));
  jobWildcards.push(...reads, ...writes);
  const buckets = [...new Set([...needs.reads, ...needs.writes].map((l) => bucketArn(stack, l)))];
  if (buckets.length > 0) { job.push(new iam.PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: buckets })); }
  if (needs.repositoryArns.length > 0) {
    job.push(new iam.PolicyStatement({
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      resources: needs.repositoryArns,
    }));
    job.push(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
  }
  const keyArns = p.keys.map((k) => k.keyArn);
  job.push(new iam.PolicyStatement({
    actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    resources: keyArns,
  }));
  // Grants only for the AWS resources of the jobs (their volumes), on every key, the user's too.
  job.push(new iam.PolicyStatement({
    actions: ['kms:CreateGrant'],
    resources: keyArns,
    conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  }));
  const logs = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  jobWildcards.push(logs, '*');
  job.push(new iam.PolicyStatement({
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    resources: [logs],
  }));
  job.push(new iam.PolicyStatement({
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'aws/sagemaker/*'] } },
  }));
  if (p.network) {
    job.push(new iam.PolicyStatement({
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeDhcpOptions'],
      resources: ['*'],
    }));
    const eni = stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' });
    jobWildcards.push(eni);
    job.push(new iam.PolicyStatement({
      actions: ['ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission'],
      resources: [
        eni,
        ...p.network.subnetIds.map((id) => stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: id })),
        ...p.network.securityGroupIds.map((id) => stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: id })),
      ],
    }));
  }
  for (const s of job) { role.addToPrincipalPolicy(s); }
  acknowledgeWildcardIds(role, jobWildcards, 'Jobs read and write objects whose keys are made at run time (execution ids) under the prefixes this ' +
    'pipeline uses; SageMaker names job log streams at run time under /aws/sagemaker/; ecr:GetAuthorizationToken and ' +
    'cloudwatch:PutMetricData support no resource scope (the latter is limited to the SageMaker namespaces).');
}

/**
 * Deny registering or approving a version as Approved in these groups, as
 * `IModelPackageGroup.grantRegister` does (resources: the groups and their versions;
 * CreateModelPackage authorizes on both, UpdateModelPackage on the version). The condition key
 * `sagemaker:ModelApprovalStatus` is documented for both actions in the service authorization
 * reference (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html).
 */
function selfApprovalDeny(resources: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    actions: ['sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage'],
    resources,
    conditions: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
  });
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/**
 * Statements of at most 20 resources each, so that a pipeline with many S3 locations never makes a
 * statement larger than an IAM managed policy (ManagedPolicyRole spreads statements over policies).
 */
function chunked(resources: string[], make: (resources: string[]) => iam.PolicyStatement): iam.PolicyStatement[] {
  const out: iam.PolicyStatement[] = [];
  for (let i = 0; i < resources.length; i += 20) {
    out.push(make(resources.slice(i, i + 20)));
  }
  return out;
}
