import * as fs from 'fs';
import * as path from 'path';
import { ISynthesisSession, Stack, StackSynthesizer } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/*
 * The flow diagram of a project: a Mermaid flowchart of the parts the project really has, drawn
 * from a plain description (FlowParts) that MlopsProject assembles from its members when asked.
 */

/** One step of the training pipeline, as its definition has it. */
export interface FlowStep {
  readonly name: string;
  readonly type: string;
  /** The steps whose outputs or properties it uses, or that it names in DependsOn. */
  readonly after: string[];
  /** A condition's branches. */
  readonly ifSteps?: string[];
  readonly elseSteps?: string[];
}

/** What the project is made of, for the diagram. */
export interface FlowParts {
  readonly projectName: string;
  /**
   * The source and build pipeline, when the project has one: the source (such as
   * "GitHub owner/repo@main" or "S3 bucket/key.zip") and the images it builds (such as
   * "training", "inference"; empty for built-in images).
   */
  readonly build?: { readonly source: string; readonly images: string[] };
  /** The MLflow resource the training jobs log to, when the project tracks experiments. */
  readonly experimentTracking?: { readonly trackingServerName: string };
  /** The feature store the training reads (a group's name, or the store's path), and whether the endpoints read its online store. */
  readonly featureStore?: { readonly name: string; readonly endpointReadsOnlineStore: boolean };
  /** The training pipeline: its name, and its steps when the project knows its definition. */
  readonly training?: { readonly pipelineName: string; readonly steps?: FlowStep[] };
  /** What starts the training pipeline again. */
  readonly retraining: { readonly kind: 'monitor' | 'schedule' | 'newData'; readonly label: string }[];
  readonly modelPackageGroupName: string;
  /** The approval policy in words, and its thresholds (such as "auc ≥ 0.75"). */
  readonly approval: { readonly policy: string; readonly thresholds: string[] };
  readonly deployPipelineName: string;
  readonly executionMode: string;
  /** `account` only for a stage in another account than the project's. */
  readonly staging: { readonly endpointName: string; readonly mode: string; readonly ephemeral: boolean; readonly test: string; readonly account?: string };
  readonly prodApproval: string;
  readonly prod: { readonly endpointName: string; readonly deployment: string; readonly bake: string; readonly account?: string };
  /** The monitors of the stage endpoints (such as "data quality"). */
  readonly monitors: string[];
  readonly rollbackOnRejection: boolean;
  /** Where notifications go besides the topic (such as "e-mail x1", "Slack x1"). */
  readonly notifications: string[];
}

/** The step graph of a rendered SageMaker pipeline definition (its `Steps`, nested branches included). */
export function stepsOfDefinition(definition: any): FlowStep[] {
  const out: FlowStep[] = [];
  const walk = (steps: any[]) => {
    for (const step of steps ?? []) {
      if (!step || typeof step.Name !== 'string') { continue; }
      const args = step.Arguments ?? {};
      const isCondition = step.Type === 'Condition';
      const own = isCondition ? { ...step, Arguments: { ...args, IfSteps: undefined, ElseSteps: undefined } } : step;
      const after = new Set<string>([...referencedSteps(own), ...(Array.isArray(step.DependsOn) ? step.DependsOn : [])]);
      after.delete(step.Name);
      out.push({
        name: step.Name,
        type: String(step.Type),
        after: [...after],
        ifSteps: isCondition ? (args.IfSteps ?? []).map((s: any) => s?.Name) : undefined,
        elseSteps: isCondition ? (args.ElseSteps ?? []).map((s: any) => s?.Name) : undefined,
      });
      if (isCondition) {
        walk(args.IfSteps);
        walk(args.ElseSteps);
      }
    }
  };
  walk(definition?.Steps);
  return out;
}

/** The names of the steps a value refers to (`{"Get": "Steps.<name>...."}`). */
function referencedSteps(value: any, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => referencedSteps(v, found));
  } else if (value && typeof value === 'object') {
    if (typeof value.Get === 'string') {
      const m = /^Steps\.([^.[]+)/.exec(value.Get);
      if (m) { found.add(m[1]); }
    }
    Object.values(value).forEach((v) => referencedSteps(v, found));
  }
  return found;
}

