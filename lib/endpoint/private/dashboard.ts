import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { IEndpoint } from '../endpoint-base';

/**
 * The endpoint's dashboard ("Dashboard"): invocations, errors, latency, instance utilization
 * (not for a serverless variant, which has no instances) and the state of every alarm.
 */
export function createDashboard(scope: Construct, endpoint: IEndpoint, serverless: boolean, alarms: cloudwatch.IAlarm[]): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard');
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({ title: 'Invocations', left: [endpoint.metricInvocations()], width: 8 }),
    new cloudwatch.GraphWidget({
      title: 'Errors',
      left: [endpoint.metricInvocation4XXErrors(), endpoint.metricInvocation5XXErrors(), endpoint.metricModelErrors()],
      width: 8,
    }),
    new cloudwatch.GraphWidget({ title: 'Latency (microseconds, p99)', left: [endpoint.metricModelLatency(), endpoint.metricOverheadLatency()], width: 8 }),
  );
  if (!serverless) {
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'CPU and memory (%)',
        left: [endpoint.metricCpuUtilization(), endpoint.metricMemoryUtilization(), endpoint.metricDiskUtilization()],
        width: 12,
      }),
      new cloudwatch.GraphWidget({ title: 'GPU (%)', left: [endpoint.metricGpuUtilization(), endpoint.metricGpuMemoryUtilization()], width: 12 }),
    );
  }
  dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 }));
  return dashboard;
}
