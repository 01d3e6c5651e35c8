import { Duration, IResource, Names, Resource, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ManagedPolicyRole } from '../core/managed-policy-role';
import { check, checkIntegerRange, PropChecks, PropIssue } from '../private/errors';
import { OutputLocation, overlappingOutput, scheduleProblem } from './private/triggers';
import { triggerPrincipal } from './private/trust';

/*
 * What every SageMaker pipeline offers, created by this library or imported by name: triggers
 * (schedule, new data in S3, alarm), grants and metrics.
 */

/** Options of a trigger. */
export interface TriggerOptions {
  /**
   * Parameter values for the execution. A value may be a JSON path into the event
   * (`$.detail.object.key`), which EventBridge fills in.
   * @default - the parameters' defaults
   */
  readonly parameters?: { [name: string]: string };
  /**
   * A description of the rule.
   * @default - a description of the trigger
   */
  readonly description?: string;
  /**
   * How long EventBridge retries starting the execution.
   * @default Duration.hours(24)
   */
  readonly maxEventAge?: Duration;
  /**
   * Where events go when EventBridge could not start the execution (an SQS queue; EventBridge is
   * allowed to send to it for this rule only).
   * @default - none: events that could not start the pipeline are dropped after the retries
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/** Options of {@link ITrainingPipeline.addScheduleTrigger}. */
export interface ScheduleTriggerOptions extends TriggerOptions {
  /** When to start. */
  readonly schedule: events.Schedule;
}

/** Options of {@link ITrainingPipeline.addNewDataTrigger}. */
export interface NewDataTriggerOptions extends TriggerOptions {
  /** The bucket the data arrives in. It must send events to EventBridge (ArtifactBucket does). */
  readonly bucket: s3.IBucket;
  /**
   * Only objects under this key prefix. It must not share keys with what the pipeline writes (its
   * output prefix, its stored definitions, the outputs of its steps): every run would start the
   * pipeline again. A trigger on the whole bucket is refused for the same reason when the pipeline
   * writes to that bucket.
   * @default - any key
   */
  readonly prefix?: string;
  /**
   * Only objects whose key ends with this.
   * @default - any key
   */
  readonly suffix?: string;
}

/** Options of {@link ITrainingPipeline.addAlarmTrigger}. */
export interface AlarmTriggerOptions extends TriggerOptions {
  /** The alarm (for example a drift alarm of EndpointWithMonitor). */
  readonly alarm: cloudwatch.IAlarm;
}

/**
 * A SageMaker pipeline: created by this library or imported by name.
 */
export interface ITrainingPipeline extends IResource {
  /**
   * The pipeline's name.
   * @attribute
   */
  readonly pipelineName: string;
  /**
   * The pipeline's ARN.
   * @attribute
   */
  readonly pipelineArn: string;

