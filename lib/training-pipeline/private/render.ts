import { Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import type { RenderOptions } from '../definition';
import type { JobImage } from '../job-image';
import type { Step } from '../step';
import { ExecutionVariable, PipelineParameter, PipelineValue, PropertyFile } from '../values';


/** One problem found while rendering. */
export interface RenderIssue {
  /** The step (or part) where it is. */
  readonly where: string;
  /** What is wrong. */
  readonly message: string;
}

/**
 * Walks a definition once: renders pipeline values, and records what each step refers to
 * (steps, parameters, property files), so that the graph checks need no second pass.
 */
export class Renderer {
  public readonly issues: RenderIssue[] = [];
  /** Data dependencies of each step: step -> (referenced step -> how). */
  public readonly dataDeps = new Map<Step, Map<Step, string>>();
  /** Parameters used, with the first place that uses each. */
  public readonly usedParameters = new Map<PipelineParameter, string>();
  /** Property files read: (owner step, file, where). */
  public readonly propertyFileUses: Array<{ owner: Step; file: PropertyFile; where: string }> = [];
  /** Roles passed to jobs. */
  public readonly roles = new Set<iam.IRole>();
  /** Keys used by jobs. */
  public readonly keys = new Set<kms.IKey>();
  /** Images used by jobs. */
  public readonly images = new Set<JobImage>();
  /** Statements the pipeline execution role needs for typed steps (Lambda, callback). */
  public readonly executionStatements: iam.PolicyStatement[] = [];
  /** The step being rendered. */
  public current?: Step;

  constructor(public readonly scope: IConstruct, public readonly defaults: RenderOptions = {}) {}

  /** Where the current render is, for messages. */
  public where(): string {
    return this.current ? `step ${this.current.stepName}` : 'pipeline';
  }

  public issue(where: string, message: string): void {
    this.issues.push({ where, message });
  }

  public useStep(step: Step, how: string): void {
    if (!this.current) {
      this.issue('pipeline', `${how} refers to step "${step.stepName}" outside of any step`);
      return;
    }
    let deps = this.dataDeps.get(this.current);
    if (!deps) {
      deps = new Map();
      this.dataDeps.set(this.current, deps);
    }
    if (!deps.has(step)) { deps.set(step, how); }
  }

  public useParameter(p: PipelineParameter): void {
    if (!this.usedParameters.has(p)) { this.usedParameters.set(p, this.where()); }
  }

  public usePropertyFile(owner: Step, file: PropertyFile): void {
    this.propertyFileUses.push({ owner, file, where: this.where() });
  }

  /** The ARN of a job's role (the default role when none is given). */
  public role(role: iam.IRole | undefined, prop: string): string {
    const r = role ?? this.defaults.defaultRole;
    if (!r) {
      this.issue(this.where(), `No \`${prop}\` given and no default job role: give the step a role, or add it to a TrainingPipeline, which provides one`);
      return 'arn:aws:iam::000000000000:role/missing';
    }
    this.roles.add(r);
    return r.roleArn;
  }

  /** The ARN of a job's key (the default key when none is given), or undefined. */
  public keyArn(key: kms.IKey | undefined): string | undefined {
    const k = key ?? this.defaults.encryptionKey;
    if (!k) { return undefined; }
    this.keys.add(k);
    return k.keyArn;
  }

  /** `VpcConfig` of a job, when the pipeline runs jobs in a VPC. */
  public vpcConfig(): any {
    const n = this.defaults.network;
    return n ? { SecurityGroupIds: n.securityGroupIds, Subnets: n.subnetIds } : undefined;
  }

  /** Whether jobs run in a VPC (and so encrypt traffic between their containers). */
  public get inVpc(): boolean {
    return this.defaults.network !== undefined;
  }

  /** Whether jobs run without network access. */
  public get networkIsolation(): boolean | undefined {
    return this.defaults.enableNetworkIsolation ? true : undefined;
  }

  /** The URI of a job's image. */
  public image(image: JobImage): string {
    this.images.add(image);
    return image._bind(this.scope).imageUri;
  }

  /**
   * A default S3 location for an output: `s3://<bucket>/<prefix><execution id>/<step>/<name>`,
   * unique per execution.
   */
  public defaultOutput(prop: string, ...parts: string[]): any {
    const bucket = this.defaults.defaultBucket;
    if (!bucket) {
      this.issue(this.where(), `No \`${prop}\` given and no default bucket: give an S3 URI, or add the step to a TrainingPipeline, which provides a bucket`);
      return 's3://missing';
    }
    const prefix = (this.defaults.outputPrefix ?? '').replace(/\/+$/, '');
    const head = prefix ? `s3://${bucket.bucketName}/${prefix}` : `s3://${bucket.bucketName}`;
    return {
      'Std:Join': {
        On: '/',
        Values: [head, ExecutionVariable.PIPELINE_EXECUTION_ID._render(this), this.current?.stepName ?? 'pipeline', ...parts],
      },
    };
  }

  /**
   * Render any value: pipeline values and their tokens become their definition JSON, strings
   * that mix text with pipeline values become `Std:Join`, everything else is copied (keys whose
   * value is undefined are dropped, so absent props disappear).
   */
  public value(x: any): any {
    if (x === undefined || x === null) { return x; }
    if (x instanceof PipelineValue) { return x._render(this); }
    if (typeof x === 'string') { return Token.isUnresolved(x) ? this.tokenString(x) : x; }
    if (typeof x === 'number') {
      if (!Token.isUnresolved(x)) { return x; }
      const t = Tokenization.reverseNumber(x);
      return t instanceof PipelineValue ? t._render(this) : x;
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

  private tokenString(s: string): any {
    const fragments = Tokenization.reverseString(s);
    if (!fragments.tokens.some((t) => t instanceof PipelineValue)) { return s; }
    if (fragments.length === 1) { return (fragments.tokens[0] as PipelineValue)._render(this); }
    // Mixed text and pipeline values: Std:Join on "", literal and CloudFormation parts kept as strings.
    const values: any[] = [];
    let text = '';
    let hasText = false;
    const flush = () => {
      if (hasText) { values.push(text); }
      text = '';
      hasText = false;
    };
    for (const f of (fragments as any).fragments as Array<{ type: string; lit?: string; token?: any }>) {
      if (f.type === 'token' && f.token instanceof PipelineValue) {
        flush();
        values.push(f.token._render(this));
      } else if (f.type === 'literal') {
        text += f.lit;
        hasText = true;
      } else {
        // A CloudFormation token (or intrinsic) inside the text: kept as a string token.
        text += Token.asString(f.type === 'intrinsic' ? (f as any).value : f.token);
        hasText = true;
      }
    }
    flush();
    return { 'Std:Join': { On: '', Values: values } };
  }
}
