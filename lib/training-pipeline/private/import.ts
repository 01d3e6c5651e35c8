import type { ImportedDefinitionOptions } from '../definition-options';
import type { RenderIssue } from './render';

const ROLE_KEYS = new Set(['RoleArn', 'ExecutionRoleArn']);

/**
 * A copy of an imported definition with the job roles, the bucket and other literals replaced by
 * the values (usually tokens) the options give.
 */
export function substituteImported(json: any, options: ImportedDefinitionOptions): any {
  const replacements: Array<[string, string]> = Object.entries(options.substitutions ?? {});
  if (options.artifactBucket && options.sourceBucketName) {
    replacements.push([`s3://${options.sourceBucketName}/`, `s3://${options.artifactBucket.bucketName}/`]);
    replacements.push([`s3://${options.sourceBucketName}"`, `s3://${options.artifactBucket.bucketName}"`]);
  }
  const replaceString = (s: string): string => {
    let out = s;
    for (const [from, to] of replacements) {
      if (from.length > 0 && out.includes(from)) { out = out.split(from).join(to); }
    }
    if (options.artifactBucket && options.sourceBucketName && out === `s3://${options.sourceBucketName}`) {
      out = `s3://${options.artifactBucket.bucketName}`;
    }
    return out;
  };
  const walk = (x: any, key?: string): any => {
    if (typeof x === 'string') {
      if (key && ROLE_KEYS.has(key) && options.jobRole) { return options.jobRole.roleArn; }
      return replaceString(x);
    }
    if (Array.isArray(x)) { return x.map((e) => walk(e)); }
    if (x !== null && typeof x === 'object') {
      const out: any = {};
      for (const [k, v] of Object.entries(x)) { out[k] = walk(v, k); }
      return out;
    }
    return x;
  };
  return walk(json);
}

/**
 * The graph checks on an imported definition: unique step names, `Get` references only to
 * steps, parameters and property files the definition has, and no version registered as Approved
 * unless the import opted in.
 */
export function checkImported(definition: any, options: ImportedDefinitionOptions = {}): RenderIssue[] {
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
      if (step.Type === 'RegisterModel' && step.Arguments?.ModelApprovalStatus === 'Approved' && options.allowSelfApproval !== true) {
        issues.push({
          where: `step ${step.Name}`,
          message: 'It registers versions as Approved, which skips the approval policy of the group (its onApproved rules fire at once): ' +
            'change ModelApprovalStatus to PendingManualApproval, or import with `allowSelfApproval: true` to opt in',
        });
      }
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

export function countImported(steps: any[]): number {
  let n = 0;
  for (const s of steps ?? []) {
    n++;
    if (s?.Type === 'Condition') {
      n += countImported(s.Arguments?.IfSteps ?? []) + countImported(s.Arguments?.ElseSteps ?? []);
    }
  }
  return n;
}
