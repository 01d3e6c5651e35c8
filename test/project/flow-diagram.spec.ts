import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import {
  ApprovalPolicy, Condition, ConditionStep, FailStep, MetricComparison, MlopsProject, PipelineParameter, ProjectSource, StagingMode, TrainingPipeline,
} from '../../lib';
import { FlowParts, renderFlowDiagram } from '../../lib/project/private/flow-diagram';
import { addQuickstartExample } from '../../examples/quickstart';
import { ENV } from './util';
import { buildLoopProject, SLACK, TEAMS, TRAINING } from './loop-util';

const README = path.join(__dirname, '..', '..', 'README.md');
const MARKER = '<!-- flow-diagram: examples/quickstart.ts -->';

/** The mermaid block that follows the marker in the README. */
function readmeDiagram(): string {
  const text = fs.readFileSync(README, 'utf-8');
  const at = text.indexOf(MARKER);
  if (at < 0) { throw new Error(`README.md has no ${MARKER}`); }
  const m = /```mermaid\n([\s\S]*?)```/.exec(text.slice(at));
  if (!m) { throw new Error('No mermaid block after the marker'); }
  return m[1];
}

/**
 * A structural check of a flowchart as this library writes it: one header, balanced subgraphs,
 * node declarations of the shapes used, and edges between declared nodes or subgraphs only.
 */
function checkFlowchart(text: string): void {
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toBe('flowchart TD');
  const declared = new Set<string>();
  const edges: string[][] = [];
  let depth = 0;
  const label = '"(?:[^"]|#quot;)*"';
  const node = new RegExp(`^(\\w+)(\\[${label}\\]|\\{${label}\\}|\\[\\(${label}\\)\\]|\\(\\[${label}\\]\\))$`);
  const link = new RegExp(`^(\\w+)((?: (?:-->|-- ${label} -->|-\\. ${label} \\.->) \\w+)+)$`);
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    const sub = new RegExp(`^subgraph (\\w+)\\[${label}\\]$`).exec(line);
    if (sub) { declared.add(sub[1]); depth++; continue; }
    if (line === 'end') { depth--; expect(depth).toBeGreaterThanOrEqual(0); continue; }
    const n = node.exec(line);
    if (n) { declared.add(n[1]); continue; }
    const l = link.exec(line);
    if (!l) { throw new Error(`Not a line of this flowchart's grammar: ${line}`); }
    const plain = line.replace(new RegExp(`-- ${label} -->|-\\. ${label} \\.->`, 'g'), '-->');
    edges.push(plain.split(' --> '));
  }
  expect(depth).toBe(0);
  for (const ids of edges) {
    for (const id of ids) { expect([id, declared.has(id)]).toEqual([id, true]); }
  }
}

describe('the quickstart\'s flow diagram', () => {
  let outdir: string;
  let written: string;
  let project: MlopsProject;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'flow-diagram-'));
    const app = new App({ outdir });
    const stack = addQuickstartExample(app);
    project = stack.node.findAll().find((c): c is MlopsProject => c instanceof MlopsProject)!;
    app.synth();
    written = fs.readFileSync(path.join(outdir, 'ChurnProject.churn.flow.mmd'), 'utf-8');
  });

  test('cdk synth writes it into the cloud assembly as <stack>.<project>.flow.mmd, the same as flowDiagram()', () => {
    expect(written).toBe(project.flowDiagram());
    expect(written.startsWith('flowchart TD\n')).toBe(true);
  });

  test('the file is no artifact of the assembly (cdk list and cdk deploy do not see it)', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf-8'));
    expect(Object.keys(manifest.artifacts).filter((a) => /Flow/i.test(a))).toEqual([]);
    expect(Object.values(manifest.artifacts).filter((a: any) => a.type === 'aws:cloudformation:stack')).toHaveLength(1);
  });

  test('the README shows exactly what the quickstart produces', () => {
    expect(readmeDiagram()).toBe(written);
  });

  test('it is a well-formed flowchart of the quickstart\'s parts: the steps, the approval, the stages, the monitor', () => {
    checkFlowchart(written);
    for (const part of [
      'subgraph training["Training pipeline churn-training"]',
      'step0["Preprocess (Processing)"]', 'step4{"CheckMetric (Condition)"}', 'step4 -- "if" --> step5', 'step4 -- "else" --> step6',
      'step5 -- "PendingManualApproval" --> group',
      'approval{"Approval: metric thresholds, then manual<br/>binary_classification_metrics.auc.value ≥ 0.75"}',
      'subgraph deploy["Deploy pipeline churn-deploy (QUEUED)"]',
      'staging["Staging churn-staging<br/>ephemeral: created per release, deleted after the decision"]',
      'deleteStaging["Delete staging"]', 'monitor["Model Monitor: data quality"]', 'notify0["E-mail: 1 address"]',
    ]) { expect(written).toContain(part); }
    // The quickstart has no retraining, chat, feature store, build or MLflow.
    expect(written).not.toMatch(/schedule0|newData0|featureStore|mlflow|source|retrain|Slack|Teams/);
  });
});

