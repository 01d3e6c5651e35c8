import { Duration, IResource, Resource } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Metric options with the variant to look at. */
export interface EndpointMetricOptions extends cloudwatch.MetricOptions {
  /**
   * The variant.
   *
   * @default - the production variant
   */
  readonly variantName?: string;
}

/** An existing endpoint, for {@link EndpointWithMonitor.fromEndpointAttributes}. */
export interface EndpointAttributes {
  /** The endpoint name. */
  readonly endpointName: string;

  /**
   * The production variant's name (the default variant of the metrics).
   *
   * @default "AllTraffic"
   */
  readonly variantName?: string;
}

/**
 * A SageMaker endpoint: created by {@link EndpointWithMonitor}, or an existing one by name.
 *
 * Constructs that call an endpoint (a deploy pipeline's test step, a Lambda function), watch it
 * (alarms, cdk-monitoring-constructs) or react to it (a retraining trigger) take this interface.
 */
export interface IEndpoint extends IResource {
  /**
   * The endpoint name (stable across model updates).
   *
   * @attribute
   */
  readonly endpointName: string;

  /**
   * The endpoint ARN.
   *
   * @attribute
   */
  readonly endpointArn: string;

  /** The production variant's name: the variant of the metrics unless told otherwise. */
  readonly variantName: string;

  /**
   * Let `grantee` invoke the endpoint (real-time, streaming and asynchronous).
   *
   * @param grantee the principal
   */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;

  /**
   * A metric of the endpoint in the `AWS/SageMaker` namespace. Sum over 5 minutes by default.
   *
   * @param metricName the metric
   * @param props options (the variant, the statistic, the period)
   */
  metric(metricName: string, props?: EndpointMetricOptions): cloudwatch.Metric;

  /** Requests to the endpoint. Sum over 5 minutes by default. */
  metricInvocations(props?: EndpointMetricOptions): cloudwatch.Metric;

  /** Requests per instance. Sum over 5 minutes by default. */
  metricInvocationsPerInstance(props?: EndpointMetricOptions): cloudwatch.Metric;

  /** Requests answered with a 4XX error. Sum over 5 minutes by default. */
  metricInvocation4XXErrors(props?: EndpointMetricOptions): cloudwatch.Metric;

  /** Requests answered with a 5XX error. Sum over 5 minutes by default. */
  metricInvocation5XXErrors(props?: EndpointMetricOptions): cloudwatch.Metric;

  /** Errors raised by the model container. Sum over 5 minutes by default. */
  metricModelErrors(props?: EndpointMetricOptions): cloudwatch.Metric;

  /** Time the model takes to answer, in microseconds. p99 over 5 minutes by default. */
  metricModelLatency(props?: EndpointMetricOptions): cloudwatch.Metric;

  /** Time SageMaker adds to the model latency, in microseconds. p99 over 5 minutes by default. */
  metricOverheadLatency(props?: EndpointMetricOptions): cloudwatch.Metric;

  /** CPU utilization of the instances (100% per core). Average over 5 minutes by default. */
  metricCpuUtilization(props?: EndpointMetricOptions): cloudwatch.Metric;

  /** Memory utilization of the instances. Average over 5 minutes by default. */
  metricMemoryUtilization(props?: EndpointMetricOptions): cloudwatch.Metric;

  /** Disk utilization of the instances. Average over 5 minutes by default. */
  metricDiskUtilization(props?: EndpointMetricOptions): cloudwatch.Metric;

  /** GPU utilization of the instances (100% per GPU). Average over 5 minutes by default. */
  metricGpuUtilization(props?: EndpointMetricOptions): cloudwatch.Metric;

  /** GPU memory utilization of the instances. Average over 5 minutes by default. */
  metricGpuMemoryUtilization(props?: EndpointMetricOptions): cloudwatch.Metric;
}

/** The namespace of the invocation metrics SageMaker publishes. */
const INVOCATION_NAMESPACE = 'AWS/SageMaker';
/** The namespace of the instance metrics of endpoints. */
const INSTANCE_NAMESPACE = '/aws/sagemaker/Endpoints';

/**
 * What created and imported endpoints share: the invoke grant and the metrics.
 */
export abstract class EndpointBase extends Resource implements IEndpoint {
  public abstract readonly endpointName: string;
  public abstract readonly endpointArn: string;
  public abstract readonly variantName: string;

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync', 'sagemaker:InvokeEndpointWithResponseStream'],
      resourceArns: [this.endpointArn],
    });
  }

  public metric(metricName: string, props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric(INVOCATION_NAMESPACE, metricName, 'Sum', props);
  }

  public metricInvocations(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric(INVOCATION_NAMESPACE, 'Invocations', 'Sum', props);
  }

  public metricInvocationsPerInstance(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric(INVOCATION_NAMESPACE, 'InvocationsPerInstance', 'Sum', props);
  }

  public metricInvocation4XXErrors(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric(INVOCATION_NAMESPACE, 'Invocation4XXErrors', 'Sum', props);
  }

  public metricInvocation5XXErrors(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric(INVOCATION_NAMESPACE, 'Invocation5XXErrors', 'Sum', props);
  }

  public metricModelErrors(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric(INVOCATION_NAMESPACE, 'ModelError', 'Sum', props);
  }

  public metricModelLatency(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric(INVOCATION_NAMESPACE, 'ModelLatency', 'p99', props);
  }

  public metricOverheadLatency(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric(INVOCATION_NAMESPACE, 'OverheadLatency', 'p99', props);
  }

  public metricCpuUtilization(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric(INSTANCE_NAMESPACE, 'CPUUtilization', 'Average', props);
  }

  public metricMemoryUtilization(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric(INSTANCE_NAMESPACE, 'MemoryUtilization', 'Average', props);
  }

  public metricDiskUtilization(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric(INSTANCE_NAMESPACE, 'DiskUtilization', 'Average', props);
  }

  public metricGpuUtilization(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric(INSTANCE_NAMESPACE, 'GPUUtilization', 'Average', props);
  }

  public metricGpuMemoryUtilization(props: EndpointMetricOptions = {}): cloudwatch.Metric {
    return this.variantMetric(INSTANCE_NAMESPACE, 'GPUMemoryUtilization', 'Average', props);
  }

  private variantMetric(namespace: string, metricName: string, statistic: string, props: EndpointMetricOptions): cloudwatch.Metric {
    const { variantName, ...options } = props;
    return new cloudwatch.Metric({
      namespace,
      metricName,
      statistic,
      period: Duration.minutes(5),
      ...options,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: variantName ?? this.variantName, ...options.dimensionsMap },
    });
  }
}
