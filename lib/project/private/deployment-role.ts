import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { sageMakerArn } from './stage-roles';
import { ManagedPolicyRole } from '../../core/managed-policy-role';
import { acknowledgeWildcardResources } from '../../private/nag';

/** What the stage stacks may hold. */
export interface DeploymentRoleScope {
  readonly projectName: string;
  /** The ARN pattern of the versions of the project's group (`model-package/<group>/*`). */
  readonly groupVersionsArn: string;
  /** The project's key (by ARN: in a target account, the tooling account's key). */
  readonly keyArn: string;
  /** Roles the stage template passes to SageMaker (the model role, the monitoring role). */
  readonly passedRoleArns: string[];
  /** Stage stacks and endpoints are named `<project>-<stage>...`. */
  readonly namePrefix: string;
  /** A physical name (a target account's role is passed by name). @default - generated */
  readonly roleName?: string;
  /** Trust CloudFormation for this account's stacks only. @default - any stack CloudFormation deploys with the role */
  readonly sourceAccount?: string;
}

/**
 * The role CloudFormation deploys the stage stacks with: exactly what the stage template creates
 * (the model, endpoint config and endpoint, the monitoring job definitions and schedules, the
 * violation rules, alarms and dashboard, the endpoint's log group, autoscaling), for the
 * project's names only, and passing only the model and monitoring roles to SageMaker. It cannot
 * create IAM roles or policies: the stage template has none.
 */
export function createDeploymentRole(scope: Construct, s: DeploymentRoleScope): iam.Role {
  const stack = Stack.of(scope);
  const role = new ManagedPolicyRole(scope, 'StageDeploymentRole', {
    assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com',
      s.sourceAccount ? { conditions: { StringEquals: { 'aws:SourceAccount': s.sourceAccount } } } : {}),
    description: `CloudFormation deploys the stage stacks ${s.namePrefix}* with this role (what the stage template creates, nothing else)`,
    roleName: s.roleName,
  });
  const name = `${s.namePrefix}*`;
  const sm = (resource: string) => sageMakerArn(stack, resource, name);
  const statements = [
    new iam.PolicyStatement({
      sid: 'SageMakerStageResources',
      actions: [
        'sagemaker:CreateModel', 'sagemaker:DeleteModel', 'sagemaker:DescribeModel',
        'sagemaker:CreateEndpointConfig', 'sagemaker:DeleteEndpointConfig', 'sagemaker:DescribeEndpointConfig',
        'sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint', 'sagemaker:DeleteEndpoint', 'sagemaker:DescribeEndpoint',
        'sagemaker:CreateDataQualityJobDefinition', 'sagemaker:DeleteDataQualityJobDefinition', 'sagemaker:DescribeDataQualityJobDefinition',
        'sagemaker:CreateMonitoringSchedule', 'sagemaker:UpdateMonitoringSchedule', 'sagemaker:DeleteMonitoringSchedule',
        'sagemaker:DescribeMonitoringSchedule', 'sagemaker:AddTags', 'sagemaker:DeleteTags', 'sagemaker:ListTags',
      ],
      resources: [sm('model'), sm('endpoint-config'), sm('endpoint'), sm('data-quality-job-definition'), sm('monitoring-schedule')],
    }),
    new iam.PolicyStatement({
      sid: 'ModelsFromTheProjectsGroup',
      actions: ['sagemaker:DescribeModelPackage'],
      resources: [s.groupVersionsArn],
    }),
    new iam.PolicyStatement({
      sid: 'PassTheStageRolesToSageMaker',
      actions: ['iam:PassRole'],
      resources: s.passedRoleArns,
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'EncryptWithTheProjectKey',
      actions: ['kms:DescribeKey', 'kms:CreateGrant'],
      resources: [s.keyArn],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
    new iam.PolicyStatement({
      sid: 'AlarmsAndDashboards',
      actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms', 'cloudwatch:TagResource',
        'cloudwatch:PutDashboard', 'cloudwatch:DeleteDashboards', 'cloudwatch:GetDashboard'],
      resources: [
        stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        stack.formatArn({ service: 'cloudwatch', region: '', resource: 'dashboard', resourceName: name }),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'ViolationRules',
      actions: ['events:PutRule', 'events:DeleteRule', 'events:DescribeRule', 'events:PutTargets', 'events:RemoveTargets', 'events:TagResource'],
      resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: name })],
    }),
    new iam.PolicyStatement({
      sid: 'EndpointLogGroups',
      actions: ['logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:AssociateKmsKey', 'logs:TagResource',
        'logs:DescribeLogGroups'],
      resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `/aws/sagemaker/Endpoints/${name}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }),
    new iam.PolicyStatement({
      sid: 'Autoscaling',
      actions: ['application-autoscaling:RegisterScalableTarget', 'application-autoscaling:DeregisterScalableTarget',
        'application-autoscaling:PutScalingPolicy', 'application-autoscaling:DeleteScalingPolicy',
        'application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DescribeScalingPolicies'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'AutoscalingServiceLinkedRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [stack.formatArn({
        service: 'iam', region: '', resource: 'role',
        resourceName: 'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint',
      })],
      conditions: { StringEquals: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' } },
    }),
  ];
  for (const statement of statements) { role.addToPrincipalPolicy(statement); }
  acknowledgeWildcardResources(role, statements,
    `The stage template's resources are named at deployment (configuration-hashed names under the project's prefix ${s.namePrefix}); ` +
    'Application Auto Scaling supports no resource-level permissions for these actions.');
  return role;
}
