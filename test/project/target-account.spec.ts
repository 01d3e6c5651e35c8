import { App, Stack } from 'aws-cdk-lib';
import { MlopsTargetAccount, MlopsTargetAccountProps, ProjectStage, StorageLayout } from '../../lib';
import { compliantApp, unacknowledgedFindings } from '../helpers/compliance';
import { matchesEventPattern } from '../helpers/event-pattern';
import { loadEvent } from '../helpers/fixtures';
import { resourcesOf } from './util';

const TOOLING = '123456789012';
const STAGING = '222233334444';
const REGION = 'us-east-2';
const KEY = `arn:aws:kms:${REGION}:${TOOLING}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const BASE: MlopsTargetAccountProps = {
  projectName: 'churn', stage: ProjectStage.STAGING, toolingAccount: TOOLING, encryptionKeyArn: KEY, artifactBucketName: 'churn-artifacts-123',
};

function synth(props: Partial<MlopsTargetAccountProps> = {}, compliance = false): { json: any; findings: any[] } {
  const app = compliance ? compliantApp() : new App();
  const stack = new Stack(app, 'ChurnStaging', { env: { account: STAGING, region: REGION } });
  new MlopsTargetAccount(stack, 'Target', { ...BASE, ...props });
  const findings = compliance ? unacknowledgedFindings(stack) : [];
  return { json: app.synth().getStackByName('ChurnStaging').template, findings };
}

const join = (s: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, s]] });
const role = (json: any, name: string) => resourcesOf(json, 'AWS::IAM::Role').find(([, r]) => r.Properties.RoleName === name)![1];
const statementsOf = (json: any, roleName: string) => {
  const [id] = resourcesOf(json, 'AWS::IAM::Role').find(([, r]) => r.Properties.RoleName === roleName)!;
  return resourcesOf(json, 'AWS::IAM::ManagedPolicy')
    .filter(([, p]) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === id))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
};

describe('MlopsTargetAccount for staging', () => {
  let json: any;
  let findings: any[];
  beforeAll(() => { ({ json, findings } = synth({}, true)); });

  test('the roles the project stack expects, by name', () => {
    const names = resourcesOf(json, 'AWS::IAM::Role').map(([, r]) => r.Properties.RoleName).sort();
    expect(names).toEqual(['churn-staging-alarm-forwarder', 'churn-staging-cloudformation', 'churn-staging-deploy', 'churn-staging-model',
      'churn-staging-monitoring', 'churn-staging-test']);
  });

  test('the deploy role is trusted by the tooling account\'s deploy pipeline role only, the test role by its deploy actions role only', () => {
    for (const [name, trusted] of [['churn-staging-deploy', 'churn-deploy-pipeline'], ['churn-staging-test', 'churn-deploy-actions']]) {
      expect(role(json, name).Properties.AssumeRolePolicyDocument.Statement).toEqual([{
        Action: 'sts:AssumeRole', Effect: 'Allow',
        Principal: { AWS: join(`:iam::${TOOLING}:root`) },
        Condition: { ArnEquals: { 'aws:PrincipalArn': join(`:iam::${TOOLING}:role/${trusted}`) } },
      }]);
    }
    expect(role(json, 'churn-staging-cloudformation').Properties.AssumeRolePolicyDocument.Statement[0]).toEqual(expect.objectContaining({
      Principal: { Service: 'cloudformation.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': STAGING } },
    }));
  });

  test('no role has a wildcard action; only resource-less actions are granted on *', () => {
    for (const [, r] of resourcesOf(json, 'AWS::IAM::Role')) {
      for (const s of statementsOf(json, r.Properties.RoleName)) {
        expect(JSON.stringify(s.Action)).not.toContain('*');
        if (s.Resource === '*') {
          for (const a of [].concat(s.Action) as string[]) {
            expect(a).toMatch(/^(cloudwatch:PutMetricData|cloudformation:ValidateTemplate|application-autoscaling:\w+)$/);
          }
        }
      }
    }
  });

  test('the CloudFormation role passes only the model and monitoring roles, and only to SageMaker; the deploy and test roles pass only it, to CloudFormation', () => {
    const passes = (name: string) => statementsOf(json, name).filter((s) => s.Action === 'iam:PassRole');
    const ref = (roleName: string) => ({ 'Fn::GetAtt': [resourcesOf(json, 'AWS::IAM::Role').find(([, r]) => r.Properties.RoleName === roleName)![0], 'Arn'] });
    expect(passes('churn-staging-cloudformation')).toEqual([expect.objectContaining({
      Resource: [ref('churn-staging-model'), ref('churn-staging-monitoring')],
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    })]);
    for (const name of ['churn-staging-deploy', 'churn-staging-test']) {
      expect(passes(name)).toEqual([expect.objectContaining({
        Resource: ref('churn-staging-cloudformation'), Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      })]);
    }
  });

  test('the model role reads the group\'s model data and writes captured data under the stage\'s prefix, in the tooling bucket, with the tooling key', () => {
    const statements = statementsOf(json, 'churn-staging-model');
    expect(statements).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: join(':s3:::churn-artifacts-123/models/churn-models/*') },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: join(':s3:::churn-artifacts-123/data-capture/churn-staging*') },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'], Resource: KEY },
    ]));
  });

  test('the deploy role deploys only the stage stack and reads only the deploy pipeline\'s artifacts', () => {
    const statements = statementsOf(json, 'churn-staging-deploy');
    expect(statements.find((s) => s.Sid === 'TheStageStack').Resource).toEqual(join(`:cloudformation:${REGION}:${STAGING}:stack/churn-staging/*`));
    expect(statements.find((s) => s.Sid === 'ReleaseArtifacts').Resource).toEqual(join(`:s3:::churn-deploy-${TOOLING}-${REGION}/*`));
  });

  test('the test role may invoke and delete staging (it is ephemeral by default)', () => {
    const sids = statementsOf(json, 'churn-staging-test').map((s) => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(['DescribeTheStageEndpoint', 'TheStageAlarms', 'InvokeStaging', 'DeleteEphemeralStaging']));
  });

  test('the stage\'s alarms are forwarded to the tooling account\'s default bus, with a role of this rule only', () => {
    const [, rule] = resourcesOf(json, 'AWS::Events::Rule')[0];
    expect(rule.Properties.Name).toBe('churn-staging-forward-alarms');
    expect(rule.Properties.Targets[0].Arn).toEqual(join(`:events:${REGION}:${TOOLING}:event-bus/default`));
    const sample = loadEvent('cloudwatch-alarm-state-change.alarm');
    const ours = { ...sample, account: STAGING, detail: { ...sample.detail, alarmName: 'churn-staging-errors' } };
    expect(matchesEventPattern(rule.Properties.EventPattern, ours)).toBe(true);
    expect(matchesEventPattern(rule.Properties.EventPattern, { ...ours, detail: { ...ours.detail, alarmName: 'churn-prod-errors' } })).toBe(false);
    expect(matchesEventPattern(rule.Properties.EventPattern, sample)).toBe(false);
    expect(role(json, 'churn-staging-alarm-forwarder').Properties.AssumeRolePolicyDocument.Statement[0].Condition.ArnEquals['aws:SourceArn'])
      .toEqual(join(`:events:${REGION}:${STAGING}:rule/churn-staging-forward-alarms`));
  });

  test('the alarm topic is encrypted with a key of this account that CloudWatch alarms of this account may use', () => {
    const [[, topic]] = resourcesOf(json, 'AWS::SNS::Topic');
    expect(topic.Properties.TopicName).toBe('churn-staging-alarms');
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TargetAlarmTopicKey/), 'Arn'] });
  });

  test('no unacknowledged compliance finding', () => {
    expect(findings).toEqual([]);
  });
});

describe('MlopsTargetAccount for prod', () => {
  test('the prod test role may not invoke the endpoint or delete the stack; image repositories are pulled by the model role', () => {
    const { json } = synth({ stage: ProjectStage.PROD, imageRepositoryArns: [`arn:aws:ecr:${REGION}:${TOOLING}:repository/churn-inference`],
      storageLayout: StorageLayout.of({ models: 'model-artifacts' }) });
    const sids = statementsOf(json, 'churn-prod-test').map((s) => s.Sid);
    expect(sids).not.toContain('InvokeStaging');
    expect(sids).not.toContain('DeleteEphemeralStaging');
    const model = statementsOf(json, 'churn-prod-model');
    expect(model).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        Resource: `arn:aws:ecr:${REGION}:${TOOLING}:repository/churn-inference` }),
      expect.objectContaining({ Action: 's3:GetObject', Resource: join(':s3:::churn-artifacts-123/model-artifacts/churn-models/*') }),
    ]));
  });

  test('forwarding can be turned off', () => {
    const { json } = synth({ stage: ProjectStage.PROD, forwardAlarms: false });
    expect(resourcesOf(json, 'AWS::Events::Rule')).toHaveLength(0);
  });
});

describe('bad MlopsTargetAccount input', () => {
  test.each([
    [{ encryptionKeyArn: `arn:aws:kms:${REGION}:${TOOLING}:alias/churn` }, /encryptionKeyArn.*alias.*does not work across accounts/s],
    [{ encryptionKeyArn: `arn:aws:kms:eu-west-1:${TOOLING}:key/1234abcd-12ab-34cd-56ef-1234567890ab` }, /encryptionKeyArn.*this stack is in us-east-2 but the key is in eu-west-1/s],
    [{ encryptionKeyArn: `arn:aws:kms:${REGION}:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab` }, /encryptionKeyArn.*tooling account 123456789012, not in account 999988887777/s],
    [{ encryptionKeyArn: 'not-an-arn' }, /encryptionKeyArn.*"not-an-arn".*KMS key ARN/s],
    [{ toolingAccount: STAGING }, /toolingAccount.*this stack's own account/s],
    [{ toolingAccount: '12345' }, /toolingAccount.*"12345".*12 digits/s],
    [{ projectName: 'Churn_Project' }, /projectName.*"Churn_Project"/s],
    [{ stage: 'qa' as any }, /stage.*"qa".*ProjectStage\.STAGING or ProjectStage\.PROD/s],
    [{ artifactBucketName: 'Bad_Bucket' }, /artifactBucketName.*"Bad_Bucket"/s],
    [{ imageRepositoryArns: [`arn:aws:ecr:eu-west-1:${TOOLING}:repository/x`] }, /imageRepositoryArns\[0\].*this stack's region us-east-2/s],
    [{ imageRepositoryArns: ['churn-inference'] }, /imageRepositoryArns\[0\].*"churn-inference".*ECR repository ARN/s],
    [{ modelPackageGroupName: 'bad group' }, /modelPackageGroupName.*"bad group"/s],
  ])('refused %#', (props, message) => {
    expect(() => synth(props as Partial<MlopsTargetAccountProps>)).toThrow(message);
  });

  test('an environment-agnostic stack is refused', () => {
    const stack = new Stack(new App(), 'Agnostic');
    expect(() => new MlopsTargetAccount(stack, 'Target', BASE)).toThrow(/Agnostic\/Target.*env.*account and region as literals/s);
  });
});
