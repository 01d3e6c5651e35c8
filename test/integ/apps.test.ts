import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildEndpointInteg, ENDPOINT_NAME, MODEL, MONITOR_CONTEXT, REQUEST } from './integ.endpoint';
import { buildModelRegistryInteg } from './integ.model-registry';
import { APPROVAL, buildProjectInteg, PROJECT_NAME, STAGING_REQUEST } from './integ.project';
import { buildTrainingPipelineInteg } from './integ.training-pipeline';
import { PIPELINE_ENDED, syntheticRegressionCsv, TRAINING_INPUT_PREFIX } from './support';

/*
 * integ-runner cannot read assemblies of aws-cdk-lib 2.258 or newer, so the integ apps are
 * synthesized here, each once: they must keep building without errors, the test stack must leave
 * nothing behind, and the assertions must stay wired (the calls, their parameters, what they
 * expect, their waiters and their order). This file is not named integ.*: integ-runner would take
 * it for an app.
 */

/** The context of cdk.json (the feature flags the apps get from `cdk deploy` in this repository). */
const CDK_CONTEXT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf-8')).context;

/**
 * A value of the test stack read by the assertion stack: an export (`Fn::ImportValue`) or, with the
 * recommended feature flags of cdk.json, a stack output (`Fn::GetStackOutput`); named like `pattern`.
 */
function crossStackRef(pattern: RegExp): any {
  const nameOf = (v: any): string | undefined => v?.['Fn::ImportValue'] ?? v?.['Fn::GetStackOutput']?.OutputName;
  return {
    $$typeof: Symbol.for('jest.asymmetricMatcher'),
    asymmetricMatch: (v: any) => typeof nameOf(v) === 'string' && pattern.test(nameOf(v)!),
    toString: () => 'crossStackRef',
    toAsymmetricMatcher: () => `crossStackRef(${pattern})`,
  };
}

/** The contributors' guide, whose "Integration apps" section tells how to run the apps. */
const CONTRIBUTING = fs.readFileSync(path.join(__dirname, '..', '..', 'CONTRIBUTING.md'), 'utf-8');

/** One assertion call of the assertion stack, with its parameters decoded as the provider decodes them. */
interface Call {
  readonly id: string;
  readonly service: string;
  readonly api: string;
  readonly parameters: { [key: string]: any };
  readonly expected?: any;
  readonly actualPath?: string;
  readonly outputPaths?: string[];
  readonly flatten: boolean;
  /** The waiter's retry (interval in seconds, attempts), when the call waits. */
  readonly waiter?: { readonly intervalSeconds: number; readonly maxAttempts: number };
}

interface Synthesized {
  readonly assembly: CloudAssembly;
  readonly testStack: Template;
  readonly assertStack: Template;
  readonly testStackName: string;
  readonly assertStackName: string;
  readonly integManifest: any;
  /** The calls in the order they run (each depends on the previous one). */
  readonly calls: Call[];
}

function synth(build: (app: App) => IntegTest, context: { [key: string]: string } = {}): Synthesized {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'integ-apps-')), context: { ...CDK_CONTEXT, ...context } });
  build(app);
  const assembly = app.synth();
  const integManifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'integ.json'), 'utf-8'));
  const [testCase] = Object.values(integManifest.testCases) as any[];
  const assertStackName: string = testCase.assertionStackName;
  const testStackName: string = testCase.stacks[0];
  const assertJson = assembly.getStackByName(assertStackName).template;
  return {
    assembly,
    testStack: Template.fromJSON(assembly.getStackByName(testStackName).template),
    assertStack: Template.fromJSON(assertJson),
    testStackName,
    assertStackName,
    integManifest,
    calls: callsInOrder(assertJson),
  };
}

function decode(value: any): any {
  if (typeof value !== 'string') { return value; }
  try { return JSON.parse(value); } catch { return value; }
}

