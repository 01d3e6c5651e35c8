/**
 * What a deployed MlopsProject costs all the time (whether or not anything happens), read from its
 * synthesized templates: the project stack's and the stage template that the deploy pipeline
 * deploys to each stage. The README's cost table (test/examples.test.ts keeps it current) and
 * `npm run bench` use it.
 */

/**
 * On-demand list prices, us-east-1 (USD), as published on the AWS pricing pages of SageMaker AI
 * (real-time inference), KMS and CloudWatch in December 2026. Other regions differ; free tiers are
 * not counted.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: 'December 2026',
  hoursPerMonth: 730,
  /** SageMaker real-time inference, per instance-hour. */
  endpointInstanceHour: { 'ml.m5.large': 0.115, 'ml.m5.xlarge': 0.23 } as { readonly [type: string]: number },
  /** A KMS customer managed key, per month (its first two rotations add $1 each). */
  kmsKeyMonth: 1,
  /** A CloudWatch standard-resolution alarm, per metric it evaluates, per month. */
  alarmMetricMonth: 0.1,
  /** A CloudWatch custom dashboard, per month. */
  dashboardMonth: 3,
};

/** One stage as the project describes it to its release handler. */
interface StageSettings {
  readonly name: string;
  readonly parameters: { readonly [name: string]: string };
}

/** An always-on endpoint of a deployed project: its stage, what runs, and its instance-hours per month. */
export interface AlwaysOnEndpoint {
  readonly stage: string;
  readonly what: string;
  readonly hours: number;
  /** `ephemeral` (only while a release is tested and waits for approval), `serverless` or `instances`. */
  readonly kind: 'ephemeral' | 'serverless' | 'instances';
  readonly instanceType?: string;
  readonly instanceCount?: number;
}

/** A line of the monthly bill of what runs all the time. */
export interface CostLine {
  readonly item: string;
  readonly quantity: string;
  readonly usd: number;
}

const resourcesOf = (template: any): any[] => Object.values(template.Resources ?? {});

/** The stages of the project stack's release handler (environment variable STAGES), deploy-time values as "x". */
function stagesOf(projectTemplate: any): StageSettings[] {
  const fn = resourcesOf(projectTemplate).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.STAGES);
  if (!fn) { throw new Error('No release handler in the template: is it a project stack?'); }
  const value = fn.Properties.Environment.Variables.STAGES;
  const text = typeof value === 'string' ? value : value['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : 'x')).join('');
  return JSON.parse(text);
}

/** The endpoints of a deployed project (each stage), from its project stack's template. */
export function alwaysOnEndpoints(projectTemplate: any): AlwaysOnEndpoint[] {
  const pipeline = resourcesOf(projectTemplate).find((r) => r.Type === 'AWS::CodePipeline::Pipeline'
    && JSON.stringify(r.Properties.Stages).includes('"Staging"'));
  const ephemeral = JSON.stringify(pipeline ?? {}).includes('DeleteStaging');
  return stagesOf(projectTemplate).map((s) => {
    const count = Number(s.parameters.InstanceCount);
    const type = s.parameters.InstanceType;
    if (s.parameters.Serverless === 'true') {
      return { stage: s.name, what: 'serverless (no instance while idle)', hours: 0, kind: 'serverless' };
    }
    if (s.name !== 'prod' && ephemeral) {
      return { stage: s.name, what: `${count} x ${type} while a release is tested and waits for approval`, hours: 0, kind: 'ephemeral', instanceType: type, instanceCount: count };
    }
    return { stage: s.name, what: `${count} x ${type}`, hours: count * PRICES.hoursPerMonth, kind: 'instances', instanceType: type, instanceCount: count };
  });
}

/** The metrics a CloudWatch alarm evaluates (a metric math alarm: each metric it reads). */
function alarmMetrics(alarm: any): number {
  const metrics = alarm.Properties.Metrics as any[] | undefined;
  return metrics ? metrics.filter((m) => m.MetricStat).length : 1;
}

const usd = (n: number) => Math.round(n * 100) / 100;

/**
 * The monthly cost of what runs all the time in a deployed project: its endpoint instances, keys,
 * alarms and dashboards (the stage template's, in every stage that exists between releases).
 */
export function alwaysOnCosts(projectTemplate: any, stageTemplate: any): CostLine[] {
  const endpoints = alwaysOnEndpoints(projectTemplate);
  const standing = endpoints.filter((e) => e.kind !== 'ephemeral').length;
  const lines: CostLine[] = endpoints.map((e) => {
    const price = e.instanceType === undefined ? 0 : PRICES.endpointInstanceHour[e.instanceType];
    if (e.kind === 'instances' && price === undefined) { throw new Error(`No price for ${e.instanceType}: add it to PRICES`); }
    const label = `${e.stage[0].toUpperCase()}${e.stage.slice(1)} endpoint`;
    if (e.kind === 'ephemeral') { return { item: label, quantity: `none between releases (${e.instanceCount} x ${e.instanceType} while a release waits)`, usd: 0 }; }
    if (e.kind === 'serverless') { return { item: label, quantity: 'serverless: none while idle', usd: 0 }; }
    return { item: label, quantity: `${e.instanceCount} x ${e.instanceType}`, usd: usd(e.hours * price) };
  });
  const keys = resourcesOf(projectTemplate).filter((r) => r.Type === 'AWS::KMS::Key').length;
  const alarms = (t: any) => resourcesOf(t).filter((r) => r.Type === 'AWS::CloudWatch::Alarm').reduce((n, a) => n + alarmMetrics(a), 0);
  const alarmCount = alarms(projectTemplate) + standing * alarms(stageTemplate);
  const dashboards = standing * resourcesOf(stageTemplate).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard').length;
  lines.push(
    { item: 'KMS keys', quantity: `${keys}`, usd: usd(keys * PRICES.kmsKeyMonth) },
    { item: 'CloudWatch alarm metrics', quantity: `${alarmCount}`, usd: usd(alarmCount * PRICES.alarmMetricMonth) },
    { item: 'CloudWatch dashboards', quantity: `${dashboards}`, usd: usd(dashboards * PRICES.dashboardMonth) },
  );
  return lines;
}
