import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  FeatureGroup, FeatureStore, FeatureType, MetricComparison, MlopsFoundation, MlopsProject, MlopsProjectProps,
} from '../../lib';
import { compliantApp, Finding, unacknowledgedFindings } from '../helpers/compliance';
import { tempLockFile } from '../feature-store/util';
import { ENV } from './util';

/*
 * Fixtures of the tests of what closes the loop around the deploy flow (chat, retraining, feature
 * store, flow diagram): a project on a foundation shared with a feature store of one group.
 */

export const TRAINING = {
  preprocessingScript: { s3Uri: 's3://code-bucket/preprocess.py' },
  evaluationScript: { s3Uri: 's3://code-bucket/evaluate.py' },
  metricJsonPath: 'binary_classification_metrics.auc.value',
  metricThreshold: 0.8,
  metricComparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO,
};

/** IDs of the forms the Chatbot console shows (the CloudFormation schemas' patterns). */
export const SLACK = { workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' };
export const TEAMS = {
  tenantId: '8a5c1e6d-4f2b-4c2b-9f0e-0123456789ab',
  teamId: '74361522-da01-538d-aa2e-ac7918c6bb92',
  channelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
};

/** What the props of a loop project may use. */
export interface LoopResources {
  readonly stack: Stack;
  readonly foundation: MlopsFoundation;
  readonly store: FeatureStore;
  readonly group: FeatureGroup;
}

/** A synthesized loop project. */
export interface LoopProject extends LoopResources {
  readonly app: App;
  readonly project: MlopsProject;
  readonly template: Template;
  readonly json: any;
  readonly findings: Finding[];
}

/** The stack, foundation and feature store of a loop project (not yet synthesized). */
export function loopResources(app: App): LoopResources {
  const stack = new Stack(app, 'Churn', { env: ENV });
  const foundation = new MlopsFoundation(stack, 'Foundation');
  const store = new FeatureStore(stack, 'Features', { foundation, schemaLock: { file: tempLockFile() } });
  const group = store.addFeatureGroup('Customers', {
    features: [
      { name: 'customer_id', type: FeatureType.STRING },
      { name: 'event_time', type: FeatureType.FRACTIONAL },
      { name: 'tenure', type: FeatureType.INTEGRAL },
    ],
    recordIdentifierFeatureName: 'customer_id',
    eventTimeFeatureName: 'event_time',
  });
  return { stack, foundation, store, group };
}

/** Build and synthesize a project whose props may use the foundation and the feature store. */
export function buildLoopProject(props: (r: LoopResources) => Partial<MlopsProjectProps>, options: { compliance?: boolean } = {}): LoopProject {
  const app = options.compliance ? compliantApp() : new App();
  const resources = loopResources(app);
  const project = new MlopsProject(resources.stack, 'Project', { projectName: 'churn', foundation: resources.foundation, ...props(resources) });
  const findings = options.compliance ? unacknowledgedFindings(resources.stack) : (app.synth(), []);
  const json = JSON.parse(fs.readFileSync(path.join(app.outdir, `${resources.stack.artifactId}.template.json`), 'utf-8'));
  return { ...resources, app, project, template: Template.fromJSON(json), json, findings };
}

/** Construct the project only (for bad input: the error comes from the constructor or the synth). */
export function synthLoopProject(props: (r: LoopResources) => Partial<MlopsProjectProps>): void {
  const app = new App();
  const resources = loopResources(app);
  new MlopsProject(resources.stack, 'Project', { projectName: 'churn', foundation: resources.foundation, ...props(resources) });
  app.synth();
}

/** The resources of a type in a template JSON, by logical id prefix. */
export function resourceOf(json: any, type: string, idPrefix: string): any {
  const found = Object.entries(json.Resources as Record<string, any>).filter(([id, r]) => r.Type === type && id.startsWith(idPrefix));
  if (found.length !== 1) { throw new Error(`${found.length} resources ${type} ${idPrefix}*`); }
  return found[0][1];
}
