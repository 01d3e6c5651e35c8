import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { formatFindings } from '../helpers/compliance';
import { matchesEventPattern } from '../helpers/event-pattern';
import { loadEvent } from '../helpers/fixtures';
import { resolveIntrinsics } from '../model-registry/util';
import { buildProject, BuiltProject, environmentWith, resourcesOf, SAMPLES, stagesOf } from './util';

const GROUP = 'churn-models';

/** A sample event of the project's group (the documented samples are of another group). */
function eventOf(name: string, status?: string): any {
  const e = loadEvent(name);
  e.detail.ModelPackageGroupName = GROUP;
  if (status) { e.detail.ModelApprovalStatus = status; }
  return e;
}

describe('MlopsProject with a monitored endpoint, ephemeral staging and a staging test', () => {
  let built: BuiltProject;
  beforeAll(() => {
    built = buildProject({
      endpoint: { dataQualityMonitor: true },
      stagingTest: { samplesDirectory: SAMPLES, latencyThreshold: Duration.millis(1500) },
      notificationEmails: ['ml-team@example.com'],
    });
  });

  test('the project stack and the stage template leave nothing unacknowledged in the compliance packs', () => {
    expect(formatFindings(built.findings)).toBe('');
  });

  test('no warnings: the registry\'s warning on renaming a group is for groups users name, not for the project\'s', () => {
    expect(Annotations.fromStack(built.stack).findWarning('*', Match.anyValue())).toEqual([]);
    const named = buildProject({ approval: { modelPackageGroupProps: { modelPackageGroupName: 'churn-v2' } } }, { compliance: false });
    expect(Annotations.fromStack(named.stack).findWarning('*', Match.stringLikeRegexp('cannot be changed in place')).map((w) => w.id))
      .toEqual(['/Churn/Project/Registry']);
  });

  test('one key for everything; the pipeline\'s artifacts in a bucket of their own', () => {
    built.template.resourceCountIs('AWS::KMS::Key', 1);
    // The foundation's artifact bucket and the pipeline artifact bucket, each with its access-log bucket.
    built.template.resourceCountIs('AWS::S3::Bucket', 4);
    built.template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    built.template.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', { ModelPackageGroupName: GROUP });
  });

  describe('the deploy pipeline', () => {
    test('V2, QUEUED, the release variables, artifacts encrypted with the project key', () => {
      built.template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
        Name: 'churn-deploy',
        PipelineType: 'V2',
        ExecutionMode: 'QUEUED',
        RestartExecutionOnUpdate: false,
        ArtifactStore: { Type: 'S3', EncryptionKey: { Type: 'KMS', Id: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProjectFoundationKey'), 'Arn'] } } },
        Variables: ['RELEASE_ID', 'RELEASE_KIND', 'MODEL_PACKAGE_ARN', 'MODEL_PACKAGE_VERSION', 'DEPLOYMENT_ID'].map((Name) => Match.objectLike({ Name })),
      });
    });

    test('stages and actions in order: Release -> Staging (deploy, test, approve, check, delete) -> Prod (deploy, verify) -> Record', () => {
      const stages = stagesOf(built.json);
      expect(stages.map((s: any) => [s.Name, s.Actions.map((a: any) => `${a.Name}:${a.ActionTypeId.Provider}:${a.RunOrder}`)])).toEqual([
        ['Release', ['Release:S3:1']],
        ['Staging', ['Deploy:CloudFormation:1', 'Test:Lambda:2', 'Approve:Manual:3', 'CheckRelease:Lambda:4', 'DeleteStaging:CloudFormation:4']],
        ['Prod', ['Deploy:CloudFormation:1', 'Verify:Lambda:2']],
        ['Record', ['Record:Lambda:1']],
      ]);
    });

    test('the release source never polls: only the release handler starts executions, pinned to an object version', () => {
      const source = stagesOf(built.json)[0].Actions[0];
      expect(source.Configuration).toEqual({
        S3Bucket: { Ref: expect.stringMatching(/^ProjectFoundationArtifactsBucket/) },
        S3ObjectKey: 'releases/churn/release.zip',
        PollForSourceChanges: false,
      });
      expect(resourcesOf(built.json, 'AWS::Events::Rule').map(([, r]) => JSON.stringify(r.Properties.EventPattern)))
        .not.toContainEqual(expect.stringContaining('aws.s3'));
      built.template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    });

    test('staging is deployed from the release with its configuration file, replaced on failure (ephemeral), and deleted after the decision', () => {
      const staging = stagesOf(built.json)[1].Actions;
      expect(staging[0].Configuration).toMatchObject({
        StackName: 'churn-staging', ActionMode: 'REPLACE_ON_FAILURE',
        TemplatePath: 'Release::stage.template.json', TemplateConfiguration: 'Release::staging.json',
        RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^ProjectStageDeploymentRole/), 'Arn'] },
      });
      expect(staging[0].Configuration.Capabilities).toBeUndefined();
      expect(staging[0].Configuration.ParameterOverrides).toBeUndefined();
      expect(staging[4].Configuration).toMatchObject({ StackName: 'churn-staging', ActionMode: 'DELETE_ONLY' });
    });

    test('the approval names the version, its test summary and report link, notifies the topic, and times out', () => {
      const approve = stagesOf(built.json)[1].Actions[2];
      expect(approve.Configuration.CustomData).toMatch(/version #\{variables.MODEL_PACKAGE_VERSION\} of model package group churn-models, #\{variables.MODEL_PACKAGE_ARN\}. Staging test: #\{StagingTest.SUMMARY\}/);
      expect(approve.Configuration.ExternalEntityLink).toBe('#{StagingTest.REPORT_URL}');
      expect(approve.Configuration.NotificationArn).toEqual({ Ref: expect.stringMatching(/^ProjectNotifications/) });
      expect(approve.TimeoutInMinutes).toBe(24 * 60);
    });

    test('prod: CREATE_UPDATE (never REPLACE_ON_FAILURE), verified against the stack\'s endpoint config, rolled back on failure or alarms in the bake time', () => {
      const prod = stagesOf(built.json)[2];
      expect(prod.Actions[0].Configuration).toMatchObject({ StackName: 'churn-prod', ActionMode: 'CREATE_UPDATE', TemplateConfiguration: 'Release::prod.json' });
      expect(JSON.parse(prod.Actions[1].Configuration.UserParameters)).toEqual({ action: 'verify-prod', endpointConfigName: '#{ProdDeploy.EndpointConfigName}' });
      expect(prod.OnFailure).toEqual({ Result: 'ROLLBACK' });
      expect(prod.OnSuccess.Conditions).toEqual([{
        Result: 'ROLLBACK',
        Rules: ['errors', 'latency'].map((s) => ({
          Name: `Quiet-${s}`,
          RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
          Configuration: { AlarmName: `churn-prod-${s}`, AlarmStates: 'ALARM', WaitTime: '10' },
        })),
      }]);
      expect(JSON.stringify(built.json)).not.toMatch(/"StackName":"churn-prod","RoleArn":[^}]*,"ActionMode":"REPLACE_ON_FAILURE"/);
    });

    test('the record stage writes what prod serves, with the execution id', () => {
      const record = stagesOf(built.json)[3].Actions[0];
      expect(JSON.parse(record.Configuration.UserParameters)).toEqual({
        action: 'record', endpointConfigName: '#{ProdVerify.ENDPOINT_CONFIG_NAME}', executionId: '#{codepipeline.PipelineExecutionId}',
      });
    });
  });

  describe('the hand-off of exactly the approved version', () => {
    const releaseRule = () => resourcesOf(built.json, 'AWS::Events::Rule').find(([id]) => id.startsWith('ProjectReleaseOnApprovalOrRejection'))![1];

    test('the rule runs the release handler on this group\'s approvals and rejections, in this account, with retries and a dead-letter queue', () => {
      const rule = releaseRule();
      const group = resourcesOf(built.json, 'AWS::SageMaker::ModelPackageGroup')[0][0];
      expect(rule.Properties.EventPattern).toEqual({
        'source': ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Package State Change'],
        'account': ['123456789012'],
        // The name is read from the group resource (its ARN), so the rule follows the group.
        'detail': {
          ModelPackageGroupName: [{ 'equals-ignore-case': { 'Fn::Select': [1, { 'Fn::Split': ['/', { Ref: group }] }] } }],
          ModelApprovalStatus: ['Approved', 'Rejected'],
        },
      });
      expect(rule.Properties.Targets[0]).toMatchObject({ DeadLetterConfig: expect.anything(), RetryPolicy: { MaximumRetryAttempts: 4 } });
    });

    test.each([
      ['an approval', eventOf('sagemaker-model-package-state-change.approved.derived'), true],
      ['a rejection', eventOf('sagemaker-model-package-state-change.rejected'), true],
      ['a registration', eventOf('sagemaker-model-package-state-change.rejected', 'PendingManualApproval'), false],
      ['another group', loadEvent('sagemaker-model-package-state-change.approved.derived'), false],
      ['another account', { ...eventOf('sagemaker-model-package-state-change.approved.derived'), account: '999999999999' }, false],
      ['an endpoint event', loadEvent('sagemaker-endpoint-state-change.in-service'), false],
    ])('%s matches: %s', (_name, event, expected) => {
      // As deployed: the group's name in place of the reference to it.
      expect(matchesEventPattern(resolveIntrinsics(releaseRule().Properties.EventPattern, GROUP) as any, event)).toBe(expected);
    });

    test('the release handler knows the pipeline, the group, the stage template asset and both stages', () => {
      const env = environmentWith(built.json, 'STAGES');
      expect(env).toMatchObject({
        PROJECT_NAME: 'churn', PIPELINE_NAME: 'churn-deploy', GROUP_NAME: GROUP, GROUP_ACCOUNT: '123456789012',
        RELEASE_PREFIX: 'releases/churn', ROLLBACK_ON_REJECTION: 'true',
        TEMPLATE_BUCKET: 'cdk-hnb659fds-assets-123456789012-us-east-2', TEMPLATE_KEY: expect.stringMatching(/^[0-9a-f]{64}\.json$/),
      });
      const stages = JSON.parse(env.STAGES);
      expect(stages.map((s: any) => [s.name, s.stackName, s.endpointName])).toEqual([['staging', 'churn-staging', 'churn-staging'], ['prod', 'churn-prod', 'churn-prod']]);
    });
  });

  describe('the stage template', () => {
    test('is a file asset of the project stack (in the cloud assembly), never a stack of its own', () => {
      const manifest = built.app.synth().manifest;
      expect(Object.keys(manifest.artifacts ?? {})).not.toContainEqual(expect.stringMatching(/StageTemplate/));
      const key = environmentWith(built.json, 'STAGES').TEMPLATE_KEY;
      const assets = JSON.parse(fs.readFileSync(path.join(built.app.outdir, 'Churn.assets.json'), 'utf-8'));
      expect(assets.files[key.replace('.json', '')].source).toEqual({ path: expect.stringMatching(/\.stage\.template\.json$/), packaging: 'file' });
    });

    test('holds the endpoint and its monitor; no IAM resource, no asset, no CDK bootstrap rule or parameter', () => {
      const types = Object.values(built.stageTemplate.Resources as Record<string, any>).map((r) => r.Type);
      for (const t of ['AWS::SageMaker::Model', 'AWS::SageMaker::EndpointConfig', 'AWS::SageMaker::Endpoint',
        'AWS::SageMaker::DataQualityJobDefinition', 'AWS::SageMaker::MonitoringSchedule', 'AWS::CloudWatch::Alarm']) {
        expect(types).toContain(t);
      }
      expect(types.filter((t) => t.startsWith('AWS::IAM::') || t === 'AWS::Lambda::Function' || t.startsWith('Custom::'))).toEqual([]);
      expect(built.stageTemplate.Rules).toBeUndefined();
      expect(built.stageTemplate.Parameters.BootstrapVersion).toBeUndefined();
      expect(JSON.stringify(built.stageTemplate)).not.toMatch(/cdk-hnb659fds|AssetParameters/);
    });

    test('the model comes from the release\'s package, with the project\'s role; alarms are named after the stage\'s endpoint', () => {
      const resources = Object.values(built.stageTemplate.Resources as Record<string, any>);
      const model = resources.find((r) => r.Type === 'AWS::SageMaker::Model')!;
      expect(model.Properties.PrimaryContainer.ModelPackageName).toEqual({ Ref: 'ModelPackageArn' });
      expect(model.Properties.ExecutionRoleArn).toEqual({ Ref: 'ModelRoleArn' });
      const alarms = resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm').map((r) => r.Properties.AlarmName);
      expect(alarms).toEqual(expect.arrayContaining([
        { 'Fn::Join': ['', [{ Ref: 'EndpointName' }, '-errors']] },
        { 'Fn::Join': ['', [{ Ref: 'EndpointName' }, '-latency']] },
      ]));
      expect(Object.keys(built.stageTemplate.Outputs)).toEqual(['EndpointName', 'EndpointConfigName']);
    });

    test('contract: each stage\'s configuration gives every parameter without a default the template declares, and none it lacks', () => {
      const stages = JSON.parse(environmentWith(built.json, 'STAGES').STAGES);
      const declared = built.stageTemplate.Parameters as Record<string, any>;
      const fromRelease = ['ModelPackageArn', 'DeploymentId', 'BaselineStatisticsUri', 'BaselineConstraintsUri'];
      for (const stage of stages) {
        const given = new Set([...Object.keys(stage.parameters), ...fromRelease.filter((p) => declared[p])]);
        const required = Object.entries(declared).filter(([, d]) => d.Default === undefined).map(([n]) => n);
        expect([stage.name, required.filter((n) => !given.has(n))]).toEqual([stage.name, []]);
        expect([stage.name, [...given].filter((n) => !declared[n])]).toEqual([stage.name, []]);
      }
    });
  });

  test('roles of the stage endpoints: SageMaker of this account only; the deployment role cannot create IAM roles', () => {
    const roles = resourcesOf(built.json, 'AWS::IAM::Role');
    const model = roles.find(([id]) => id.startsWith('ProjectModelRole'))![1];
    expect(model.Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Principal: { Service: 'sagemaker.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': '123456789012' },
        ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-2:123456789012:*']] } },
      },
    });
    const deploymentPolicies = resourcesOf(built.json, 'AWS::IAM::ManagedPolicy').filter(([id]) => id.startsWith('ProjectStageDeploymentRole'));
    const actions = deploymentPolicies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement).flatMap((s: any) => [s.Action].flat());
    expect(actions.filter((a: string) => a.startsWith('iam:'))).toEqual(['iam:PassRole', 'iam:CreateServiceLinkedRole']);
    expect(actions).not.toContainEqual(expect.stringMatching(/\*$/));
  });

  test('stack outputs: the pipeline\'s console link, both endpoints, the bucket and the topic', () => {
    const outputs = built.json.Outputs as Record<string, any>;
    const byId = (p: string) => Object.entries(outputs).find(([k]) => k.startsWith(p))![1].Value;
    expect(byId('ProjectDeployPipelineUrl')).toBe('https://us-east-2.console.aws.amazon.com/codesuite/codepipeline/pipelines/churn-deploy/view?region=us-east-2');
    expect([byId('ProjectStagingEndpointName'), byId('ProjectProdEndpointName')]).toEqual(['churn-staging', 'churn-prod']);
    expect(byId('ProjectArtifactBucketName')).toEqual({ Ref: expect.stringMatching(/^ProjectFoundationArtifactsBucket/) });
    expect(byId('ProjectNotificationTopicArn')).toEqual({ Ref: expect.stringMatching(/^ProjectNotifications/) });
  });

  test('notifications without polling: executions, releases and the approval reach the encrypted topic', () => {
    const rules = resourcesOf(built.json, 'AWS::Events::Rule').map(([id, r]) => [id, r.Properties.EventPattern]);
    const executions = rules.find(([id]) => (id as string).startsWith('ProjectNotifyDeployExecutions'))![1] as any;
    expect(executions.detail).toEqual({ pipeline: ['churn-deploy'], state: ['STARTED', 'SUCCEEDED', 'FAILED', 'STOPPED', 'SUPERSEDED'] });
    for (const state of ['failed', 'started', 'succeeded']) {
      const event = loadEvent(`codepipeline-pipeline-execution-state-change.${state}`);
      expect(matchesEventPattern(executions, { ...event, account: '123456789012', detail: { ...event.detail, pipeline: 'churn-deploy' } })).toBe(true);
      expect(matchesEventPattern(executions, event)).toBe(false); // another pipeline
    }
    // A stage rollback starts an execution of its own, told apart by its trigger.
    const rollbacks = rules.find(([id]) => (id as string).startsWith('ProjectNotifyRollbacks'))![1] as any;
    const started = loadEvent('codepipeline-pipeline-execution-state-change.started');
    const ours = { ...started, account: '123456789012', detail: { ...started.detail, pipeline: 'churn-deploy' } };
    expect(matchesEventPattern(rollbacks, ours)).toBe(false); // a release started by the release handler
    for (const trigger of ['AutomatedRollback', 'ManualRollback']) {
      expect(matchesEventPattern(rollbacks, { ...ours, detail: { ...ours.detail, 'execution-trigger': { 'trigger-type': trigger } } })).toBe(true);
    }
    expect(matchesEventPattern(rollbacks, { ...ours, account: '210987654321', detail: { ...ours.detail, 'execution-trigger': { 'trigger-type': 'AutomatedRollback' } } })).toBe(false);
    built.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    built.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ml-team@example.com' });
  });
});
