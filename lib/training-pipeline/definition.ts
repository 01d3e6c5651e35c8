import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { propError } from '../private/errors';
import { ConditionStep } from './control-steps';
import { Renderer, RenderIssue } from './private/render';
import { substituteImported } from './private/import';
import { Step } from './step';
import { ExecutionVariable, PipelineParameter } from './values';

/** The definition format version SageMaker Pipelines reads. */
export const DEFINITION_VERSION = '2020-12-01';

/** Props of a {@link PipelineDefinition}. */
export interface PipelineDefinitionProps {
  /**
   * Parameters.
   * @default - none
   */
  readonly parameters?: PipelineParameter[];
  /**
   * Top-level steps (steps of condition branches are nested in their condition step).
   * @default - none
   */
  readonly steps?: Step[];
  /**
   * Create an experiment per pipeline and a trial per execution (`PipelineExperimentConfig`),
   * as the Python SDK does by default.
   * @default true
   */
  readonly experimentConfig?: boolean;
  /**
   * The experiment the executions are recorded in (a literal, or the token of a pipeline value).
   * @default - the pipeline's name (`Execution.PipelineName`)
   */
  readonly experimentName?: string;
  /**
   * The trial of an execution (a literal, or the token of a pipeline value).
   * @default - the execution id (`Execution.PipelineExecutionId`)
   */
  readonly trialName?: string;
}

/** The network jobs run in. */
export interface JobNetworkConfig {
  /** The subnets (private) the jobs' network interfaces go into. */
  readonly subnetIds: string[];
  /** The security groups of the jobs' network interfaces. */
  readonly securityGroupIds: string[];
}

/** What the pipeline provides to steps that do not say otherwise. */
export interface RenderOptions {
  /**
   * The role of jobs without a role of their own.
   * @default - none: every job step must have a role
   */
  readonly defaultRole?: iam.IRole;
  /**
   * The key of job volumes and outputs without a key of their own.
   * @default - none: SageMaker's default encryption
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The bucket of outputs without a destination.
   * @default - none: every output needs a destination
   */
  readonly defaultBucket?: s3.IBucket;
  /**
   * The key prefix of those outputs.
   * @default - the bucket's root
   */
  readonly outputPrefix?: string;
  /**
   * Run jobs in a VPC (traffic between their containers is then encrypted).
   * @default - jobs run in SageMaker's network
   */
  readonly network?: JobNetworkConfig;
  /**
   * Run the containers of processing, training and tuning jobs and models without network access.
   * @default false
   */
  readonly enableNetworkIsolation?: boolean;
}

/** Options of {@link PipelineDefinition.fromJson}. */
export interface ImportedDefinitionOptions {
  /**
   * Replaces the role ARN of every job (`RoleArn`, `ExecutionRoleArn` fields).
   * @default - the role ARNs are kept as they are
   */
  readonly jobRole?: iam.IRole;
  /**
   * Replaces the bucket of every S3 URI that names `sourceBucketName`.
   * @default - the buckets are kept as they are
   */
  readonly bucket?: s3.IBucket;
  /**
   * The bucket name used in the imported definition (for example `sagemaker-us-east-1-123456789012`).
   * @default - no bucket is replaced
   */
  readonly sourceBucketName?: string;
  /**
   * Other literal strings to replace anywhere in string values (an account id, a region...).
   * @default - none
   */
  readonly substitutions?: { [literal: string]: string };
}

/** The result of rendering: the definition object and what it needs. */
interface RenderedDefinition {
  readonly definition: any;
  readonly issues: RenderIssue[];
  readonly renderer: Renderer;
}

/**
 * A SageMaker Model Building Pipeline definition (Version 2020-12-01), built from typed steps,
 * or imported as JSON (such as the output of the Python SDK's `pipeline.definition()`).
 *
 * It renders the same JSON the Python SDK produces for the same pipeline.
 */
export class PipelineDefinition {
  /**
   * A definition produced elsewhere, with role and bucket tokens substituted.
   *
   * @param json the parsed definition (an object with `Version`, `Parameters`, `Steps`)
   * @param options substitutions
   */
  public static fromJson(json: any, options: ImportedDefinitionOptions = {}): PipelineDefinition {
    if (typeof json === 'string') {
      try {
        json = JSON.parse(json);
      } catch (e: any) {
        throw propError('PipelineDefinition.fromJson', 'json', json, `It is not valid JSON (${e.message})`);
      }
    }
    if (json === null || typeof json !== 'object' || !Array.isArray(json.Steps)) {
      throw propError('PipelineDefinition.fromJson', 'json', json, 'A pipeline definition is an object with a `Steps` list');
    }
    const d = new PipelineDefinition();
    d.imported = { json, options };
    return d;
  }

