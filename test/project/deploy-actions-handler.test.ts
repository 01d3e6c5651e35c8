import * as fs from 'fs';
import * as path from 'path';
import { CloudFormationClient, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CodePipelineClient, GetPipelineStateCommand, PutJobFailureResultCommand, PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand, DescribeModelPackageCommand, SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, stageClients } from '../../lib/project/handlers/deploy-actions';
import { createZip } from '../../lib/project/handlers/_zip';
import { loadEvent } from '../helpers/fixtures';

const sagemaker = mockClient(SageMakerClient);
const runtime = mockClient(SageMakerRuntimeClient);
const s3 = mockClient(S3Client);
const codepipeline = mockClient(CodePipelineClient);
const cloudformation = mockClient(CloudFormationClient);
const cloudwatch = mockClient(CloudWatchClient);
const sts = mockClient(STSClient);

const ARN = 'arn:aws:sagemaker:us-east-2:123456789012:model-package/churn/3';
const JOB_EVENT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'codepipeline', 'lambda-invoke-job.json'), 'utf-8'));
const ARTIFACT = JOB_EVENT['CodePipeline.job'].data.inputArtifacts[0].location.s3Location;
const SECRET = JOB_EVENT['CodePipeline.job'].data.artifactCredentials.secretAccessKey;

const CONFIG = {
  project: 'churn', pipelineName: 'churn-deploy', bucket: 'artifacts', prefix: 'releases/churn',
  ephemeralStagingStack: 'churn-staging',
  deploymentRoleArn: 'arn:aws:iam::123456789012:role/stage-deployment',
  test: { samplesBucket: 'assets', samplesKey: 'samples.zip', contentType: 'text/csv', accept: 'text/csv',
    invocationsPerSample: 3, latencyPercentile: 90, latencyThresholdMs: 1000 },
};

function manifest(overrides: Record<string, unknown> = {}) {
  return {
    schemaVersion: 1, releaseId: 'promote-v3-abc', kind: 'promote', modelPackageArn: ARN, modelPackageVersion: 3, deploymentId: 'v3',
    stages: [
      { name: 'staging', stackName: 'churn-staging', endpointName: 'churn-staging', configurationFile: 'staging.json' },
      { name: 'prod', stackName: 'churn-prod', endpointName: 'churn-prod', configurationFile: 'prod.json' },
    ],
    ...overrides,
  };
}

/** The documented Lambda invoke job event, with this action's parameters. */
function job(params: Record<string, unknown>): any {
  const event = JSON.parse(JSON.stringify(JOB_EVENT));
  event['CodePipeline.job'].data.actionConfiguration.configuration.UserParameters = JSON.stringify(params);
  return event;
}

function bytes(data: Buffer): any {
  return { transformToByteArray: async () => new Uint8Array(data), transformToString: async () => data.toString('utf-8') };
}

function samples(files: Record<string, string>): Buffer {
  return createZip(Object.entries(files).map(([name, text]) => ({ name, data: Buffer.from(text) })));
}

/** An endpoint that serves `arn` through config `config`. */
function endpoint(name: string, options: { status?: string; config?: string; arn?: string; failure?: string } = {}) {
  const config = options.config ?? `${name}-config-1`;
  sagemaker.on(DescribeEndpointCommand, { EndpointName: name })
    .resolves({ EndpointStatus: (options.status ?? 'InService') as any, EndpointConfigName: config, FailureReason: options.failure });
  sagemaker.on(DescribeEndpointConfigCommand, { EndpointConfigName: config }).resolves({ ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: `${config}-model` }] } as any);
  sagemaker.on(DescribeModelCommand, { ModelName: `${config}-model` }).resolves({ PrimaryContainer: { ModelPackageName: options.arn ?? ARN } } as any);
}

