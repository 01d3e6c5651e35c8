import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MlopsFoundation, ProjectKey, StorageLayout } from '../../lib';
import { resolveBucket, resolveKey, resolveLayout, resolveNetwork } from '../../lib/private/resources';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('precedence: explicit prop > foundation > secure default', () => {
  test('explicit resources win over the foundation, and nothing is created', () => {
    const stack = new Stack();
    const foundation = MlopsFoundation.fromFoundationAttributes(stack, 'F', {
      encryptionKey: kms.Key.fromKeyArn(stack, 'FK', KEY_ARN),
      artifactBucket: s3.Bucket.fromBucketName(stack, 'FB', 'foundation-bucket'),
    });
    const key = kms.Key.fromKeyArn(stack, 'K', KEY_ARN.replace('1234abcd', '9999abcd'));
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'explicit-bucket');
    expect(resolveKey(stack, 'Key', { foundation, encryptionKey: key })).toBe(key);
    expect(resolveBucket(stack, 'Bucket', key, { foundation, artifactBucket: bucket })).toBe(bucket);
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toEqual([]);
  });

  test('the foundation wins over the default', () => {
    const stack = new Stack();
    const layout = StorageLayout.of({ models: 'artifacts/models' });
    const foundation = new MlopsFoundation(stack, 'F', { storageLayout: layout });
    expect(resolveKey(stack, 'Key', { foundation })).toBe(foundation.encryptionKey);
    expect(resolveBucket(stack, 'Bucket', foundation.encryptionKey, { foundation })).toBe(foundation.artifactBucket);
    expect(resolveLayout({ foundation })).toBe(layout);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.resourceCountIs('AWS::S3::Bucket', 2); // the artifact bucket and its access-log bucket
  });

  test('without either, secure defaults are created, encrypted with the resolved key', () => {
    const stack = new Stack();
    const key = resolveKey(stack, 'Key', {});
    expect(key).toBeInstanceOf(ProjectKey);
    const bucket = resolveBucket(stack, 'Bucket', key, {});
    expect(resolveLayout({})).toBe(StorageLayout.DEFAULT);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.resourceCountIs('AWS::S3::Bucket', 2);
    expect(stack.resolve(bucket.encryptionKey?.keyArn)).toEqual(stack.resolve(key.keyArn));
  });

  test('network: an explicit VPC comes alone; otherwise the foundation\'s, with explicit subnets', () => {
    const stack = new Stack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const other = new ec2.Vpc(stack, 'Other');
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    const foundation = new MlopsFoundation(stack, 'F', { vpc, securityGroups: [sg] });
    expect(resolveNetwork(stack, { foundation })).toEqual({ vpc, vpcSubnets: undefined, securityGroups: [sg] });
    expect(resolveNetwork(stack, { foundation, vpc: other })).toEqual({ vpc: other, vpcSubnets: undefined, securityGroups: undefined });
    const isolated = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    expect(resolveNetwork(stack, { foundation, vpcSubnets: isolated }).vpcSubnets).toBe(isolated);
    expect(resolveNetwork(stack, {})).toEqual({});
    expect(() => resolveNetwork(stack, { vpcSubnets: isolated })).toThrow(/`vpcSubnets`.*It needs `vpc` \(or a foundation with a VPC\)/);
  });
});
