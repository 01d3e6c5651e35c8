import { Duration, SizeRoundingBehavior } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { clarifyImage, modelMonitorAnalyzerImage } from './analyzer-image';
import type { MonitorContext } from './context';
import { monitoringJobSettings, publishesMetrics } from './defaults';
import { checkInstanceType } from './instance-types';
import { scheduleMonitor } from './monitor-schedule';
import {
  ClarifyMonitorOptions, DataQualityMonitorOptions, GroundTruthOptions, ModelBiasMonitorOptions, ModelQualityMonitorOptions,
  MonitoringJobOptions, ProblemType,
} from '../monitoring';
import type { MonitoringBaseline, MonitoringBaselineConfig } from '../monitoring-baseline';
import { check, checkIntegerRange } from '../../private/errors';
import { grantListPrefix, grantReadObjects } from '../../private/grants';

/*
 * The job definitions of the four Model Monitor kinds (data quality, model quality, bias and
 * explainability), each scheduled with its violation rule and alarm.
 */

/** Create every monitor the props ask for; returns their violation alarms. */
export function createMonitors(ctx: MonitorContext): cloudwatch.Alarm[] {
  const p = ctx.props;
  const alarms: cloudwatch.Alarm[] = [];
  if (p.dataQualityMonitor) { alarms.push(createDataQualityMonitor(ctx, p.dataQualityMonitor)); }
  if (p.modelQualityMonitor) { alarms.push(createModelQualityMonitor(ctx, p.modelQualityMonitor)); }
  if (p.modelBiasMonitor) { alarms.push(createModelBiasMonitor(ctx, p.modelBiasMonitor)); }
  if (p.modelExplainabilityMonitor) { alarms.push(createModelExplainabilityMonitor(ctx, p.modelExplainabilityMonitor)); }
  return alarms;
}

function createDataQualityMonitor(ctx: MonitorContext, o: DataQualityMonitorOptions): cloudwatch.Alarm {
  const baseline = o.baseline.bind(ctx.scope, ctx.monitoringRole);
  check(baseline.statisticsUri !== undefined, ctx.scope, 'dataQualityMonitor.baseline.statisticsUri', undefined,
    'The data quality monitor needs the baseline statistics as well as the constraints');
  const { frequency, run } = monitoringResources(ctx, 'dataQualityMonitor', o);
  const jobProps = {
    dataQualityAppSpecification: {
      imageUri: ctx.props.analyzerImageUri ?? modelMonitorAnalyzerImage(ctx.scope),
      environment: publishesMetrics(o) ? { publish_cloudwatch_metrics: 'Enabled' } : undefined,
    },
    dataQualityBaselineConfig: {
      constraintsResource: { s3Uri: baseline.constraintsUri },
      statisticsResource: { s3Uri: baseline.statisticsUri },
    },
    dataQualityJobInput: { endpointInput: endpointInput(ctx) },
    dataQualityJobOutputConfig: monitoringOutput(ctx, 'data-quality'),
    ...run,
  };
  const job = new sagemaker.CfnDataQualityJobDefinition(ctx.scope, 'DataQualityJobDefinition', { ...jobProps, tags: ctx.tags });
  return scheduleMonitor(ctx, { job, jobProps, type: 'DataQuality', short: 'dq', frequency });
}

function createModelQualityMonitor(ctx: MonitorContext, o: ModelQualityMonitorOptions): cloudwatch.Alarm {
  const baseline = o.baseline.bind(ctx.scope, ctx.monitoringRole);
  const truth = groundTruth(ctx, 'modelQualityMonitor', o);
  if (o.probabilityThresholdAttribute !== undefined) {
    check(o.problemType === ProblemType.BINARY_CLASSIFICATION, ctx.scope, 'modelQualityMonitor.probabilityThresholdAttribute',
      o.probabilityThresholdAttribute, 'It applies to binary classification only');
  }
  const { frequency, run } = monitoringResources(ctx, 'modelQualityMonitor', o);
  const jobProps = {
    modelQualityAppSpecification: {
      imageUri: ctx.props.analyzerImageUri ?? modelMonitorAnalyzerImage(ctx.scope),
      problemType: o.problemType,
    },
    modelQualityBaselineConfig: { constraintsResource: { s3Uri: baseline.constraintsUri } },
    modelQualityJobInput: {
      endpointInput: {
        ...endpointInput(ctx),
        inferenceAttribute: o.inferenceAttribute,
        probabilityAttribute: o.probabilityAttribute,
        probabilityThresholdAttribute: o.probabilityThresholdAttribute,
        startTimeOffset: truth.startTimeOffset,
        endTimeOffset: truth.endTimeOffset,
      },
      groundTruthS3Input: truth.s3Input,
    },
    modelQualityJobOutputConfig: monitoringOutput(ctx, 'model-quality'),
    ...run,
  };
  const job = new sagemaker.CfnModelQualityJobDefinition(ctx.scope, 'ModelQualityJobDefinition', { ...jobProps, tags: ctx.tags });
  return scheduleMonitor(ctx, { job, jobProps, type: 'ModelQuality', short: 'mq', frequency });
}

