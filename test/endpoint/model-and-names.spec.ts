import * as path from 'path';
import { App, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ArtifactBucket, ContainerImage, InstanceType } from '../../lib/core';
import { EndpointWithMonitor, EndpointWithMonitorProps, ModelData, ModelSource } from '../../lib/endpoint';
import { build, make, onlyResource, PACKAGE_ARN, policyStatements } from './util';

describe('model from an approved model package, with defaults', () => {
  let template: Template;
  let endpoint: EndpointWithMonitor;
  beforeAll(() => {
    ({ template, endpoint } = build());
  });

  test('the model serves the package version with network isolation and its own role', () => {
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: { ModelPackageName: PACKAGE_ARN },
      EnableNetworkIsolation: true,
      ExecutionRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EndpointExecutionRole'), 'Arn'] },
      ModelName: Match.stringLikeRegexp('^Stack-Endpoint-[0-9a-f]{8}-model-[0-9a-f]{8}$'),
    });
  });

  test('one instance variant, encrypted volume, config name hashed, endpoint name stable', () => {
    const config = onlyResource(template, 'AWS::SageMaker::EndpointConfig').Properties;
    expect(config.ProductionVariants).toEqual([{
      VariantName: 'AllTraffic',
      ModelName: { 'Fn::GetAtt': [expect.stringMatching(/^EndpointModel/), 'ModelName'] },
      InstanceType: 'ml.m5.large',
      InitialInstanceCount: 2,
      InitialVariantWeight: 1,
    }]);
    expect(config.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsKey/), 'Arn'] });
    expect(config.EndpointConfigName).toMatch(/^Stack-Endpoint-[0-9a-f]{8}-config-[0-9a-f]{8}$/);
    const ep = onlyResource(template, 'AWS::SageMaker::Endpoint').Properties;
    expect(ep.EndpointName).toBe(endpoint.endpointName);
    expect(ep.EndpointName).toMatch(/^Stack-Endpoint-[0-9a-f]{8}$/);
    expect(ep.EndpointConfigName).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^EndpointEndpointConfig/), 'EndpointConfigName'] });
  });

  test('the endpoint ARN is the Ref of the endpoint (Ref of SageMaker resources is an ARN)', () => {
    expect(Stack.of(endpoint).resolve(endpoint.endpointArn)).toEqual({ Ref: expect.stringMatching(/^Endpoint[0-9A-F]{8}$/) });
  });

  test('the execution role has no broad managed policy and no inline policy', () => {
    const role = Object.values(template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'sagemaker.amazonaws.com' } }] } },
    }));
    expect(role).toHaveLength(1);
    expect(role[0].Properties.ManagedPolicyArns).toBeUndefined();
    expect(template.findResources('AWS::IAM::Policy')).toEqual({});
  });

  test('model data read is scoped to the artifact prefix, logs to the endpoint log group', () => {
    const policy = policyStatements(template);
    expect(policy).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsBucket/), 'Arn'] }, '/models/*']] } },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsKey/), 'Arn'] } },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EndpointLogs/), 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': ['/aws/sagemaker/Endpoints'] } },
      },
    ]));
    // No wildcard actions anywhere.
    for (const s of policy) {
      for (const a of [s.Action].flat()) { expect(a).not.toMatch(/\*/); }
    }
  });

  test('the endpoint log group is KMS-encrypted, kept a year and retained', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: `/aws/sagemaker/Endpoints/${endpoint.endpointName}`,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ArtifactsKey'), 'Arn'] },
        RetentionInDays: 365,
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('the endpoint waits for its log group, so SageMaker never creates an unencrypted one', () => {
    const ep = onlyResource(template, 'AWS::SageMaker::Endpoint');
    expect(ep.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^EndpointLogs/)]));
  });

  test('the model waits for its role\'s policies, and not for the role its GetAtt already waits for (cfn-lint W3005)', () => {
    const model = onlyResource(template, 'AWS::SageMaker::Model');
    const roleId = Object.keys(template.findResources('AWS::IAM::Role'))[0];
    const policyIds = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(roleId).toMatch(/^EndpointExecutionRole/);
    expect(model.DependsOn).toEqual(expect.arrayContaining(policyIds));
    expect(policyIds.length).toBeGreaterThan(0);
    expect(model.DependsOn).not.toContain(roleId);
  });
});

