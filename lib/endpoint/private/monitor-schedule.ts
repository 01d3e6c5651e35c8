import { CfnResource, Duration, Fn, Lazy, Resource, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, Dependable, IConstruct, IDependable } from 'constructs';
import { notify } from './alarms';
import type { MonitorContext } from './context';
import { configHashedName, namePrefix } from './names';
import type { MonitoringFrequency } from '../monitoring';
import { SageMakerName } from '../../core/names';
import { policiesOf } from '../../private/dependencies';
import { snsTarget } from '../../private/event-targets';

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
  // SageMaker checks the role's access when the job definition is created: wait for its policies
  // (the GetAtt of the role ARN orders the definition after the role itself).
  job.node.addDependency(policiesOf(ctx.monitoringRole));
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
  // Schedules need an endpoint in service (the GetAtt of its name orders the schedule after it),
  // and their job definition: a DependsOn only when the schedule names it by the derived literal
  // name, not when the name is read from the job's ARN (cfn-lint W3005).
  schedule.node.addDependency(whenNamedLiterally(scope, name, job));

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
    targets: [violationTarget(scope, ctx.alarmTopic)],
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

/** `job` as a dependency when `name` resolves to a literal (no reference orders the schedule after the job then), else nothing. */
function whenNamedLiterally(scope: IConstruct, name: string, job: CfnResource): IDependable {
  const dependable: IDependable = {};
  Dependable.implement(dependable, {
    get dependencyRoots(): IConstruct[] {
      return Stack.of(scope).resolve(name) === undefined ? [] : [job];
    },
  });
  return dependable;
}

/**
 * The violation rules' target: the alarm topic. A topic of this app is published to with a role
 * that trusts EventBridge rules of this account only, not through an unconditioned statement for
 * events.amazonaws.com in the topic's policy. An imported topic's policy is its owner's (this
 * construct cannot change it, and a stage template creates no IAM resource): the owner allows this
 * account's rules to publish, as MlopsProject does for its stage stacks, and nothing is granted here.
 */
function violationTarget(scope: IConstruct, topic: sns.ITopic): events.IRuleTarget {
  if (Resource.isOwnedResource(topic)) {
    return snsTarget(scope as Construct, 'ViolationsPublisher', topic);
  }
  return { bind: () => ({ arn: topic.topicArn }) };
}
