import { App, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { ArtifactBucket, ContainerImage, InstanceType } from '../../lib/core';
import {
  EndpointStageParameters, EndpointWithMonitor, ModelData, ModelSource, MonitoringBaseline, ProblemType,
} from '../../lib/endpoint';
import { ACCOUNT, build, make, PACKAGE_ARN, REGION } from './util';

/*
 * Bad props of the endpoint that passed synth before the hardening issue (issue 10) and failed at
 * deploy time or at the first monitoring run. Each message names the construct path, the prop,
 * the value received and the rule.
 */

const baseline = () => MonitoringBaseline.fromS3Uris({
  statisticsUri: 's3://baselines-123/churn/3/statistics.json',
  constraintsUri: 's3://baselines-123/churn/3/constraints.json',
});

/** A plain string where an InstanceType goes, as a JavaScript caller can pass it. */
const raw = (name: string): InstanceType => name as unknown as InstanceType;

/** An image model, for the model data cases. */
const imageModel = (stack: Stack, modelData: ModelData) =>
  ModelSource.fromImage(ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Repo', 'inference'), '1'), { modelData });

describe('instance types, checked for their use where the endpoint takes them', () => {
  test('a typo of the production variant\'s type is refused with the construct, the prop and a suggestion', () => {
    expect(() => build(() => ({ instanceType: raw('ml.m5.larg') })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `instanceType`: received "ml.m5.larg". It must be an InstanceType, not a string, and SageMaker does not offer it for endpoints \(hosting\).*did you mean ml.m5.large/);
  });

  test('a type without the ml. prefix is refused with the prefixed name as suggestion', () => {
    expect(() => build(() => ({ instanceType: raw('m5.xlarge') })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `instanceType`: received "m5.xlarge". It must be an InstanceType, not a string.*did you mean ml.m5.xlarge/);
  });

  test('a right name given as a string says how to write it', () => {
    expect(() => build(() => ({ instanceType: raw('ml.m5.large') })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `instanceType`: received "ml.m5.large". It must be an InstanceType, not a string: InstanceType.of\("ml.m5.large"\)/);
  });

  test('a typo through InstanceType.of fails at once, with suggestions', () => {
    expect(() => InstanceType.of('ml.m5.larg')).toThrow(/\[InstanceType.of\] Invalid prop `name`: received "ml.m5.larg". It is not a SageMaker instance type.*did you mean ml.m5.large/);
  });

  test('a training and processing type (ml.t3.medium) on the production variant: SageMaker does not host it', () => {
    expect(() => build(() => ({ instanceType: InstanceType.ML_T3_MEDIUM })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `instanceType`: received "ml.t3.medium". SageMaker does not offer it for endpoints \(hosting\)/);
  });

  test('the shadow variant\'s type is checked for hosting', () => {
    expect(() => build(() => ({ shadowVariant: { instanceType: InstanceType.ML_T3_MEDIUM } })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `shadowVariant.instanceType`: received "ml.t3.medium". SageMaker does not offer it for endpoints \(hosting\)/);
  });

  test('a typo of the shadow variant\'s type', () => {
    expect(() => build(() => ({ shadowVariant: { instanceType: raw('ml.g5.xlarg') } })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `shadowVariant.instanceType`: received "ml.g5.xlarg". It must be an InstanceType, not a string.*did you mean ml.g5.xlarge/);
  });

  test('a hosting-only type (ml.inf1) for a Model Monitor job: monitoring jobs are processing jobs', () => {
    expect(() => build(() => ({ dataCapture: {}, dataQualityMonitor: { baseline: baseline(), instanceType: InstanceType.ML_INF1_XLARGE } })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `dataQualityMonitor.instanceType`: received "ml.inf1.xlarge". SageMaker does not offer it for processing jobs, check steps and Model Monitor jobs/);
  });

  test('a typo of a monitoring job\'s type', () => {
    expect(() => build((a) => ({
      dataCapture: {},
      modelQualityMonitor: { baseline: baseline(), problemType: ProblemType.REGRESSION, groundTruthBucket: a.bucket, instanceType: raw('ml.m5.xlarg') },
    }))).toThrow(/\[Stack\/Endpoint\] Invalid prop `modelQualityMonitor.instanceType`: received "ml.m5.xlarg". It must be an InstanceType, not a string.*did you mean ml.m5.xlarge/);
  });

  test('something that is not an instance type at all', () => {
    expect(() => build(() => ({ instanceType: { name: 'ml.m5.large' } as unknown as InstanceType })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `instanceType`: received an object with `name`. It must be an InstanceType/);
  });

  test('a stage parameter type SageMaker does not host is refused in allowedInstanceTypes, by position', () => {
    const stack = new Stack(new App(), 'T');
    expect(() => new EndpointStageParameters(stack, 'Stage', { allowedInstanceTypes: [InstanceType.ML_M5_LARGE, InstanceType.ML_T3_MEDIUM] }))
      .toThrow(/\[T\/Stage\] Invalid prop `allowedInstanceTypes\[1\]`: received "ml.t3.medium". SageMaker does not offer it for endpoints \(hosting\)/);
  });

  test('a typo in allowedInstanceTypes', () => {
    const stack = new Stack(new App(), 'T');
    expect(() => new EndpointStageParameters(stack, 'Stage', { allowedInstanceTypes: [raw('ml.c5.xlarg')] }))
      .toThrow(/\[T\/Stage\] Invalid prop `allowedInstanceTypes\[0\]`: received "ml.c5.xlarg". It must be an InstanceType, not a string.*did you mean ml.c5.xlarge/);
  });

  test('a default stage instance type SageMaker does not host', () => {
    const stack = new Stack(new App(), 'T');
    expect(() => new EndpointStageParameters(stack, 'Stage', { defaultInstanceType: InstanceType.ML_T3_MEDIUM }))
      .toThrow(/\[T\/Stage\] Invalid prop `defaultInstanceType`: received "ml.t3.medium". SageMaker does not offer it for endpoints \(hosting\)/);
  });

  test('a stage\'s value that is not among the parameter\'s allowed types', () => {
    const stack = new Stack(new App(), 'T');
    const params = new EndpointStageParameters(stack, 'Stage', { allowedInstanceTypes: [InstanceType.ML_M5_LARGE] });
    void params.instanceType;
    expect(() => params.parameterValues({ modelPackageArn: PACKAGE_ARN, stageName: 'prod', deploymentId: 'v1', instanceType: InstanceType.ML_C5_XLARGE }))
      .toThrow(/\[T\/Stage\/parameterValues\] Invalid prop `instanceType`: received "ml.c5.xlarge". It must be one of the allowed instance types of the parameter \(ml.m5.large\)/);
  });

  test('a stage parameter type used by a monitor: every allowed type must be a processing type', () => {
    const stack = new Stack(new App(), 'T', { env: { account: ACCOUNT, region: REGION } });
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    const params = new EndpointStageParameters(stack, 'Stage', { allowedInstanceTypes: [InstanceType.ML_M5_LARGE, InstanceType.ML_M5D_LARGE] });
    expect(() => new EndpointWithMonitor(stack, 'Endpoint', {
      model: ModelSource.fromModelPackageArn(PACKAGE_ARN, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models' }),
      artifactBucket: artifacts.bucket,
      dataCapture: {},
      dataQualityMonitor: { baseline: baseline(), instanceType: params.instanceType },
    })).toThrow(/\[T\/Endpoint\] Invalid prop `dataQualityMonitor.instanceType`: received "ml.m5d.large". SageMaker does not offer it for processing jobs/);
  });

  test('an unlisted type is the escape hatch: only its form is checked', () => {
    const { endpoint } = make(() => ({ instanceType: InstanceType.unlisted('ml.m9.large') }));
    expect(endpoint.cfnEndpointConfig).toBeDefined();
    expect(() => InstanceType.unlisted('m9.large')).toThrow(/\[InstanceType.unlisted\] Invalid prop `name`: received "m9.large"/);
  });
});

describe('capture and monitors', () => {
  test('a monitor with 0 percent of the traffic captured has nothing to analyse', () => {
    expect(() => build(() => ({ dataCapture: { samplingPercentage: 0 }, dataQualityMonitor: { baseline: baseline() } })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `dataCapture.samplingPercentage`: received 0. The dataQualityMonitor analyses the captured traffic: with 0 percent sampled it has nothing to analyse/);
  });

  test('0 percent without a monitor stays allowed (capture switched down)', () => {
    expect(() => build(() => ({ dataCapture: { samplingPercentage: 0 } }))).not.toThrow();
  });

  test('a monitor sampling through a stage parameter whose default is 0', () => {
    const stack = new Stack(new App(), 'T', { env: { account: ACCOUNT, region: REGION } });
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    const params = new EndpointStageParameters(stack, 'Stage', { defaultSamplingPercentage: 0 });
    expect(() => new EndpointWithMonitor(stack, 'Endpoint', {
      model: ModelSource.fromModelPackageArn(PACKAGE_ARN, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models' }),
      artifactBucket: artifacts.bucket,
      dataCapture: { samplingPercentage: params.samplingPercentage },
      dataQualityMonitor: { baseline: baseline() },
    })).toThrow(/\[T\/Endpoint\] Invalid prop `dataCapture.samplingPercentage`: received a token resolved only at deploy time.*the parameter SamplingPercentage defaults to 0/);
  });

  test('a monitor of an endpoint without capture says which monitor it received', () => {
    expect(() => build((a) => ({ modelBiasMonitor: { baseline: baseline(), groundTruthBucket: a.bucket } })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `modelBiasMonitor`: received a ModelBiasMonitorOptions with `baseline`, `groundTruthBucket`. A monitor analyses captured traffic/);
  });

  test('a capture prefix that is an S3 URI', () => {
    expect(() => build(() => ({ dataCapture: { prefix: 's3://my-bucket/capture' } })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `dataCapture.prefix`: received "s3:\/\/my-bucket\/capture". It must be a key prefix in the bucket, not an S3 URI/);
  });

  test('an empty capture prefix', () => {
    expect(() => build(() => ({ dataCapture: { prefix: '' } })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `dataCapture.prefix`: received "". It is empty: give a key prefix/);
  });

  test('a capture prefix with a wildcard would widen the role\'s grants', () => {
    expect(() => build(() => ({ dataCapture: { prefix: 'capture/*' } })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `dataCapture.prefix`: received "capture\/\*". It must be a key prefix in the bucket without `\*` or `\?`/);
  });

  test('a ground truth prefix with a leading slash', () => {
    expect(() => build((a) => ({
      dataCapture: {},
      modelQualityMonitor: { baseline: baseline(), problemType: ProblemType.REGRESSION, groundTruthBucket: a.bucket, groundTruthPrefix: '/labels' },
    }))).toThrow(/\[Stack\/Endpoint\] Invalid prop `modelQualityMonitor.groundTruthPrefix`: received "\/labels". It must be a key prefix in the bucket without a leading slash/);
  });
});

describe('asynchronous inference prefixes', () => {
  test('an output prefix starting with a slash', () => {
    expect(() => build(() => ({ asyncInference: { outputPrefix: '/async/out' } })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `asyncInference.outputPrefix`: received "\/async\/out". It must be a key prefix in the bucket without a leading slash/);
  });

  test('a failure prefix that is an S3 URI', () => {
    expect(() => build(() => ({ asyncInference: { failurePrefix: 's3://my-bucket/async/failed' } })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `asyncInference.failurePrefix`: received "s3:\/\/my-bucket\/async\/failed". It must be a key prefix in the bucket, not an S3 URI/);
  });
});

describe('S3 URIs: each problem with its own message', () => {
  test('a model data URI whose bucket name is too short names the bucket naming rule, not "not an S3 URI"', () => {
    expect(() => build((_a, s) => ({ model: imageModel(s, ModelData.fromS3Uri('s3://ab/model.tar.gz')) })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `modelData`: received "s3:\/\/ab\/model.tar.gz". The bucket name "ab" breaks the S3 bucket naming rule: 3 to 63 lower-case letters/);
  });

  test('a baseline URI with upper-case letters in its bucket name', () => {
    expect(() => build(() => ({
      dataCapture: {},
      dataQualityMonitor: { baseline: MonitoringBaseline.fromS3Uris({ constraintsUri: 's3://Baselines/c.json', statisticsUri: 's3://baselines-123/s.json' }) },
    }))).toThrow(/\[Stack\/Endpoint\] Invalid prop `baseline.constraintsUri`: received "s3:\/\/Baselines\/c.json". The bucket name "Baselines" breaks the S3 bucket naming rule/);
  });

  test('an empty model data URI says it is empty', () => {
    expect(() => build((_a, s) => ({ model: imageModel(s, ModelData.fromS3Uri('')) })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `modelData`: received "". It is empty: give the S3 URI of the object/);
  });

  test('an empty baseline URI says it is empty', () => {
    expect(() => build(() => ({
      dataCapture: {},
      dataQualityMonitor: { baseline: MonitoringBaseline.fromS3Uris({ constraintsUri: 's3://baselines-123/c.json', statisticsUri: '' }) },
    }))).toThrow(/\[Stack\/Endpoint\] Invalid prop `baseline.statisticsUri`: received "". It is empty/);
  });

  test('a URI of a bucket without an object', () => {
    expect(() => build((_a, s) => ({ model: imageModel(s, ModelData.fromS3Uri('s3://models-123/')) })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `modelData`: received "s3:\/\/models-123\/". It must name an object after the bucket/);
  });

  test('an empty model data key', () => {
    expect(() => build((a, s) => ({ model: imageModel(s, ModelData.fromBucket(a.bucket, '')) })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `modelData.key`: received "". It is empty: give the object key/);
  });

  test('a model data key with a wildcard', () => {
    expect(() => build((a, s) => ({ model: imageModel(s, ModelData.fromBucket(a.bucket, 'models/*')) })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `modelData.key`: received "models\/\*". It must be an object key without `\*` or `\?`/);
  });
});

describe('endpoint names are unique per account and region in one app', () => {
  const twoEndpoints = (regionA: string, regionB: string, nameB: string) => {
    const app = new App();
    for (const [id, region, name] of [['A', regionA, 'churn-prod'], ['B', regionB, nameB]]) {
      const stack = new Stack(app, id, { env: { account: ACCOUNT, region } });
      const artifacts = new ArtifactBucket(stack, 'Artifacts');
      new EndpointWithMonitor(stack, 'Endpoint', {
        model: ModelSource.fromModelPackageArn(PACKAGE_ARN, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models' }),
        endpointName: name,
      });
    }
    return app;
  };

  test('a second endpoint with the same literal name (case aside) fails at synth, naming both', () => {
    expect(() => twoEndpoints(REGION, REGION, 'Churn-Prod').synth())
      .toThrow(/A\/Endpoint.*Invalid prop `endpointName`: received "churn-prod". Another endpoint of this app has the same name in the same account and region \(B\/Endpoint\)/s);
  });

  test('the same name in another region is fine', () => {
    expect(() => twoEndpoints(REGION, 'us-east-1', 'churn-prod').synth()).not.toThrow();
  });
});
