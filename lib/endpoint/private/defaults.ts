import { Duration, Size } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { AutoscalingOptions } from '../autoscaling-options';
import { TrafficRouting } from '../deployment';
import type { EndpointWithMonitorProps } from '../endpoint-with-monitor-props';
import { DataQualityMonitorOptions, MonitoringFrequency, MonitoringJobOptions } from '../monitoring';
import { DEFAULT_INSTANCE_COUNT, DEFAULT_SAMPLING_PERCENTAGE, DEFAULT_VARIANT_NAME } from './default-values';
import { InstanceType } from '../../core/instance-type';
import type { StorageLayout } from '../../core/storage-layout';

/*
 * Every default of EndpointWithMonitor, in one place, as pure functions of the props (the way
 * aws-solutions-constructs keeps one defaults function per service). The `@default` of each prop
 * documents the value chosen here.
 */

/** The endpoint's settings with the defaults filled in. */
export interface EndpointSettings {
  /** Whether the production variant is serverless. */
  readonly serverless: boolean;
  /** The production variant's name. */
  readonly variantName: string;
  /** The production variant's instance type (none for a serverless variant). */
  readonly instanceType?: InstanceType;
  /** The production variant's instance count (used for instance variants only). */
  readonly initialInstanceCount: number;
  /** The most concurrent invocations of a serverless variant. */
  readonly maxConcurrency: number;
  /** Whether the model and the monitoring jobs run without network access. */
  readonly networkIsolation: boolean;
  /** The shadow variant, when there is one. */
  readonly shadow?: ShadowSettings;
  /** Data capture, when configured. */
  readonly capture?: CaptureSettings;
  /** The alarms. */
  readonly alarms: AlarmSettings;
  /** The deployment. */
  readonly deployment: DeploymentSettings;
  /** Whether any Model Monitor is on. */
  readonly monitors: boolean;
  /** Whether a dashboard is created. */
  readonly dashboard: boolean;
}

/** The shadow variant's settings. */
export interface ShadowSettings {
  readonly variantName: string;
  readonly instanceType?: InstanceType;
  readonly initialInstanceCount: number;
  readonly samplingPercentage: number;
}

/** Data capture's settings. */
export interface CaptureSettings {
  readonly enabled: boolean;
  readonly samplingPercentage: number;
  readonly captureRequest: boolean;
  readonly captureResponse: boolean;
}

/** The alarms' settings. */
export interface AlarmSettings {
  readonly evaluationPeriods: number;
  readonly invocationErrorThreshold: number;
  readonly modelLatencyThreshold: Duration;
}

/** The deployment's settings. */
export interface DeploymentSettings {
  readonly trafficRouting: TrafficRouting;
  readonly bakeTime: Duration;
  readonly defaultRollbackAlarms: boolean;
  readonly rollbackAlarms: cloudwatch.IAlarm[];
}

/** Autoscaling's settings. */
export interface AutoscalingSettings {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly targetInvocationsPerInstance: number;
  readonly targetProvisionedConcurrencyUtilization: number;
  readonly scaleInCooldown: Duration;
  readonly scaleOutCooldown: Duration;
}

/** A monitoring job's settings. */
export interface MonitoringJobSettings {
  readonly frequency: MonitoringFrequency;
  readonly instanceType: InstanceType;
  readonly instanceCount: number;
  readonly volumeSize: Size;
  readonly maxRuntime: Duration;
}