  private readonly parameters: PipelineParameter[] = [];
  private readonly steps: Step[] = [];
  private readonly experimentConfig: boolean;
  private readonly experimentName?: string;
  private readonly trialName?: string;
  private imported?: { json: any; options: ImportedDefinitionOptions };

  constructor(props: PipelineDefinitionProps = {}) {
    this.parameters.push(...(props.parameters ?? []));
    this.steps.push(...(props.steps ?? []));
    this.experimentConfig = props.experimentConfig ?? true;
    if (!this.experimentConfig && (props.experimentName !== undefined || props.trialName !== undefined)) {
      throw propError('PipelineDefinition', 'experimentName', props.experimentName ?? props.trialName,
        'Experiment and trial names need `experimentConfig` (it is false)');
    }
    this.experimentName = props.experimentName;
    this.trialName = props.trialName;
  }

  /** Declare parameters. */
  public addParameter(...parameters: PipelineParameter[]): void {
    this.assertTyped('addParameter');
    this.parameters.push(...parameters);
  }

  /** Add top-level steps. */
  public addStep(...steps: Step[]): void {
    this.assertTyped('addStep');
    this.steps.push(...steps);
  }

  /** Whether this definition was imported as JSON. */
  public get isImported(): boolean {
    return this.imported !== undefined;
  }

  /** The number of steps, nested steps included. */
  public get stepCount(): number {
    if (this.imported) { return countImported(this.imported.json.Steps); }
    let n = 0;
    const stack = [...this.steps];
    while (stack.length > 0) {
      n++;
      stack.push(...stack.pop()!._children());
    }
    return n;
  }

  /**
   * Render the definition object (CloudFormation tokens, such as role ARNs, stay tokens: resolve
   * with `Stack.of(scope).resolve()` or `toJsonString()`). Throws with every problem found.
   *
   * @param scope a construct in the stack the definition belongs to (built-in image lookups)
   * @param options defaults for steps that do not set them
   */
  public render(scope: IConstruct, options: RenderOptions = {}): any {
    const out = this._render(scope, options);
    if (out.issues.length > 0) {
      throw propError(scope, 'definition', `${out.issues.length} problem(s)`,
        out.issues.map((i) => `${i.where}: ${i.message}`).join('; '));
    }
    return out.definition;
  }

