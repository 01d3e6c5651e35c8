import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptedLogGroup, ImageRepository, ProjectKey } from '../../lib/core';
import { bucketOrCreate, keyOrCreate, logGroupOrCreate, repositoryOrCreate } from '../../lib/private/resources';

describe('existing resource or secure default', () => {
  test('existing resources are returned as they are and nothing is created', () => {
    const stack = new Stack();
    const key = kms.Key.fromKeyArn(stack, 'K', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'existing-bucket');
    const repo = ecr.Repository.fromRepositoryName(stack, 'R', 'existing-repo');
    const group = logs.LogGroup.fromLogGroupName(stack, 'L', 'existing-logs');
    expect(keyOrCreate(stack, 'Key', key)).toBe(key);
    expect(bucketOrCreate(stack, 'Bucket', key, bucket)).toBe(bucket);
    expect(repositoryOrCreate(stack, 'Repo', key, repo)).toBe(repo);
    expect(logGroupOrCreate(stack, 'Logs', key, group)).toBe(group);
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toEqual([]);
  });

  test('missing resources are created from the secure building blocks, encrypted with the given key', () => {
    const stack = new Stack();
    const key = keyOrCreate(stack, 'Key');
    expect(key).toBeInstanceOf(ProjectKey);
    expect(repositoryOrCreate(stack, 'Repo', key)).toBeInstanceOf(ImageRepository);
    expect(logGroupOrCreate(stack, 'Logs', key)).toBeInstanceOf(EncryptedLogGroup);
    const bucket = bucketOrCreate(stack, 'Bucket', key);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.resourceCountIs('AWS::S3::Bucket', 2); // the bucket and its access-log bucket
    expect(stack.resolve(bucket.encryptionKey?.keyArn)).toEqual(stack.resolve(key.keyArn));
  });
});