/** The SDK calls of an assertion stack, following their dependencies from the first. */
function callsInOrder(template: any): Call[] {
  const resources: { [id: string]: any } = template.Resources;
  const ids = Object.keys(resources).filter((id) => String(resources[id].Type).startsWith('Custom::DeployAssert@SdkCall'));
  const previous = new Map(ids.map((id) => {
    const before = (resources[id].DependsOn ?? []).filter((d: string) => ids.includes(d));
    expect(before.length).toBeLessThanOrEqual(1);
    return [id, before[0] as string | undefined];
  }));
  const first = ids.filter((id) => previous.get(id) === undefined);
  expect(first).toHaveLength(1);
  const order = [first[0]];
  for (;;) {
    const next = ids.filter((id) => previous.get(id) === order[order.length - 1]);
    expect(next.length).toBeLessThanOrEqual(1);
    if (next.length === 0) { break; }
    order.push(next[0]);
  }
  expect(order).toHaveLength(ids.length);
  return order.map((id) => {
    const p = resources[id].Properties;
    const machine = p.stateMachineArn ? resources[p.stateMachineArn.Ref] : undefined;
    let waiter: Call['waiter'];
    if (machine) {
      expect(machine.Type).toBe('AWS::StepFunctions::StateMachine');
      const definition = machine.Properties.DefinitionString['Fn::Join'][1].filter((x: any) => typeof x === 'string').join('');
      const retry = /"IntervalSeconds":(\d+),"MaxAttempts":(\d+)/.exec(definition);
      expect(retry).not.toBeNull();
      waiter = { intervalSeconds: Number(retry![1]), maxAttempts: Number(retry![2]) };
    }
    return {
      id,
      service: p.service,
      api: p.api,
      parameters: Object.fromEntries(Object.entries(p.parameters ?? {}).map(([k, v]) => [k, decode(v)])),
      expected: p.expected === undefined ? undefined : JSON.parse(p.expected),
      actualPath: p.actualPath,
      outputPaths: p.outputPaths,
      flatten: p.flattenResponse === 'true',
      waiter,
    };
  });
}

/** The inline policy statements of the assertion providers' roles. */
function providerStatements(assertStack: Template): any[] {
  return Object.values(assertStack.findResources('AWS::IAM::Role'))
    .flatMap((r: any) => (r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement));
}

/** The statements of the teardown's own functions (not the provider framework's). */
function teardownStatements(testStack: Template): any[] {
  return Object.entries(testStack.findResources('AWS::IAM::Policy'))
    .filter(([id]) => /^Teardown(OnEvent|IsComplete)ServiceRoleDefaultPolicy/.test(id))
    .flatMap(([, policy]: [string, any]) => policy.Properties.PolicyDocument.Statement);
}

/** The statements that allow `action` (as a string or in a list). */
function statementsAllowing(statements: any[], action: string): any[] {
  return statements.filter((st) => ([] as string[]).concat(st.Action).includes(action));
}

/** What every app must hold to: a synth without errors, a disposable test stack, a sound assertion stack. */
function commonChecks(name: string, s: () => Synthesized) {
  describe(`${name}: common rules`, () => {
    test('synthesizes with no error annotation in any stack', () => {
      for (const stack of s().assembly.stacks) {
        expect(stack.messages.filter((m) => m.level === 'error').map((m) => `${m.id}: ${m.entry.data}`)).toEqual([]);
      }
    });

    test('the assertion stack has no warning either (its strong cross-stack references are acknowledged)', () => {
      expect(s().assembly.getStackByName(s().assertStackName).messages.filter((m) => m.level === 'warning').map((m) => m.entry.data)).toEqual([]);
    });

    test('one test case, without the update workflow, whose assertion stack runs after the test stack', () => {
      const cases = Object.values(s().integManifest.testCases) as any[];
      expect(cases).toHaveLength(1);
      expect(cases[0]).toMatchObject({ stacks: [s().testStackName], stackUpdateWorkflow: false });
      expect(s().assembly.getStackByName(s().assertStackName).dependencies.map((d) => d.id)).toContain(s().testStackName);
    });

    test('the test stack leaves nothing behind: every resource is deleted with it, every bucket emptied first', () => {
      const resources = Object.values(s().testStack.toJSON().Resources) as any[];
      expect(resources.filter((r) => r.DeletionPolicy !== 'Delete' || (r.UpdateReplacePolicy ?? 'Delete') !== 'Delete').map((r) => r.Type)).toEqual([]);
      const buckets = Object.keys(s().testStack.findResources('AWS::S3::Bucket'));
      expect(buckets.length).toBeGreaterThan(0);
      const emptied = Object.values(s().testStack.findResources('Custom::S3AutoDeleteObjects')).map((r: any) => r.Properties.BucketName.Ref);
      expect(emptied.sort()).toEqual(buckets.sort());
    });

    test('assertions that expect a whole response read it whole; the others name their path', () => {
      for (const call of s().calls.filter((c) => c.expected !== undefined)) {
        // A flattened response has no whole value to compare: `expect` would see undefined.
        expect({ id: call.id, flattenedWithoutPath: call.flatten && call.actualPath === undefined }).toEqual({ id: call.id, flattenedWithoutPath: false });
      }
    });

    test('CONTRIBUTING.md names its assertion stack, where a run\'s results are read', () => {
      expect(CONTRIBUTING).toContain(s().assertStackName);
    });

    test('every wait ends within CloudFormation\'s hour for a custom resource', () => {
      for (const call of s().calls.filter((c) => c.waiter)) {
        expect(call.waiter!.intervalSeconds * call.waiter!.maxAttempts).toBeLessThanOrEqual(55 * 60);
      }
    });
  });
}

