import { Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ArtifactBucket, ContainerImage, MlopsFoundation, ProjectKey, StorageLayout } from '../../lib/core';
import { ProcessingStep, TrainingPipeline, TrainingStep } from '../../lib/training-pipeline';
import { compliantApp, expectCompliant } from '../helpers/compliance';
import { bodyOf, statementsOf } from './structural';

function steps(pipeline: TrainingPipeline): void {
  const prep = new ProcessingStep('Prep', { image: ContainerImage.scikitLearn(), outputs: [{ outputName: 'out', source: '/opt/ml/processing/out' }] });
  pipeline.addStep(prep, new TrainingStep('Train', {
    image: ContainerImage.xgboost(),
    inputs: [{ channelName: 'train', s3Uri: prep.properties.outputUri('out').asString }],
  }));
}

const logicalId = (stack: Stack, c: any) => stack.getLogicalId(c.node.defaultChild);

describe('a pipeline on a foundation', () => {
  let stack: Stack;
  let template: Template;
  let foundation: MlopsFoundation;

  beforeAll(() => {
    const app = compliantApp();
    stack = new Stack(app, 'OnFoundation');
    foundation = new MlopsFoundation(stack, 'Foundation', { storageLayout: StorageLayout.of({ pipelines: 'runs', definitions: 'defs' }) });
    const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'churn', foundation });
    steps(pipeline);
    expectCompliant(stack);
    template = Template.fromStack(stack);
  });

  test('uses the foundation\'s key and bucket and creates none of its own', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    // The artifact bucket and its access-log bucket.
    template.resourceCountIs('AWS::S3::Bucket', 2);
    const body = bodyOf(template);
    const bucketId = logicalId(stack, foundation.artifactBucket);
    const keyId = logicalId(stack, foundation.encryptionKey);
    expect(body.Steps[0].Arguments.ProcessingResources.ClusterConfig.VolumeKmsKeyId).toBe(`<${keyId}.Arn>`);
    expect(body.Steps[1].Arguments.OutputDataConfig.KmsKeyId).toBe(`<${keyId}.Arn>`);
    // Outputs go under the layout's pipeline prefix of this pipeline.
    expect(body.Steps[0].Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri['Std:Join'].Values[0]).toBe(`s3://<${bucketId}>/runs/churn`);
    expect(body.Steps[1].Arguments.OutputDataConfig.S3OutputPath['Std:Join'].Values[0]).toBe(`s3://<${bucketId}>/runs/churn`);
  });

  test('the job role writes and reads back the pipeline prefix of the foundation\'s bucket, and uses the foundation\'s key', () => {
    const statements = statementsOf(template, 'PipelineJobRole');
    const bucketId = logicalId(stack, foundation.artifactBucket);
    const object = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: bucketId }, '/runs/churn/*']] };
    const put = statements.find((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(put.Resource).toEqual(object);
    // A later job reads what an earlier one wrote (the training input is the processing output).
    const get = statements.find((s) => s.Action === 's3:GetObject');
    expect([get.Resource].flat()).toContainEqual(object);
    const kmsStatement = statements.find((s) => [s.Action].flat().includes('kms:GenerateDataKey'));
    expect(kmsStatement.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack, foundation.encryptionKey), 'Arn'] });
  });

  test('a large definition with deploy-time values goes under the layout\'s definition prefix', () => {
    const s = new Stack(compliantApp(), 'Large');
    const f = new MlopsFoundation(s, 'Foundation', { storageLayout: StorageLayout.of({ definitions: 'defs' }) });
    const pipeline = new TrainingPipeline(s, 'Pipeline', { pipelineName: 'big', foundation: f, maxInlineDefinitionSize: Size.bytes(1000) });
    steps(pipeline);
    const t = Template.fromStack(s);
    const writer = Object.values(t.findResources('Custom::PipelineDefinition'))[0].Properties;
    expect(writer.TargetKey).toMatch(/^defs\/big\/[0-9a-f]{64}\.json$/);
    expect(writer.TargetBucket).toEqual({ Ref: logicalId(s, f.artifactBucket) });
  });
});

describe('precedence of the storage props', () => {
  test('an explicit key and bucket win over the foundation\'s', () => {
    const stack = new Stack();
    const foundation = new MlopsFoundation(stack, 'Foundation');
    const key = new ProjectKey(stack, 'OwnKey');
    const bucket = new ArtifactBucket(stack, 'OwnBucket', { encryptionKey: key }).bucket;
    const pipeline = new TrainingPipeline(stack, 'Pipeline', { foundation, encryptionKey: key, artifactBucket: bucket });
    expect(pipeline.encryptionKey).toBe(key);
    expect(pipeline.artifactBucket).toBe(bucket);
  });

  test('with only a bucket, the pipeline\'s key is the bucket\'s key (also over a foundation\'s key)', () => {
    const stack = new Stack();
    const key = new ProjectKey(stack, 'BucketKey');
    const bucket = new ArtifactBucket(stack, 'Bucket', { encryptionKey: key }).bucket;
    expect(new TrainingPipeline(stack, 'Alone', { artifactBucket: bucket }).encryptionKey).toBe(key);
    const foundation = new MlopsFoundation(stack, 'Foundation');
    expect(new TrainingPipeline(stack, 'OnFoundation', { foundation, artifactBucket: bucket }).encryptionKey).toBe(key);
    // A bucket without a key of its own: the foundation's key.
    const plain = s3.Bucket.fromBucketName(stack, 'Plain', 'plain-bucket');
    expect(new TrainingPipeline(stack, 'OnPlain', { foundation, artifactBucket: plain }).encryptionKey).toBe(foundation.encryptionKey);
  });

  test('without foundation or props, the pipeline creates its own key and bucket', () => {
    const stack = new Stack();
    const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'alone' });
    steps(pipeline);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(pipeline.encryptionKey.node.path).toBe('Default/Pipeline/Key');
    expect(pipeline.outputPrefix).toBe('pipelines/alone');
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:111122223333:key/abcd');
    expect(new TrainingPipeline(stack, 'WithKey', { encryptionKey: key }).encryptionKey).toBe(key);
  });

  test('an explicit output prefix wins over the layout', () => {
    const stack = new Stack();
    const foundation = new MlopsFoundation(stack, 'Foundation');
    const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'churn', foundation, outputPrefix: 'custom/place' });
    steps(pipeline);
    const body = bodyOf(Template.fromStack(stack));
    expect(body.Steps[0].Arguments.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri['Std:Join'].Values[0]).toMatch(/\/custom\/place$/);
  });
});

describe('the foundation\'s network', () => {
  test('jobs run in the foundation\'s VPC and subnets, with a new narrow security group', () => {
    const stack = new Stack(undefined, 'Net', { env: { account: '111122223333', region: 'us-east-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a'],
      isolatedSubnetIds: ['subnet-0cccccccccccccccc'],
    });
    const foundation = new MlopsFoundation(stack, 'Foundation', { vpc });
    const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'private', foundation });
    steps(pipeline);
    const template = Template.fromStack(stack);
    const body = bodyOf(template);
    // Without private subnets with egress, the isolated ones.
    expect(body.Steps[0].Arguments.NetworkConfig.VpcConfig.Subnets).toEqual(['subnet-0cccccccccccccccc']);
    expect(body.Steps[1].Arguments.VpcConfig.Subnets).toEqual(['subnet-0cccccccccccccccc']);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: 'vpc-0123456789abcdef0', GroupDescription: Match.stringLikeRegexp('Pipeline') });
    expect(pipeline.securityGroups).toHaveLength(1);
  });
});