  /** @internal */
  public _render(scope: IConstruct, options: RenderOptions = {}): RenderedDefinition {
    const renderer = new Renderer(scope, options);
    if (this.imported) {
      const definition = substituteImported(this.imported.json, this.imported.options);
      return { definition, issues: checkImported(definition), renderer };
    }
    const issues = renderer.issues;

    // Steps: names unique, each step once.
    const byName = new Map<string, Step>();
    const all: Step[] = [];
    const parentOf = new Map<Step, Step>();
    const visit = (step: Step, parent?: Step) => {
      if (!(step instanceof Step)) {
        issues.push({ where: parent ? `step ${parent.stepName}` : 'pipeline', message: `${String(step)} is not a Step` });
        return false;
      }
      const other = byName.get(step.stepName);
      if (other === step) {
        issues.push({ where: `step ${step.stepName}`, message: 'The step is added more than once (to the pipeline or to condition branches); add each step in one place' });
        return false;
      }
      if (other) {
        issues.push({ where: `step ${step.stepName}`, message: `Two different steps are named "${step.stepName}"; step names must be unique in a pipeline` });
        return false;
      }
      byName.set(step.stepName, step);
      all.push(step);
      if (parent) { parentOf.set(step, parent); }
      return true;
    };
    const queue: Array<[Step, Step | undefined]> = this.steps.map((s) => [s, undefined]);
    for (let i = 0; i < queue.length; i++) {
      const [step, parent] = queue[i];
      if (visit(step, parent)) {
        for (const child of step._children()) { queue.push([child, step]); }
      }
    }
    const members = new Set(all);

    // Render each step once, recording its references.
    const rendered = new Map<Step, any>();
    for (const step of all) {
      renderer.current = step;
      try {
        rendered.set(step, step._render(renderer));
      } catch (e: any) {
        issues.push({ where: `step ${step.stepName}`, message: e?.message ?? String(e) });
        rendered.set(step, { Name: step.stepName, Type: step.stepType, Arguments: {} });
      }
    }
    renderer.current = undefined;
    for (const step of all) {
      if (step instanceof ConditionStep) {
        const { ifSteps, elseSteps } = step._branches();
        const args = rendered.get(step).Arguments;
        args.IfSteps = ifSteps.filter((s) => members.has(s) && parentOf.get(s) === step).map((s) => rendered.get(s));
        args.ElseSteps = elseSteps.filter((s) => members.has(s) && parentOf.get(s) === step).map((s) => rendered.get(s));
      }
    }

    // References to steps that are not part of the pipeline, and the dependency graph.
    const edges = new Map<Step, Step[]>();
    for (const step of all) {
      const deps: Step[] = [];
      for (const [dep, how] of renderer.dataDeps.get(step) ?? new Map<Step, string>()) {
        if (!members.has(dep) || byName.get(dep.stepName) !== dep) {
          issues.push({ where: `step ${step.stepName}`, message: `It refers to step "${dep.stepName}" (${how}), which is not part of the pipeline; add that step with addStep() or to a condition branch` });
          continue;
        }
        deps.push(dep);
      }
      const parent = parentOf.get(step);
      if (parent) { deps.push(parent); }
      edges.set(step, deps);
    }
    // A step of one branch of a condition cannot use a step of the other branch: only one of them runs.
    const sideOf = new Map<Step, string>();
    for (const step of all) {
      if (step instanceof ConditionStep) {
        const { ifSteps, elseSteps } = step._branches();
        ifSteps.forEach((s) => { if (parentOf.get(s) === step) { sideOf.set(s, 'if'); } });
        elseSteps.forEach((s) => { if (parentOf.get(s) === step) { sideOf.set(s, 'else'); } });
      }
    }
    const chain = (step: Step): Map<Step, string> => {
      const out = new Map<Step, string>();
      let cur: Step | undefined = step;
      while (cur && parentOf.has(cur)) {
        out.set(parentOf.get(cur)!, sideOf.get(cur)!);
        cur = parentOf.get(cur);
      }
      return out;
    };
    for (const step of all) {
      if (!parentOf.has(step)) { continue; }
      const mine = chain(step);
      for (const dep of renderer.dataDeps.get(step)?.keys() ?? []) {
        if (!parentOf.has(dep) || !members.has(dep)) { continue; }
        for (const [cond, side] of chain(dep)) {
          const own = mine.get(cond);
          if (own !== undefined && own !== side) {
            issues.push({ where: `step ${step.stepName}`, message: `It is in the ${own} branch of condition "${cond.stepName}" but uses step "${dep.stepName}" of the ${side} branch, which never runs in the same execution` });
          }
        }
      }
    }

    const cycle = findCycle(all, edges);
    if (cycle) {
      issues.push({ where: `step ${cycle[0].stepName}`, message: `The steps form a cycle: ${cycle.map((s) => s.stepName).join(' -> ')}; a step cannot depend on itself, directly or through other steps` });
    }

    // Parameters: declared once, and every used one declared.
    const declared = new Map<string, PipelineParameter>();
    for (const p of this.parameters) {
      const other = declared.get(p.name);
      if (other && other !== p) {
        issues.push({ where: `parameter ${p.name}`, message: `Two different parameters are named "${p.name}"; parameter names must be unique` });
      }
      declared.set(p.name, p);
    }
    for (const [p, where] of renderer.usedParameters) {
      if (declared.get(p.name) !== p) {
        issues.push({ where, message: `It uses parameter "${p.name}", which the pipeline does not declare; add it with addParameter()` });
      }
    }
    // Property files: read only from the step that declares them (checked as step references above).
    for (const use of renderer.propertyFileUses) {
      if (use.file._owner !== use.owner) {
        issues.push({ where: use.where, message: `Std:JsonGet reads property file "${use.file.name}", which step "${use.owner.stepName}" does not declare` });
      }
    }

    const definition: any = {
      Version: DEFINITION_VERSION,
      Metadata: {},
      Parameters: [...new Set(this.parameters)].map((p) => p._renderDeclaration()),
      PipelineExperimentConfig: this.experimentConfig ? {
        ExperimentName: this.experimentName !== undefined ? renderer.value(this.experimentName) : ExecutionVariable.PIPELINE_NAME._render(renderer),
        TrialName: this.trialName !== undefined ? renderer.value(this.trialName) : ExecutionVariable.PIPELINE_EXECUTION_ID._render(renderer),
      } : undefined,
      Steps: this.steps.filter((s) => members.has(s) && !parentOf.has(s)).map((s) => rendered.get(s)),
    };
    if (!definition.PipelineExperimentConfig) { delete definition.PipelineExperimentConfig; }
    return { definition, issues, renderer };
  }

  private assertTyped(method: string): void {
    if (this.imported) {
      throw propError('PipelineDefinition', method, method, 'An imported definition cannot be extended with typed steps or parameters');
    }
  }
}

