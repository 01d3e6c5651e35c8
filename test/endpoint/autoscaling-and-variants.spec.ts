import { Duration, Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { InstanceType } from '../../lib/core';
import { build, onlyResource, policyStatements } from './util';

describe('autoscaling of an instance variant', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = build(() => ({
      initialInstanceCount: 2,
      dataCapture: {},
      autoscaling: {
        maxCapacity: 6,
        targetInvocationsPerInstance: 250,
        customMetric: new cloudwatch.Metric({ namespace: '/aws/sagemaker/Endpoints', metricName: 'CPUUtilization', statistic: 'Average' }),
        customMetricTarget: 60,
        scaleInCooldown: Duration.minutes(10),
        scaleOutCooldown: Duration.seconds(30),
      },
    })));
  });

  test('the scalable target covers the variant, from the initial count to the maximum, and waits for the endpoint through its GetAtt only', () => {
    const target = onlyResource(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
    expect(target.Properties).toEqual(expect.objectContaining({
      ServiceNamespace: 'sagemaker',
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      MinCapacity: 2,
      MaxCapacity: 6,
      ResourceId: { 'Fn::Join': ['', ['endpoint/', { 'Fn::GetAtt': [expect.stringMatching(/^Endpoint[0-9A-F]{8}$/), 'EndpointName'] }, '/variant/AllTraffic']] },
      RoleARN: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, expect.stringMatching(/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint$/)]] },
    }));
    // The resource id's GetAtt of the endpoint name orders it: no redundant DependsOn (cfn-lint W3005).
    expect(target.DependsOn ?? []).not.toContainEqual(expect.stringMatching(/^Endpoint[0-9A-F]{8}$/));
    // No useless role is created for the target.
    expect(Object.keys(template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'application-autoscaling.amazonaws.com' } }] } },
    }))).toHaveLength(0);
  });

  test('target tracking on invocations per instance and on the custom metric, cooldowns in seconds', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
        TargetValue: 250,
        ScaleInCooldown: 600,
        ScaleOutCooldown: 30,
      },
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        CustomizedMetricSpecification: { MetricName: 'CPUUtilization', Namespace: '/aws/sagemaker/Endpoints', Statistic: 'Average' },
        TargetValue: 60,
      },
    });
  });

  test('an update keeps the scaled capacity but applies the capture settings of the template', () => {
    const ep = onlyResource(template, 'AWS::SageMaker::Endpoint').Properties;
    expect(ep.RetainAllVariantProperties).toBe(true);
    expect(ep.ExcludeRetainedVariantProperties).toEqual([{ VariantPropertyType: 'DataCaptureConfig' }]);
  });
});

describe('serverless variant', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = build(() => ({
      serverless: { memorySize: Size.gibibytes(3), maxConcurrency: 10, provisionedConcurrency: 2 },
      autoscaling: { maxCapacity: 8 },
    })));
  });

  test('memory, concurrency and provisioned concurrency; no instance settings', () => {
    const variant = onlyResource(template, 'AWS::SageMaker::EndpointConfig').Properties.ProductionVariants[0];
    expect(variant).toEqual({
      VariantName: 'AllTraffic',
      ModelName: { 'Fn::GetAtt': [expect.any(String), 'ModelName'] },
      ServerlessConfig: { MemorySizeInMB: 3072, MaxConcurrency: 10, ProvisionedConcurrency: 2 },
    });
  });

  test('no network isolation (unsupported) and provisioned concurrency scaling', () => {
    template.hasResourceProperties('AWS::SageMaker::Model', { EnableNetworkIsolation: Match.absent() });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'sagemaker:variant:DesiredProvisionedConcurrency', MinCapacity: 2, MaxCapacity: 8,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantProvisionedConcurrencyUtilization' },
        TargetValue: 0.7,
      },
    });
    expect(onlyResource(template, 'AWS::SageMaker::Endpoint').Properties.RetainAllVariantProperties).toBeUndefined();
  });
});

