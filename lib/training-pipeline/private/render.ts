import { Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import type { ContainerImage } from '../../core/container-image';
import type { IModelPackageGroup } from '../../core/model-package-group';
import type { RenderOptions } from '../definition-options';
import type { RetryPolicy, Step } from '../step';
import { ExecutionVariable, PipelineValue } from '../values';
import type { StepReference } from './expression';
import type { StepRenderContext } from './render-context';

/** One problem found while rendering. */
export interface RenderIssue {
  /** The step (or part) where it is. */
  readonly where: string;
  /** What is wrong. */
  readonly message: string;
}

/**
 * The one walker of a definition: renders every step (its arguments, extras and options) and
 * every pipeline value in them, and records what each step refers to (steps, parameters,
 * property files), so that the graph checks need no second pass.
 *
 * Values and steps are passive: values describe themselves as data (`_expression`), steps return
 * their arguments with the values left in place; only this walker turns values into JSON.
 */
export class Renderer implements StepRenderContext {
  public readonly issues: RenderIssue[] = [];
  /** Data dependencies of each step: step -> (referenced step -> how). */
  public readonly dataDeps = new Map<Step, Map<StepReference, string>>();
  /** Parameters used: the value, its name and the first place that uses it. */
  public readonly usedParameters = new Map<PipelineValue, { readonly name: string; readonly where: string }>();
  /** Property files read: (owner step, file name, the file's owner when read, where). */
  public readonly propertyFileUses: Array<{ owner: StepReference; file: { readonly name: string; readonly _owner?: StepReference }; where: string }> = [];
  /** Keys used by jobs. */
  public readonly keys = new Set<kms.IKey>();
  /** Statements the pipeline execution role needs for typed steps (Lambda, callback). */
  public readonly executionStatements: iam.PolicyStatement[] = [];
  /** Model package groups steps register into. */
  public readonly registerGroups = new Set<IModelPackageGroup>();
  /** Model package groups steps read baselines from. */
  public readonly readGroups = new Set<IModelPackageGroup>();
  /** The step being rendered. */
  public current?: Step;

  constructor(public readonly scope: IConstruct, public readonly defaults: RenderOptions = {}) {}

  public where(): string {
    return this.current ? `step ${this.current.stepName}` : 'pipeline';
  }

  public issue(message: string): void {
    this.issueAt(this.where(), message);
  }

  /** Report a problem at a given place. */
  public issueAt(where: string, message: string): void {
    this.issues.push({ where, message });
  }

  public role(role: iam.IRole | undefined, prop: string): string {
    const r = role ?? this.defaults.defaultRole;
    if (!r) {
      this.issue(`No \`${prop}\` given and no default job role: give the step a role, or add it to a TrainingPipeline, which provides one`);
      return 'arn:aws:iam::000000000000:role/missing';
    }
    return r.roleArn;
  }

  public keyArn(key: kms.IKey | undefined): string | undefined {
    const k = key ?? this.defaults.encryptionKey;
    if (!k) { return undefined; }
    this.keys.add(k);
    return k.keyArn;
  }

  public vpcConfig(): any {
    const n = this.defaults.network;
    return n ? { SecurityGroupIds: n.securityGroupIds, Subnets: n.subnetIds } : undefined;
  }

  public get inVpc(): boolean {
    return this.defaults.network !== undefined;
  }

  public get networkIsolation(): boolean | undefined {
    return this.defaults.networkIsolation ? true : undefined;
  }

  public image(image: ContainerImage): string {
    // The pipeline grants image pulls from the rendered URIs (typed and imported definitions alike).
    return image.bind(this.scope).imageUri;
  }

  public defaultOutput(prop: string, ...parts: string[]): any {
    const bucket = this.defaults.defaultBucket;
    if (!bucket) {
      this.issue(`No \`${prop}\` given and no default bucket: give an S3 URI, or add the step to a TrainingPipeline, which provides a bucket`);
      return 's3://missing';
    }
    const prefix = (this.defaults.outputPrefix ?? '').replace(/\/+$/, '');
    const head = prefix ? `s3://${bucket.bucketName}/${prefix}` : `s3://${bucket.bucketName}`;
    return PipelineValue.join([head, ExecutionVariable.PIPELINE_EXECUTION_ID, this.current?.stepName ?? 'pipeline', ...parts], '/');
  }

  public addExecutionStatement(statement: iam.PolicyStatement): void {
    this.executionStatements.push(statement);
  }

  public useModelPackageGroup(group: IModelPackageGroup, use: 'register' | 'read'): void {
    (use === 'register' ? this.registerGroups : this.readGroups).add(group);
  }

  /**
   * The whole step: `Name`, `Type`, `Arguments` (with the argument overrides), the step's extras,
   * `DependsOn`, display name, description, cache config and retry policies, all values rendered.
   */
  public step(step: Step): any {
    const args = this.value(step._renderArguments(this));
    for (const o of step._argumentOverrides) {
      setPath(args, o.path, this.value(o.value));
    }
    const options = step._options;
    const out: any = { Name: step.stepName, Type: step.stepType, Arguments: args };
    Object.assign(out, this.value(step._renderExtras(this)));
    const deps = step._explicitDependencies;
    if (deps.length > 0) {
      out.DependsOn = deps.map((d) => {
        this.useStep(d, `DependsOn ${d.stepName}`);
        return d.stepName;
      });
    }
    if (options.displayName !== undefined) { out.DisplayName = options.displayName; }
    if (options.description !== undefined) { out.Description = options.description; }
    if (options.cache) {
      out.CacheConfig = {
        Enabled: true,
        ...(options.cache.expireAfter ? { ExpireAfter: options.cache.expireAfter.toIsoString() } : {}),
      };
    }
    if (options.retryPolicies && options.retryPolicies.length > 0) {
      out.RetryPolicies = options.retryPolicies.map(renderRetryPolicy);
    }
    return out;
  }

  /**
   * Render any value: pipeline values and their tokens become their definition JSON, strings
   * that mix text with pipeline values become `Std:Join`, everything else is copied (keys whose
   * value is undefined are dropped, so absent props disappear).
   */
  public value(x: any): any {
    if (x === undefined || x === null) { return x; }
    if (PipelineValue.isPipelineValue(x)) { return this.expression(x); }
    if (typeof x === 'string') { return Token.isUnresolved(x) ? this.tokenString(x) : x; }
    if (typeof x === 'number') {
      if (!Token.isUnresolved(x)) { return x; }
      const t = Tokenization.reverseNumber(x);
      return PipelineValue.isPipelineValue(t) ? this.expression(t) : x;
    }
    if (Array.isArray(x)) { return x.map((e) => this.value(e)); }
    if (typeof x === 'object') {
      if (Token.isUnresolved(x)) { return x; } // CloudFormation intrinsics and other resolvables
      const out: any = {};
      for (const [k, v] of Object.entries(x)) {
        if (v === undefined) { continue; }
        out[k] = this.value(v);
      }
      return out;
    }
    return x;
  }

  /** The definition JSON of one pipeline value, recording what it refers to. */
  private expression(v: PipelineValue): any {
    const e = v._expression;
    switch (e.kind) {
      case 'parameter':
        if (!this.usedParameters.has(v)) { this.usedParameters.set(v, { name: e.name, where: this.where() }); }
        return { Get: `Parameters.${e.name}` };
      case 'execution':
        return { Get: `Execution.${e.name}` };
      case 'step-property':
        this.useStep(e.step, v.describe());
        return { Get: `Steps.${e.step.stepName}.${e.path}` };
      case 'join':
        return { 'Std:Join': { On: e.separator, Values: e.values.map((x) => this.value(x)) } };
      case 'json-get': {
        const owner = e.file._owner;
        if (!owner) {
          this.issueAt(`Std:JsonGet(${e.file.name})`,
            `Std:JsonGet reads the property file "${e.file.name}", which no processing step declares; ` +
            'add it to the `propertyFiles` of the step that writes it');
          return { 'Std:JsonGet': { PropertyFile: { Get: `Steps.?.PropertyFiles.${e.file.name}` }, Path: e.path } };
        }
        this.useStep(owner, v.describe());
        this.propertyFileUses.push({ owner, file: e.file, where: this.where() });
        return { 'Std:JsonGet': { PropertyFile: { Get: `Steps.${owner.stepName}.PropertyFiles.${e.file.name}` }, Path: e.path } };
      }
    }
  }

  private useStep(step: StepReference, how: string): void {
    if (!this.current) {
      this.issueAt('pipeline', `${how} refers to step "${step.stepName}" outside of any step`);
      return;
    }
    let deps = this.dataDeps.get(this.current);
    if (!deps) {
      deps = new Map();
      this.dataDeps.set(this.current, deps);
    }
    if (!deps.has(step)) { deps.set(step, how); }
  }

  private tokenString(s: string): any {
    const fragments = Tokenization.reverseString(s);
    if (!fragments.tokens.some((t) => PipelineValue.isPipelineValue(t))) { return s; }
    if (fragments.length === 1) { return this.expression(fragments.tokens[0] as PipelineValue); }
    // Mixed text and pipeline values: Std:Join on "", literal and CloudFormation parts kept as strings.
    const values: any[] = [];
    let text = '';
    let hasText = false;
    const flush = () => {
      if (hasText) { values.push(text); }
      text = '';
      hasText = false;
    };
    for (const f of (fragments as any).fragments as Array<{ type: string; lit?: string; token?: any; value?: any }>) {
      if (f.type === 'token' && PipelineValue.isPipelineValue(f.token)) {
        flush();
        values.push(this.expression(f.token));
      } else if (f.type === 'literal') {
        text += f.lit;
        hasText = true;
      } else {
        // A CloudFormation token (or intrinsic) inside the text: kept as a string token.
        text += Token.asString(f.type === 'intrinsic' ? f.value : f.token);
        hasText = true;
      }
    }
    flush();
    return { 'Std:Join': { On: '', Values: values } };
  }
}

function renderRetryPolicy(p: RetryPolicy): any {
  return {
    BackoffRate: p.backoffRate ?? 2.0,
    IntervalSeconds: p.interval ? p.interval.toSeconds() : 1,
    ...(p.expireAfter ? { ExpireAfterMin: p.expireAfter.toMinutes() } : { MaxAttempts: p.maxAttempts ?? 3 }),
    ExceptionType: p.exceptionTypes,
  };
}

function setPath(target: any, path: string[], value: any): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') { node[key] = {}; }
    node = node[key];
  }
  const last = path[path.length - 1];
  if (value === undefined) { delete node[last]; } else { node[last] = value; }
}