describe('integ.project', () => {
  let s: Synthesized;
  beforeAll(() => { s = synth(buildProjectInteg); });
  commonChecks('project', () => s);

  test('the calls: seed, train, approve, staging in service, invoke, the prod approval, reject, staging deleted', () => {
    expect(s.calls.map((c) => `${c.service}.${c.api}`)).toEqual([
      'S3.putObject',
      'SageMaker.startPipelineExecution',
      'SageMaker.describePipelineExecution',
      'SageMaker.describePipelineExecution',
      'SageMaker.listModelPackages',
      'SageMaker.updateModelPackage',
      'SageMaker.describeEndpoint',
      'SageMakerRuntime.invokeEndpoint',
      'CodePipeline.getPipelineState',
      'CodePipeline.getPipelineState',
      'CodePipeline.getPipelineState',
      'CloudFormation.describeStacks',
      'CodePipeline.putApprovalResult',
      'CloudFormation.describeStacks',
    ]);
  });

  test('the data set is seeded under the training pipeline\'s input, which the job role may read', () => {
    const [seed] = s.calls;
    expect(seed.parameters).toMatchObject({ Key: `${TRAINING_INPUT_PREFIX}/data.csv`, ContentType: 'text/csv', Body: syntheticRegressionCsv() });
    expect(seed.parameters.Bucket['Fn::Join'][1][1]).toEqual(crossStackRef(/FoundationArtifactsBucket/));
    expect(providerStatements(s.assertStack)).toContainEqual(expect.objectContaining({
      Action: ['kms:GenerateDataKey'], Resource: [crossStackRef(/FoundationKey.*Arn/)],
    }));
    const pipeline = Object.values(s.testStack.findResources('AWS::SageMaker::Pipeline'))[0] as any;
    expect(pipeline.Properties.PipelineName).toBe(`${PROJECT_NAME}-training`);
    expect(JSON.stringify(pipeline.Properties.PipelineDefinition)).toContain(`/${TRAINING_INPUT_PREFIX}/`);
  });

  test('the training run: started by name, waited for until it ends (every minute, 55 minutes), then required to have succeeded', () => {
    const [, start, ended, succeeded] = s.calls;
    expect(start.parameters).toMatchObject({ PipelineName: `${PROJECT_NAME}-training` });
    expect(start.outputPaths).toEqual(['PipelineExecutionArn']);
    const executionArn = { 'Fn::GetAtt': [start.id, 'apiCallResponse.PipelineExecutionArn'] };
    expect(ended).toMatchObject({ parameters: { PipelineExecutionArn: { 'Fn::Join': ['', ['"', executionArn, '"']] } },
      actualPath: 'PipelineExecutionStatus', expected: { $StringLike: PIPELINE_ENDED }, waiter: { intervalSeconds: 60, maxAttempts: 55 } });
    expect(succeeded).toMatchObject({ parameters: ended.parameters, actualPath: 'PipelineExecutionStatus', expected: { $Exact: 'Succeeded' } });
    expect(succeeded.waiter).toBeUndefined();
  });

  test('the newest version of the project\'s group is pending manual approval, and is approved', () => {
    const [listed, approve] = s.calls.slice(4, 6);
    expect(listed.parameters).toEqual({
      ModelPackageGroupName: `${PROJECT_NAME}-models`, ModelPackageType: 'Versioned', SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 1,
    });
    expect(listed).toMatchObject({ actualPath: 'ModelPackageSummaryList.0.ModelApprovalStatus', expected: { $Exact: 'PendingManualApproval' } });
    expect(approve.parameters).toMatchObject({
      ModelPackageArn: { 'Fn::Join': ['', ['"', { 'Fn::GetAtt': [listed.id, 'apiCallResponse.ModelPackageSummaryList.0.ModelPackageArn'] }, '"']] },
      ModelApprovalStatus: 'Approved',
    });
    // The project approves by hand only: the test's approval is what releases the version.
    s.testStack.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    s.testStack.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', { ModelPackageGroupName: `${PROJECT_NAME}-models` });
  });

  test('the staging endpoint is waited for (every minute, 45 minutes), then invoked with two rows and must answer near the targets', () => {
    const [inService, invoked] = s.calls.slice(6, 8);
    expect(inService).toMatchObject({
      parameters: { EndpointName: `${PROJECT_NAME}-staging` }, actualPath: 'EndpointStatus', expected: { $Exact: 'InService' },
      waiter: { intervalSeconds: 60, maxAttempts: 45 },
    });
    expect(invoked.parameters).toEqual({ EndpointName: `${PROJECT_NAME}-staging`, ContentType: 'text/csv', Accept: 'text/csv', Body: STAGING_REQUEST.body });
    expect(invoked.expected).toEqual({ $ObjectLike: { ContentType: { $StringLike: '^text/csv' }, Body: { $StringLike: STAGING_REQUEST.answer } } });
    expect(providerStatements(s.assertStack)).toContainEqual(expect.objectContaining({ Action: ['sagemaker:InvokeEndpoint'] }));
  });

  test('staging is ephemeral on ml.t2.medium, tested with the sample, and the prod approval times out after 30 minutes', () => {
    const pipeline = Object.values(s.testStack.findResources('AWS::CodePipeline::Pipeline'))[0] as any;
    const staging = pipeline.Properties.Stages[APPROVAL.stageIndex];
    expect(staging.Name).toBe(APPROVAL.stageName);
    expect(staging.Actions.map((a: any) => a.Name)).toEqual(['Deploy', 'Test', APPROVAL.actionName, 'CheckRelease', 'DeleteStaging']);
    expect(staging.Actions[APPROVAL.actionIndex]).toMatchObject({ ActionTypeId: { Category: 'Approval', Provider: 'Manual' }, TimeoutInMinutes: 30 });
    const stage = JSON.parse(fs.readFileSync(path.join(s.assembly.directory, 'MlopsIntegProjectStageTemplate588FCDF8.stage.template.json'), 'utf-8'));
    expect(stage.Parameters.InstanceType.AllowedValues).toEqual(['ml.t2.medium']);
  });

  test('the prod approval is found by index only after checking the stage and the action there, then awaited and rejected with its token', () => {
    const [stageName, actionName, awaiting, stackId, reject, deleted] = s.calls.slice(8);
    const at = `stageStates.${APPROVAL.stageIndex}`;
    const action = `${at}.actionStates.${APPROVAL.actionIndex}`;
    const pipelineName = crossStackRef(/OutputRefProjectDeployPipeline/);
    expect(stageName).toMatchObject({ actualPath: `${at}.stageName`, expected: { $Exact: APPROVAL.stageName } });
    expect(actionName).toMatchObject({ actualPath: `${action}.actionName`, expected: { $Exact: APPROVAL.actionName } });
    expect(awaiting).toMatchObject({ actualPath: `${action}.latestExecution.status`, expected: { $Exact: 'InProgress' }, waiter: { intervalSeconds: 30, maxAttempts: 60 } });
    expect(awaiting.outputPaths).toEqual([`${action}.latestExecution.status`, `${action}.latestExecution.token`]);
    for (const call of [stageName, actionName, awaiting]) {
      expect(call.parameters.name['Fn::Join'][1][1]).toEqual(pipelineName);
    }
    expect(stackId).toMatchObject({ parameters: { StackName: `${PROJECT_NAME}-staging` }, outputPaths: ['Stacks.0.StackId'] });
    expect(reject.parameters.pipelineName['Fn::Join'][1][1]).toEqual(pipelineName);
    expect(reject.parameters).toMatchObject({
      stageName: APPROVAL.stageName, actionName: APPROVAL.actionName,
      token: { 'Fn::Join': ['', ['"', { 'Fn::GetAtt': [awaiting.id, `apiCallResponse.${action}.latestExecution.token`] }, '"']] },
      result: { status: 'Rejected', summary: expect.stringMatching(/integration test/) },
    });
    expect(deleted).toMatchObject({
      parameters: { StackName: { 'Fn::Join': ['', ['"', { 'Fn::GetAtt': [stackId.id, 'apiCallResponse.Stacks.0.StackId'] }, '"']] } },
      actualPath: 'Stacks.0.StackStatus', expected: { $Exact: 'DELETE_COMPLETE' }, waiter: { intervalSeconds: 30, maxAttempts: 60 },
    });
  });

  test('teardown: the stage stacks (with their deployment role), then the group\'s versions, before the project\'s resources', () => {
    const teardown = Object.entries(s.testStack.findResources('Custom::IntegTeardown'));
    expect(teardown).toHaveLength(1);
    const [, resource] = teardown[0] as [string, any];
    expect(resource.Properties).toMatchObject({
      StackNames: [`${PROJECT_NAME}-staging`, `${PROJECT_NAME}-prod`],
      RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^ProjectStageDeploymentRole/), 'Arn'] },
      ModelPackageGroupName: `${PROJECT_NAME}-models`,
    });
    const role = resource.Properties.RoleArn['Fn::GetAtt'][0];
    expect(resource.DependsOn).toEqual(expect.arrayContaining([role, expect.stringMatching(/^ProjectRegistryGroup/), expect.stringMatching(/^ProjectStageDeploymentRolePermissions/)]));
    // Each of the two functions (start the deletions, wait for them) has the same statements.
    const statements = teardownStatements(s.testStack);
    const twice = (m: any) => [m, m];
    const stackArns = [`${PROJECT_NAME}-staging`, `${PROJECT_NAME}-prod`].map((name) => expect.objectContaining({
      'Fn::Join': ['', expect.arrayContaining([`:stack/${name}/*`])],
    }));
    expect(statementsAllowing(statements, 'cloudformation:DeleteStack')).toEqual(twice(expect.objectContaining({ Resource: expect.arrayContaining(stackArns) })));
    expect(statementsAllowing(statements, 'cloudformation:DescribeStacks')).toEqual(twice(expect.objectContaining({ Resource: expect.arrayContaining(stackArns) })));
    expect(statementsAllowing(statements, 'iam:PassRole')).toEqual(twice(expect.objectContaining({
      Resource: { 'Fn::GetAtt': [role, 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    })));
    expect(statementsAllowing(statements, 'sagemaker:DeleteModelPackage')).toEqual(twice(expect.objectContaining({
      Resource: { 'Fn::Join': ['', expect.arrayContaining([`:model-package/${PROJECT_NAME}-models/*`])] },
    })));
  });
});

