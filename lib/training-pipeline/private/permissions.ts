import { Stack, Token } from 'aws-cdk-lib';
import { ecrRepositoryArnOf } from '../../private/ecr';

/**
 * What a rendered definition needs, found by walking its JSON once (typed and imported
 * definitions alike): job types, roles passed to jobs, images, S3 locations read and written,
 * property file locations, Lambda functions, model package groups.
 */
export interface DefinitionNeeds {
  /** Step types present. */
  readonly stepTypes: Set<string>;
  /** Role ARNs of jobs (PassRole). */
  readonly roleArns: string[];
  /** ECR repository ARNs of the images. */
  readonly repositoryArns: string[];
  /** S3 locations jobs read: `bucket/keyprefix`. */
  readonly reads: string[];
  /** S3 locations jobs write: `bucket/keyprefix`. */
  readonly writes: string[];
  /** S3 locations of property files the pipeline itself reads. */
  readonly propertyFileLocations: string[];
  /** Lambda function ARNs invoked. */
  readonly functionArns: string[];
  /** Model package groups registered into or checked against. */
  readonly modelPackageGroups: string[];
  /** Model package groups a RegisterModel step registers into with the literal status `Approved`. */
  readonly approvedGroups: string[];
  /** Whether the definition has a PipelineExperimentConfig. */
  readonly experiments: boolean;
}

const READ_KEYS = new Set(['ModelDataUrl']);
const WRITE_KEYS = new Set(['S3OutputPath']);

/** `bucket/prefix` of an S3 URI (literal or with tokens), or of the head of a `Std:Join`; undefined for run-time values. */
export function s3Location(value: any): string | undefined {
  if (typeof value === 'string') {
    const m = /^s3:\/\/(.+)$/.exec(value.replace(/^"|"$/g, ''));
    if (!m) { return undefined; }
    const rest = m[1];
    return rest.includes('/') ? rest : `${rest}/`;
  }
  if (value && typeof value === 'object' && value['Std:Join']) {
    const join = value['Std:Join'];
    const head = join.Values?.[0];
    if (typeof head !== 'string') { return undefined; }
    const loc = s3Location(head);
    if (!loc) { return undefined; }
    const sep = join.On ?? '';
    return sep === '/' && !loc.endsWith('/') ? `${loc}/` : loc;
  }
  return undefined;
}

