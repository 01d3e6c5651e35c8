import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ArtifactBucket, EncryptedLogGroup, ImageRepository, ManagedPolicyRole, ProjectKey } from '../lib';

/**
 * The secure building blocks every construct of the library reuses, on their own: a project key,
 * an artifact bucket with its access-log bucket, an image repository and an encrypted log group,
 * and a data-science role that may use the bucket.
 */
export function addFoundationExample(app: App): Stack {
  const stack = new Stack(app, 'MlopsFoundationExample', {
    description: 'cdk-sagemaker-mlops example: the secure building blocks (key, artifact bucket, image repository, log group)',
  });
  const key = new ProjectKey(stack, 'ProjectKey', { alias: 'mlops/foundation-example' });
  const artifacts = new ArtifactBucket(stack, 'Artifacts', { encryptionKey: key });
  new ImageRepository(stack, 'TrainingImages', { encryptionKey: key, maxTaggedImages: 100 });
  new EncryptedLogGroup(stack, 'ProjectLogs', { encryptionKey: key });

  // Permissions in a customer managed policy of the role's own (no inline policy), and no wildcard
  // actions: read and write objects under experiments/ only.
  const dataScientists = new ManagedPolicyRole(stack, 'DataScientists', {
    assumedBy: new iam.AccountRootPrincipal(),
    description: 'Reads and writes experiment artifacts of the project',
  });
  dataScientists.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject', 's3:PutObject'],
    resources: [artifacts.bucket.arnForObjects('experiments/*')],
  }));
  dataScientists.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: [key.keyArn],
  }));
  Validations.of(dataScientists).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(artifacts.bucket.node.defaultChild as any)}.Arn>/experiments/*]`,
    reason: 'Experiment objects are created at run time; access is limited to the experiments/ prefix of the project bucket.',
  });
  return stack;
}