/** The endpoint's settings: the props with every default filled in. */
export function endpointSettings(props: EndpointWithMonitorProps): EndpointSettings {
  const serverless = props.serverless !== undefined;
  const instanceType = serverless ? undefined : (props.instanceType ?? InstanceType.ML_M5_LARGE);
  const s = props.shadowVariant;
  const c = props.dataCapture;
  return {
    serverless,
    variantName: props.variantName ?? DEFAULT_VARIANT_NAME,
    instanceType,
    initialInstanceCount: props.initialInstanceCount ?? DEFAULT_INSTANCE_COUNT,
    maxConcurrency: props.serverless?.maxConcurrency ?? 20,
    networkIsolation: props.networkIsolation ?? !serverless,
    shadow: s === undefined ? undefined : {
      variantName: s.variantName ?? 'Shadow',
      instanceType: s.instanceType ?? instanceType,
      initialInstanceCount: s.initialInstanceCount ?? 1,
      samplingPercentage: s.samplingPercentage ?? 100,
    },
    capture: c === undefined ? undefined : {
      enabled: c.enabled ?? true,
      samplingPercentage: c.samplingPercentage ?? DEFAULT_SAMPLING_PERCENTAGE,
      captureRequest: c.captureRequest ?? true,
      captureResponse: c.captureResponse ?? true,
    },
    alarms: {
      evaluationPeriods: props.alarms?.evaluationPeriods ?? 2,
      invocationErrorThreshold: props.alarms?.invocationErrorThreshold ?? 1,
      modelLatencyThreshold: props.alarms?.modelLatencyThreshold ?? Duration.seconds(1),
    },
    deployment: {
      trafficRouting: props.deployment?.trafficRouting ?? TrafficRouting.allAtOnce(),
      bakeTime: props.deployment?.bakeTime ?? Duration.minutes(5),
      defaultRollbackAlarms: props.deployment?.defaultRollbackAlarms ?? true,
      rollbackAlarms: props.deployment?.rollbackAlarms ?? [],
    },
    monitors: props.dataQualityMonitor !== undefined || props.modelQualityMonitor !== undefined
      || props.modelBiasMonitor !== undefined || props.modelExplainabilityMonitor !== undefined,
    dashboard: props.dashboard ?? true,
  };
}

/**
 * Autoscaling's settings. The minimum is the initial instance count, or the provisioned
 * concurrency of a serverless variant.
 */
export function autoscalingSettings(a: AutoscalingOptions, props: EndpointWithMonitorProps, settings: EndpointSettings): AutoscalingSettings {
  return {
    minCapacity: a.minCapacity ?? (props.serverless ? props.serverless.provisionedConcurrency! : settings.initialInstanceCount),
    maxCapacity: a.maxCapacity,
    targetInvocationsPerInstance: a.targetInvocationsPerInstance ?? 100,
    targetProvisionedConcurrencyUtilization: a.targetProvisionedConcurrencyUtilization ?? 0.7,
    scaleInCooldown: a.scaleInCooldown ?? Duration.minutes(5),
    scaleOutCooldown: a.scaleOutCooldown ?? Duration.minutes(1),
  };
}

/** Whether the data quality monitor publishes per-feature drift metrics. */
export function publishesMetrics(o: DataQualityMonitorOptions): boolean {
  return o.publishMetrics ?? true;
}

/** A monitoring job's settings. */
export function monitoringJobSettings(o: MonitoringJobOptions): MonitoringJobSettings {
  return {
    frequency: o.frequency ?? MonitoringFrequency.HOURLY,
    instanceType: o.instanceType ?? InstanceType.ML_M5_XLARGE,
    instanceCount: o.instanceCount ?? 1,
    volumeSize: o.volumeSize ?? Size.gibibytes(20),
    maxRuntime: o.maxRuntime ?? Duration.hours(1),
  };
}

/** The key prefixes of the endpoint's objects in the artifact bucket (without a trailing slash). */
export interface EndpointPrefixes {
  readonly dataCapture: string;
  readonly monitoring: string;
  readonly asyncOutput: string;
  readonly asyncFailure: string;
  /** The ground truth prefix of a monitor, given its own prefix prop. */
  groundTruth(explicit?: string): string;
}

/** The endpoint's prefixes: the explicit prefix props, else the storage layout's prefixes of the endpoint. */
export function endpointPrefixes(layout: StorageLayout, endpointName: string, props: EndpointWithMonitorProps): EndpointPrefixes {
  const trim = (p: string) => p.replace(/\/+$/, '');
  const asyncBase = layout.asyncInferencePrefix(endpointName);
  return {
    dataCapture: trim(props.dataCapture?.prefix ?? layout.dataCapturePrefix(endpointName)),
    monitoring: layout.monitoringPrefix(endpointName),
    asyncOutput: trim(props.asyncInference?.outputPrefix ?? `${asyncBase}/output`),
    asyncFailure: trim(props.asyncInference?.failurePrefix ?? `${asyncBase}/failure`),
    groundTruth: (explicit?: string) => trim(explicit ?? layout.groundTruthPrefix(endpointName)),
  };
}
