import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeModelPackageCommand, SageMakerClient, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { describeDecision, handler, readAtMost } from '../../lib/model-registry/handlers/approval-policy';
import { evaluateThresholds } from '../../lib/model-registry/private/thresholds';
import { loadEvent } from '../helpers/fixtures';

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);

const GROUP = 'versionedmp-p-idy6c3e1fiqj';
const ARN = `arn:aws:sagemaker:us-east-2:123456789012:model-package/${GROUP}/2`;
const METRICS_BUCKET = 'sagemaker-project-p-idy6c3e1fiqj';
const METRICS_KEY = `${GROUP}/script-2021-02-24-10-55-15-413/output/evaluation/evaluation.json`;
const METRICS_URI = `s3://${METRICS_BUCKET}/${METRICS_KEY}`;
const THRESHOLDS = [
  { metricJsonPath: 'regression_metrics.mse.value', comparison: 'LessThan', value: 5 },
  { metricJsonPath: 'regression_metrics.r2.value', comparison: 'GreaterThanOrEqualTo', value: 0.8 },
];

function fixture(name: string): string {
  return fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'model-registry', name), 'utf-8');
}

/** The documented sample event, as a registration of a new version (the status a new version has). */
function registration(): any {
  const e = loadEvent('sagemaker-model-package-state-change.rejected');
  e.detail.ModelApprovalStatus = 'PendingManualApproval';
  return e;
}

function described(overrides: Record<string, unknown> = {}) {
  return {
    ModelPackageName: `${GROUP}/2`,
    ModelPackageGroupName: GROUP,
    ModelPackageVersion: 2,
    ModelPackageArn: ARN,
    CreationTime: new Date('2021-02-24T17:00:14Z'),
    ModelPackageStatus: 'Completed' as const,
    ModelApprovalStatus: 'PendingManualApproval' as const,
    ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: METRICS_URI } } },
    ...overrides,
  } as any;
}

function body(text: string): any {
  return { transformToString: async () => text };
}

function s3Error(name: string, status: number): Error {
  return Object.assign(new Error(`${name} from S3`), { name, $metadata: { httpStatusCode: status } });
}

let logs: string[] = [];

beforeEach(() => {
  sagemaker.reset();
  s3.reset();
  process.env.GROUP_NAME = GROUP;
  process.env.POLICY = 'METRIC_THRESHOLDS';
  process.env.THRESHOLDS = JSON.stringify(THRESHOLDS);
  process.env.METRICS_BUCKET = METRICS_BUCKET;
  process.env.METRICS_KEY_PREFIX = '';
  process.env.RESULT_SOURCE = 'cdk-sagemaker-mlops/approval-policy';
  logs = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => { logs.push(String(chunk)); return true; });
  sagemaker.on(DescribeModelPackageCommand).resolves(described());
  sagemaker.on(UpdateModelPackageCommand).resolves({ ModelPackageArn: ARN });
  s3.on(GetObjectCommand).resolves({ Body: body(fixture('regression-metrics.good.json')) });
});

afterEach(() => {
  jest.restoreAllMocks();
});

function updates() {
  return sagemaker.commandCalls(UpdateModelPackageCommand).map((c) => c.args[0].input);
}

function logLines(): any[] {
  return logs.flatMap((l) => l.split('\n')).filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l));
}

