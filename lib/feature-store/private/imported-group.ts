import { Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IFeatureGroup } from '../interfaces';

/** What `grantRead` allows on a group. */
export const READ_ACTIONS = ['sagemaker:GetRecord', 'sagemaker:BatchGetRecord', 'sagemaker:DescribeFeatureGroup'];

/** What `grantWrite` allows on a group. */
export const WRITE_ACTIONS = ['sagemaker:PutRecord', 'sagemaker:DeleteRecord', 'sagemaker:DescribeFeatureGroup'];

/** The ARN of the group named `name` in the stack's account and region. */
export function featureGroupArnOf(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'sagemaker', resource: 'feature-group', resourceName: name });
}

/**
 * The group's ARN for IAM. SageMaker may report resource names in lowercase in ARNs, so a literal
 * name with capitals is granted in both spellings.
 */
export function arnVariants(scope: Construct, name: string): string[] {
  const arns = [featureGroupArnOf(scope, name)];
  if (!Token.isUnresolved(name) && name.toLowerCase() !== name) { arns.push(featureGroupArnOf(scope, name.toLowerCase())); }
  return arns;
}

/**
 * A group made elsewhere, known by name only: it grants record access by ARN. Its offline store
 * (bucket, prefix, key, table) is unknown here, so it offers no offline store grants.
 */
export class ImportedFeatureGroup extends Resource implements IFeatureGroup {
  public readonly featureGroupArn: string;

  constructor(scope: Construct, id: string, public readonly featureGroupName: string) {
    super(scope, id);
    this.featureGroupArn = featureGroupArnOf(this, featureGroupName);
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: READ_ACTIONS, resourceArns: arnVariants(this, this.featureGroupName) });
  }

  public grantWrite(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: WRITE_ACTIONS, resourceArns: arnVariants(this, this.featureGroupName) });
  }
}