/** A label in double quotes, with what Mermaid would read as syntax written as entities. */
function q(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

/** Render the Mermaid flowchart. */
export function renderFlowDiagram(p: FlowParts): string {
  const lines: string[] = ['flowchart TD'];
  const add = (line: string) => lines.push(`  ${line}`);

  // What feeds the training pipeline.
  if (p.build) {
    add(`source[${q(`Source: ${p.build.source}`)}]`);
    if (p.build.images.length > 0) {
      add(`images[${q(`Build images: ${p.build.images.join(', ')}`)}]`);
      add('source --> images');
    }
  }
  if (p.featureStore) { add(`featureStore[(${q(`Feature store: ${p.featureStore.name}`)})]`); }
  const retrain = (kind: string) => p.retraining.filter((r) => r.kind === kind);
  retrain('schedule').forEach((r, i) => add(`schedule${i}([${q(`Schedule: ${r.label}`)}])`));
  retrain('newData').forEach((r, i) => add(`newData${i}[(${q(`New data: ${r.label}`)})]`));

  let training: string | undefined;
  const registerSteps: string[] = [];
  if (p.training) {
    training = 'training';
    add(`subgraph training[${q(`Training pipeline ${p.training.pipelineName}`)}]`);
    const steps = p.training.steps ?? [];
    if (steps.length === 0) { add(`  trainingSteps[${q('Steps of your definition')}]`); }
    const ids = new Map(steps.map((s, i) => [s.name, `step${i}`]));
    for (const s of steps) {
      const label = q(`${s.name} (${s.type})`);
      add(`  ${ids.get(s.name)}${s.type === 'Condition' ? `{${label}}` : `[${label}]`}`);
      if (s.type === 'RegisterModel') { registerSteps.push(ids.get(s.name)!); }
    }
    for (const [from, to] of reducedEdges(steps)) { add(`  ${ids.get(from)} --> ${ids.get(to)}`); }
    for (const s of steps) {
      (s.ifSteps ?? []).forEach((t) => ids.has(t) && add(`  ${ids.get(s.name)} -- "if" --> ${ids.get(t)}`));
      (s.elseSteps ?? []).forEach((t) => ids.has(t) && add(`  ${ids.get(s.name)} -- "else" --> ${ids.get(t)}`));
    }
    add('end');
    if (p.build) { add(`${p.build.images.length > 0 ? 'images' : 'source'} -- "code and images of the commit" --> training`); }
    if (p.featureStore) { add('featureStore -- "offline store" --> training'); }
    retrain('schedule').forEach((_, i) => add(`schedule${i} --> training`));
    retrain('newData').forEach((_, i) => add(`newData${i} --> training`));
    if (p.experimentTracking) {
      add(`mlflow[(${q(`MLflow ${p.experimentTracking.trackingServerName}`)})]`);
      add('training -. "experiments" .-> mlflow');
    }
  }

  // Registry and approval.
  add(`group[(${q(`Model package group ${p.modelPackageGroupName}`)})]`);
  if (training) {
    if (registerSteps.length > 0) {
      registerSteps.forEach((id) => add(`${id} -- "PendingManualApproval" --> group`));
    } else {
      add('training --> group');
    }
  }
  const thresholds = p.approval.thresholds.length > 0 ? `<br/>${p.approval.thresholds.join('<br/>')}` : '';
  add(`approval{${q(`Approval: ${p.approval.policy}${thresholds}`)}}`);
  add('group --> approval');
  add(`release[${q('Release handler: an immutable release of that version')}]`);
  add('approval -- "Approved" --> release');
  if (p.rollbackOnRejection) { add('approval -- "Rejected while prod serves it: the last verified version" --> release'); }

  // The deploy pipeline.
  add(`subgraph deploy[${q(`Deploy pipeline ${p.deployPipelineName} (${p.executionMode})`)}]`);
  const inAccount = (account?: string) => (account ? ` (account ${account})` : '');
  add(`  staging[${q(`Staging ${p.staging.endpointName}${inAccount(p.staging.account)}<br/>${p.staging.mode}`)}]`);
  add(`  stagingTest[${q(`Staging test: ${p.staging.test}`)}]`);
  add(`  prodApproval{${q(p.prodApproval)}}`);
  add(`  checkRelease[${q('Check: still approved, not older than prod')}]`);
  if (p.staging.ephemeral) { add(`  deleteStaging[${q('Delete staging')}]`); }
  add(`  prod[${q(`Prod ${p.prod.endpointName}${inAccount(p.prod.account)}<br/>${p.prod.deployment}`)}]`);
  add(`  verify[${q(`Verify: serves the release; ${p.prod.bake}`)}]`);
  add(`  record[${q('Deployment record')}]`);
  add('  staging --> stagingTest --> prodApproval');
  add('  prodApproval -- "Approved" --> checkRelease');
  if (p.staging.ephemeral) { add('  prodApproval -- "approved or rejected" --> deleteStaging'); }
  add('  checkRelease --> prod --> verify --> record');
  add('  verify -- "alarm or failure: roll back" --> prod');
  add('end');
  add('release --> staging');

  // Monitoring, notifications and the loop back.
  const monitored = p.monitors.length > 0;
  if (monitored) {
    add(`monitor[${q(`Model Monitor: ${p.monitors.join(', ')}`)}]`);
    add('prod --> monitor');
  }
  if (p.featureStore?.endpointReadsOnlineStore) { add('featureStore -. "online store" .-> prod'); }
  add(`topic([${q('Notification topic')}])`);
  add('deploy -. "executions, approvals, rollbacks" .-> topic');
  add('approval -. "versions to approve, decisions" .-> topic');
  if (monitored) { add('monitor -. "violations" .-> topic'); }
  p.notifications.forEach((n, i) => {
    add(`notify${i}[${q(n)}]`);
    add(`topic --> notify${i}`);
  });
  if (training && monitored) {
    retrain('monitor').forEach((r) => add(`monitor -- ${q(`${r.label} in ALARM: retrain`)} --> training`));
  }
  return lines.join('\n') + '\n';
}

/** The data and order edges of the steps, without those another path already implies (branch edges are drawn apart). */
function reducedEdges(steps: FlowStep[]): Array<[string, string]> {
  const names = new Set(steps.map((s) => s.name));
  const edges = new Map<string, Set<string>>();
  const branchTargets = new Map<string, Set<string>>();
  for (const s of steps) {
    for (const a of s.after) {
      if (!names.has(a)) { continue; }
      if (!edges.has(a)) { edges.set(a, new Set()); }
      edges.get(a)!.add(s.name);
    }
    branchTargets.set(s.name, new Set([...(s.ifSteps ?? []), ...(s.elseSteps ?? [])]));
  }
  // Reachability over data edges and branches together.
  const next = (n: string) => [...(edges.get(n) ?? []), ...(branchTargets.get(n) ?? [])];
  const reaches = (from: string, to: string, skipDirect: string): boolean => {
    const seen = new Set<string>();
    const stack = next(from).filter((n) => n !== skipDirect);
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n === to) { return true; }
      if (seen.has(n)) { continue; }
      seen.add(n);
      stack.push(...next(n));
    }
    return false;
  };
  const out: Array<[string, string]> = [];
  for (const s of steps) {
    for (const to of edges.get(s.name) ?? []) {
      if (branchTargets.get(s.name)?.has(to)) { continue; }
      if (!reaches(s.name, to, to)) { out.push([s.name, to]); }
    }
  }
  return out;
}

/**
 * Writes the project's flow diagram into the cloud assembly at synth, as `<file name>` beside the
 * templates: a stack of its own whose synthesizer writes only that file (it is never an artifact:
 * `cdk deploy` and `cdk list` do not see it), the way the stage template is written.
 */
export class FlowDiagramFile extends Stack {
  constructor(scope: Construct, id: string, fileName: string, render: () => string) {
    super(scope, id, { synthesizer: new FlowDiagramSynthesizer(fileName, render), analyticsReporting: false });
  }
}

class FlowDiagramSynthesizer extends StackSynthesizer {
  constructor(private readonly fileName: string, private readonly render: () => string) {
    super();
  }

  public addFileAsset(): never {
    throw new Error('The flow diagram file holds no asset');
  }

  public addDockerImageAsset(): never {
    throw new Error('The flow diagram file holds no asset');
  }

  public synthesize(session: ISynthesisSession): void {
    fs.writeFileSync(path.join(session.assembly.outdir, this.fileName), this.render());
  }
}