describe('METRIC_THRESHOLDS', () => {
  test('approves a version whose metrics pass every threshold, saying which passed', async () => {
    const result = await handler(registration());
    expect(sagemaker.commandCalls(DescribeModelPackageCommand)[0].args[0].input).toEqual({ ModelPackageName: ARN });
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: METRICS_BUCKET, Key: METRICS_KEY, Range: 'bytes=0-1048576' });
    expect(updates()).toEqual([{
      ModelPackageArn: ARN,
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: 'Approved by the metric-threshold policy (cdk-sagemaker-mlops): ' +
        'PASSED regression_metrics.mse.value = 4.1 (required < 5); PASSED regression_metrics.r2.value = 0.86 (required >= 0.8)',
    }]);
    expect(result).toMatchObject({
      source: 'cdk-sagemaker-mlops/approval-policy',
      notify: true,
      outcome: 'APPROVED',
      modelPackageGroupName: GROUP,
      modelPackageVersion: 2,
      modelPackageArn: ARN,
      metricsS3Uri: METRICS_URI,
      consoleUrl: `https://us-east-2.console.aws.amazon.com/sagemaker/home?region=us-east-2#/model-registry/${GROUP}`,
      metrics: JSON.parse(fixture('regression-metrics.good.json')),
    });
  });

  test('rejects a version that fails a threshold, saying which failed and which passed', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(fixture('regression-metrics.poor.json')) });
    const result = await handler(registration());
    expect(updates()).toEqual([{
      ModelPackageArn: ARN,
      ModelApprovalStatus: 'Rejected',
      ApprovalDescription: 'Rejected by the metric-threshold policy (cdk-sagemaker-mlops): ' +
        'FAILED regression_metrics.mse.value = 7.9 (required < 5); PASSED regression_metrics.r2.value = 0.81 (required >= 0.8)',
    }]);
    expect(result.outcome).toBe('REJECTED');
    expect(result.thresholds).toEqual([
      'FAILED regression_metrics.mse.value = 7.9 (required < 5)',
      'PASSED regression_metrics.r2.value = 0.81 (required >= 0.8)',
    ]);
  });

  test('missing metrics (no ModelQuality statistics registered): stays pending and notifies', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(described({ ModelMetrics: undefined }));
    const result = await handler(registration());
    expect(updates()).toEqual([]);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(result).toMatchObject({ outcome: 'LEFT_PENDING', notify: true });
    expect(result.summary).toMatch(/stays pending: it has no model-quality metrics.*not approved/);
  });

  test('a metric missing from the document: never approved, stays pending', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify({ regression_metrics: { mse: { value: 4.1 } } })) });
    const result = await handler(registration());
    expect(updates()).toEqual([]);
    expect(result.outcome).toBe('LEFT_PENDING');
    expect(result.thresholds).toContain('MISSING regression_metrics.r2.value (required >= 0.8): not a number in the metrics document');
  });

  test('a failed threshold rejects even when another metric is missing', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify({ regression_metrics: { mse: { value: 9 } } })) });
    const result = await handler(registration());
    expect(result.outcome).toBe('REJECTED');
    expect(updates()[0].ModelApprovalStatus).toBe('Rejected');
  });

  test.each([
    ['not JSON', 'mse=4.1'],
    ['a JSON array', '[4.1]'],
    ['JSON null', 'null'],
    ['a string where a number should be', JSON.stringify({ regression_metrics: { mse: { value: '4.1' }, r2: { value: 0.9 } } })],
  ])('unreadable metrics (%s): never approved, stays pending and notifies', async (_what, text) => {
    s3.on(GetObjectCommand).resolves({ Body: body(text) });
    const result = await handler(registration());
    expect(updates()).toEqual([]);
    expect(result).toMatchObject({ outcome: 'LEFT_PENDING', notify: true });
  });

  test('S3 AccessDenied: stays pending, notifies with the error, logs a warning', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('AccessDenied', 403));
    const result = await handler(registration());
    expect(updates()).toEqual([]);
    expect(result.outcome).toBe('LEFT_PENDING');
    expect(result.summary).toContain('could not be read (AccessDenied: AccessDenied from S3)');
    const warning = logLines().find((l) => l.message === 'Could not read the metrics document');
    expect(warning).toMatchObject({ level: 'WARN', handler: 'approval-policy', groupName: GROUP, metricsS3Uri: METRICS_URI });
    expect(warning.error).toEqual({ name: 'AccessDenied', message: 'AccessDenied from S3' });
  });

  test('S3 NoSuchKey: stays pending', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
    expect((await handler(registration())).outcome).toBe('LEFT_PENDING');
    expect(updates()).toEqual([]);
  });

  test('a transient S3 error is thrown, so Lambda retries (and nothing is decided)', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('SlowDown', 503));
    await expect(handler(registration())).rejects.toThrow('SlowDown from S3');
    expect(updates()).toEqual([]);
  });

  test('metrics outside the allowed bucket or prefix are not read', async () => {
    process.env.METRICS_KEY_PREFIX = 'approved-evaluations/';
    const result = await handler(registration());
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(updates()).toEqual([]);
    expect(result.summary).toContain(`outside the allowed location s3://${METRICS_BUCKET}/approved-evaluations/`);
  });

  describe('with the prefix the construct derives from the storage layout (<evaluationReports>/<group>/)', () => {
    const PREFIX = `evaluation-reports/${GROUP}/`;
    const withMetricsAt = (uri: string) => sagemaker.on(DescribeModelPackageCommand)
      .resolves(described({ ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: uri } } } }));
    beforeEach(() => { process.env.METRICS_KEY_PREFIX = PREFIX; });

    test('a report where the training pipeline writes it is read and decided on', async () => {
      const key = `${PREFIX}execution-abc123/evaluation.json`;
      withMetricsAt(`s3://${METRICS_BUCKET}/${key}`);
      const result = await handler(registration());
      expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: METRICS_BUCKET, Key: key, Range: 'bytes=0-1048576' });
      expect(result.outcome).toBe('APPROVED');
    });

    test.each([
      ['another group whose name starts with this one', `s3://${METRICS_BUCKET}/evaluation-reports/${GROUP}-v2/execution-abc123/evaluation.json`],
      ['the group prefix without its slash', `s3://${METRICS_BUCKET}/evaluation-reports/${GROUP}`],
      ['another prefix of the bucket', `s3://${METRICS_BUCKET}/pipelines/train/execution-abc123/evaluation.json`],
      ['another bucket with the same key', `s3://other-bucket/${PREFIX}execution-abc123/evaluation.json`],
    ])('a report of %s is refused: not read, left pending, notified', async (_what, uri) => {
      withMetricsAt(uri);
      const result = await handler(registration());
      expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
      expect(updates()).toEqual([]);
      expect(result).toMatchObject({ outcome: 'LEFT_PENDING', notify: true, metricsS3Uri: uri });
      expect(result.summary).toContain(`outside the allowed location s3://${METRICS_BUCKET}/${PREFIX}`);
    });
  });

  describe('the read limit (1 MiB) holds whether or not S3 reports the size (issue 10, item 10)', () => {
    const LIMIT = 1024 * 1024;
    const big = () => JSON.stringify({ regression_metrics: { mse: { value: 4.1 }, r2: { value: 0.9 } }, padding: 'x'.repeat(LIMIT) });

    test('every read is a range request for one byte more than the limit', async () => {
      await handler(registration());
      expect(s3.commandCalls(GetObjectCommand)[0].args[0].input.Range).toBe(`bytes=0-${LIMIT}`);
    });

    test('a document larger than the limit with no ContentLength is refused: left pending, never approved', async () => {
      s3.on(GetObjectCommand).resolves({ Body: body(big()) });
      const result = await handler(registration());
      expect(result).toMatchObject({ outcome: 'LEFT_PENDING', notify: true });
      expect(result.summary).toContain(`its metrics document is larger than ${LIMIT} bytes`);
      expect(updates()).toEqual([]);
    });

    test('a streamed body with no ContentLength is read only up to the limit, then abandoned', async () => {
      let served = 0;
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const stream = new Readable({
        read() {
          if (served >= 16 * LIMIT) { this.push(null); return; }
          served += chunk.length;
          this.push(chunk);
        },
      });
      s3.on(GetObjectCommand).resolves({ Body: stream as any });
      const result = await handler(registration());
      expect(result.summary).toContain(`larger than ${LIMIT} bytes`);
      expect(updates()).toEqual([]);
      expect(served).toBeLessThan(2 * LIMIT);
      expect(stream.destroyed).toBe(true);
    });

    test('a streamed document within the limit is read and decided on', async () => {
      s3.on(GetObjectCommand).resolves({ Body: Readable.from([Buffer.from(fixture('regression-metrics.good.json'))]) as any });
      expect((await handler(registration())).outcome).toBe('APPROVED');
    });

    test('a Content-Range naming a larger object is refused without reading the body', async () => {
      const transformToString = jest.fn(async () => fixture('regression-metrics.good.json'));
      s3.on(GetObjectCommand).resolves({ ContentRange: `bytes 0-${LIMIT}/${5 * LIMIT}`, Body: { transformToString } as any });
      const result = await handler(registration());
      expect(result.summary).toContain('larger than');
      expect(transformToString).not.toHaveBeenCalled();
      expect(updates()).toEqual([]);
    });

    test('a ContentLength above the limit is still refused', async () => {
      s3.on(GetObjectCommand).resolves({ ContentLength: LIMIT + 1, Body: body('{}') });
      expect((await handler(registration())).summary).toContain('larger than');
    });

    test('an empty object (S3 answers the range request with 416 InvalidRange) stays pending', async () => {
      s3.on(GetObjectCommand).rejects(s3Error('InvalidRange', 416));
      const result = await handler(registration());
      expect(result).toMatchObject({ outcome: 'LEFT_PENDING', notify: true });
      expect(result.summary).toContain('its metrics document is empty');
    });

    test('readAtMost counts bytes, not characters', async () => {
      expect(await readAtMost('é'.repeat(3), 6)).toBe('ééé');
      expect(await readAtMost('é'.repeat(4), 6)).toBeUndefined();
      expect(await readAtMost(undefined, 6)).toBe('');
    });
  });

  test('a repeated event for a version already approved changes nothing', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(described({ ModelApprovalStatus: 'Approved' }));
    const result = await handler(registration());
    expect(updates()).toEqual([]);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(result).toMatchObject({ outcome: 'ALREADY_DECIDED', notify: false });
  });

  test('the same event delivered twice: one decision', async () => {
    await handler(registration());
    sagemaker.on(DescribeModelPackageCommand).resolves(described({ ModelApprovalStatus: 'Approved' }));
    const second = await handler(registration());
    expect(updates()).toHaveLength(1);
    expect(second.outcome).toBe('ALREADY_DECIDED');
  });

  test('an event of another group is ignored without any AWS call', async () => {
    const event = loadEvent('sagemaker-model-package-state-change.approved.drift-sample');
    event.detail.ModelApprovalStatus = 'PendingManualApproval';
    const result = await handler(event);
    expect(result).toMatchObject({ outcome: 'IGNORED', notify: false, modelPackageGroupName: 'drift-example' });
    expect(sagemaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  test('the group name is compared in any case', async () => {
    process.env.GROUP_NAME = GROUP.toUpperCase();
    expect((await handler(registration())).outcome).toBe('APPROVED');
  });

  test.each([
    ['not an object', 'hello'],
    ['null', null],
    ['another source', { ...registration(), source: 'aws.s3' }],
    ['another detail-type', loadEvent('sagemaker-pipeline-execution-status-change.succeeded')],
    ['no detail', { ...registration(), detail: undefined }],
    ['no group name', (() => { const e = registration(); delete e.detail.ModelPackageGroupName; return e; })()],
    ['a bad model package ARN', (() => { const e = registration(); e.detail.ModelPackageArn = 'not-an-arn'; return e; })()],
  ])('a malformed event (%s) is ignored and logged, without any AWS call', async (_what, event) => {
    const result = await handler(event);
    expect(result).toMatchObject({ outcome: 'IGNORED', notify: false });
    expect(sagemaker.calls()).toHaveLength(0);
    expect(logLines().some((l) => l.level === 'WARN' && l.message === 'Ignored a malformed event')).toBe(true);
  });

  test('a version whose description names another group is refused: left pending, notified, not decided (issue 10, item 10)', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(described({ ModelPackageGroupName: 'other' }));
    const result = await handler(registration());
    expect(result).toMatchObject({ outcome: 'LEFT_PENDING', notify: true, modelPackageArn: ARN });
    expect(result.summary).toContain(`DescribeModelPackage says the model package belongs to group other, not ${GROUP}`);
    expect(updates()).toEqual([]);
    expect(s3.calls()).toHaveLength(0);
  });

  test.each([
    ['absent', { ModelPackageGroupName: undefined }],
    ['empty', { ModelPackageGroupName: '' }],
  ])('a description whose group is %s is refused: never approved on IAM alone (issue 10, item 10)', async (_what, overrides) => {
    sagemaker.on(DescribeModelPackageCommand).resolves(described(overrides));
    const result = await handler(registration());
    expect(result).toMatchObject({ outcome: 'LEFT_PENDING', notify: true });
    expect(result.summary).toContain('DescribeModelPackage says the model package names no model package group');
    expect(updates()).toEqual([]);
    expect(s3.calls()).toHaveLength(0);
    expect(logLines().some((l) => l.level === 'WARN' && l.message === 'Left the version pending: its description does not name this group')).toBe(true);
  });

  test('a model package deleted since the event is ignored', async () => {
    sagemaker.on(DescribeModelPackageCommand).rejects(Object.assign(new Error('Model package not found'), { name: 'ValidationException' }));
    expect((await handler(registration())).outcome).toBe('IGNORED');
  });

  test('a version SageMaker is still creating is retried (thrown), not decided', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(described({ ModelPackageStatus: 'InProgress' }));
    await expect(handler(registration())).rejects.toThrow(/still InProgress; retrying later/);
    expect(updates()).toEqual([]);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  test('a version whose creation failed is ignored', async () => {
    sagemaker.on(DescribeModelPackageCommand).resolves(described({ ModelPackageStatus: 'Failed' }));
    expect((await handler(registration())).outcome).toBe('IGNORED');
    expect(updates()).toEqual([]);
  });

  test('a failing UpdateModelPackage is thrown (retried; the retry re-reads the status)', async () => {
    sagemaker.on(UpdateModelPackageCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(handler(registration())).rejects.toThrow('Rate exceeded');
  });

  test('logs structured JSON lines', async () => {
    await handler(registration());
    const lines = logLines();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.find((l) => l.message === 'Approved the version')).toMatchObject({
      level: 'INFO', handler: 'approval-policy', groupName: GROUP, policy: 'METRIC_THRESHOLDS', modelPackageArn: ARN,
    });
  });

  test('a misconfigured function fails loudly', async () => {
    process.env.THRESHOLDS = JSON.stringify([{ metricJsonPath: '$.bad', comparison: 'LessThan', value: 1 }]);
    await expect(handler(registration())).rejects.toThrow(/THRESHOLDS is not a valid list/);
    process.env.THRESHOLDS = '[]';
    await expect(handler(registration())).rejects.toThrow(/needs thresholds/);
    process.env.POLICY = 'YOLO';
    await expect(handler(registration())).rejects.toThrow(/POLICY must be/);
  });
});

describe('METRIC_THRESHOLDS_THEN_MANUAL', () => {
  beforeEach(() => { process.env.POLICY = 'METRIC_THRESHOLDS_THEN_MANUAL'; });

  test('a version that passes is left for a person, with its metrics', async () => {
    const result = await handler(registration());
    expect(updates()).toEqual([]);
    expect(result).toMatchObject({ outcome: 'LEFT_PENDING', notify: true });
    expect(result.summary).toContain('passed every threshold and is waiting for a person');
    expect(result.thresholds).toHaveLength(2);
  });

  test('a version that fails is rejected automatically', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(fixture('regression-metrics.poor.json')) });
    expect((await handler(registration())).outcome).toBe('REJECTED');
    expect(updates()[0].ModelApprovalStatus).toBe('Rejected');
  });
});

