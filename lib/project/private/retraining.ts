import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { PROJECT_PARAMETERS } from './stage-template';
import { StorageLayout } from '../../core/storage-layout';
import { EndpointWithMonitor } from '../../endpoint/endpoint-with-monitor';
import { check } from '../../private/errors';
import { ITrainingPipeline } from '../../training-pipeline/pipeline-base';
import { OutputLocation, overlappingOutput, scheduleProblem } from '../../training-pipeline/private/triggers';
import { RetrainingOptions } from '../loop-props';

/*
 * The retraining loop: what starts the project's training pipeline again. Each trigger is one of
 * the pipeline's own (addAlarmTrigger, addScheduleTrigger, addNewDataTrigger), so its rules, its
 * start role (trusting these rules of this account only) and its checks apply: in particular the
 * refusal of a new-data prefix that holds or lies within what the pipeline writes.
 */

/** A plain S3 key prefix: parts of letters, digits and !_.()'=- separated by single slashes, an optional trailing slash. */
const KEY_PREFIX = /^[A-Za-z0-9!_.()'=-]+(\/[A-Za-z0-9!_.()'=-]+)*\/?$/;

/** The retraining options, checked. */
export interface RetrainingSettings {
  readonly onMonitorViolation: boolean;
  readonly schedule?: events.Schedule;
  readonly newData?: { readonly bucket?: s3.IBucket; readonly prefix: string; readonly suffix?: string };
}

/** What the checks need to know of the project. */
export interface RetrainingContext {
  readonly projectName: string;
  readonly hasTrainingPipeline: boolean;
  readonly monitored: boolean;
  readonly layout: StorageLayout;
  /** The foundation's artifact bucket, when the props give a foundation. */
  readonly foundationBucket?: s3.IBucket;
}

/** Check the retraining options (every rule names the prop, the value and the rule). */
export function retrainingSettings(where: IConstruct, o: RetrainingOptions, ctx: RetrainingContext): RetrainingSettings {
  check(o !== null && typeof o === 'object', where, 'retraining', o, 'It must be an object (`onMonitorViolation`, `schedule`, `newData`)');
  check(ctx.hasTrainingPipeline, where, 'retraining', o,
    'Retraining starts the project\'s training pipeline, and the project has none: give `training` or `trainingPipeline`');
  const onMonitorViolation = o.onMonitorViolation ?? false;
  check(typeof onMonitorViolation === 'boolean', where, 'retraining.onMonitorViolation', onMonitorViolation, 'It must be true or false');
  check(o.schedule !== undefined || o.newData !== undefined || onMonitorViolation, where, 'retraining', o,
    'Give at least one trigger: `onMonitorViolation: true`, `schedule` or `newData`');
  check(!onMonitorViolation || ctx.monitored, where, 'retraining.onMonitorViolation', true,
    'The prod endpoint has no monitor whose violations could start the pipeline: turn on `endpoint.dataQualityMonitor`');
  if (o.schedule !== undefined) {
    const expression = o.schedule?.expressionString;
    check(typeof expression === 'string', where, 'retraining.schedule', o.schedule,
      'It must be an events.Schedule (Schedule.rate(...), Schedule.cron(...) or Schedule.expression(...))');
    const problem = scheduleProblem(expression);
    check(problem === undefined, where, 'retraining.schedule', expression, problem!);
  }
  const d = o.newData;
  if (d !== undefined) {
    check(d !== null && typeof d === 'object', where, 'retraining.newData', d, 'It must be an object with `prefix` (and optionally `bucket`, `suffix`)');
    const prefix = d.prefix;
    check(typeof prefix === 'string' && (Token.isUnresolved(prefix) || (KEY_PREFIX.test(prefix) && prefix.length <= 1024)), where,
      'retraining.newData.prefix', prefix,
      'It is required: a plain S3 key prefix (letters, digits and !_.()\'=- in parts separated by single slashes), without a leading ' +
      'slash, `s3://` or wildcards; a trigger on a whole bucket would also fire on what the project writes there');
    check(d.suffix === undefined || (typeof d.suffix === 'string' && d.suffix.length > 0 && !/[*?]/.test(d.suffix)), where,
      'retraining.newData.suffix', d.suffix, 'It must be the end of a key (such as ".csv"), without wildcards');
    if (d.bucket === undefined || d.bucket === ctx.foundationBucket) {
      // What the deploy flow writes to the foundation's bucket (the pipeline refuses its own outputs at synth).
      const own = overlappingOutput('foundation', prefix, projectWrites(ctx));
      check(own === undefined, where, 'retraining.newData.prefix', prefix,
        `The project writes ${own?.what} under "${own?.prefix}/" in the foundation's bucket, so the trigger would start the pipeline ` +
        'again and again; watch a prefix that neither holds nor lies within it');
    }
  }
  return { onMonitorViolation, schedule: o.schedule, newData: d };
}