function world(options: { manifest?: unknown; samples?: Buffer; prodRecord?: { version: number } } = {}) {
  s3.on(GetObjectCommand, { Bucket: ARTIFACT.bucketName, Key: ARTIFACT.objectKey })
    .resolves({ Body: bytes(createZip([{ name: 'manifest.json', data: Buffer.from(JSON.stringify(options.manifest ?? manifest())) }])) });
  s3.on(GetObjectCommand, { Bucket: 'assets', Key: 'samples.zip' }).resolves({ Body: bytes(options.samples ?? samples({ 'a.csv': '1,2,3' })) });
  s3.on(ListObjectsV2Command).resolves({ Contents: options.prodRecord ? [{ Key: 'releases/churn/deployments/prod/2024_x.json' }] : [] });
  if (options.prodRecord) {
    s3.on(GetObjectCommand, { Key: 'releases/churn/deployments/prod/2024_x.json' })
      .resolves({ Body: bytes(Buffer.from(JSON.stringify({ modelPackageVersion: options.prodRecord.version }))) });
  }
  s3.on(PutObjectCommand).resolves({});
}

function succeeded(): any {
  const calls = codepipeline.commandCalls(PutJobSuccessResultCommand);
  expect(codepipeline.commandCalls(PutJobFailureResultCommand).map((c) => c.args[0].input.failureDetails?.message)).toEqual([]);
  expect(calls).toHaveLength(1);
  return calls[0].args[0].input;
}

function failedWith(pattern: RegExp): void {
  expect(codepipeline.commandCalls(PutJobSuccessResultCommand)).toHaveLength(0);
  const calls = codepipeline.commandCalls(PutJobFailureResultCommand);
  expect(calls).toHaveLength(1);
  expect(calls[0].args[0].input.jobId).toBe(JOB_EVENT['CodePipeline.job'].id);
  expect(calls[0].args[0].input.failureDetails?.type).toBe('JobFailed');
  expect(calls[0].args[0].input.failureDetails?.message).toMatch(pattern);
}

const answer = (text: string) => ({ Body: new Uint8Array(Buffer.from(text)) } as any);
let logged: string[];

beforeEach(() => {
  for (const m of [sagemaker, runtime, s3, codepipeline, cloudformation, cloudwatch, sts]) { m.reset(); }
  process.env.DEPLOY_CONFIG = JSON.stringify(CONFIG);
  process.env.AWS_REGION = 'us-east-2';
  codepipeline.on(PutJobSuccessResultCommand).resolves({});
  codepipeline.on(PutJobFailureResultCommand).resolves({});
  logged = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((line: any) => { logged.push(String(line)); return true; });
});

afterEach(() => {
  // The job event carries temporary credentials: nothing of it is ever logged.
  expect(logged.join('')).not.toContain(SECRET);
  jest.restoreAllMocks();
});