describe('model from an image and model data', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = build((artifacts, stack) => {
      const repo = ecr.Repository.fromRepositoryName(stack, 'Repo', 'inference');
      return {
        model: ModelSource.fromImage(ContainerImage.fromEcrRepository(repo, '1.4.2'), {
          modelData: ModelData.fromBucket(artifacts.bucket, 'models/churn/model.tar.gz'),
          environment: { SAGEMAKER_PROGRAM: 'inference.py' },
        }),
      };
    }));
  });

  test('the container has the image, the artifact and the environment', () => {
    template.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: {
        Image: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/inference:1.4.2$')])] },
        ModelDataUrl: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^ArtifactsBucket') }, '/models/churn/model.tar.gz']] },
        Environment: { SAGEMAKER_PROGRAM: 'inference.py' },
        ModelPackageName: Match.absent(),
      },
    });
  });

  test('the role pulls from that repository only and reads that object only', () => {
    const statements = policyStatements(template);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        Resource: { 'Fn::Join': ['', expect.arrayContaining([expect.stringMatching(/:ecr:eu-west-1:123456789012:repository\/inference$/)])] },
      }),
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [expect.anything(), '/models/churn/model.tar.gz']] } },
    ]));
  });
});

describe('model data from a local archive', () => {
  test('the archive is uploaded as an asset the role may read', () => {
    const { template } = build(() => ({
      model: ModelSource.fromImage(ContainerImage.fromImageUri('123456789012.dkr.ecr.eu-west-1.amazonaws.com/inference:1.0'), {
        modelData: ModelData.fromAsset(path.join(__dirname, '..', 'fixtures', 'endpoint', 'model.tar.gz')),
      }),
    }));
    const container = onlyResource(template, 'AWS::SageMaker::Model').Properties.PrimaryContainer;
    expect(container.Image).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/inference:1.0');
    expect(JSON.stringify(container.ModelDataUrl)).toMatch(/^"s3:\/\/cdk-[a-z0-9]+-assets-123456789012-eu-west-1\/[0-9a-f]{64}\.gz"$/);
    const statements = policyStatements(template);
    // The image is in this account's ECR: pull rights on its repository.
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'] }),
      expect.objectContaining({ Action: 's3:GetObject', Resource: expect.objectContaining({ 'Fn::Join': expect.anything() }) }),
    ]));
  });

  test('a directory is refused: SageMaker reads only .tar.gz', () => {
    expect(() => build((_a, s) => ({
      model: ModelSource.fromImage(ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(s, 'R', 'r')), {
        modelData: ModelData.fromAsset(path.join(__dirname, '..', 'fixtures', 'endpoint')),
      }),
    }))).toThrow(/Invalid prop `modelData`: received ".*fixtures\/endpoint". It must be a gzipped tar archive/);
  });
});

