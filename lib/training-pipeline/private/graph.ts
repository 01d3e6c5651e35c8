import type { Step } from '../step';
import type { StepReference } from './expression';
import type { RenderIssue } from './render';

/*
 * The graph checks of a typed definition: unique step names, each step in one place, references
 * only to steps of the pipeline, no step of one branch of a condition using the other branch,
 * and no cycle. All problems are collected; none stops the others.
 */

/** The steps of a definition, walked once: every step (nested ones included) and its parent. */
export interface StepGraph {
  /** Every step, in breadth-first order, each once. */
  readonly all: Step[];
  /** The condition step each nested step is in. */
  readonly parentOf: Map<Step, Step>;
  /** The steps by name. */
  readonly byName: Map<string, Step>;
}

/** Walk the top-level steps and their branches, reporting duplicates. */
export function collectSteps(topLevel: Step[], issues: RenderIssue[], isStep: (x: unknown) => boolean): StepGraph {
  const byName = new Map<string, Step>();
  const all: Step[] = [];
  const parentOf = new Map<Step, Step>();
  const visit = (step: Step, parent?: Step) => {
    if (!isStep(step)) {
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
  const queue: Array<[Step, Step | undefined]> = topLevel.map((s) => [s, undefined]);
  for (let i = 0; i < queue.length; i++) {
    const [step, parent] = queue[i];
    if (visit(step, parent)) {
      for (const child of step._children()) { queue.push([child, step]); }
    }
  }
  return { all, parentOf, byName };
}

/**
 * Check the references of every step (data dependencies recorded by the renderer, and explicit
 * ones) and the dependency graph.
 *
 * @param branchesOf the if and else steps of a condition step, undefined for other steps
 */
export function checkReferences(graph: StepGraph, dataDeps: Map<Step, Map<StepReference, string>>, issues: RenderIssue[],
  branchesOf: (step: Step) => { ifSteps: Step[]; elseSteps: Step[] } | undefined): void {
  const { all, parentOf, byName } = graph;
  // A reference resolves to a step of the pipeline only if it is that very step (not one of the same name).
  const members = new Map<StepReference, Step>(all.map((s) => [s, s]));
  const resolved = new Map<Step, Step[]>();
  const edges = new Map<Step, Step[]>();
  for (const step of all) {
    const deps: Step[] = [];
    for (const [ref, how] of dataDeps.get(step) ?? new Map<StepReference, string>()) {
      const dep = members.get(ref);
      if (!dep || byName.get(dep.stepName) !== dep) {
        issues.push({ where: `step ${step.stepName}`, message: `It refers to step "${ref.stepName}" (${how}), which is not part of the pipeline; add that step with addStep() or to a condition branch` });
        continue;
      }
      deps.push(dep);
    }
    resolved.set(step, [...deps]);
    const parent = parentOf.get(step);
    if (parent) { deps.push(parent); }
    edges.set(step, deps);
  }
  // A step of one branch of a condition cannot use a step of the other branch: only one of them runs.
  const sideOf = new Map<Step, string>();
  for (const step of all) {
    const branches = branchesOf(step);
    if (!branches) { continue; }
    branches.ifSteps.forEach((s) => { if (parentOf.get(s) === step) { sideOf.set(s, 'if'); } });
    branches.elseSteps.forEach((s) => { if (parentOf.get(s) === step) { sideOf.set(s, 'else'); } });
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
    for (const dep of resolved.get(step) ?? []) {
      if (!parentOf.has(dep)) { continue; }
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
