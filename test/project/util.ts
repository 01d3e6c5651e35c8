import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MetricComparison, MlopsProject, MlopsProjectProps } from '../../lib';
import { compliantApp, unacknowledgedFindings, Finding } from '../helpers/compliance';

/** The account and region of the sample events (test/fixtures/events/*.rejected.json, .approved.derived.json). */
export const ENV = { account: '123456789012', region: 'us-east-2' };
export const SAMPLES = path.join(__dirname, 'samples');

/** The standard pipeline of the project tests: churn data, S3 scripts, an AUC gate. */
export const PROJECT_TRAINING = {
  inputDataUri: 's3://raw-data-bucket/churn/',
  preprocessingScript: { s3Uri: 's3://code-bucket/preprocess.py' },
  evaluationScript: { s3Uri: 's3://code-bucket/evaluate.py' },
  metricJsonPath: 'binary_classification_metrics.auc.value',
  metricThreshold: 0.8,
  metricComparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO,
};

/** A synthesized project: its stack's template, the stage template, the compliance findings. */
export interface BuiltProject {
  readonly app: App;
  readonly stack: Stack;
  readonly project: MlopsProject;
  readonly template: Template;
  readonly json: any;
  readonly stageTemplate: any;
  readonly findings: Finding[];
}

/** Build and synthesize a project once (with the compliance plugins). */
export function buildProject(props: Partial<MlopsProjectProps> = {}, options: { compliance?: boolean } = {}): BuiltProject {
  const app = options.compliance === false ? new App() : compliantApp();
  const stack = new Stack(app, 'Churn', { env: ENV });
  const project = new MlopsProject(stack, 'Project', { projectName: 'churn', ...props });
  const findings = options.compliance === false ? (app.synth(), []) : unacknowledgedFindings(stack);
  const dir = app.outdir;
  const json = JSON.parse(fs.readFileSync(path.join(dir, `${stack.artifactId}.template.json`), 'utf-8'));
  const file = (project.stageTemplate as any).templateFile as string;
  const stageTemplate = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf-8'));
  return { app, stack, project, template: Template.fromJSON(json), json, stageTemplate, findings };
}

/** The resources of a type in a template JSON. */
export function resourcesOf(json: any, type: string): Array<[string, any]> {
  return Object.entries(json.Resources as Record<string, any>).filter(([, r]) => r.Type === type);
}

/** The deploy pipeline's stages. */
export function stagesOf(json: any): any[] {
  const [[, pipeline]] = resourcesOf(json, 'AWS::CodePipeline::Pipeline');
  return pipeline.Properties.Stages;
}

/**
 * Resolve what CloudFormation would resolve at deploy time, with fake values of the right form for
 * references (a role ARN for a role, a key ARN for a key, a topic ARN for a topic, a name
 * otherwise), so the environment of a handler can be fed to it in a test.
 */
export function fakeResolve(value: any, json: any): any {
  const typeOf = (id: string): string => json.Resources?.[id]?.Type ?? '';
  const fake = (id: string) => `fake-${id.toLowerCase()}`;
  if (Array.isArray(value)) { return value.map((v) => fakeResolve(v, json)); }
  if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') {
      const id = value.Ref;
      if (id.startsWith('AWS::')) { return fakePseudo(id); }
      if (typeOf(id) === 'AWS::SNS::Topic') { return `arn:aws:sns:${ENV.region}:${ENV.account}:${fake(id)}`; }
      return fake(id);
    }
    if (Array.isArray(value['Fn::GetAtt'])) {
      const [id, attr] = value['Fn::GetAtt'];
      if (attr === 'Arn') {
        const type = typeOf(id);
        if (type === 'AWS::IAM::Role') { return `arn:aws:iam::${ENV.account}:role/${fake(id)}`; }
        if (type === 'AWS::KMS::Key') { return `arn:aws:kms:${ENV.region}:${ENV.account}:key/${fake(id)}`; }
        if (type === 'AWS::S3::Bucket') { return `arn:aws:s3:::${fake(id)}`; }
        return `arn:aws:fake:${ENV.region}:${ENV.account}:${fake(id)}`;
      }
      return `${fake(id)}-${attr.toLowerCase()}`;
    }
    if (Array.isArray(value['Fn::Join'])) {
      const [sep, parts] = value['Fn::Join'];
      return (parts as any[]).map((p) => String(fakeResolve(p, json))).join(sep);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fakeResolve(v, json)]));
  }
  return value;
}

function fakePseudo(name: string): string {
  return { 'AWS::AccountId': ENV.account, 'AWS::Region': ENV.region, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' }[name] ?? name;
}

/** The environment of the Lambda function whose environment has `key`, resolved with fakes. */
export function environmentWith(json: any, key: string): Record<string, string> {
  const found = resourcesOf(json, 'AWS::Lambda::Function').find(([, f]) => f.Properties.Environment?.Variables?.[key] !== undefined);
  if (!found) { throw new Error(`No function with ${key} in its environment`); }
  return fakeResolve(found[1].Properties.Environment.Variables, json);
}