/** Walk the definition once. */
export function analyzeDefinition(definition: any, partition: string): DefinitionNeeds {
  const needs = {
    stepTypes: new Set<string>(),
    roleArns: [] as string[],
    repositoryArns: [] as string[],
    reads: [] as string[],
    writes: [] as string[],
    propertyFileLocations: [] as string[],
    functionArns: [] as string[],
    modelPackageGroups: [] as string[],
    approvedGroups: [] as string[],
    experiments: definition?.PipelineExperimentConfig !== undefined,
  };
  const seen = {
    roles: new Set<string>(), repos: new Set<string>(), reads: new Set<string>(), writes: new Set<string>(),
    files: new Set<string>(), fns: new Set<string>(), groups: new Set<string>(),
  };
  const add = (list: string[], set: Set<string>, v: string | undefined) => {
    if (v === undefined || set.has(v)) { return; }
    set.add(v);
    list.push(v);
  };

  // An S3 URI given by a parameter: the parameter's default location (other values given at run time
  // need access granted separately).
  const defaults = new Map<string, any>();
  for (const p of definition?.Parameters ?? []) {
    if (p && p.Type === 'String' && typeof p.DefaultValue === 'string') { defaults.set(`Parameters.${p.Name}`, p.DefaultValue); }
  }
  const walkArgs = (x: any, key: string | undefined, parentKey: string | undefined) => {
    if (x && typeof x === 'object' && typeof x.Get === 'string' && defaults.has(x.Get)) {
      x = defaults.get(x.Get);
    }
    if (typeof x === 'string' || (x && typeof x === 'object' && x['Std:Join'])) {
      if (key === 'RoleArn' || key === 'ExecutionRoleArn') {
        if (typeof x === 'string') { add(needs.roleArns, seen.roles, x); }
        return;
      }
      if ((key === 'ImageUri' || key === 'TrainingImage' || key === 'Image') && typeof x === 'string') {
        add(needs.repositoryArns, seen.repos, ecrRepositoryArnOf(x, partition));
        return;
      }
      if (key === 'S3Uri') {
        // Checkpoints are written and read back.
        if (parentKey === 'S3Output' || parentKey === 'CheckpointConfig') { add(needs.writes, seen.writes, s3Location(x)); }
        if (parentKey !== 'S3Output') { add(needs.reads, seen.reads, s3Location(x)); }
        return;
      }
      if (key && READ_KEYS.has(key)) { add(needs.reads, seen.reads, s3Location(x)); return; }
      if (key && WRITE_KEYS.has(key)) { add(needs.writes, seen.writes, s3Location(x)); return; }
      if (typeof x === 'string') { return; }
    }
    if (Array.isArray(x)) {
      for (const e of x) { walkArgs(e, key, parentKey); }
      return;
    }
    if (x && typeof x === 'object' && !Token.isUnresolved(x)) {
      for (const [k, v] of Object.entries(x)) { walkArgs(v, k, key); }
    }
  };

  const walkSteps = (steps: any[]) => {
    for (const step of steps ?? []) {
      if (!step || typeof step !== 'object') { continue; }
      needs.stepTypes.add(step.Type);
      const args = step.Arguments ?? {};
      if (step.Type === 'Condition') {
        walkSteps(args.IfSteps);
        walkSteps(args.ElseSteps);
        continue;
      }
      if (step.Type === 'Lambda' && typeof step.FunctionArn === 'string') { add(needs.functionArns, seen.fns, step.FunctionArn); }
      if (step.Type === 'Lambda' || step.Type === 'Callback' || step.Type === 'Fail') { continue; }
      if (step.Type === 'RegisterModel' && typeof args.ModelPackageGroupName === 'string') {
        add(needs.modelPackageGroups, seen.groups, args.ModelPackageGroupName);
        if (args.ModelApprovalStatus === 'Approved' && !needs.approvedGroups.includes(args.ModelPackageGroupName)) {
          needs.approvedGroups.push(args.ModelPackageGroupName);
        }
      }
      if (typeof step.ModelPackageGroupName === 'string') { add(needs.modelPackageGroups, seen.groups, step.ModelPackageGroupName); }
      walkArgs(args, undefined, undefined);
      for (const f of step.PropertyFiles ?? []) {
        const out = (args.ProcessingOutputConfig?.Outputs ?? []).find((o: any) => o.OutputName === f.OutputName);
        add(needs.propertyFileLocations, seen.files, out ? s3Location(out.S3Output?.S3Uri) : undefined);
      }
    }
  };
  walkSteps(definition?.Steps ?? []);
  return needs;
}

/** The ARN of objects under an S3 location (`bucket/prefix` -> `arn:...:s3:::bucket/prefix*`). */
export function objectArn(stack: Stack, location: string): string {
  return `arn:${stack.partition}:s3:::${location}*`;
}

/** The ARN of the bucket of an S3 location. */
export function bucketArn(stack: Stack, location: string): string {
  return `arn:${stack.partition}:s3:::${location.split('/')[0]}`;
}

/**
 * Fewer S3 locations for a policy: when a bucket has more than `max` locations, they become their
 * longest common key prefix (a pipeline with a script per step would otherwise need hundreds of ARNs).
 */
export function collapseLocations(locations: string[], max = 10): string[] {
  const byBucket = new Map<string, string[]>();
  for (const l of locations) {
    const bucket = l.split('/')[0];
    const list = byBucket.get(bucket) ?? [];
    list.push(l);
    byBucket.set(bucket, list);
  }
  const out: string[] = [];
  for (const [bucket, list] of byBucket) {
    if (list.length <= max) {
      out.push(...list);
      continue;
    }
    let prefix = list[0];
    for (const l of list) {
      let i = 0;
      while (i < prefix.length && i < l.length && prefix[i] === l[i]) { i++; }
      prefix = prefix.slice(0, i);
    }
    // Never cut a token in two, and keep at least the bucket.
    const open = prefix.lastIndexOf('${Token[');
    if (open >= 0 && prefix.indexOf(']}', open) < 0) { prefix = prefix.slice(0, open); }
    out.push(prefix.length > bucket.length ? prefix : `${bucket}/`);
  }
  return out;
}