describe('NOTIFY_ONLY (manual policy with a metrics bucket)', () => {
  beforeEach(() => { process.env.POLICY = 'NOTIFY_ONLY'; });

  test('never updates, even when a threshold fails; the notification carries the metrics', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body(fixture('regression-metrics.poor.json')) });
    const result = await handler(registration());
    expect(updates()).toEqual([]);
    expect(result).toMatchObject({ outcome: 'LEFT_PENDING', notify: true, metrics: JSON.parse(fixture('regression-metrics.poor.json')) });
    expect(result.summary).toContain('thresholds: 1 passed, 1 failed, 0 missing');
  });

  test('works without thresholds', async () => {
    process.env.THRESHOLDS = '[]';
    const result = await handler(registration());
    expect(result.summary).toContain('no thresholds configured');
  });
});

describe('threshold evaluation', () => {
  test('classification metrics with "NaN" standard deviations', () => {
    const doc = JSON.parse(fixture('binary-classification-metrics.json'));
    const results = evaluateThresholds(doc, [
      { metricJsonPath: 'binary_classification_metrics.accuracy.value', comparison: 'GreaterThan', value: 0.9 },
      { metricJsonPath: 'binary_classification_metrics.auc.value', comparison: 'GreaterThanOrEqualTo', value: 0.96 },
      { metricJsonPath: 'binary_classification_metrics.accuracy.standard_deviation', comparison: 'LessThan', value: 1 },
    ]);
    expect(results.map((r) => r.status)).toEqual(['PASSED', 'FAILED', 'MISSING']);
  });

  test('boundaries of each comparison', () => {
    const doc = { m: { value: 5 } };
    const at = (comparison: any) => evaluateThresholds(doc, [{ metricJsonPath: 'm.value', comparison, value: 5 }])[0].status;
    expect(at('GreaterThan')).toBe('FAILED');
    expect(at('GreaterThanOrEqualTo')).toBe('PASSED');
    expect(at('LessThan')).toBe('FAILED');
    expect(at('LessThanOrEqualTo')).toBe('PASSED');
  });

  test('paths do not reach into prototypes', () => {
    expect(evaluateThresholds({}, [{ metricJsonPath: 'constructor.name', comparison: 'LessThan', value: 1 }])[0].status).toBe('MISSING');
  });

  test('the ApprovalDescription stays within 1024 characters', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ metricJsonPath: `metrics.a_long_metric_name_number_${i}.value`, comparison: 'LessThan' as const, value: 1 }));
    const text = describeDecision('Rejected', evaluateThresholds({}, many));
    expect(text.length).toBe(1024);
    expect(text.endsWith('...')).toBe(true);
  });
});
