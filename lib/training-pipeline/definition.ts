import { IConstruct } from 'constructs';
import { propError } from '../private/errors';
import { ConditionStep } from './control-steps';
import { ImportedDefinitionOptions, RenderOptions } from './definition-options';
import { checkReferences, collectSteps } from './private/graph';
import { checkImported, countImported, substituteImported } from './private/import';
import { DEFINITION_VERSION } from './private/names';
import { Renderer, RenderIssue } from './private/render';
import { Step } from './step';
import { ExecutionVariable, PipelineParameter } from './values';

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
      return { definition, issues: checkImported(definition, this.imported.options), renderer };
    }
    const issues = renderer.issues;
    const graph = collectSteps(this.steps, issues, (x) => x instanceof Step);
    const { all, parentOf } = graph;

    // Render each step once, recording its references; branch steps are spliced into their condition.
    const rendered = new Map<Step, any>();
    for (const step of all) {
      renderer.current = step;
      try {
        rendered.set(step, renderer.step(step));
      } catch (e: any) {
        issues.push({ where: `step ${step.stepName}`, message: e?.message ?? String(e) });
        rendered.set(step, { Name: step.stepName, Type: step.stepType, Arguments: {} });
      }
    }
    renderer.current = undefined;
    const branchesOf = (step: Step) => step instanceof ConditionStep ? step._branches() : undefined;
    for (const step of all) {
      const branches = branchesOf(step);
      if (!branches) { continue; }
      const args = rendered.get(step).Arguments;
      args.IfSteps = branches.ifSteps.filter((s) => parentOf.get(s) === step).map((s) => rendered.get(s));
      args.ElseSteps = branches.elseSteps.filter((s) => parentOf.get(s) === step).map((s) => rendered.get(s));
    }
    checkReferences(graph, renderer.dataDeps, issues, branchesOf);

    // Parameters: declared once, and every used one declared.
    const declared = new Map<string, PipelineParameter>();
    for (const p of this.parameters) {
      const other = declared.get(p.name);
      if (other && other !== p) {
        issues.push({ where: `parameter ${p.name}`, message: `Two different parameters are named "${p.name}"; parameter names must be unique` });
      }
      declared.set(p.name, p);
    }
    for (const [p, use] of renderer.usedParameters) {
      if (declared.get(use.name) !== p) {
        issues.push({ where: use.where, message: `It uses parameter "${use.name}", which the pipeline does not declare; add it with addParameter()` });
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
      Parameters: [...new Set(this.parameters)].map(renderDeclaration),
      PipelineExperimentConfig: this.experimentConfig ? {
        ExperimentName: renderer.value(this.experimentName ?? ExecutionVariable.PIPELINE_NAME),
        TrialName: renderer.value(this.trialName ?? ExecutionVariable.PIPELINE_EXECUTION_ID),
      } : undefined,
      Steps: this.steps.filter((s) => rendered.has(s) && !parentOf.has(s)).map((s) => rendered.get(s)),
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

/** The entry of a parameter in the definition's `Parameters` list. */
function renderDeclaration(p: PipelineParameter): any {
  return {
    Name: p.name,
    Type: p.valueType,
    ...(p.defaultValue !== undefined ? { DefaultValue: p.defaultValue } : {}),
    ...(p.enumValues !== undefined ? { EnumValues: p.enumValues } : {}),
  };
}