  /** Allow a principal to start executions. */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant;
  /** Start the pipeline on a schedule. */
  addScheduleTrigger(id: string, options: ScheduleTriggerOptions): events.Rule;
  /** Start the pipeline when an object is created under a prefix of a bucket. */
  addNewDataTrigger(id: string, options: NewDataTriggerOptions): events.Rule;
  /** Start the pipeline when an alarm goes into ALARM. */
  addAlarmTrigger(id: string, options: AlarmTriggerOptions): events.Rule;
  /** A metric of this pipeline. */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Executions started. */
  metricExecutionStarted(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Executions failed. */
  metricExecutionFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Executions succeeded. */
  metricExecutionSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Executions stopped. */
  metricExecutionStopped(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Execution duration. */
  metricExecutionDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** A metric of one step (`StepStarted`, `StepFailed`, `StepSucceeded`, `StepStopped`, `StepDuration`). */
  metricStep(stepName: string, metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/**
 * What created and imported pipelines share: triggers, grants and metrics.
 */
export abstract class TrainingPipelineBase extends Resource implements ITrainingPipeline {
  public abstract readonly pipelineName: string;
  public abstract readonly pipelineArn: string;
  private triggerRole?: ManagedPolicyRole;
  private readonly triggerRuleArns: string[] = [];

  /** Allow a principal to start executions. */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:StartPipelineExecution'],
      resourceArns: [this.pipelineArn],
    });
  }

  /** Start the pipeline on a schedule. */
  public addScheduleTrigger(id: string, options: ScheduleTriggerOptions): events.Rule {
    const where = `${this.node.path}/${id}`;
    check(options?.schedule !== undefined, where, 'schedule', options?.schedule, 'It is required: when to start the pipeline');
    const expression = options.schedule.expressionString;
    const problem = scheduleProblem(expression);
    check(problem === undefined, where, 'schedule', expression, problem!);
    return this.addTrigger(id, { schedule: options.schedule }, options, `Starts the SageMaker pipeline ${this.pipelineName} on a schedule`);
  }

  /** Start the pipeline when an object is created under a prefix of a bucket (S3 events through EventBridge). */
  public addNewDataTrigger(id: string, options: NewDataTriggerOptions): events.Rule {
    check(options?.bucket !== undefined, `${this.node.path}/${id}`, 'bucket', options?.bucket, 'It is required: the bucket the data arrives in');
    const key: any[] = [];
    if (options.prefix !== undefined || options.suffix !== undefined) {
      if (options.prefix !== undefined && options.suffix !== undefined) {
        key.push({ wildcard: `${options.prefix}*${options.suffix}` });
      } else if (options.prefix !== undefined) {
        key.push({ prefix: options.prefix });
      } else {
        key.push({ suffix: options.suffix });
      }
    }
    const rule = this.addTrigger(id, {
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [options.bucket.bucketName] },
          ...(key.length > 0 ? { object: { key } } : {}),
        },
      },
    }, options, `Starts the SageMaker pipeline ${this.pipelineName} on new data`);
    // Known once the definition is complete: checked at synth.
    PropChecks.defer(rule, () => {
      const own = overlappingOutput(options.bucket.bucketName, options.prefix, this._outputLocations());
      if (!own) { return []; }
      const where = own.prefix === '' ? 'everywhere in the bucket' : `under "${own.prefix.replace(/\/+$/, '')}/"`;
      return [{
        prop: 'prefix',
        value: options.prefix ?? '(none: the whole bucket)',
        rule: `The pipeline writes ${own.what} ${where} in this bucket, so every run would start it again; ` +
          'watch a prefix that neither holds nor lies within what the pipeline writes',
      }];
    });
    return rule;
  }

  /** Start the pipeline when an alarm goes into ALARM (retraining on drift). */
  public addAlarmTrigger(id: string, options: AlarmTriggerOptions): events.Rule {
    check(options?.alarm !== undefined, `${this.node.path}/${id}`, 'alarm', options?.alarm, 'It is required: the alarm that starts the pipeline');
    return this.addTrigger(id, {
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: [options.alarm.alarmArn],
        detail: { state: { value: ['ALARM'] } },
      },
    }, options, `Starts the SageMaker pipeline ${this.pipelineName} when an alarm fires`);
  }

  /**
   * A metric of this pipeline (namespace `AWS/Sagemaker/ModelBuildingPipeline`, dimension `PipelineName`).
   *
   * @param metricName `ExecutionStarted`, `ExecutionFailed`, `ExecutionSucceeded`, `ExecutionStopped`, `ExecutionDuration`
   * @param props options
   */
  public metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Sagemaker/ModelBuildingPipeline',
      metricName,
      dimensionsMap: { PipelineName: this.pipelineName },
      ...props,
    });
  }

  /** Executions started (Sum over 5 minutes by default). */
  public metricExecutionStarted(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('ExecutionStarted', { statistic: 'Sum', ...props });
  }

  /** Executions failed (Sum over 5 minutes by default). */
  public metricExecutionFailed(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('ExecutionFailed', { statistic: 'Sum', ...props });
  }

  /** Executions succeeded (Sum over 5 minutes by default). */
  public metricExecutionSucceeded(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('ExecutionSucceeded', { statistic: 'Sum', ...props });
  }

  /** Executions stopped (Sum over 5 minutes by default). */
  public metricExecutionStopped(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('ExecutionStopped', { statistic: 'Sum', ...props });
  }

  /**
   * A metric of one step of this pipeline (dimensions `PipelineName` and `StepName`).
   *
   * @param stepName the step's name
   * @param metricName `StepStarted`, `StepFailed`, `StepSucceeded`, `StepStopped` (Sum) or `StepDuration` (Average)
   * @param props options
   */
  public metricStep(stepName: string, metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Sagemaker/ModelBuildingPipeline',
      metricName,
      dimensionsMap: { PipelineName: this.pipelineName, StepName: stepName },
      statistic: metricName === 'StepDuration' ? 'Average' : 'Sum',
      ...props,
    });
  }

  /** Execution duration in milliseconds (Average over 5 minutes by default). */
  public metricExecutionDuration(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('ExecutionDuration', { statistic: 'Average', ...props });
  }

  private addTrigger(id: string, ruleProps: events.RuleProps, options: TriggerOptions, description: string): events.Rule {
    const where = `${this.node.path}/${id}`;
    if (options.maxEventAge) {
      checkIntegerRange(where, 'maxEventAge (seconds)', options.maxEventAge.toSeconds(), 60, 86400);
    }
    const params = Object.entries(options.parameters ?? {});
    for (const [name, value] of params) {
      // EventBridge accepts fewer parameter names than SageMaker does (no underscores).
      check(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/.test(name) && name.length <= 256, where, `parameters.${name}`, name,
        'EventBridge passes only parameters named with letters, digits and dashes (pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$, at most 256 characters)');
      check(typeof value === 'string' && value.length <= 1024, where, `parameters.${name}`, value, 'A parameter value must be a string of at most 1024 characters');
    }
    const rule = new events.Rule(this, id, { ...ruleProps, description: options.description ?? description });
    // A rule name of our own, so that the trigger role can trust this rule by its ARN (the rule's
    // GetAtt in the role's trust, and the role's in the rule's target, would be a cycle).
    const ruleName = Names.uniqueResourceName(rule, { maxLength: 64 });
    (rule.node.defaultChild as events.CfnRule).name = ruleName;
    this.triggerRuleArns.push(Stack.of(this).formatArn({ service: 'events', resource: 'rule', resourceName: ruleName }));
    PropChecks.defer(rule, () => this.undeclaredParameters(params.map(([name]) => name)));
    const role = this.startRole();
    const dlq = options.deadLetterQueue;
    rule.addTarget({
      bind: () => ({
        arn: this.pipelineArn,
        role,
        retryPolicy: { maximumEventAgeInSeconds: (options.maxEventAge ?? Duration.hours(24)).toSeconds(), maximumRetryAttempts: 185 },
        deadLetterConfig: dlq ? { arn: dlq.queueArn } : undefined,
      }),
    });
    if (dlq) {
      dlq.addToResourcePolicy(new iam.PolicyStatement({
        sid: `AllowEventRule${Names.uniqueId(rule)}`.slice(0, 100),
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [dlq.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }));
    }
    if (params.length > 0) {
      (rule.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.0.SageMakerPipelineParameters', {
        PipelineParameterList: params.map(([Name, Value]) => ({ Name, Value })),
      });
    }
    return rule;
  }

  /**
   * The parameters the definition declares, when this construct knows them (undefined for a
   * pipeline imported by name).
   *
   * @internal
   */
  protected _declaredParameterNames(): string[] | undefined {
    return undefined;
  }

  /**
   * Where the pipeline writes, when this construct knows it (nothing for a pipeline imported by name).
   *
   * @internal
   */
  protected _outputLocations(): OutputLocation[] {
    return [];
  }

  private undeclaredParameters(names: string[]): PropIssue[] {
    const declared = this._declaredParameterNames();
    if (declared === undefined) { return []; }
    return names.filter((n) => !declared.includes(n)).map((n) => ({
      prop: `parameters.${n}`,
      value: n,
      rule: `The pipeline declares no parameter "${n}" (SageMaker refuses to start an execution with it); ` +
        `it declares: ${declared.length > 0 ? declared.join(', ') : 'none'}`,
    }));
  }

  private startRole(): iam.IRole {
    if (!this.triggerRole) {
      this.triggerRole = new ManagedPolicyRole(this, 'TriggerRole', {
        // Confused deputy: EventBridge rules of this account, and only this pipeline's triggers (private/trust.ts).
        assumedBy: triggerPrincipal(Stack.of(this), () => [...this.triggerRuleArns]),
        description: `Lets EventBridge start the SageMaker pipeline ${this.node.path}`,
      });
      this.grantStartExecution(this.triggerRole);
    }
    return this.triggerRole;
  }

}
