/*
 * Teardown of an integration test stack (a custom resource provider's handlers; see
 * test/integ/support.ts, IntegTeardown). On Delete, before the stack's own resources go:
 *   1. delete the stacks the test made outside CloudFormation's view of the integ stack (the
 *      stage stacks MlopsProject's deploy pipeline creates), with the role they were deployed
 *      with, and wait until they are gone;
 *   2. then delete every version of the model package group (SageMaker refuses to delete a group
 *      that still has versions).
 * Create and Update do nothing. Plain JavaScript on the AWS SDK v3 of the Lambda runtime.
 */
const { CloudFormationClient, DeleteStackCommand, DescribeStacksCommand } = require('@aws-sdk/client-cloudformation');
const { DeleteModelPackageCommand, ListModelPackagesCommand, SageMakerClient } = require('@aws-sdk/client-sagemaker');

const cloudformation = new CloudFormationClient({});
const sagemaker = new SageMakerClient({});

/** The stack's status, or undefined once it is gone. */
async function stackStatus(stackName) {
  try {
    const out = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    const status = out.Stacks && out.Stacks[0] ? out.Stacks[0].StackStatus : undefined;
    return status === 'DELETE_COMPLETE' ? undefined : status;
  } catch (e) {
    if (e && e.name === 'ValidationError' && /does not exist/.test(String(e.message))) { return undefined; }
    throw e;
  }
}

async function deleteStack(stackName, roleArn) {
  await cloudformation.send(new DeleteStackCommand({ StackName: stackName, RoleARN: roleArn || undefined }));
}

async function deleteVersions(groupName) {
  const deleted = [];
  let nextToken;
  do {
    const page = await sagemaker.send(new ListModelPackagesCommand({
      ModelPackageGroupName: groupName, ModelPackageType: 'Versioned', MaxResults: 100, NextToken: nextToken,
    }));
    for (const summary of page.ModelPackageSummaryList || []) {
      await sagemaker.send(new DeleteModelPackageCommand({ ModelPackageName: summary.ModelPackageArn }));
      deleted.push(summary.ModelPackageArn);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return deleted;
}

exports.onEvent = async (event) => {
  const physicalResourceId = event.PhysicalResourceId || `integ-teardown-${event.LogicalResourceId}`;
  if (event.RequestType !== 'Delete') { return { PhysicalResourceId: physicalResourceId }; }
  const props = event.ResourceProperties || {};
  for (const stackName of props.StackNames || []) {
    if (await stackStatus(stackName) !== undefined) {
      await deleteStack(stackName, props.RoleArn);
      console.log(JSON.stringify({ message: 'Deleting a stack the test made', stackName }));
    }
  }
  return { PhysicalResourceId: physicalResourceId };
};

exports.isComplete = async (event) => {
  if (event.RequestType !== 'Delete') { return { IsComplete: true }; }
  const props = event.ResourceProperties || {};
  for (const stackName of props.StackNames || []) {
    const status = await stackStatus(stackName);
    if (status === undefined) { continue; }
    if (status === 'DELETE_FAILED') { throw new Error(`Stack ${stackName} could not be deleted (DELETE_FAILED): see its events`); }
    // A stack that was still being created or updated when the teardown began is deleted once it settles.
    if (status !== 'DELETE_IN_PROGRESS' && !status.endsWith('_IN_PROGRESS')) { await deleteStack(stackName, props.RoleArn); }
    return { IsComplete: false };
  }
  if (props.ModelPackageGroupName) {
    const deleted = await deleteVersions(props.ModelPackageGroupName);
    console.log(JSON.stringify({ message: 'Deleted the model package versions', group: props.ModelPackageGroupName, deleted }));
  }
  return { IsComplete: true };
};
