import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';

const DEFINITIONS = path.join(__dirname, '..', 'fixtures', 'pipeline-definitions');

/** A pipeline definition from test/fixtures/pipeline-definitions (see SOURCES.md there). */
export function loadDefinition(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(DEFINITIONS, name.endsWith('.json') ? name : `${name}.json`), 'utf-8'));
}

/** Literal values that depend on the account, the bucket or the run: role ARNs, S3 URIs, image URIs, SDK job names. */
const ACCOUNT_SPECIFIC: RegExp[] = [
  /^arn:aws[a-z-]*:iam::\d{12}:role\//,
  /^"?s3:\/\//,
  /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//,
];

function isAccountSpecific(s: string): boolean {
  return ACCOUNT_SPECIFIC.some((r) => r.test(s));
}

/**
 * The differences between a rendered definition and a reference, ignoring account-specific
 * literal values (the rendered value must then still be a string), but not structure, types,
 * keys, other literals or references (`Get`, `Std:Join`, `Std:JsonGet`).
 */
export function structuralDifferences(actual: any, expected: any, at = '$'): string[] {
  if (typeof expected === 'string' && isAccountSpecific(expected)) {
    return typeof actual === 'string' ? [] : [`${at}: expected an account-specific string, got ${JSON.stringify(actual)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) { return [`${at}: expected an array, got ${JSON.stringify(actual)}`]; }
    if (actual.length !== expected.length) { return [`${at}: expected ${expected.length} items, got ${actual.length}`]; }
    return expected.flatMap((e, i) => structuralDifferences(actual[i], e, `${at}[${i}]`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return [`${at}: expected an object, got ${JSON.stringify(actual)}`];
    }
    const diffs: string[] = [];
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const k of keys) {
      if (!(k in actual)) { diffs.push(`${at}.${k}: missing`); continue; }
      if (!(k in expected)) { diffs.push(`${at}.${k}: unexpected key (${JSON.stringify(actual[k])})`); continue; }
      diffs.push(...structuralDifferences(actual[k], expected[k], `${at}.${k}`));
    }
    return diffs;
  }
  return actual === expected ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}

/** The definition body with CloudFormation intrinsics replaced by `<...>` placeholders, parsed. */
export function bodyOf(template: Template): any {
  const pipelines = template.findResources('AWS::SageMaker::Pipeline');
  const body = Object.values(pipelines)[0].Properties.PipelineDefinition.PipelineDefinitionBody;
  const flat = (v: any): string => {
    if (typeof v === 'string') { return v; }
    if (v['Fn::Join']) { return v['Fn::Join'][1].map(flat).join(v['Fn::Join'][0]); }
    if (v.Ref) { return `<${v.Ref}>`; }
    if (v['Fn::GetAtt']) { return `<${v['Fn::GetAtt'].join('.')}>`; }
    if (v['Fn::FindInMap']) { return `<FindInMap:${v['Fn::FindInMap'][0]}>`; }
    if (v['Fn::Sub']) { return String(v['Fn::Sub']).replace(/\$\{([^}]+)\}/g, '<$1>'); }
    return '<?>';
  };
  return JSON.parse(flat(body));
}

export function statementsOf(template: Template, rolePrefix: string): any[] {
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  return Object.entries(policies).filter(([id]) => id.startsWith(rolePrefix)).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

