import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ManagedPolicyRole, MetricComparison, MlopsFoundation, ModelPackageGroup, StandardTrainingPipeline } from '../../lib';
import { compliantApp, unacknowledgedFindings } from '../helpers/compliance';

/** The standard pipeline on a foundation (its roles acknowledge exactly their own wildcards). */
function pipeline() {
  const app = compliantApp();
  const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  const foundation = new MlopsFoundation(stack, 'Foundation');
  const p = new StandardTrainingPipeline(stack, 'Pipeline', {
    foundation,
    modelPackageGroup: new ModelPackageGroup(stack, 'Group', { modelPackageGroupName: 'churn' }),
    inputDataUri: `s3://${foundation.artifactBucket.bucketName}/incoming/`,
    preprocessingScript: { s3Uri: `s3://${foundation.artifactBucket.bucketName}/code/p.py` },
    evaluationScript: { s3Uri: `s3://${foundation.artifactBucket.bucketName}/code/e.py` },
    metricJsonPath: 'regression_metrics.mse.value',
    metricThreshold: 5,
    metricComparison: MetricComparison.LESS_THAN_OR_EQUAL_TO,
  });
  return { stack, p };
}

const wildcards = (stack: Stack) => unacknowledgedFindings(stack).filter((f) => f.rule.startsWith('AwsSolutions-IAM5'));

describe('acknowledgments cover exactly the wildcards the library writes (issue 10, item 1)', () => {
  test('as built, nothing is left: the job and execution roles acknowledge their own wildcards', () => {
    const { stack } = pipeline();
    expect(wildcards(stack)).toEqual([]);
  });

  test('s3:GetObject and s3:PutObject on * added to the job role are reported', () => {
    const { stack, p } = pipeline();
    p.jobRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: ['*'] }));
    expect(wildcards(stack)).toEqual([expect.objectContaining({
      rule: 'AwsSolutions-IAM5[Resource::*]', path: expect.stringMatching(/^S\/Pipeline\/JobRole\/Permissions/),
    })]);
  });

  test('iam:PassRole and sagemaker:CreateModelPackage on * added to the execution role are reported', () => {
    const { stack, p } = pipeline();
    p.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['iam:PassRole', 'sagemaker:CreateModelPackage'], resources: ['*'] }));
    expect(wildcards(stack)).toEqual([expect.objectContaining({
      rule: 'AwsSolutions-IAM5[Resource::*]', path: expect.stringMatching(/^S\/Pipeline\/ExecutionRole\/Permissions/),
    })]);
  });

  test('a ManagedPolicyRole keeps resource-less actions on * in a policy of their own, the only place `Resource::*` is acknowledged', () => {
    const stack = new Stack();
    const role = new ManagedPolicyRole(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/k'] }));
    // One resource-less action mixed with a scoped one on * is not resource-less: it stays in the main policy.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage'], resources: ['*'] }));
    const policies = Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy');
    const byId = (prefix: string) => Object.entries(policies).find(([id]) => id.startsWith(prefix))![1].Properties.PolicyDocument.Statement;
    expect(byId('RoleUnscopedPermissions')).toEqual([{ Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' }]);
    expect(byId('RolePermissions').map((s: any) => s.Action)).toEqual(['s3:GetObject', ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage']]);
  });
});