function createModelBiasMonitor(ctx: MonitorContext, o: ModelBiasMonitorOptions): cloudwatch.Alarm {
  const baseline = clarifyBaseline(ctx, 'modelBiasMonitor', o.baseline);
  const truth = groundTruth(ctx, 'modelBiasMonitor', o);
  const { frequency, run } = monitoringResources(ctx, 'modelBiasMonitor', o);
  const jobProps = {
    modelBiasAppSpecification: {
      imageUri: ctx.props.clarifyImageUri ?? clarifyImage(ctx.scope),
      configUri: baseline.analysisConfigUri!,
    },
    modelBiasBaselineConfig: { constraintsResource: { s3Uri: baseline.constraintsUri } },
    modelBiasJobInput: {
      endpointInput: {
        ...endpointInput(ctx),
        featuresAttribute: o.featuresAttribute,
        inferenceAttribute: o.inferenceAttribute,
        probabilityAttribute: o.probabilityAttribute,
        probabilityThresholdAttribute: o.probabilityThresholdAttribute,
        startTimeOffset: truth.startTimeOffset,
        endTimeOffset: truth.endTimeOffset,
      },
      groundTruthS3Input: truth.s3Input,
    },
    modelBiasJobOutputConfig: monitoringOutput(ctx, 'model-bias'),
    ...run,
  };
  const job = new sagemaker.CfnModelBiasJobDefinition(ctx.scope, 'ModelBiasJobDefinition', { ...jobProps, tags: ctx.tags });
  return scheduleMonitor(ctx, { job, jobProps, type: 'ModelBias', short: 'bias', frequency });
}

function createModelExplainabilityMonitor(ctx: MonitorContext, o: ClarifyMonitorOptions): cloudwatch.Alarm {
  const baseline = clarifyBaseline(ctx, 'modelExplainabilityMonitor', o.baseline);
  const { frequency, run } = monitoringResources(ctx, 'modelExplainabilityMonitor', o);
  const jobProps = {
    modelExplainabilityAppSpecification: {
      imageUri: ctx.props.clarifyImageUri ?? clarifyImage(ctx.scope),
      configUri: baseline.analysisConfigUri!,
    },
    modelExplainabilityBaselineConfig: { constraintsResource: { s3Uri: baseline.constraintsUri } },
    modelExplainabilityJobInput: {
      endpointInput: {
        ...endpointInput(ctx),
        featuresAttribute: o.featuresAttribute,
        inferenceAttribute: o.inferenceAttribute,
        probabilityAttribute: o.probabilityAttribute,
      },
    },
    modelExplainabilityJobOutputConfig: monitoringOutput(ctx, 'model-explainability'),
    ...run,
  };
  const job = new sagemaker.CfnModelExplainabilityJobDefinition(ctx.scope, 'ModelExplainabilityJobDefinition', { ...jobProps, tags: ctx.tags });
  return scheduleMonitor(ctx, { job, jobProps, type: 'ModelExplainability', short: 'xai', frequency });
}

