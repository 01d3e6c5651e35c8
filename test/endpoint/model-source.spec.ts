import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ArtifactBucket, ModelPackageGroup } from '../../lib/core';
import { EndpointStageParameters, EndpointWithMonitor, ModelPackageModelOptions, ModelSource } from '../../lib/endpoint';
import { ACCOUNT, PACKAGE_ARN, REGION, policyStatements } from './util';

/** An endpoint serving `arn` with the given options, in a stack with an artifact bucket. */
function serve(arn: string, options: (stack: Stack, artifacts: ArtifactBucket) => ModelPackageModelOptions) {
  const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: REGION } });
  const artifacts = new ArtifactBucket(stack, 'Artifacts');
  new EndpointWithMonitor(stack, 'Endpoint', {
    model: ModelSource.fromModelPackageArn(arn, options(stack, artifacts)),
    artifactBucket: artifacts.bucket,
    encryptionKey: artifacts.encryptionKey,
  });
  return { stack, template: Template.fromStack(stack) };
}

function modelReads(template: Template): any[] {
  return policyStatements(template)
    .filter((s: any) => s.Action === 's3:GetObject');
}

describe('a model package source with its group', () => {
  test('the execution role reads the group\'s prefix of the layout in the endpoint\'s bucket', () => {
    const { template } = serve(PACKAGE_ARN, (stack) => ({ modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(stack, 'Group', 'churn') }));
    expect(modelReads(template)).toEqual([{
      Effect: 'Allow', Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsBucket/), 'Arn'] }, '/models/churn/*']] },
    }]);
    template.hasResourceProperties('AWS::SageMaker::Model', { PrimaryContainer: { ModelPackageName: PACKAGE_ARN } });
  });

  test('a group created in the stack: its name gives the prefix', () => {
    const { template } = serve('arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn-models/7', (stack) => ({
      modelPackageGroup: new ModelPackageGroup(stack, 'Group', { modelPackageGroupName: 'Churn-Models' }),
    }));
    expect(JSON.stringify(modelReads(template))).toContain('/models/Churn-Models/*');
  });

  test('a group imported by ARN in the account and region of the ARN', () => {
    const { template } = serve(PACKAGE_ARN, (stack) => ({
      modelPackageGroup: ModelPackageGroup.fromModelPackageGroupArn(stack, 'Group', 'arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/churn'),
    }));
    expect(JSON.stringify(modelReads(template))).toContain('/models/churn/*');
  });

  test('a parameterized ARN with the group: no check at synth, the group\'s prefix', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: REGION } });
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    const params = new EndpointStageParameters(stack, 'Stage');
    new EndpointWithMonitor(stack, 'Endpoint', {
      model: ModelSource.fromModelPackageArn(params.modelPackageArn, {
        modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(stack, 'Group', 'churn'),
      }),
      artifactBucket: artifacts.bucket,
      stageParameters: params,
    });
    expect(JSON.stringify(modelReads(Template.fromStack(stack)))).toContain('/models/churn/*');
  });

  test('an explicit prefix wins over the group\'s (a trailing slash is dropped)', () => {
    const { template } = serve(PACKAGE_ARN, (stack) => ({
      modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(stack, 'Group', 'churn'),
      modelDataKeyPrefix: 'legacy/churn/',
    }));
    expect(JSON.stringify(modelReads(template))).toContain('/legacy/churn/*');
  });
});

describe('bad model package input', () => {
  test('neither a group nor a prefix: the whole bucket is refused', () => {
    expect(() => serve(PACKAGE_ARN, () => ({})))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `modelDataKeyPrefix`: received undefined. Give the model package group \(`modelPackageGroup`.*never the whole bucket/);
  });

  test('no options at all (JavaScript callers can omit them)', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: REGION } });
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    expect(() => new EndpointWithMonitor(stack, 'Endpoint', {
      model: (ModelSource.fromModelPackageArn as any)(PACKAGE_ARN),
      artifactBucket: artifacts.bucket,
    })).toThrow(/\[Stack\/Endpoint\] Invalid prop `modelDataKeyPrefix`: received undefined/);
  });

  test('a literal ARN of another group', () => {
    expect(() => serve('arn:aws:sagemaker:eu-west-1:123456789012:model-package/fraud/3', (stack) => ({
      modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(stack, 'Group', 'churn'),
    }))).toThrow(/\[Stack\/Endpoint\] Invalid prop `modelPackageArn`: received "arn:aws:sagemaker:eu-west-1:123456789012:model-package\/fraud\/3". It must be a version of the model package group `modelPackageGroup` \(churn\)/);
  });

  test('a literal ARN in another account than the group', () => {
    expect(() => serve('arn:aws:sagemaker:eu-west-1:210987654321:model-package/churn/3', (stack) => ({
      modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(stack, 'Group', 'churn'),
    }))).toThrow(/Invalid prop `modelPackageArn`: received ".*210987654321.*". It must be in the account of the model package group `modelPackageGroup` \(123456789012\)/);
  });

  test('a prefix with a wildcard', () => {
    expect(() => serve(PACKAGE_ARN, () => ({ modelDataKeyPrefix: 'models/*' })))
      .toThrow(/\[Stack\/Endpoint\] Invalid prop `modelDataKeyPrefix`: received "models\/\*". It must be a key prefix in the bucket/);
  });

  test('a prefix that is an S3 URI', () => {
    expect(() => serve(PACKAGE_ARN, () => ({ modelDataKeyPrefix: 's3://bucket/models' })))
      .toThrow(/Invalid prop `modelDataKeyPrefix`: received "s3:\/\/bucket\/models". It must be a key prefix in the bucket/);
  });
});