/**
 * The graph checks on an imported definition: unique step names, and `Get` references only to
 * steps, parameters and property files the definition has.
 */
function checkImported(definition: any): RenderIssue[] {
  const issues: RenderIssue[] = [];
  const steps = new Map<string, any>();
  const all: any[] = [];
  const collect = (list: any[]) => {
    for (const step of list ?? []) {
      if (!step || typeof step.Name !== 'string') {
        issues.push({ where: 'pipeline', message: `A step has no Name: ${JSON.stringify(step)?.slice(0, 80)}` });
        continue;
      }
      if (steps.has(step.Name)) {
        issues.push({ where: `step ${step.Name}`, message: `Two steps are named "${step.Name}"; step names must be unique in a pipeline` });
      }
      steps.set(step.Name, step);
      all.push(step);
      if (step.Type === 'Condition') {
        collect(step.Arguments?.IfSteps);
        collect(step.Arguments?.ElseSteps);
      }
    }
  };
  collect(definition.Steps);
  const params = new Set<string>((definition.Parameters ?? []).map((p: any) => p?.Name));
  const refs = (x: any, where: string, nested: boolean) => {
    if (Array.isArray(x)) { x.forEach((e) => refs(e, where, nested)); return; }
    if (!x || typeof x !== 'object') { return; }
    if (typeof x.Get === 'string') {
      const m = /^(Steps|Parameters|Execution)\.([^.[]+)(.*)$/.exec(x.Get);
      if (!m) {
        issues.push({ where, message: `The reference "${x.Get}" is not Steps.*, Parameters.* or Execution.*` });
      } else if (m[1] === 'Steps' && !steps.has(m[2])) {
        issues.push({ where, message: `It refers to step "${m[2]}" (${x.Get}), which is not part of the pipeline` });
      } else if (m[1] === 'Parameters' && !params.has(m[2])) {
        issues.push({ where, message: `It uses parameter "${m[2]}", which the definition does not declare` });
      } else if (m[1] === 'Steps' && m[3].startsWith('.PropertyFiles.')) {
        const file = m[3].slice('.PropertyFiles.'.length);
        const declared = (steps.get(m[2]).PropertyFiles ?? []).some((f: any) => f.PropertyFileName === file);
        if (!declared) {
          issues.push({ where, message: `Std:JsonGet reads property file "${file}", which step "${m[2]}" does not declare` });
        }
      }
      return;
    }
    for (const [k, v] of Object.entries(x)) {
      // Branch steps are checked as steps of their own.
      if (nested && (k === 'IfSteps' || k === 'ElseSteps')) { continue; }
      refs(v, where, nested);
    }
  };
  for (const step of all) {
    const { IfSteps: _i, ElseSteps: _e, ...args } = step.Arguments ?? {};
    refs({ ...step, Arguments: args }, `step ${step.Name}`, true);
    for (const dep of step.DependsOn ?? []) {
      if (!steps.has(dep)) {
        issues.push({ where: `step ${step.Name}`, message: `It depends on step "${dep}", which is not part of the pipeline` });
      }
    }
  }
  return issues;
}

function countImported(steps: any[]): number {
  let n = 0;
  for (const s of steps ?? []) {
    n++;
    if (s?.Type === 'Condition') {
      n += countImported(s.Arguments?.IfSteps ?? []) + countImported(s.Arguments?.ElseSteps ?? []);
    }
  }
  return n;
}

/** A cycle in the dependency graph (iterative depth-first search, linear in steps + edges), or undefined. */
function findCycle(nodes: Step[], edges: Map<Step, Step[]>): Step[] | undefined {
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const color = new Map<Step, number>();
  for (const start of nodes) {
    if ((color.get(start) ?? WHITE) !== WHITE) { continue; }
    const path: Step[] = [start];
    const iters: number[] = [0];
    color.set(start, GREY);
    while (path.length > 0) {
      const node = path[path.length - 1];
      const deps = edges.get(node) ?? [];
      const i = iters[iters.length - 1];
      if (i >= deps.length) {
        color.set(node, BLACK);
        path.pop();
        iters.pop();
        continue;
      }
      iters[iters.length - 1] = i + 1;
      const next = deps[i];
      const c = color.get(next) ?? WHITE;
      if (c === GREY) {
        const from = path.indexOf(next);
        // path: next -> ... -> node depends on next. Report in "depends on" order.
        return [...path.slice(from), next];
      }
      if (c === WHITE) {
        color.set(next, GREY);
        path.push(next);
        iters.push(0);
      }
    }
  }
  return undefined;
}