/** What the deploy flow and experiment tracking write to the foundation's bucket (never new training data). */
function projectWrites(ctx: RetrainingContext): OutputLocation[] {
  const at = (prefix: string, what: string): OutputLocation => ({ bucketName: 'foundation', prefix, what });
  return [
    at(ctx.layout.releasePrefix(ctx.projectName), 'the releases, staging test reports and deployment records of the deploy flow'),
    at(ctx.layout.dataCapture, 'the endpoints\' captured requests and responses'),
    at(ctx.layout.monitoringReports, 'the Model Monitor reports'),
    at(ctx.layout.experimentsPrefix(ctx.projectName), 'the MLflow artifacts of its experiments'),
  ];
}

/** One retraining trigger. */
export interface RetrainingTrigger {
  readonly kind: 'monitor' | 'schedule' | 'newData';
  /** What starts the pipeline, in words (for the flow diagram). */
  readonly label: string;
  readonly rule: events.Rule;
}

/** What the triggers are added to. */
export interface RetrainingScope {
  readonly pipeline: ITrainingPipeline;
  readonly projectName: string;
  /** The bucket of new data unless the options name one. */
  readonly defaultBucket: s3.IBucket;
  /** The stage template's endpoint (its violation alarms are named after the EndpointName parameter). */
  readonly stageEndpoint: EndpointWithMonitor;
  readonly prodEndpointName: string;
  /** Prod's account, when it is not the project stack's (its MlopsTargetAccount forwards its alarms' state changes here). */
  readonly prodAccount?: string;
}

/** Add the triggers to the training pipeline. */
export function createRetraining(scope: Construct, s: RetrainingSettings, r: RetrainingScope): RetrainingTrigger[] {
  const triggers: RetrainingTrigger[] = [];
  const by = `by project ${r.projectName}`;
  if (s.onMonitorViolation) {
    for (const name of violationAlarmNames(r.stageEndpoint, r.prodEndpointName)) {
      const suffix = name.slice(r.prodEndpointName.length + 1);
      const id = pascal(suffix);
      // The alarm of the prod stage stack (deployed by the deploy pipeline), by its ARN in prod's account and this region.
      const alarm = cloudwatch.Alarm.fromAlarmArn(scope, `Prod${id}Alarm`, Stack.of(scope).formatArn({
        service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME, account: r.prodAccount,
      }));
      const rule = r.pipeline.addAlarmTrigger(`RetrainOnProd${id}`, {
        alarm,
        description: `Starts the SageMaker pipeline ${r.pipeline.pipelineName} when the prod alarm ${name} goes into ALARM (${by})`,
      });
      triggers.push({ kind: 'monitor', label: name, rule });
    }
  }
  if (s.schedule) {
    const rule = r.pipeline.addScheduleTrigger('RetrainOnSchedule', {
      schedule: s.schedule,
      description: `Starts the SageMaker pipeline ${r.pipeline.pipelineName} on ${s.schedule.expressionString} (${by})`,
    });
    triggers.push({ kind: 'schedule', label: s.schedule.expressionString, rule });
  }
  if (s.newData) {
    const bucket = s.newData.bucket ?? r.defaultBucket;
    const rule = r.pipeline.addNewDataTrigger('RetrainOnNewData', {
      bucket,
      prefix: s.newData.prefix,
      suffix: s.newData.suffix,
      description: `Starts the SageMaker pipeline ${r.pipeline.pipelineName} on new objects under ${s.newData.prefix} (${by})`,
    });
    const bucketName = Token.isUnresolved(bucket.bucketName) ? (s.newData.bucket ? 'a bucket' : 'the artifact bucket') : bucket.bucketName;
    triggers.push({ kind: 'newData', label: `${bucketName}: ${s.newData.prefix}${s.newData.suffix ? `*${s.newData.suffix}` : ''}`, rule });
  }
  return triggers;
}

/**
 * The names the prod stage gives its monitors' violation alarms: the stage template names them
 * `<EndpointName parameter>-<monitor>-violations` (EndpointWithMonitor's `alarmNamePrefix`), so the
 * EndpointName parameter is replaced with the prod endpoint's name.
 */
export function violationAlarmNames(endpoint: EndpointWithMonitor, endpointName: string): string[] {
  const stack = Stack.of(endpoint);
  return endpoint.violationAlarms.map((a) => {
    const cfn = a.node.defaultChild as cloudwatch.CfnAlarm;
    return substitute(stack.resolve(cfn.alarmName), endpointName, a.node.path);
  });
}

function substitute(value: any, endpointName: string, where: string): string {
  if (typeof value === 'string') { return value; }
  if (value && value.Ref === PROJECT_PARAMETERS.endpointName) { return endpointName; }
  if (value && Array.isArray(value['Fn::Join'])) {
    const [sep, parts] = value['Fn::Join'];
    return (parts as any[]).map((p) => substitute(p, endpointName, where)).join(sep);
  }
  throw new Error(`The violation alarm ${where} is not named after the stage's EndpointName parameter: ${JSON.stringify(value)}`);
}

/** `data-quality-violations` -> `DataQualityViolations`. */
function pascal(kebab: string): string {
  return kebab.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