/** Read access to the ground truth prefix, and the rendered S3 input and time offsets. */
function groundTruth(ctx: MonitorContext, prop: string, o: GroundTruthOptions) {
  const bucket = o.groundTruthBucket ?? ctx.artifactBucket!;
  const prefix = ctx.prefixes.groundTruth(o.groundTruthPrefix);
  grantReadObjects(ctx.monitoringRole, bucket, `${prefix}/*`,
    'Ground truth labels are uploaded at run time; reads are limited to the endpoint\'s ground-truth prefix.');
  grantListPrefix(ctx.monitoringRole, bucket, prefix);
  const offset = (name: string, d?: Duration): string | undefined => {
    if (d === undefined) { return undefined; }
    const hours = d.toHours({ integral: false });
    check(Number.isInteger(hours) && hours >= 1 && hours <= 24 * 30, ctx.scope, `${prop}.${name}`, d,
      'It must be a whole number of hours, from 1 hour to 30 days');
    return `-PT${hours}H`;
  };
  const start = offset('startTimeOffset', o.startTimeOffset);
  const end = offset('endTimeOffset', o.endTimeOffset);
  if (o.startTimeOffset && o.endTimeOffset) {
    check(o.startTimeOffset.toHours() > o.endTimeOffset.toHours(), ctx.scope, `${prop}.endTimeOffset`, o.endTimeOffset,
      `It must be shorter than startTimeOffset (${o.startTimeOffset.toHumanString()}): the window ends after it starts`);
  }
  return { s3Input: { s3Uri: `s3://${bucket.bucketName}/${prefix}` }, startTimeOffset: start, endTimeOffset: end };
}

function clarifyBaseline(ctx: MonitorContext, prop: string, b: MonitoringBaseline): MonitoringBaselineConfig {
  const baseline = b.bind(ctx.scope, ctx.monitoringRole);
  check(baseline.analysisConfigUri !== undefined, ctx.scope, `${prop}.baseline.analysisConfigUri`, undefined,
    'The SageMaker Clarify monitors need the analysis configuration of the baselining job');
  return baseline;
}

function endpointInput(ctx: MonitorContext) {
  return {
    endpointName: ctx.endpoint.attrEndpointName,
    localPath: '/opt/ml/processing/input/endpoint',
    s3InputMode: 'File',
    s3DataDistributionType: 'FullyReplicated',
  };
}

/** The cluster, stopping condition and network of a monitoring job. */
function monitoringResources(ctx: MonitorContext, prop: string, o: MonitoringJobOptions) {
  const s = monitoringJobSettings(o);
  const scope = ctx.scope;
  // Model Monitor runs processing jobs: MonitoringClusterConfig takes a ProcessingInstanceType.
  checkInstanceType(scope, `${prop}.instanceType`, s.instanceType, 'processing');
  checkIntegerRange(scope, `${prop}.instanceCount`, s.instanceCount, 1, 100);
  checkIntegerRange(scope, `${prop}.volumeSize (GiB)`, s.volumeSize.toGibibytes({ rounding: SizeRoundingBehavior.NONE }), 1, 16384);
  checkIntegerRange(scope, `${prop}.maxRuntime (seconds)`, s.maxRuntime.toSeconds({ integral: false }), 1, 86400);
  check(s.maxRuntime.toSeconds({ integral: false }) <= s.frequency.intervalHours * 3600, scope, `${prop}.maxRuntime`, s.maxRuntime,
    `It must fit in the interval between runs (${s.frequency.intervalHours} hour(s))`);
  // The job definition properties every monitor kind shares: its cluster, its time limit, its network, its role.
  return {
    frequency: s.frequency,
    run: {
      roleArn: ctx.monitoringRole.roleArn,
      jobResources: {
        clusterConfig: {
          instanceCount: s.instanceCount,
          instanceType: s.instanceType.name,
          volumeSizeInGb: s.volumeSize.toGibibytes(),
          // SageMaker refuses a volume key for instance types with NVMe instance storage.
          volumeKmsKeyId: s.instanceType.hasInstanceStorage ? undefined : ctx.encryptionKey.keyArn,
        },
      },
      stoppingCondition: { maxRuntimeInSeconds: s.maxRuntime.toSeconds({ integral: false }) },
      networkConfig: {
        enableInterContainerTrafficEncryption: true,
        enableNetworkIsolation: true,
        vpcConfig: ctx.network ? { subnets: ctx.network.subnetIds, securityGroupIds: ctx.network.securityGroupIds } : undefined,
      },
    },
  };
}

function monitoringOutput(ctx: MonitorContext, kind: string) {
  return {
    kmsKeyId: ctx.encryptionKey.keyArn,
    monitoringOutputs: [{
      s3Output: {
        localPath: '/opt/ml/processing/output',
        s3Uri: `s3://${ctx.artifactBucket!.bucketName}/${ctx.prefixes.monitoring}/${kind}`,
        s3UploadMode: 'EndOfJob',
      },
    }],
  };
}