describe('test-staging', () => {
  test('an InService endpoint serving the release passes when every sample gets its expected answer', async () => {
    world({ samples: samples({
      'a.csv': '1,2,3', 'b.csv': '4,5,6', 'c.json': '{"x":1}', 'd.csv': '7',
      'expectations.json': JSON.stringify({
        'a.csv': { numeric: { value: 0.5, tolerance: 0.1 } }, 'b.csv': { regex: '^0\\.[0-9]+$' },
        'c.json': { contentType: 'application/json', jsonShape: { score: 'number', labels: ['string'] } }, 'd.csv': { exact: '0.91' },
      }),
    }) });
    endpoint('churn-staging');
    runtime.on(InvokeEndpointCommand).callsFake((input) => {
      const text = Buffer.from(input.Body).toString();
      if (input.ContentType === 'application/json') { return answer('{"score": 0.2, "labels": ["a", "b"]}'); }
      return answer(text === '1,2,3' ? '0.55' : text === '7' ? '0.91\n' : '0.42');
    });
    await handler(job({ action: 'test-staging' }), { getRemainingTimeInMillis: () => 300_000 });

    const result = succeeded();
    expect(result.outputVariables).toEqual({
      REPORT_URI: 's3://artifacts/releases/churn/reports/promote-v3-abc/staging-test.json',
      REPORT_URL: expect.stringContaining('console.aws.amazon.com/s3/object/artifacts'),
      SUMMARY: expect.stringMatching(/^PASSED: 4 of 4 samples passed. p90 latency \d+ ms \(threshold 1000 ms\)/),
    });
    expect(runtime.commandCalls(InvokeEndpointCommand)).toHaveLength(12);
    expect(runtime.commandCalls(InvokeEndpointCommand)[0].args[0].input).toMatchObject({ EndpointName: 'churn-staging', ContentType: 'text/csv', Accept: 'text/csv' });
    const report = JSON.parse(String(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body));
    expect(report).toMatchObject({ passed: true, releaseId: 'promote-v3-abc', modelPackageArn: ARN, endpointConfigName: 'churn-staging-config-1', invocations: 12 });
    expect(report.samples.map((s: any) => [s.name, s.passed])).toEqual([['a.csv', true], ['b.csv', true], ['c.json', true], ['d.csv', true]]);
  });

  test.each([
    ['a numeric answer outside the tolerance', { numeric: { value: 0.5, tolerance: 0.01 } }, '0.55', /a\.csv: response 0.55 is not within 0.01 of 0.5/],
    ['an answer that does not match the pattern', { regex: '^[01]$' }, '0.55', /does not match \/\^\[01\]\$\//],
    ['an answer of the wrong JSON shape', { jsonShape: { score: 'number' } }, '{"score":"high"}', /\$\.score is string, expected number/],
    ['an answer that is not the exact text', { exact: 'yes' }, 'no', /response "no" is not "yes"/],
  ])('%s fails the test and names the sample', async (_name, expectation, text, message) => {
    world({ samples: samples({ 'a.csv': '1', 'expectations.json': JSON.stringify({ 'a.csv': expectation }) }) });
    endpoint('churn-staging');
    runtime.on(InvokeEndpointCommand).resolves(answer(text));
    await handler(job({ action: 'test-staging' }));
    failedWith(message);
    const report = JSON.parse(String(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body));
    expect(report.passed).toBe(false);
  });

  test('model errors fail the test with the container\'s status', async () => {
    world();
    endpoint('churn-staging');
    runtime.on(InvokeEndpointCommand).rejects(Object.assign(new Error('Received server error (500) from model'), {
      name: 'ModelError', OriginalStatusCode: 500, OriginalMessage: 'boom', $metadata: { httpStatusCode: 424 },
    }));
    await handler(job({ action: 'test-staging' }));
    failedWith(/a\.csv: status 500 \(ModelError: Received server error \(500\) from model\), expected 200/);
  });

  test('slow answers fail the latency threshold', async () => {
    world();
    process.env.DEPLOY_CONFIG = JSON.stringify({ ...CONFIG, test: { ...CONFIG.test, latencyThresholdMs: 5 } });
    endpoint('churn-staging');
    runtime.on(InvokeEndpointCommand).callsFake(async () => {
      await new Promise((r) => setTimeout(r, 30));
      return answer('0.5');
    });
    await handler(job({ action: 'test-staging' }));
    failedWith(/FAILED: 1 of 1 samples passed. p90 latency \d+ ms \(threshold 5 ms\).*latency above the threshold/);
  });

  test('an endpoint that is not InService fails at once, with SageMaker\'s reason', async () => {
    world();
    endpoint('churn-staging', { status: 'Failed', failure: 'CapacityError: not enough ml.m5.large capacity' });
    await handler(job({ action: 'test-staging' }));
    failedWith(/Endpoint churn-staging is Failed: CapacityError: not enough ml.m5.large capacity/);
    expect(runtime.calls()).toHaveLength(0);
  });

  test('an endpoint serving another model package fails (a wrong-version deployment)', async () => {
    world();
    endpoint('churn-staging', { arn: ARN.replace(/3$/, '2') });
    await handler(job({ action: 'test-staging' }));
    failedWith(/serves arn:aws:sagemaker:us-east-2:123456789012:model-package\/churn\/2, not the release's .*churn\/3/);
  });

  test('an SDK error is reported as a failure, never left unanswered', async () => {
    world();
    sagemaker.on(DescribeEndpointCommand).rejects(Object.assign(new Error('User is not authorized to perform sagemaker:DescribeEndpoint'), { name: 'AccessDeniedException' }));
    await handler(job({ action: 'test-staging' }));
    failedWith(/not authorized to perform sagemaker:DescribeEndpoint/);
  });

  test('out of time, the test stops invoking and fails instead of letting the function time out', async () => {
    world();
    endpoint('churn-staging');
    runtime.on(InvokeEndpointCommand).resolves(answer('0.5'));
    await handler(job({ action: 'test-staging' }), { getRemainingTimeInMillis: () => 10_000 });
    failedWith(/ran out of time/);
    expect(runtime.calls()).toHaveLength(0);
  });

  test('a samples folder whose expectations name a missing file fails with the reason', async () => {
    world({ samples: samples({ 'a.csv': '1', 'expectations.json': JSON.stringify({ 'b.csv': { exact: '1' } }) }) });
    endpoint('churn-staging');
    await handler(job({ action: 'test-staging' }));
    failedWith(/expectations.json names b.csv, which is not a file of the samples folder/);
  });
});

describe('check-release, verify-prod and record', () => {
  test('a version still approved and newer than prod\'s passes the check', async () => {
    world({ prodRecord: { version: 2 } });
    sagemaker.on(DescribeModelPackageCommand, { ModelPackageName: ARN }).resolves({ ModelApprovalStatus: 'Approved' } as any);
    await handler(job({ action: 'check-release' }));
    expect(succeeded().executionDetails.summary).toBe('Version 3 is still approved (prod serves version 2)');
  });

  test('a version rejected while it waited for approval does not reach prod', async () => {
    world();
    sagemaker.on(DescribeModelPackageCommand).resolves({ ModelApprovalStatus: 'Rejected' } as any);
    await handler(job({ action: 'check-release' }));
    failedWith(/Version 3 is Rejected now, not Approved: it does not go to prod/);
  });

  test('a version older than prod\'s is refused, unless the release is a rollback', async () => {
    world({ prodRecord: { version: 5 } });
    sagemaker.on(DescribeModelPackageCommand).resolves({ ModelApprovalStatus: 'Approved' } as any);
    await handler(job({ action: 'check-release' }));
    failedWith(/Version 3 is older than version 5, which prod serves/);

    codepipeline.resetHistory();
    world({ prodRecord: { version: 5 }, manifest: manifest({ kind: 'rollback' }) });
    await handler(job({ action: 'check-release' }));
    succeeded();
  });

  test('verify-prod catches an update SageMaker rolled back (the endpoint is InService on the old config)', async () => {
    world();
    endpoint('churn-prod', { config: 'churn-prod-config-old', arn: ARN.replace(/3$/, '2') });
    await handler(job({ action: 'verify-prod', endpointConfigName: 'churn-prod-config-new' }));
    failedWith(/serves endpoint config churn-prod-config-old, not churn-prod-config-new, which the stack deployed: SageMaker rolled the update back/);
  });

  test('verify-prod passes when prod serves the new config and the release\'s package', async () => {
    world();
    endpoint('churn-prod', { config: 'churn-prod-config-new' });
    await handler(job({ action: 'verify-prod', endpointConfigName: 'churn-prod-config-new' }));
    expect(succeeded().outputVariables).toEqual({ ENDPOINT_CONFIG_NAME: 'churn-prod-config-new' });
  });

  test('record writes the deployment record of prod, which later rejections roll back from', async () => {
    world();
    await handler(job({ action: 'record', endpointConfigName: 'cfg', executionId: 'exec-9' }));
    succeeded();
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put.Key).toMatch(/^releases\/churn\/deployments\/prod\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z_promote-v3-abc\.json$/);
    expect(JSON.parse(String(put.Body))).toMatchObject({ stage: 'prod', modelPackageArn: ARN, modelPackageVersion: 3, endpointConfigName: 'cfg', pipelineExecutionId: 'exec-9' });
  });

  test('an unknown action and a job without an input artifact are failures', async () => {
    world();
    await handler(job({ action: 'dance' }));
    failedWith(/Unknown action "dance"/);
    codepipeline.resetHistory();
    const noInput = job({ action: 'record' });
    noInput['CodePipeline.job'].data.inputArtifacts = [];
    await handler(noInput);
    failedWith(/has no input artifact/);
  });
});

describe('clean-up of ephemeral staging', () => {
  const failed = () => {
    const e = loadEvent('codepipeline-pipeline-execution-state-change.failed');
    e.detail.pipeline = 'churn-deploy';
    return e;
  };

  test('after a rejected or failed execution, the staging stack is deleted with the role it was deployed with', async () => {
    codepipeline.on(GetPipelineStateCommand).resolves({ stageStates: [
      { stageName: 'Staging', latestExecution: { pipelineExecutionId: '12345678-1234-5678-abcd-12345678abcd', status: 'Failed' } },
    ] } as any);
    cloudformation.on(DeleteStackCommand).resolves({});
    const result = await handler(failed());
    expect(result).toEqual({ deleted: 'churn-staging', reason: 'execution 12345678-1234-5678-abcd-12345678abcd ended FAILED' });
    expect(codepipeline.commandCalls(GetPipelineStateCommand)[0].args[0].input).toEqual({ name: 'churn-deploy' });
    expect(cloudformation.commandCalls(DeleteStackCommand)[0].args[0].input).toEqual({
      StackName: 'churn-staging', RoleARN: 'arn:aws:iam::123456789012:role/stage-deployment',
    });
  });

  test('staging another execution uses now is not deleted (QUEUED: the next release is in the Staging stage)', async () => {
    codepipeline.on(GetPipelineStateCommand).resolves({ stageStates: [
      { stageName: 'Staging', latestExecution: { pipelineExecutionId: 'the-next-one', status: 'InProgress' } },
    ] } as any);
    expect(await handler(failed())).toEqual({ reason: 'execution the-next-one uses staging now' });
    expect(cloudformation.calls()).toHaveLength(0);
  });

  test('another pipeline or persistent staging delete nothing', async () => {
    expect(await handler(loadEvent('codepipeline-pipeline-execution-state-change.failed'))).toEqual({ reason: 'not an execution of this pipeline' });
    process.env.DEPLOY_CONFIG = JSON.stringify({ ...CONFIG, ephemeralStagingStack: undefined });
    expect(await handler(failed())).toEqual({ reason: 'staging is not ephemeral' });
    expect(cloudformation.calls()).toHaveLength(0);
  });
});

describe('stages in other accounts', () => {
  const PROD_TEST = 'arn:aws:iam::555566667777:role/churn-prod-test';
  const STAGING_TEST = 'arn:aws:iam::222233334444:role/churn-staging-test';
  const CROSS = {
    ...CONFIG,
    stageRoles: { staging: STAGING_TEST, prod: PROD_TEST },
    deploymentRoleArn: 'arn:aws:iam::222233334444:role/churn-staging-cloudformation',
    prodAlarmNames: ['churn-prod-errors', 'churn-prod-latency'],
    bakePollSeconds: 0.01,
  };
  beforeEach(() => { process.env.DEPLOY_CONFIG = JSON.stringify(CROSS); });
  const alarms = (errors: string, latency = 'OK') => cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [
    { AlarmName: 'churn-prod-errors', StateValue: errors as any, StateReason: 'Threshold Crossed: 3 errors' },
    { AlarmName: 'churn-prod-latency', StateValue: latency as any },
  ] });

  test('a stage of this account uses the function\'s own clients; a stage in another account the credentials of its test role, assumed once', async () => {
    expect(stageClients(CONFIG as any, 'prod')).toBe(stageClients(CONFIG as any, 'staging'));
    const prod = stageClients(CROSS as any, 'prod');
    expect(prod).not.toBe(stageClients(CONFIG as any, 'prod'));
    expect(stageClients(CROSS as any, 'prod')).toBe(prod);
    sts.on(AssumeRoleCommand).resolves({ Credentials: {
      AccessKeyId: 'AKIA-PROD', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 15 * 60_000),
    } });
    const provider = prod.sagemaker.config.credentials as () => Promise<{ accessKeyId: string }>;
    expect((await provider()).accessKeyId).toBe('AKIA-PROD');
    expect((await provider()).accessKeyId).toBe('AKIA-PROD');
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: PROD_TEST, RoleSessionName: 'churn-deploy-actions', DurationSeconds: 900 },
    ]);
  });

  test('an assumed role without credentials is an error that names the role', async () => {
    sts.on(AssumeRoleCommand).resolves({});
    const provider = stageClients({ ...CROSS, stageRoles: { prod: 'arn:aws:iam::555566667777:role/other' } } as any, 'prod')
      .cloudwatch.config.credentials as () => Promise<unknown>;
    await expect(provider()).rejects.toThrow(/AssumeRole of arn:aws:iam::555566667777:role\/other returned no credentials/);
  });

  test('verify-prod describes prod with the prod account\'s clients', async () => {
    world();
    endpoint('churn-prod', { config: 'churn-prod-config-2' });
    await handler(job({ action: 'verify-prod', endpointConfigName: 'churn-prod-config-2' }), { getRemainingTimeInMillis: () => 300_000 });
    expect(succeeded().outputVariables).toEqual({ ENDPOINT_CONFIG_NAME: 'churn-prod-config-2' });
    const client = sagemaker.commandCalls(DescribeEndpointCommand)[0].thisValue;
    expect(client).toBe(stageClients(CROSS as any, 'prod').sagemaker);
  });

  test('bake-prod passes when prod\'s alarms stay quiet for the bake time, read in prod\'s account', async () => {
    world();
    alarms('OK');
    await handler(job({ action: 'bake-prod', minutes: '0.001' }), { getRemainingTimeInMillis: () => 300_000 });
    expect(succeeded().executionDetails.summary).toBe('Prod\'s alarms churn-prod-errors, churn-prod-latency stayed quiet for 0.001 minute(s)');
    const calls = cloudwatch.commandCalls(DescribeAlarmsCommand);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls[0].args[0].input).toEqual({ AlarmNames: ['churn-prod-errors', 'churn-prod-latency'] });
    expect(calls[0].thisValue).toBe(stageClients(CROSS as any, 'prod').cloudwatch);
  });

  test('bake-prod fails (and the stage rolls back) when an alarm fires', async () => {
    world();
    alarms('ALARM');
    await handler(job({ action: 'bake-prod', minutes: '5' }), { getRemainingTimeInMillis: () => 900_000 });
    failedWith(/alarm churn-prod-errors \(Threshold Crossed: 3 errors\) fired during the bake time/);
  });

  test('bake-prod fails when prod\'s alarms do not exist, or the bake time does not fit the function\'s time', async () => {
    world();
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'churn-prod-errors', StateValue: 'OK' }] });
    await handler(job({ action: 'bake-prod', minutes: '1' }), { getRemainingTimeInMillis: () => 300_000 });
    failedWith(/alarm\(s\) churn-prod-latency do not exist/);
    codepipeline.reset();
    codepipeline.on(PutJobFailureResultCommand).resolves({});
    alarms('OK');
    await handler(job({ action: 'bake-prod', minutes: '30' }), { getRemainingTimeInMillis: () => 900_000 });
    failedWith(/30 minutes does not fit in the function's remaining time/);
  });

  test('the ephemeral staging stack is deleted in staging\'s account with its CloudFormation role', async () => {
    codepipeline.on(GetPipelineStateCommand).resolves({ stageStates: [] } as any);
    cloudformation.on(DeleteStackCommand).resolves({});
    const event = loadEvent('codepipeline-pipeline-execution-state-change.failed');
    await handler({ ...event, detail: { ...event.detail, pipeline: 'churn-deploy' } });
    const [call] = cloudformation.commandCalls(DeleteStackCommand);
    expect(call.args[0].input).toEqual({ StackName: 'churn-staging', RoleARN: 'arn:aws:iam::222233334444:role/churn-staging-cloudformation' });
    expect(call.thisValue).toBe(stageClients(CROSS as any, 'staging').cloudformation);
  });
});
