import { CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ManagedPolicyRole } from '../../lib/core';
import { policiesOf } from '../../lib/private/dependencies';

describe('ManagedPolicyRole', () => {
  test('grants land in a customer managed policy attached to the role, never inline', () => {
    const stack = new Stack();
    const role = new ManagedPolicyRole(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const bucket = new s3.Bucket(stack, 'Bucket');
    bucket.grantRead(role);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:DescribeModelPackage'], resources: ['arn:aws:sagemaker:eu-west-1:111122223333:model-package/g/1'] }));
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::IAM::Policy', 0);
    t.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Role') }],
      Description: 'Permissions of Default/Role',
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*']) }),
          Match.objectLike({ Action: 'sagemaker:DescribeModelPackage' }),
        ]),
      },
    });
  });

  test('a role with no statement has no policy', () => {
    const stack = new Stack();
    new ManagedPolicyRole(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('starts another managed policy when the first one nears the size limit', () => {
    const stack = new Stack();
    const role = new ManagedPolicyRole(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'), policySizeBudget: 1000 });
    for (let i = 0; i < 12; i++) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [`arn:aws:s3:::bucket-number-${i}-with-a-rather-long-name-for-testing/prefix/${i}/*`],
      }));
    }
    const t = Template.fromStack(stack);
    const policies = Object.values(t.findResources('AWS::IAM::ManagedPolicy'));
    expect(policies.length).toBeGreaterThanOrEqual(2);
    for (const p of policies) {
      expect(JSON.stringify(p.Properties.PolicyDocument).length).toBeLessThan(1300);
    }
    const total = policies.reduce((n, p) => n + p.Properties.PolicyDocument.Statement.length, 0);
    expect(total).toBe(12);
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', { Description: 'Permissions of Default/Role (part 2)' });
  });

  test('a resource that waits for the role\'s policies waits for every part, and not for the role it references (cfn-lint W3005)', () => {
    const stack = new Stack();
    const role = new ManagedPolicyRole(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'), policySizeBudget: 1000 });
    const user = new CfnResource(stack, 'User', { type: 'Custom::User', properties: { RoleArn: role.roleArn } });
    user.node.addDependency(policiesOf(role));
    // statements added after the dependency was declared count too
    for (let i = 0; i < 12; i++) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::bucket-number-${i}-with-a-long-name/prefix/*`] }));
    }
    const t = Template.fromStack(stack);
    const policies = Object.keys(t.findResources('AWS::IAM::ManagedPolicy'));
    expect(policies.length).toBeGreaterThanOrEqual(2);
    const dependsOn = t.toJSON().Resources.User.DependsOn;
    expect([...dependsOn].sort()).toEqual([...policies].sort());
  });
});
