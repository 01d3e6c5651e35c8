/*
 * The actions this library grants on `Resource: *`, because the Service Authorization Reference
 * ("Actions, resources, and condition keys for <service>") lists no resource type for them, or
 * because aws-cdk-lib grants them so. Nothing else may be granted on `*`: a ManagedPolicyRole puts
 * statements of these actions only into a policy of their own, where the one AwsSolutions-IAM5
 * `Resource::*` finding is acknowledged, so a statement of any other action on `*` lands in the
 * role's main policy and fails the compliance checks.
 */
export const UNSCOPED_ACTIONS: ReadonlySet<string> = new Set([
  // A registry login token: no resource (ECR).
  'ecr:GetAuthorizationToken',
  // Template validation before a stack operation (the CodePipeline CloudFormation action): no resource.
  'cloudformation:ValidateTemplate',
  // Custom metrics: no resource; the library always adds a cloudwatch:namespace condition.
  'cloudwatch:PutMetricData',
  // EC2 Describe actions: no resource-level permissions.
  'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
  // Check steps list the approved baselines of a group (read only).
  'sagemaker:ListModelPackages',
  // CodePipeline job results: no resource (the job id is the scope).
  'codepipeline:PutJobSuccessResult', 'codepipeline:PutJobFailureResult',
  // aws-cdk-lib's Lambda invoke action lists functions: no resource.
  'lambda:ListFunctions',
  // Application Auto Scaling of the stage endpoints (these actions take no resource ARN).
  'application-autoscaling:RegisterScalableTarget', 'application-autoscaling:DeregisterScalableTarget',
  'application-autoscaling:PutScalingPolicy', 'application-autoscaling:DeleteScalingPolicy',
  'application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DescribeScalingPolicies',
]);
