import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ArtifactBucket, EncryptedLogGroup, ImageRepository, ProjectKey } from '../../lib/core';
import { compliantApp, expectCompliant } from '../helpers/compliance';

describe('secure building blocks with defaults', () => {
  let stack: Stack;
  let template: Template;
  beforeAll(() => {
    const app = compliantApp();
    stack = new Stack(app, 'Blocks');
    const key = new ProjectKey(stack, 'Key', { alias: 'mlops/project' });
    new ArtifactBucket(stack, 'Artifacts', { encryptionKey: key });
    new ImageRepository(stack, 'Images', { encryptionKey: key });
    new EncryptedLogGroup(stack, 'Logs', { encryptionKey: key });
    expectCompliant(stack);
    template = Template.fromStack(stack);
  });

  test('the project key rotates, is retained and has an alias', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 30 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/mlops/project' });
  });

  test('the key policy lets CloudWatch Logs of this account and region use it', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowCloudWatchLogsOfThisAccount',
          Effect: 'Allow',
          Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          Condition: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*']],
              },
            },
          },
        })]),
      },
    });
  });

  test('the key policy lets EventBridge and CloudWatch alarms publish to encrypted topics of this account only', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowEncryptedNotificationsOfThisAccount',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        })]),
      },
    });
  });

  test('every statement of the key policy for a service principal carries a condition (issue 10, item 3)', () => {
    const [key] = Object.values(template.findResources('AWS::KMS::Key')) as any[];
    const forServices = key.Properties.KeyPolicy.Statement.filter((s: any) => s.Principal?.Service !== undefined);
    expect(forServices.map((s: any) => s.Sid)).toEqual(['AllowCloudWatchLogsOfThisAccount', 'AllowEncryptedNotificationsOfThisAccount']);
    for (const statement of forServices) {
      expect(Object.keys(statement.Condition ?? {})).not.toHaveLength(0);
    }
    // The other statements: the account root (IAM decides) and the Deny of grants not for AWS resources.
    const others = key.Properties.KeyPolicy.Statement.filter((s: any) => s.Principal?.Service === undefined);
    expect(others.map((s: any) => s.Effect === 'Deny' ? s.Sid : JSON.stringify(s.Principal))).toEqual([
      JSON.stringify({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } }),
      'DenyGrantsExceptForAwsResources',
    ]);
  });

  test('the key policy denies grants that are not for AWS resources', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([{
          Sid: 'DenyGrantsExceptForAwsResources',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        }]),
      },
    });
  });

  test('the artifact bucket uses SSE-KMS with the key and bucket keys, versioning, object lock and blocks public access', () => {
    const keyId = stack.getLogicalId(stack.node.findChild('Key').node.defaultChild as kms.CfnKey);
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
          }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        ObjectLockEnabled: true,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ Id: 'expire-noncurrent-versions', NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' })],
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^ArtifactsAccessLogs') }, LogFilePrefix: 'artifact-bucket/' },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('the artifact bucket accepts TLS 1.2 or newer only', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^ArtifactsBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  test('the access-log bucket is separate, SSE-S3, retained, and accepts log delivery only from the artifact bucket', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: Match.absent(),
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^ArtifactsAccessLogs') },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowServerAccessLogDelivery',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Condition: {
            ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^ArtifactsBucket'), 'Arn'] } },
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          },
        })]),
      },
    });
  });

  test('the image repository scans on push, has immutable tags, KMS and expires untagged images', () => {
    template.hasResource('AWS::ECR::Repository', {
      Properties: {
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
        EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
        LifecyclePolicy: { LifecyclePolicyText: Match.serializedJson({
          rules: [{
            rulePriority: 1,
            description: 'Expire untagged images',
            selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 14, countUnit: 'days' },
            action: { type: 'expire' },
          }],
        }) },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('the log group is encrypted, kept a year and retained', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
  });
});

describe('secure building blocks with options and existing resources', () => {
  test('an existing key and access-log bucket are used, not created', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Existing');
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const logsBucket = s3.Bucket.fromBucketName(stack, 'Logs', 'central-access-logs');
    const art = new ArtifactBucket(stack, 'Artifacts', { encryptionKey: key, accessLogsBucket: logsBucket, accessLogsPrefix: 'mlops/' });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 0);
    t.resourceCountIs('AWS::S3::Bucket', 1);
    t.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: 'central-access-logs', LogFilePrefix: 'mlops/' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { KMSMasterKeyID: key.keyArn } }] },
    });
    expect(art.accessLogsBucket).toBe(logsBucket);
    expect(art.encryptionKey).toBe(key);
  });

  test('without a key the artifact bucket creates its own project key', () => {
    const stack = new Stack();
    const art = new ArtifactBucket(stack, 'Artifacts', { eventBridgeEnabled: false, noncurrentVersionExpiration: Duration.days(30) });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    expect(art.encryptionKey).toBeInstanceOf(ProjectKey);
    t.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: Match.absent(),
      LifecycleConfiguration: { Rules: [Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
      BucketEncryption: Match.objectLike({}),
      LoggingConfiguration: Match.objectLike({}),
    });
  });

  test('removal policies and retention can be chosen', () => {
    const stack = new Stack();
    const key = new ProjectKey(stack, 'Key', { removalPolicy: RemovalPolicy.DESTROY, pendingWindow: Duration.days(7), allowCloudWatchLogs: false, allowNotifications: false });
    new ImageRepository(stack, 'Images', { removalPolicy: RemovalPolicy.DESTROY, maxTaggedImages: 50, imageTagMutability: ecr.TagMutability.MUTABLE, untaggedImageExpiration: Duration.days(3) });
    new EncryptedLogGroup(stack, 'Logs', { encryptionKey: key, retention: logs.RetentionDays.TEN_YEARS, removalPolicy: RemovalPolicy.DESTROY });
    const t = Template.fromStack(stack);
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: { PendingWindowInDays: 7 } });
    const keyPolicy = Object.values(t.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement.map((s: any) => s.Sid);
    expect(keyPolicy).not.toContain('AllowCloudWatchLogsOfThisAccount');
    expect(keyPolicy).not.toContain('AllowEncryptedNotificationsOfThisAccount');
    expect(keyPolicy).toContain('DenyGrantsExceptForAwsResources');
    t.hasResource('AWS::ECR::Repository', {
      DeletionPolicy: 'Delete',
      Properties: {
        ImageTagMutability: 'MUTABLE',
        EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: Match.absent() },
        LifecyclePolicy: { LifecyclePolicyText: Match.serializedJson(Match.objectLike({
          rules: [
            Match.objectLike({ selection: Match.objectLike({ tagStatus: 'untagged', countNumber: 3 }) }),
            Match.objectLike({ rulePriority: 2, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 50 } }),
          ],
        })) },
      },
    });
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: { RetentionInDays: 3653 } });
  });

  test('bad values are refused with the construct, the prop, the value and the rule', () => {
    const stack = new Stack(undefined, 'Bad');
    expect(() => new ProjectKey(stack, 'Key', { pendingWindow: Duration.days(3) }))
      .toThrow('[Bad/Key] Invalid prop `pendingWindow (days)`: received 3. It must be an integer from 7 to 30.');
    expect(() => new ArtifactBucket(stack, 'A1', { noncurrentVersionExpiration: Duration.hours(12) }))
      .toThrow('[Bad/A1] Invalid prop `noncurrentVersionExpiration (days)`: received 0.5. It must be an integer from 1 to 36500.');
    expect(() => new ArtifactBucket(stack, 'A2', { accessLogsExpiration: Duration.days(0) }))
      .toThrow(/\[Bad\/A2\] Invalid prop `accessLogsExpiration \(days\)`: received 0/);
    expect(() => new ArtifactBucket(stack, 'A3', { accessLogsBucket: s3.Bucket.fromBucketName(stack, 'Central', 'central-logs'), accessLogsExpiration: Duration.days(30) }))
      .toThrow('[Bad/A3] Invalid prop `accessLogsExpiration`: received 30 days. It sets the expiry of the access-log bucket this ' +
        'construct creates, and `accessLogsBucket` names an existing one instead, whose lifecycle rules are its owner\'s: it would be ' +
        'ignored. Set the expiry on that bucket, or leave `accessLogsBucket` out.');
    expect(() => new ImageRepository(stack, 'R1', { maxTaggedImages: 0 }))
      .toThrow('[Bad/R1] Invalid prop `maxTaggedImages`: received 0. It must be an integer from 1 to 10000.');
    expect(() => new ImageRepository(stack, 'R2', { untaggedImageExpiration: Duration.hours(1) }))
      .toThrow(/\[Bad\/R2\] Invalid prop `untaggedImageExpiration \(days\)`/);
  });
});