describe('names follow the configuration', () => {
  // One synthesis per variation; the base and each change differ in exactly one setting.
  function names(change: (artifacts: ArtifactBucket, stack: Stack) => Partial<EndpointWithMonitorProps>) {
    const { template } = build(change);
    return {
      model: onlyResource(template, 'AWS::SageMaker::Model').Properties.ModelName as string,
      config: onlyResource(template, 'AWS::SageMaker::EndpointConfig').Properties.EndpointConfigName as string,
      endpoint: onlyResource(template, 'AWS::SageMaker::Endpoint').Properties.EndpointName as string,
    };
  }
  const image = (stack: Stack, tag: string) => ModelSource.fromImage(
    ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'Repo', 'inference'), tag));
  let base: ReturnType<typeof names>;
  let all: ReturnType<typeof names>[];
  beforeAll(() => {
    base = names(() => ({}));
    all = [base];
  });

  test.each([
    ['a new model package version', (a: ArtifactBucket) => ({ model: ModelSource.fromModelPackageArn(PACKAGE_ARN.replace(/3$/, '4'), { artifactBucket: a.bucket, modelDataKeyPrefix: 'models' }) }), true],
    ['another image', (_a: ArtifactBucket, s: Stack) => ({ model: image(s, '1.9') }), true],
  ])('%s: new model name and new config name, same endpoint name', (_label, change, modelChanges) => {
    const n = names(change as any);
    all.push(n);
    expect(n.model !== base.model).toBe(modelChanges);
    expect(n.config).not.toBe(base.config);
    expect(n.endpoint).toBe(base.endpoint);
  });

  test('an image tag change renames the model and the config', () => {
    const a = names((_x, s) => ({ model: image(s, '2.0') }));
    const b = names((_x, s) => ({ model: image(s, '2.1') }));
    all.push(a, b);
    expect(a.model).not.toBe(b.model);
    expect(a.config).not.toBe(b.config);
    expect(a.endpoint).toBe(b.endpoint);
  });

  test.each([
    ['another instance type', () => ({ instanceType: InstanceType.ML_C5_XLARGE })],
    ['another key', (_a: ArtifactBucket, s: Stack) => ({ encryptionKey: new kms.Key(s, 'OtherKey', { enableKeyRotation: true }) })],
    ['data capture on', () => ({ dataCapture: { samplingPercentage: 20 } })],
    ['another sampling percentage', () => ({ dataCapture: { samplingPercentage: 50 } })],
    ['another instance count', () => ({ initialInstanceCount: 3 })],
  ])('%s: new config name, same endpoint name', (_label, change) => {
    const n = names(change as any);
    all.push(n);
    expect(n.config).not.toBe(base.config);
    expect(n.endpoint).toBe(base.endpoint);
  });

  test('stack tags (Tags.of) are part of the hash: a tag change replaces under a new name', () => {
    const { stack } = make();
    Tags.of(stack).add('owner', 'team-b');
    const t = Template.fromStack(stack);
    const n = {
      model: onlyResource(t, 'AWS::SageMaker::Model').Properties.ModelName,
      config: onlyResource(t, 'AWS::SageMaker::EndpointConfig').Properties.EndpointConfigName,
    };
    expect(onlyResource(t, 'AWS::SageMaker::EndpointConfig').Properties.Tags).toEqual([{ Key: 'owner', Value: 'team-b' }]);
    expect(n.model).not.toBe(base.model);
    expect(n.config).not.toBe(base.config);
  });

  test('the same configuration gives the same names (no churn on redeploy)', () => {
    expect(names(() => ({}))).toEqual(base);
  });

  test('no literal Model or EndpointConfig name was ever written: every one is a distinct hash-suffixed name', () => {
    for (const n of all) {
      expect(n.model).toMatch(/-model-[0-9a-f]{8}$/);
      expect(n.config).toMatch(/-config-[0-9a-f]{8}$/);
    }
    expect(new Set(all.map((n) => n.config)).size).toBe(all.length);
  });

  test('a given endpoint name is kept as is', () => {
    const app = new App();
    const stack = new Stack(app, 'Named');
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    new EndpointWithMonitor(stack, 'Endpoint', { model: ModelSource.fromModelPackageArn(PACKAGE_ARN, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models/churn' }), endpointName: 'churn-prod' });
    Template.fromStack(stack).hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'churn-prod' });
    Template.fromStack(stack).hasResourceProperties('AWS::SageMaker::EndpointConfig', { EndpointConfigName: Match.stringLikeRegexp('^churn-prod-config-[0-9a-f]{8}$') });
  });
});

