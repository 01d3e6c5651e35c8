import { Duration, Fn, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { notify } from './alarms';
import type { MonitorContext } from './context';
import { configHashedName, namePrefix } from './names';
import type { MonitoringFrequency } from '../monitoring';
import { SageMakerName } from '../../core/names';

/** The monitoring job definition resources, which share a name and an ARN attribute. */
export type MonitoringJobDefinition = sagemaker.CfnDataQualityJobDefinition | sagemaker.CfnModelQualityJobDefinition
  | sagemaker.CfnModelBiasJobDefinition | sagemaker.CfnModelExplainabilityJobDefinition;

/** One monitor's job definition and how it is scheduled. */
export interface ScheduledMonitor {
  /** The job definition. */
  readonly job: MonitoringJobDefinition;
  /** Its properties (without tags): the source of its configuration-hashed name. */
  readonly jobProps: any;
  /** The monitoring type, and the prefix of the construct ids: `DataQuality`, `ModelQuality`, `ModelBias`, `ModelExplainability`. */
  readonly type: string;
  /** The short kind in the derived names: `dq`, `mq`, `bias`, `xai`. */
  readonly short: string;
  readonly frequency: MonitoringFrequency;
}

/**
 * Name the job definition after its configuration, schedule it ("<type>Schedule"), and watch
 * its runs: a rule ("<type>Violations") sends each run that ends with violations to the alarm
 * topic, and an alarm on the rule's matches ("<type>ViolationAlarm") keeps the state over one
 * run interval. Returns the alarm.
 */
export function scheduleMonitor(ctx: MonitorContext, m: ScheduledMonitor): cloudwatch.Alarm {
  const scope = ctx.scope;
  const { job, type, short, frequency } = m;
  const name = configHashedName(job, { prefix: namePrefix(ctx.endpointName, short) }, () => ({ ...m.jobProps, tags: job.tags.renderTags() }),
    ctx.deploymentId);
  job.jobDefinitionName = name;
  // The derived name when there is one; a name CloudFormation generated is read from the ARN.
  const jobDefinitionName = Lazy.string({
    produce: () => (Stack.of(scope).resolve(name) === undefined ? Fn.select(1, Fn.split('/', job.attrJobDefinitionArn)) : name),
  });
  job.node.addDependency(ctx.monitoringRole);
  const schedule: sagemaker.CfnMonitoringSchedule = new sagemaker.CfnMonitoringSchedule(scope, `${type}Schedule`, {
    monitoringScheduleName: Lazy.string({ produce: (): string => SageMakerName.derive(schedule, { prefix: namePrefix(ctx.endpointName, `${short}-schedule`) }) }),
    endpointName: ctx.endpoint.attrEndpointName,
    monitoringScheduleConfig: {
      monitoringJobDefinitionName: jobDefinitionName,
      monitoringType: type,
      scheduleConfig: { scheduleExpression: frequency.expressionString },
    },
    tags: ctx.tags,
  });
  // Schedules need an endpoint in service, and their job definition.
  schedule.node.addDependency(ctx.endpoint, job);

  // Violations: the monitoring execution (a processing job) ends with "CompletedWithViolations".
  // The rule sends the run's details to the topic; the alarm on the rule's matches keeps the
  // state (in alarm until a run interval passes without violations) for the dashboard and for rollbacks.
  const rule = new events.Rule(scope, `${type}Violations`, {
    description: `Model Monitor ${type} violations of a SageMaker endpoint`,
    eventPattern: {
      source: ['aws.sagemaker'],
      detailType: ['SageMaker Processing Job State Change'],
      detail: {
        MonitoringScheduleArn: [schedule.attrMonitoringScheduleArn],
        ExitMessage: [{ prefix: 'CompletedWithViolations' }],
      },
    },
    targets: [new targets.SnsTopic(ctx.alarmTopic)],
  });
  const prefix = ctx.props.alarms?.alarmNamePrefix;
  const alarm = new cloudwatch.Alarm(scope, `${type}ViolationAlarm`, {
    alarmName: prefix === undefined ? undefined : `${prefix}-${type.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}-violations`,
    alarmDescription: `Model Monitor ${type} runs of the SageMaker endpoint ended with violations`,
    metric: new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: rule.ruleName },
      statistic: 'Sum',
      period: Duration.hours(frequency.intervalHours),
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  notify(alarm, ctx.alarmTopic);
  return alarm;
}