describe('only the parts a project has', () => {
  test('no training pipeline, persistent staging, no monitor: no training, no deletion of staging, no monitor', () => {
    const app = new App();
    const stack = new Stack(app, 'Churn', { env: ENV });
    const project = new MlopsProject(stack, 'Project', { projectName: 'churn', staging: { mode: StagingMode.PERSISTENT }, rollbackOnRejection: false });
    const d = project.flowDiagram();
    checkFlowchart(d);
    expect(d).toContain('approval{"Approval: manual"}');
    expect(d).toContain('staging["Staging churn-staging<br/>persistent"]');
    expect(d).not.toMatch(/subgraph training|deleteStaging|monitor|notify0|Rejected while prod serves it/);
  });

  test('every loop option: triggers, feature store both ways, chat, MLflow, the retraining edge from the monitor', () => {
    const { project } = buildLoopProject(({ store, group }) => ({
      training: TRAINING,
      approval: { policy: ApprovalPolicy.METRIC_THRESHOLDS, metricThresholds: [{ metricJsonPath: 'm.auc', comparison: MetricComparison.GREATER_THAN, value: 0.7 }] },
      endpoint: { dataQualityMonitor: true, networkIsolation: false },
      chat: { slackChannels: [SLACK], microsoftTeamsChannels: [TEAMS] },
      retraining: { onMonitorViolation: true, schedule: events.Schedule.rate(Duration.days(7)), newData: { prefix: 'incoming/churn/' } },
      featureStore: { featureStore: store, featureGroup: group, endpointReadsOnlineStore: true },
      experimentTracking: {},
    }));
    const d = project.flowDiagram();
    checkFlowchart(d);
    for (const part of [
      'schedule0(["Schedule: rate(7 days)"])', 'schedule0 --> training',
      'newData0[("New data: the artifact bucket: incoming/churn/")]', 'newData0 --> training',
      'featureStore[("Feature store: group Customers")]', 'featureStore -- "offline store" --> training', 'featureStore -. "online store" .-> prod',
      'mlflow[("MLflow churn-mlflow")]', 'training -. "experiments" .-> mlflow',
      'approval{"Approval: metric thresholds<br/>m.auc > 0.7"}',
      'monitor -- "churn-prod-data-quality-violations in ALARM: retrain" --> training',
      'notify0["Slack: 1 channel"]', 'notify1["Microsoft Teams: 1 channel"]',
    ]) { expect(d).toContain(part); }
  });

  test('the steps of a pipeline of your own come from its definition: order, data dependencies and branches', () => {
    const app = new App();
    const stack = new Stack(app, 'Churn', { env: ENV });
    const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'my-training' });
    const go = PipelineParameter.boolean('Go', { defaultValue: true });
    pipeline.addParameter(go);
    const stop = new FailStep('Stop', { errorMessage: 'stopped' });
    const later = new FailStep('Later', { errorMessage: 'later' });
    const check = new ConditionStep('Check', { conditions: [Condition.equalTo(go, true)], ifSteps: [later], elseSteps: [stop] });
    pipeline.addStep(check);
    const project = new MlopsProject(stack, 'Project', { projectName: 'churn', trainingPipeline: pipeline });
    const d = project.flowDiagram();
    checkFlowchart(d);
    expect(d).toContain('subgraph training["Training pipeline my-training"]');
    expect(d).toContain('step0{"Check (Condition)"}');
    expect(d).toContain('step0 -- "if" --> step1');
    expect(d).toContain('step1["Later (Fail)"]');
    expect(d).toContain('step0 -- "else" --> step2');
    // No RegisterModel step: the pipeline as a whole registers.
    expect(d).toContain('training --> group');
  });
});

describe('the parts other features fill in', () => {
  const base: FlowParts = {
    projectName: 'churn',
    training: { pipelineName: 'churn-training', steps: [{ name: 'Train', type: 'Training', after: [] }] },
    retraining: [],
    modelPackageGroupName: 'churn-models',
    approval: { policy: 'manual', thresholds: [] },
    deployPipelineName: 'churn-deploy',
    executionMode: 'QUEUED',
    staging: { endpointName: 'churn-staging', mode: 'persistent', ephemeral: false, test: 'in service' },
    prodApproval: 'Manual approval for prod',
    prod: { endpointName: 'churn-prod', deployment: 'all at once', bake: 'alarms quiet for 10 minutes' },
    monitors: [],
    rollbackOnRejection: true,
    notifications: [],
  };

  test('a build: the source, the images, and the commit\'s code and images into the training pipeline', () => {
    const d = renderFlowDiagram({ ...base, build: { source: 'GitHub acme/churn@main', images: ['training', 'inference'] } });
    checkFlowchart(d);
    expect(d).toContain('source["Source: GitHub acme/churn@main"]');
    expect(d).toContain('images["Build images: training, inference"]');
    expect(d).toContain('source --> images');
    expect(d).toContain('images -- "code and images of the commit" --> training');
  });

  test('a project with a build pipeline names its source and the images it builds', () => {
    const stack = new Stack(new App(), 'Churn', { env: ENV });
    const project = new MlopsProject(stack, 'Project', {
      projectName: 'churn',
      training: { ...TRAINING, inputDataUri: 's3://raw-data-bucket/churn/' },
      buildPipeline: {
        source: ProjectSource.connection({
          connectionArn: 'arn:aws:codeconnections:us-east-2:123456789012:connection/aEXAMPLE-8aad-4d5d-8878-dfcab0bc441f', repository: 'acme/churn',
        }),
        inferenceDockerfile: 'docker/inference/Dockerfile',
      },
    });
    const d = project.flowDiagram();
    expect(d).toContain('Source: Connection acme/churn@main');
    expect(d).toContain('Build images: inference');
    expect(d).not.toContain('training, inference');
  });

  test('a build with built-in images goes from the source straight to the pipeline', () => {
    const d = renderFlowDiagram({ ...base, build: { source: 'S3 code/churn.zip', images: [] } });
    checkFlowchart(d);
    expect(d).not.toContain('images[');
    expect(d).toContain('source -- "code and images of the commit" --> training');
  });

  test('quotes in names are written as entities', () => {
    const d = renderFlowDiagram({ ...base, approval: { policy: 'manual', thresholds: ['a "quoted" metric ≥ 1'] } });
    checkFlowchart(d);
    expect(d).toContain('a #quot;quoted#quot; metric ≥ 1');
  });
});