describe('instance types with NVMe instance storage', () => {
  test('ml.g5 leaves the volume key out of the endpoint config', () => {
    const { template } = build(() => ({ instanceType: InstanceType.ML_G5_XLARGE }));
    const config = onlyResource(template, 'AWS::SageMaker::EndpointConfig').Properties;
    expect(config.KmsKeyId).toBeUndefined();
    expect(config.ProductionVariants[0].InstanceType).toBe('ml.g5.xlarge');
  });

  test.each([
    ['ml.m5d.large', true], ['ml.g4dn.xlarge', true], ['ml.p4d.24xlarge', true], ['ml.p3dn.24xlarge', true],
    ['ml.g5.12xlarge', true], ['ml.m5.large', false], ['ml.c5.xlarge', false], ['ml.inf1.xlarge', false], ['ml.p3.2xlarge', false], ['ml.m6i.large', false],
  ])('%s has instance storage: %s', (name, storage) => {
    expect(InstanceType.of(name).hasInstanceStorage).toBe(storage);
  });

  test('a family SageMaker does not list yet (ml.c6id) is known by its name through InstanceType.unlisted', () => {
    // ml.c6id is an EC2 family with NVMe storage that SageMaker does not offer: InstanceType.of refuses it.
    expect(() => InstanceType.of('ml.c6id.xlarge')).toThrow(/\[InstanceType.of\] Invalid prop `name`: received "ml.c6id.xlarge". It is not a SageMaker instance type/);
    expect(InstanceType.unlisted('ml.c6id.xlarge').hasInstanceStorage).toBe(true);
  });

  test('burstable types are known', () => {
    expect(InstanceType.ML_T2_MEDIUM.isBurstable).toBe(true);
    expect(InstanceType.of('ml.t3.large').isBurstable).toBe(true);
    expect(InstanceType.ML_M5_LARGE.isBurstable).toBe(false);
  });
});

describe('bad model input', () => {
  test('an instance type without the ml. prefix', () => {
    expect(() => InstanceType.of('m5.large')).toThrow(/\[InstanceType.of\] Invalid prop `name`: received "m5.large". It must be a SageMaker instance type such as "ml.m5.large"/);
  });

  test('a model package ARN without a version', () => {
    expect(() => build((a) => ({ model: ModelSource.fromModelPackageArn('arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/churn', { artifactBucket: a.bucket, modelDataKeyPrefix: 'models/churn' }) })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `modelPackageArn`: received "arn:aws:sagemaker:eu-west-1:123456789012:model-package-group\/churn". It must be the ARN of a versioned model package/);
  });

  test('a model data URI that is not an S3 URI', () => {
    expect(() => build((_a, s) => ({
      model: ModelSource.fromImage(ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(s, 'R', 'r')), { modelData: ModelData.fromS3Uri('https://example.com/model.tar.gz') }),
    }))).toThrow(/Invalid prop `modelData`: received "https:\/\/example.com\/model.tar.gz". It must be an S3 URI/);
  });

  test('an image tag that ECR does not allow', () => {
    expect(() => build((_a, s) => ({
      model: ModelSource.fromImage(ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(s, 'R', 'r'), 'bad tag!')),
    }))).toThrow(/\[ContainerImage.fromEcrRepository\] Invalid prop `tagOrDigest`: received "bad tag!"/);
  });

  test('an endpoint name SageMaker rejects', () => {
    expect(() => build(() => ({ endpointName: 'churn_prod' }))).toThrow(/Invalid prop `endpointName`: received "churn_prod". It must be 1 to 63 letters, digits and dashes/);
  });

  test('an instance count out of range', () => {
    expect(() => build(() => ({ initialInstanceCount: 0 }))).toThrow(/Invalid prop `initialInstanceCount`: received 0. It must be an integer from 1 to 100/);
  });

  test('a variant name with a dot', () => {
    expect(() => build(() => ({ variantName: 'v1.0' }))).toThrow(/Invalid prop `variantName`: received "v1.0"/);
  });

  test('no props at all (JavaScript and Python callers can omit them)', () => {
    const stack = new Stack(new App(), 'NoProps');
    expect(() => new (EndpointWithMonitor as any)(stack, 'Endpoint'))
      .toThrow(/\[NoProps\/Endpoint\] Invalid prop `model`: received undefined. It is required/);
  });

  test('security groups without a VPC', () => {
    expect(() => build(() => ({ securityGroups: [] }))).toThrow(/Invalid prop `securityGroups`: received "0 group\(s\)". It needs `vpc`/);
  });
});