describe('asynchronous endpoint with a shadow variant', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = build((_a, stack) => ({
      asyncInference: {
        successTopic: new sns.Topic(stack, 'Ok', { enforceSSL: true }),
        errorTopic: new sns.Topic(stack, 'Failed', { enforceSSL: true }),
        maxConcurrentInvocationsPerInstance: 4,
      },
      shadowVariant: { instanceType: InstanceType.ML_C5_XLARGE, samplingPercentage: 50 },
    })));
  });

  test('results and failures go to encrypted prefixes; topics are notified', () => {
    const config = onlyResource(template, 'AWS::SageMaker::EndpointConfig').Properties;
    expect(config.AsyncInferenceConfig).toEqual({
      ClientConfig: { MaxConcurrentInvocationsPerInstance: 4 },
      OutputConfig: {
        S3OutputPath: { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^ArtifactsBucket/) }, expect.stringMatching(/^\/async-inference\/Stack-Endpoint-[0-9a-f]{8}\/output$/)]] },
        S3FailurePath: { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^ArtifactsBucket/) }, expect.stringMatching(/\/failure$/)]] },
        KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsKey/), 'Arn'] },
        NotificationConfig: { SuccessTopic: { Ref: expect.stringMatching(/^Ok/) }, ErrorTopic: { Ref: expect.stringMatching(/^Failed/) } },
      },
    });
    const statements = policyStatements(template);
    expect(statements).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: expect.stringMatching(/^Ok/) } },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: { 'Fn::Join': ['', [expect.anything(), expect.stringMatching(/\/output\/\*$/)]] } },
    ]));
  });

  test('the shadow variant serves the same model on its own instances, with half of the requests', () => {
    const config = onlyResource(template, 'AWS::SageMaker::EndpointConfig').Properties;
    expect(config.ShadowProductionVariants).toEqual([{
      VariantName: 'Shadow',
      ModelName: config.ProductionVariants[0].ModelName,
      InstanceType: 'ml.c5.xlarge',
      InitialInstanceCount: 1,
      InitialVariantWeight: 0.5,
    }]);
  });
});

describe('bad autoscaling and variant input', () => {
  test('a burstable instance type cannot be autoscaled', () => {
    expect(() => build(() => ({ instanceType: InstanceType.ML_T2_MEDIUM, autoscaling: { maxCapacity: 3 } })))
      .toThrow(/Invalid prop `instanceType`: received "ml.t2.medium". Burstable instance types \(ml.t2, ml.t3\) cannot be autoscaled/);
  });

  test('a maximum below the minimum', () => {
    expect(() => build(() => ({ autoscaling: { minCapacity: 3, maxCapacity: 2 } })))
      .toThrow(/Invalid prop `autoscaling.maxCapacity`: received 2. It must be at least minCapacity \(3\)/);
  });

  test('a custom metric without its target', () => {
    expect(() => build(() => ({ autoscaling: { maxCapacity: 3, customMetric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }) } })))
      .toThrow(/Invalid prop `autoscaling.customMetricTarget`: received undefined. `customMetric` and `customMetricTarget` go together/);
  });

  test('a fractional cooldown', () => {
    expect(() => build(() => ({ autoscaling: { maxCapacity: 3, scaleInCooldown: Duration.millis(1500) } })))
      .toThrow(/Invalid prop `autoscaling.scaleInCooldown \(seconds\)`/);
  });

  test('serverless autoscaling without provisioned concurrency', () => {
    expect(() => build(() => ({ serverless: { memorySize: Size.gibibytes(2) }, autoscaling: { maxCapacity: 3 } })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `autoscaling`: received an AutoscalingOptions with `maxCapacity`. A serverless variant scales its provisioned concurrency/);
  });

  test('serverless memory that is not a whole number of GiB up to 6', () => {
    expect(() => build(() => ({ serverless: { memorySize: Size.mebibytes(1500) } })))
      .toThrow(/Invalid prop `serverless.memorySize`: received "1500 MiB". It must be 1, 2, 3, 4, 5 or 6 GiB/);
  });

  test('serverless with an instance type', () => {
    expect(() => build(() => ({ serverless: { memorySize: Size.gibibytes(2) }, instanceType: InstanceType.ML_M5_LARGE })))
      .toThrow(/Invalid prop `instanceType`: received "ml.m5.large". A serverless variant does not support it/);
  });

  test('serverless with data capture', () => {
    expect(() => build(() => ({ serverless: { memorySize: Size.gibibytes(2) }, dataCapture: {} })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `dataCapture`: received a DataCaptureOptions with no field set. A serverless variant does not support it/);
  });

  test('provisioned concurrency above the maximum concurrency', () => {
    expect(() => build(() => ({ serverless: { memorySize: Size.gibibytes(2), maxConcurrency: 5, provisionedConcurrency: 6 } })))
      .toThrow(/Invalid prop `serverless.provisionedConcurrency`: received 6. It must be an integer from 1 to 5/);
  });

  test('a shadow variant named like the production variant', () => {
    expect(() => build(() => ({ shadowVariant: { variantName: 'AllTraffic' } })))
      .toThrow(/Invalid prop `shadowVariant.variantName`: received "AllTraffic". It must differ from the production variant name/);
  });
});
