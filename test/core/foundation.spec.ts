import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MlopsFoundation, StorageLayout } from '../../lib';

describe('MlopsFoundation', () => {
  test('one retained, rotated key and one artifact bucket with its access-log bucket', () => {
    const stack = new Stack();
    const f = new MlopsFoundation(stack, 'Foundation');
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.resourceCountIs('AWS::S3::Bucket', 2);
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
    });
    expect(stack.resolve(f.artifactBucket.encryptionKey!.keyArn)).toEqual(stack.resolve(f.encryptionKey.keyArn));
    expect(f.accessLogsBucket).toBeDefined();
    expect(f.storageLayout).toBe(StorageLayout.DEFAULT);
  });

  test('existing key and bucket are used and nothing is created', () => {
    const stack = new Stack();
    const key = kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'platform-artifacts');
    const f = new MlopsFoundation(stack, 'Foundation', { encryptionKey: key, artifactBucket: bucket });
    expect(f.encryptionKey).toBe(key);
    expect(f.artifactBucket).toBe(bucket);
    expect(f.accessLogsBucket).toBeUndefined();
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toEqual([]);
  });

  test('bucket props shape the bucket it creates', () => {
    const stack = new Stack();
    new MlopsFoundation(stack, 'Foundation', { artifactBucketProps: { bucketName: 'my-artifacts' }, encryptionKeyProps: { alias: 'mlops' } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'my-artifacts' });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/mlops' });
  });

  test('fromFoundationAttributes keeps the given resources, layout and network', () => {
    const stack = new Stack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const key = kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'platform-artifacts');
    const layout = StorageLayout.of({ pipelines: 'ml/pipelines' });
    const f = MlopsFoundation.fromFoundationAttributes(stack, 'Foundation', { encryptionKey: key, artifactBucket: bucket, storageLayout: layout, vpc });
    expect([f.encryptionKey, f.artifactBucket, f.storageLayout, f.vpc]).toEqual([key, bucket, layout, vpc]);
    expect(f.node.path).toBe('Default/Foundation');
  });

  test('bad input names the construct, the prop, the value and the rule', () => {
    const stack = new Stack(new App(), 'S');
    const key = new kms.Key(stack, 'K');
    expect(() => new MlopsFoundation(stack, 'A', { encryptionKey: key, encryptionKeyProps: { alias: 'x' } }))
      .toThrow(/\[S\/A\] Invalid prop `encryptionKeyProps`.*cannot be combined with `encryptionKey`/);
    expect(() => new MlopsFoundation(stack, 'B', { artifactBucketProps: { encryptionKey: key } }))
      .toThrow(/\[S\/B\] Invalid prop `artifactBucketProps.encryptionKey`.*give the key as `encryptionKey`/);
    expect(() => new MlopsFoundation(stack, 'C', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }))
      .toThrow(/\[S\/C\] Invalid prop `vpcSubnets`.*It needs `vpc`/);
    expect(() => MlopsFoundation.fromFoundationAttributes(stack, 'D', { encryptionKey: key } as any))
      .toThrow(/\[S\/D\] Invalid prop `artifactBucket`: received undefined. It is required/);
  });
});

describe('StorageLayout', () => {
  test('default prefixes, keyed by pipeline, group and endpoint', () => {
    const l = StorageLayout.DEFAULT;
    expect([l.pipelinePrefix('p'), l.definitionPrefix('p'), l.evaluationReportPrefix('g'), l.modelPrefix('g'), l.baselinePrefix('g'),
      l.dataCapturePrefix('e'), l.monitoringPrefix('e'), l.groundTruthPrefix('e'), l.asyncInferencePrefix('e'), l.releasePrefix('x'),
      l.featureStore, l.experimentsPrefix('x')]).toEqual(['pipelines/p', 'pipeline-definitions/p', 'evaluation-reports/g', 'models/g', 'baselines/g',
      'data-capture/e', 'monitoring/e', 'ground-truth/e', 'async-inference/e', 'releases/x', 'feature-store', 'experiments/x']);
    expect(StorageLayout.of({ experiments: 'mlflow' }).experimentsPrefix('churn')).toBe('mlflow/churn');
    expect(() => StorageLayout.of({ experiments: 'mlflow/*' })).toThrow(/experiments.*"mlflow\/\*".*no wildcards/s);
  });

  test('changed prefixes, nested ones too', () => {
    const l = StorageLayout.of({ models: 'ml/models', evaluationReports: 'reports' });
    expect(l.modelPrefix('churn')).toBe('ml/models/churn');
    expect(l.evaluationReportPrefix('churn')).toBe('reports/churn');
    expect(l.pipelines).toBe('pipelines');
  });

  test.each(['/models', 'models/', 'models/*', 'a//b', '', 'has space'])('refuses the prefix %j', (bad) => {
    expect(() => StorageLayout.of({ models: bad })).toThrow(/\[StorageLayout\] Invalid prop `models`.*plain S3 key prefix/);
  });
});