describe('integ.training-pipeline', () => {
  let s: Synthesized;
  beforeAll(() => { s = synth(buildTrainingPipelineInteg); });
  commonChecks('training pipeline', () => s);

  test('the calls: seed, start, wait for the end, succeeded, the registered version and three of its parts', () => {
    expect(s.calls.map((c) => `${c.service}.${c.api}`)).toEqual([
      'S3.putObject', 'SageMaker.startPipelineExecution', 'SageMaker.describePipelineExecution', 'SageMaker.describePipelineExecution',
      'SageMaker.listModelPackages', 'SageMaker.describeModelPackage', 'SageMaker.describeModelPackage', 'SageMaker.describeModelPackage',
    ]);
    const [, start, ended, succeeded, listed, ...parts] = s.calls;
    expect(start.parameters).toMatchObject({ PipelineName: 'mlops-integ-training' });
    expect(ended).toMatchObject({ expected: { $StringLike: PIPELINE_ENDED }, waiter: { intervalSeconds: 60, maxAttempts: 55 } });
    expect(succeeded).toMatchObject({ expected: { $Exact: 'Succeeded' } });
    expect(listed.parameters).toMatchObject({ ModelPackageGroupName: 'mlops-integ-training-models', ModelPackageType: 'Versioned', SortOrder: 'Descending' });
    expect(parts.map((p) => [p.actualPath, p.expected])).toEqual([
      ['InferenceSpecification.Containers.0.ModelDataUrl', { $StringLike: '^s3://.+/models/mlops-integ-training-models/.+/model\\.tar\\.gz$' }],
      ['ModelMetrics.ModelQuality.Statistics.S3Uri', { $StringLike: '/evaluation\\.json$' }],
      ['DriftCheckBaselines.ModelDataQuality.Constraints.S3Uri', { $StringLike: '^s3://' }],
    ]);
    for (const part of parts) {
      expect(part.parameters.ModelPackageName['Fn::Join'][1][1]).toEqual({ 'Fn::GetAtt': [listed.id, 'apiCallResponse.ModelPackageSummaryList.0.ModelPackageArn'] });
    }
  });

  test('small instances, the XGBoost image for the processing jobs, the MSE gate', () => {
    const pipeline = Object.values(s.testStack.findResources('AWS::SageMaker::Pipeline'))[0] as any;
    const definition = JSON.stringify(pipeline.Properties.PipelineDefinition);
    expect(definition).toContain('ml.m5.large');
    expect(definition).not.toContain('ml.m5.xlarge');
    expect(definition).toContain('regression_metrics.mse.value');
    expect(definition).toMatch(/sagemaker-xgboost:1\.7-1/);
    expect(definition).not.toMatch(/sagemaker-scikit-learn/);
  });

  test('teardown: the group\'s versions before the group; no stack to delete', () => {
    const [, resource] = Object.entries(s.testStack.findResources('Custom::IntegTeardown'))[0] as [string, any];
    expect(resource.Properties).toMatchObject({ StackNames: [], ModelPackageGroupName: 'mlops-integ-training-models' });
    expect(resource.Properties.RoleArn).toBeUndefined();
    expect(resource.DependsOn).toEqual([expect.stringMatching(/^Models/)]);
    const statements = teardownStatements(s.testStack);
    expect(statementsAllowing(statements, 'cloudformation:DeleteStack')).toEqual([]);
    expect(statementsAllowing(statements, 'iam:PassRole')).toEqual([]);
    expect(statementsAllowing(statements, 'sagemaker:DeleteModelPackage')).toHaveLength(2);
  });
});

