import { App, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { MlopsProject, TrainingPipeline } from '../../lib';
import { matchesEventPattern } from '../helpers/event-pattern';
import { loadEvent } from '../helpers/fixtures';
import { ENV, fakeResolve, resourcesOf } from './util';
import { buildLoopProject, LoopProject, synthLoopProject, TRAINING } from './loop-util';

/**
 * CloudWatch alarm state change events of this project's stages. The base is the CloudWatch user
 * guide's "State change for a single-metric alarm" sample (test/fixtures/events/SOURCES.md, an
 * OK -> ALARM transition in account 123456789012), moved to the project's region and renamed; the
 * variants are derived from it: another alarm, another account, and the way back to OK
 * (`state` and `previousState` swapped).
 */
function alarmEvent(alarmName: string, options: { account?: string; state?: 'ALARM' | 'OK' } = {}): any {
  const e = loadEvent('cloudwatch-alarm-state-change.alarm');
  const account = options.account ?? ENV.account;
  e.account = account;
  e.region = ENV.region;
  e.resources = [`arn:aws:cloudwatch:${ENV.region}:${account}:alarm:${alarmName}`];
  e.detail.alarmName = alarmName;
  if (options.state === 'OK') {
    [e.detail.state, e.detail.previousState] = [e.detail.previousState, e.detail.state];
  }
  return e;
}

/** The rules whose logical id starts with `prefix` (resolved as CloudFormation would in account 123456789012, us-east-2). */
function rulesOf(json: any, prefix: string): any[] {
  return resourcesOf(json, 'AWS::Events::Rule').filter(([id]) => id.startsWith(prefix)).map(([, r]) => r);
}

describe('retraining on prod monitor violations, on a schedule and on new data', () => {
  let built: LoopProject;
  beforeAll(() => {
    built = buildLoopProject(() => ({
      training: { ...TRAINING, inputDataUri: 's3://raw-data-bucket/churn/' },
      endpoint: { dataQualityMonitor: true },
      retraining: { onMonitorViolation: true, schedule: events.Schedule.cron({ minute: '0', hour: '3', weekDay: 'MON' }), newData: { prefix: 'incoming/churn/', suffix: '.csv' } },
    }));
  });

  test('the prod stage names its violation alarm after its EndpointName parameter: <endpoint>-data-quality-violations', () => {
    const stage = built.project.stageTemplate;
    const alarms = Object.values(stage.node.findAll().map((c) => c) as any[])
      .filter((c) => c.cfnResourceType === 'AWS::CloudWatch::Alarm')
      .map((c) => stage.resolve(c.alarmName));
    expect(alarms).toContainEqual({ 'Fn::Join': ['', [{ Ref: 'EndpointName' }, '-data-quality-violations']] });
  });

  test('one rule per prod violation alarm: this account\'s alarm going into ALARM, and nothing else', () => {
    const [rule] = rulesOf(built.json, 'ProjectTrainingRetrainOnProdDataQualityViolations');
    const pattern = fakeResolve(rule.Properties.EventPattern, built.json);
    expect(pattern).toEqual({
      'source': ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      'resources': ['arn:aws:cloudwatch:us-east-2:123456789012:alarm:churn-prod-data-quality-violations'],
      'detail': { state: { value: ['ALARM'] } },
    });
    const cases: Array<[string, any, boolean]> = [
      ['the prod violation alarm in ALARM', alarmEvent('churn-prod-data-quality-violations'), true],
      ['the staging violation alarm', alarmEvent('churn-staging-data-quality-violations'), false],
      ['another prod alarm (errors)', alarmEvent('churn-prod-errors'), false],
      ['the prod violation alarm of another account', alarmEvent('churn-prod-data-quality-violations', { account: '210987654321' }), false],
      ['the prod violation alarm back to OK', alarmEvent('churn-prod-data-quality-violations', { state: 'OK' }), false],
      ['the documented sample as it is', loadEvent('cloudwatch-alarm-state-change.alarm'), false],
    ];
    for (const [name, event, expected] of cases) {
      expect([name, matchesEventPattern(pattern, event)]).toEqual([name, expected]);
    }
  });

  test('the rules start the training pipeline with its trigger role, which trusts exactly these rules of this account', () => {
    const rules = rulesOf(built.json, 'ProjectTrainingRetrainOn');
    expect(rules).toHaveLength(3);
    const [[roleId, role]] = resourcesOf(built.json, 'AWS::IAM::Role').filter(([id]) => id.startsWith('ProjectTrainingTriggerRole'));
    for (const rule of rules) {
      expect(rule.Properties.Targets).toEqual([expect.objectContaining({ RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } })]);
      expect(fakeResolve(rule.Properties.Targets[0].Arn, built.json)).toBe('arn:aws:sagemaker:us-east-2:123456789012:pipeline/churn-training');
    }
    const trust = JSON.stringify(fakeResolve(role.Properties.AssumeRolePolicyDocument, built.json));
    expect(trust).toContain('"aws:SourceAccount":"123456789012"');
    for (const rule of rules) { expect(trust).toContain(`:rule/${rule.Properties.Name}`); }
  });

  test('the schedule', () => {
    const [rule] = rulesOf(built.json, 'ProjectTrainingRetrainOnSchedule');
    expect(rule.Properties.ScheduleExpression).toBe('cron(0 3 ? * MON *)');
  });

  test('new data: objects created under the prefix with the suffix, in the foundation\'s bucket', () => {
    const [rule] = rulesOf(built.json, 'ProjectTrainingRetrainOnNewData');
    const pattern = fakeResolve(rule.Properties.EventPattern, built.json);
    const bucketName = pattern.detail.bucket.name[0];
    expect(rule.Properties.EventPattern.detail.bucket.name).toEqual([{ Ref: expect.stringMatching(/^FoundationArtifactsBucket/) }]);
    expect(pattern.detail.object).toEqual({ key: [{ wildcard: 'incoming/churn/*.csv' }] });
    const sample = loadEvent('s3-object-created');
    const event = (key: string, bucket = bucketName) => ({ ...sample, detail: { ...sample.detail, bucket: { name: bucket }, object: { ...sample.detail.object, key } } });
    // The matcher has no `wildcard` filter: the documented sample against the rest of the pattern, the key by EventBridge's rule
    // (`*` matches any characters, everything else literally).
    const rest = { ...pattern, detail: { bucket: pattern.detail.bucket } };
    const wildcard = new RegExp(`^${pattern.detail.object.key[0].wildcard.split('*').map((p: string) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    const cases: Array<[string, string, boolean]> = [
      ['incoming/churn/2026-12-01.csv', bucketName, true],
      ['incoming/churn/2026/12/01.csv', bucketName, true],
      ['incoming/churn/2026-12-01.json', bucketName, false],
      ['incoming/other/2026-12-01.csv', bucketName, false],
      ['incoming/churn/2026-12-01.csv', 'example-bucket', false],
    ];
    for (const [key, bucket, expected] of cases) {
      const e = event(key, bucket);
      expect([key, bucket, matchesEventPattern(rest, e) && wildcard.test(e.detail.object.key)]).toEqual([key, bucket, expected]);
    }
  });

  test('public members: the rules', () => {
    expect(built.project.retrainingRules).toHaveLength(3);
  });
});

describe('retraining on the violations of prod in another account', () => {
  test('the rule matches the alarm of prod\'s account (forwarded by its MlopsTargetAccount), not the project account\'s', () => {
    const { json, project } = buildLoopProject(() => ({
      training: { ...TRAINING, inputDataUri: 's3://raw-data-bucket/churn/' },
      endpoint: { dataQualityMonitor: true },
      prod: { account: '210987654321' },
      retraining: { onMonitorViolation: true },
    }));
    const [rule] = rulesOf(json, 'ProjectTrainingRetrainOnProdDataQualityViolations');
    const pattern = fakeResolve(rule.Properties.EventPattern, json);
    expect(pattern.resources).toEqual(['arn:aws:cloudwatch:us-east-2:210987654321:alarm:churn-prod-data-quality-violations']);
    expect(matchesEventPattern(pattern, alarmEvent('churn-prod-data-quality-violations', { account: '210987654321' }))).toBe(true);
    expect(matchesEventPattern(pattern, alarmEvent('churn-prod-data-quality-violations'))).toBe(false);
    expect(project.flowDiagram()).toContain('prod["Prod churn-prod (account 210987654321)<br/>');
  });
});

describe('retraining a pipeline of your own', () => {
  test('an imported pipeline gets the triggers in its own scope, started by its trigger role', () => {
    const app = new App();
    const stack = new Stack(app, 'Churn', { env: ENV });
    const pipeline = TrainingPipeline.fromPipelineName(stack, 'Pipeline', 'my-training');
    new MlopsProject(stack, 'Project', { projectName: 'churn', trainingPipeline: pipeline, retraining: { schedule: events.Schedule.rate(Duration.days(1)) } });
    const json = app.synth().getStackByName('Churn').template;
    const [rule] = rulesOf(json, 'PipelineRetrainOnSchedule');
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 day)');
    expect(JSON.stringify(rule.Properties.Targets[0].Arn)).toContain(':pipeline/my-training');
  });
});

describe('a new-data prefix where the pipeline or the project writes is refused at synth', () => {
  test.each([
    ['the model artifacts (the pipeline\'s own check)', 'models/churn-models/',
      /`prefix`: received "models\/churn-models\/". The pipeline writes the model artifacts of model package group churn-models under "models\/churn-models\/" in this bucket, so every run would start it again/],
    ['a prefix that holds the pipeline\'s outputs', 'pipelines',
      /`prefix`: received "pipelines". The pipeline writes .* so every run would start it again/],
    ['the releases of the deploy flow', 'releases/churn/',
      /`retraining.newData.prefix`: received "releases\/churn\/". The project writes the releases, staging test reports and deployment records of the deploy flow/],
    ['captured traffic', 'data-capture/churn-prod/',
      /`retraining.newData.prefix`: received "data-capture\/churn-prod\/". The project writes the endpoints' captured requests and responses/],
  ])('%s', (_name, prefix, message) => {
    expect(() => synthLoopProject(() => ({
      training: { ...TRAINING, inputDataUri: 's3://raw-data-bucket/churn/' },
      retraining: { newData: { prefix } },
    }))).toThrow(message);
  });

  test('the same prefix in another bucket is fine', () => {
    const { json } = buildLoopProject(({ stack }) => ({
      training: { ...TRAINING, inputDataUri: 's3://raw-data-bucket/churn/' },
      retraining: { newData: { prefix: 'models/churn-models/', bucket: s3.Bucket.fromBucketName(stack, 'Raw', 'raw-data-bucket') } },
    }));
    const [rule] = rulesOf(json, 'ProjectTrainingRetrainOnNewData');
    expect(rule.Properties.EventPattern.detail).toEqual({ bucket: { name: ['raw-data-bucket'] }, object: { key: [{ prefix: 'models/churn-models/' }] } });
  });
});

describe('bad retraining input is refused with the prop, the value and the rule', () => {
  const training = { ...TRAINING, inputDataUri: 's3://raw-data-bucket/churn/' };
  test.each([
    ['no training pipeline', { retraining: { schedule: events.Schedule.rate(Duration.days(1)) } },
      /`retraining`: received .*Retraining starts the project's training pipeline, and the project has none/],
    ['no trigger', { training, retraining: {} }, /`retraining`: received \{\}. Give at least one trigger/],
    ['monitor violations without a monitor', { training, retraining: { onMonitorViolation: true } },
      /`retraining.onMonitorViolation`: received true. The prod endpoint has no monitor .*`endpoint.dataQualityMonitor`/],
    ['a cron expression of five fields', { training, retraining: { schedule: events.Schedule.expression('cron(0 3 * * MON)') } },
      /`retraining.schedule`: received "cron\(0 3 \* \* MON\)". An EventBridge cron expression has six fields/],
    ['a schedule that is no Schedule', { training, retraining: { schedule: 'rate(1 day)' as any } },
      /`retraining.schedule`: received "rate\(1 day\)". It must be an events.Schedule/],
    ['an S3 URI as prefix', { training, retraining: { newData: { prefix: 's3://raw-data-bucket/incoming/' } } },
      /`retraining.newData.prefix`: received "s3:\/\/raw-data-bucket\/incoming\/". It is required: a plain S3 key prefix/],
    ['a prefix with a leading slash', { training, retraining: { newData: { prefix: '/incoming/' } } },
      /`retraining.newData.prefix`: received "\/incoming\/". It is required: a plain S3 key prefix/],
    ['no prefix (the whole bucket)', { training, retraining: { newData: {} as any } },
      /`retraining.newData.prefix`: received undefined. It is required/],
    ['a wildcard suffix', { training, retraining: { newData: { prefix: 'incoming/', suffix: '*.csv' } } },
      /`retraining.newData.suffix`: received "\*.csv". It must be the end of a key/],
  ])('%s', (_name, props, message) => {
    expect(() => synthLoopProject(() => props as any)).toThrow(message);
  });
});
