import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EndpointWithMonitor, IEndpoint } from '../../lib/endpoint';
import { ACCOUNT, make, REGION } from './util';

/** What a consumer of any endpoint does with it: invoke it and alarm on it. */
function consume(stack: Stack, endpoint: IEndpoint): Template {
  const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
  endpoint.grantInvoke(caller);
  new cloudwatch.Alarm(stack, 'Errors', { metric: endpoint.metricInvocation5XXErrors(), threshold: 1, evaluationPeriods: 1 });
  return Template.fromStack(stack);
}

describe('an existing endpoint by name', () => {
  let stack: Stack;
  let endpoint: IEndpoint;
  let template: Template;
  beforeAll(() => {
    stack = new Stack(new App(), 'Consumer', { env: { account: ACCOUNT, region: REGION } });
    endpoint = EndpointWithMonitor.fromEndpointName(stack, 'Churn', 'Churn-Prod');
    template = consume(stack, endpoint);
  });

  test('its ARN is in this stack\'s account and region, with the name in lower case as SageMaker writes it', () => {
    expect(stack.resolve(endpoint.endpointArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:eu-west-1:123456789012:endpoint/churn-prod']],
    });
    expect(endpoint.endpointName).toBe('Churn-Prod');
    expect(endpoint.variantName).toBe('AllTraffic');
    expect(endpoint.env).toEqual({ account: ACCOUNT, region: REGION });
  });

  test('grantInvoke allows invoking that endpoint only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Caller') }],
      PolicyDocument: { Statement: [{
        Effect: 'Allow',
        Action: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync', 'sagemaker:InvokeEndpointWithResponseStream'],
        Resource: stack.resolve(endpoint.endpointArn),
      }] },
    });
  });

  test('the metrics name the endpoint and its production variant', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocation5XXErrors',
      Dimensions: [{ Name: 'EndpointName', Value: 'Churn-Prod' }, { Name: 'VariantName', Value: 'AllTraffic' }],
      Statistic: 'Sum',
      Period: 300,
    });
    expect(endpoint.metricModelLatency().statistic).toBe('p99');
    expect(endpoint.metricCpuUtilization().namespace).toBe('/aws/sagemaker/Endpoints');
    expect(endpoint.metric('InvocationsPerCopy', { variantName: 'Blue', period: Duration.minutes(1) }).dimensions)
      .toEqual({ EndpointName: 'Churn-Prod', VariantName: 'Blue' });
  });
});

test('an existing endpoint by attributes has the given production variant', () => {
  const stack = new Stack(new App(), 'Consumer', { env: { account: ACCOUNT, region: REGION } });
  const endpoint = EndpointWithMonitor.fromEndpointAttributes(stack, 'Churn', { endpointName: 'churn-prod', variantName: 'Blue' });
  expect(endpoint.variantName).toBe('Blue');
  expect(endpoint.metricInvocations().dimensions).toEqual({ EndpointName: 'churn-prod', VariantName: 'Blue' });
});

test('an existing endpoint whose name is a token keeps the token in its ARN', () => {
  const stack = new Stack(new App(), 'Consumer');
  const name = new CfnParameter(stack, 'EndpointName', { type: 'String' }).valueAsString;
  const endpoint = EndpointWithMonitor.fromEndpointName(stack, 'Churn', name);
  expect(JSON.stringify(stack.resolve(endpoint.endpointArn))).toContain('{"Ref":"EndpointName"}');
});

test('a created endpoint is an IEndpoint too: the same consumer code works with it', () => {
  const { stack, endpoint } = make();
  const template = consume(stack, endpoint);
  template.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: [Match.objectLike({ Resource: { Ref: Match.stringLikeRegexp('^Endpoint[0-9A-F]{8}$') } })] },
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Dimensions: [{ Name: 'EndpointName', Value: endpoint.endpointName }, { Name: 'VariantName', Value: 'AllTraffic' }],
    Threshold: 1, EvaluationPeriods: 1,
  });
});

describe('bad import input', () => {
  test('an endpoint name SageMaker rejects', () => {
    const stack = new Stack(new App(), 'Consumer');
    expect(() => EndpointWithMonitor.fromEndpointName(stack, 'Churn', 'churn_prod'))
      .toThrow(/\[Consumer\/Churn\] Invalid prop `endpointName`: received "churn_prod". It must be 1 to 63 letters, digits and dashes/);
  });

  test('a variant name SageMaker rejects', () => {
    const stack = new Stack(new App(), 'Consumer');
    expect(() => EndpointWithMonitor.fromEndpointAttributes(stack, 'Churn', { endpointName: 'churn', variantName: 'v1.0' }))
      .toThrow(/\[Consumer\/Churn\] Invalid prop `variantName`: received "v1.0"/);
  });

  test('no endpoint name (JavaScript callers can omit it)', () => {
    const stack = new Stack(new App(), 'Consumer');
    expect(() => EndpointWithMonitor.fromEndpointAttributes(stack, 'Churn', {} as any))
      .toThrow(/\[Consumer\/Churn\] Invalid prop `endpointName`: received undefined. It is required/);
  });
});