describe('integ.endpoint', () => {
  let s: Synthesized;
  let unmonitored: Synthesized;
  beforeAll(() => {
    s = synth(buildEndpointInteg);
    unmonitored = synth(buildEndpointInteg, { [MONITOR_CONTEXT]: 'false' });
  });
  commonChecks('endpoint', () => s);
  commonChecks('endpoint without the monitor', () => unmonitored);

  test('the model: the scikit-learn image serving the archive built at synth, with the script named in its environment', () => {
    s.testStack.hasResourceProperties('AWS::SageMaker::Model', {
      EnableNetworkIsolation: true,
      PrimaryContainer: {
        Image: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/sagemaker-scikit-learn:1\\.2-1-cpu-py3$')])] },
        Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' },
        ModelDataUrl: { 'Fn::Sub': Match.stringLikeRegexp('^s3://cdk-[a-z0-9]+-assets-') },
      },
    });
    const archives = fs.readdirSync(s.assembly.directory).filter((f) => f.endsWith('.tar.gz'));
    expect(archives).toHaveLength(1);
    s.testStack.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({ InstanceType: 'ml.t2.medium', InitialInstanceCount: 1 })],
      DataCaptureConfig: Match.objectLike({ EnableCapture: true, InitialSamplingPercentage: 100 }),
    });
  });

  test('the calls: in service, invoke with exact predictions, the capture in S3, the monitoring schedule', () => {
    expect(s.calls.map((c) => `${c.service}.${c.api}`)).toEqual([
      'SageMaker.describeEndpoint', 'SageMakerRuntime.invokeEndpoint', 'S3.listObjectsV2', 'SageMaker.listMonitoringSchedules',
    ]);
    const [inService, invoked, captured, schedules] = s.calls;
    expect(inService).toMatchObject({ parameters: { EndpointName: ENDPOINT_NAME }, expected: { $ObjectLike: {
      EndpointStatus: 'InService',
      ProductionVariants: { $ArrayWith: [{ $ObjectLike: { VariantName: 'AllTraffic', CurrentInstanceCount: 1 } }] },
      DataCaptureConfig: { $ObjectLike: { EnableCapture: true, CurrentSamplingPercentage: 100 } },
    } } });
    expect(invoked).toMatchObject({
      parameters: { EndpointName: ENDPOINT_NAME, ContentType: 'text/csv', Accept: 'application/json', Body: REQUEST.body },
      expected: { $ObjectLike: { ContentType: 'application/json', Body: [8.5, 19] } },
    });
    expect(MODEL.weights).toEqual([0.5, 1, 2]);
    expect(captured).toMatchObject({
      parameters: { Prefix: `data-capture/${ENDPOINT_NAME}/`, MaxKeys: 5 }, actualPath: 'Contents.0.Key',
      expected: { $StringLike: `^data-capture/${ENDPOINT_NAME}/.+\\.jsonl$` }, waiter: { intervalSeconds: 60, maxAttempts: 20 },
    });
    expect(schedules).toMatchObject({ parameters: { EndpointName: ENDPOINT_NAME }, expected: { $ObjectLike: { MonitoringScheduleSummaries: [
      { $ObjectLike: { EndpointName: ENDPOINT_NAME, MonitoringScheduleStatus: 'Scheduled', MonitoringType: 'DataQuality' } },
    ] } }, waiter: { intervalSeconds: 30, maxAttempts: 20 } });
    expect(inService.waiter).toBeUndefined();
    expect(invoked.waiter).toBeUndefined();
  });

  test('listing the capture is allowed by its real IAM action (s3:ListBucket), to the call and to its waiter', () => {
    const listBucket = providerStatements(s.assertStack).filter((st) => JSON.stringify(st.Action) === '["s3:ListBucket"]');
    expect(listBucket).toHaveLength(2);
    for (const st of listBucket) { expect(st.Resource).toEqual([crossStackRef(/FoundationArtifactsBucket.*Arn/)]); }
  });

  test('the data quality monitor reads the baseline assets, hourly on ml.m5.large; without it, no schedule and no schedule call', () => {
    s.testStack.hasResourceProperties('AWS::SageMaker::DataQualityJobDefinition', {
      DataQualityBaselineConfig: {
        ConstraintsResource: { S3Uri: { 'Fn::Sub': Match.stringLikeRegexp('\\.json$') } },
        StatisticsResource: { S3Uri: { 'Fn::Sub': Match.stringLikeRegexp('\\.json$') } },
      },
      JobResources: { ClusterConfig: Match.objectLike({ InstanceType: 'ml.m5.large', InstanceCount: 1 }) },
    });
    s.testStack.hasResourceProperties('AWS::SageMaker::MonitoringSchedule', {
      MonitoringScheduleConfig: Match.objectLike({ MonitoringType: 'DataQuality', ScheduleConfig: { ScheduleExpression: 'cron(0 * ? * * *)' } }),
    });
    unmonitored.testStack.resourceCountIs('AWS::SageMaker::MonitoringSchedule', 0);
    expect(unmonitored.calls.map((c) => c.api)).toEqual(['describeEndpoint', 'invokeEndpoint', 'listObjectsV2']);
  });
});

describe('integ.model-registry', () => {
  let s: Synthesized;
  beforeAll(() => { s = synth(buildModelRegistryInteg); });
  commonChecks('model registry', () => s);

  test('the calls: the group is completed, the approval handler runs on Node.js 24 on arm64', () => {
    expect(s.calls.map((c) => [c.service, c.api, c.expected])).toEqual([
      ['SageMaker', 'describeModelPackageGroup', { $ObjectLike: { ModelPackageGroupStatus: 'Completed' } }],
      ['Lambda', 'getFunctionConfiguration', { $ObjectLike: { Runtime: 'nodejs24.x', Architectures: ['arm64'] } }],
    ]);
    s.testStack.hasResource('AWS::SageMaker::ModelPackageGroup', { DeletionPolicy: 'Delete' });
    s.testStack.resourceCountIs('AWS::SQS::Queue', 1);
  });
});
