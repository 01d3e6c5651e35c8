import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { MlopsProject, MlopsProjectProps, ProjectSource, StagingMode } from '../../lib';
import { matchesEventPattern } from '../helpers/event-pattern';
import { loadEvent } from '../helpers/fixtures';
import { buildProject, BuiltProject, ENV, environmentWith, PROJECT_TRAINING, resourcesOf, stagesOf } from './util';

const TOOLING = ENV.account;
const STAGING = '222233334444';
const PROD = '555566667777';
const training = PROJECT_TRAINING;

const roleArn = (account: string, name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:role/${name}`]] });
const root = (account: string) => ({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] } });

/** The statements of a resource's policy (bucket policy, key policy). */
function policyStatements(json: any, type: string, idPrefix: string): any[] {
  const [, r] = resourcesOf(json, type).find(([id]) => id.startsWith(idPrefix))!;
  return (r.Properties.PolicyDocument ?? r.Properties.KeyPolicy).Statement;
}

/** Every 12-digit account named in a principal of the template. */
function principalAccounts(json: any): Set<string> {
  const accounts = new Set<string>();
  const walk = (v: any, inPrincipal: boolean) => {
    if (typeof v === 'string') { if (inPrincipal) { for (const m of v.matchAll(/:iam::(\d{12}):/g)) { accounts.add(m[1]); } } return; }
    if (Array.isArray(v)) { v.forEach((x) => walk(x, inPrincipal)); return; }
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) { walk(x, inPrincipal || k === 'Principal' || k === 'aws:PrincipalArn'); }
    }
  };
  walk(json.Resources, false);
  return accounts;
}

describe('a project with staging and prod in their own accounts', () => {
  let built: BuiltProject;
  beforeAll(() => {
    built = buildProject({
      training,
      staging: { account: STAGING },
      prod: { account: PROD },
      endpoint: { dataQualityMonitor: true },
    });
  });

  test('the stages\' CloudFormation actions run with their accounts\' deploy and CloudFormation roles; the Lambda actions stay in the tooling account', () => {
    const actions = stagesOf(built.json).flatMap((s: any) => s.Actions.map((a: any) => [`${s.Name}.${a.Name}`, a.RoleArn, a.Configuration.RoleArn]));
    const byName = Object.fromEntries(actions.map(([name, role, cfn]: any) => [name, { role, cfn }]));
    expect(byName['Staging.Deploy']).toEqual({ role: roleArn(STAGING, 'churn-staging-deploy'), cfn: roleArn(STAGING, 'churn-staging-cloudformation') });
    expect(byName['Staging.DeleteStaging']).toEqual({ role: roleArn(STAGING, 'churn-staging-deploy'), cfn: roleArn(STAGING, 'churn-staging-cloudformation') });
    expect(byName['Prod.Deploy']).toEqual({ role: roleArn(PROD, 'churn-prod-deploy'), cfn: roleArn(PROD, 'churn-prod-cloudformation') });
    for (const name of ['Staging.Test', 'Staging.CheckRelease', 'Prod.Verify', 'Prod.Bake', 'Record.Record']) {
      expect(byName[name].role).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProjectInvokeActionRole/), 'Arn'] });
    }
  });

  test('prod bakes in a Lambda action (the alarm rule reads the pipeline account only) and rolls back on failure', () => {
    const prod = stagesOf(built.json).find((s: any) => s.Name === 'Prod');
    expect(prod.Actions.map((a: any) => a.Name)).toEqual(['Deploy', 'Verify', 'Bake']);
    expect(JSON.parse(prod.Actions[2].Configuration.UserParameters)).toEqual({ action: 'bake-prod', minutes: '10' });
    expect(prod.OnSuccess).toBeUndefined();
    expect(prod.OnFailure).toEqual({ Result: 'ROLLBACK' });
  });

  test('the tooling roles and the pipeline\'s artifact bucket have the names the target accounts trust and read', () => {
    const roleNames = resourcesOf(built.json, 'AWS::IAM::Role').map(([, r]) => r.Properties.RoleName).filter(Boolean);
    expect(roleNames).toEqual(expect.arrayContaining(['churn-deploy-pipeline', 'churn-deploy-actions']));
    const buckets = resourcesOf(built.json, 'AWS::S3::Bucket').map(([, b]) => b.Properties.BucketName).filter(Boolean);
    expect(buckets).toEqual([`churn-deploy-${TOOLING}-${ENV.region}`]);
  });

  test('the key policy opens the key to each target account\'s named roles only, grants for AWS resources only', () => {
    const statements = policyStatements(built.json, 'AWS::KMS::Key', 'ProjectFoundationKey');
    for (const [account, stage] of [[STAGING, 'staging'], [PROD, 'prod']]) {
      const ofAccount = statements.filter((s) => JSON.stringify(s.Principal) === JSON.stringify(root(account)));
      // Each names the stage's roles in aws:PrincipalArn (aws-cdk-lib's grant for the deploy role too).
      for (const s of ofAccount) {
        expect(JSON.stringify(s.Condition.ArnEquals['aws:PrincipalArn'])).toMatch(new RegExp(`:iam::${account}:role/churn-${stage}-`));
        expect(JSON.stringify(s.Condition.ArnEquals['aws:PrincipalArn'])).not.toMatch(new RegExp(`:iam::${account}:role/(?!churn-${stage}-)`));
      }
      const use = ofAccount.filter((s) => s.Sid);
      expect(use).toHaveLength(2);
      expect(use[0].Action).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey']);
      expect(use[0].Condition.ArnEquals['aws:PrincipalArn']).toEqual(['model', 'monitoring', 'cloudformation', 'deploy'].map((r) => roleArn(account, `churn-${stage}-${r}`)));
      expect(use[1]).toEqual(expect.objectContaining({
        Action: 'kms:CreateGrant',
        Condition: { ArnEquals: { 'aws:PrincipalArn': ['model', 'monitoring', 'cloudformation'].map((r) => roleArn(account, `churn-${stage}-${r}`)) },
          Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }));
    }
    // Nothing names a target role as principal (it does not exist when the project stack deploys).
    expect(JSON.stringify(statements)).not.toMatch(/"Principal":\{"AWS":\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":iam::\d{12}:role/);
  });

  test('the artifact bucket: model data and baselines to read, captured data and reports to write, per stage prefix', () => {
    const statements = policyStatements(built.json, 'AWS::S3::BucketPolicy', 'ProjectFoundationArtifactsBucketPolicy');
    const ofStage = (account: string) => statements.filter((s) => JSON.stringify(s.Principal) === JSON.stringify(root(account)));
    const resources = (s: any) => JSON.stringify(s.Resource);
    for (const [account, stage] of [[STAGING, 'staging'], [PROD, 'prod']]) {
      const st = ofStage(account);
      expect(st.map((s) => s.Sid)).toEqual(['ReadModelData', 'WriteCapturedData', 'MonitorReads', 'MonitorLists', 'MonitorReports']
        .map((w) => `${stage === 'staging' ? 'Staging' : 'Prod'}${account}${w}`));
      expect(resources(st[0])).toContain('/models/churn-models/*');
      expect(st[0].Condition.ArnEquals['aws:PrincipalArn']).toEqual([roleArn(account, `churn-${stage}-model`)]);
      expect(resources(st[1])).toContain(`/data-capture/churn-${stage}*`);
      expect(resources(st[2])).toContain('/baselines/churn-models/*');
      expect(st[3].Condition.StringLike).toEqual({ 's3:prefix': [`data-capture/churn-${stage}*`] });
      expect(resources(st[4])).toContain(`/monitoring/churn-${stage}*`);
      expect(JSON.stringify(st)).not.toMatch(/Arn"\]\},"\/\*"/); // never the whole bucket
    }
  });

  test('the pipeline\'s artifact bucket lets each deploy role read the release artifacts, and no one else of those accounts', () => {
    const statements = policyStatements(built.json, 'AWS::S3::BucketPolicy', 'ProjectPipelineArtifactsBucketPolicy');
    for (const [account, stage] of [[STAGING, 'staging'], [PROD, 'prod']]) {
      const st = statements.filter((s) => JSON.stringify(s.Principal) === JSON.stringify(root(account)));
      expect(st.length).toBeGreaterThan(0);
      for (const s of st) {
        expect(s.Effect).toBe('Allow');
        expect(JSON.stringify(s.Condition.ArnEquals['aws:PrincipalArn'])).toContain(`:iam::${account}:role/churn-${stage}-deploy`);
        expect(JSON.stringify(s.Action)).not.toMatch(/Put|Delete/);
      }
    }
  });

  test('the model package group lets both accounts describe and deploy versions, never approve', () => {
    const [[, group]] = resourcesOf(built.json, 'AWS::SageMaker::ModelPackageGroup');
    const statements = group.Properties.ModelPackageGroupPolicy.Statement;
    expect(statements.map((s: any) => s.Principal)).toEqual([
      { AWS: [root(STAGING).AWS, root(PROD).AWS] }, { AWS: [root(STAGING).AWS, root(PROD).AWS] },
    ]);
    expect(JSON.stringify(statements)).not.toContain('UpdateModelPackage');
  });

  test('the default event bus takes the forwarded alarms of each stage\'s forwarder role; a rule notifies the topic of them', () => {
    const policies = resourcesOf(built.json, 'AWS::Events::EventBusPolicy').map(([, p]) => p.Properties);
    expect(policies.map((p) => p.Statement.Condition.ArnEquals['aws:PrincipalArn'])).toEqual([
      roleArn(STAGING, 'churn-staging-alarm-forwarder'), roleArn(PROD, 'churn-prod-alarm-forwarder'),
    ]);
    expect(policies.every((p) => p.EventBusName === 'default' && p.Statement.Action === 'events:PutEvents')).toBe(true);
    const [, rule] = resourcesOf(built.json, 'AWS::Events::Rule').find(([id]) => id.startsWith('ProjectNotifyStageAlarms'))!;
    const sample = loadEvent('cloudwatch-alarm-state-change.alarm');
    const forwarded = (account: string, alarmName: string) => ({ ...sample, account, detail: { ...sample.detail, alarmName } });
    expect(matchesEventPattern(rule.Properties.EventPattern, forwarded(PROD, 'churn-prod-errors'))).toBe(true);
    expect(matchesEventPattern(rule.Properties.EventPattern, forwarded(STAGING, 'churn-staging-latency'))).toBe(true);
    expect(matchesEventPattern(rule.Properties.EventPattern, forwarded(PROD, 'other-prod-errors'))).toBe(false);
    expect(matchesEventPattern(rule.Properties.EventPattern, forwarded('999988887777', 'churn-prod-errors'))).toBe(false);
    expect(matchesEventPattern(rule.Properties.EventPattern, sample)).toBe(false);
  });

  test('no account but the three appears in any principal', () => {
    expect([...principalAccounts(built.json)].sort()).toEqual([TOOLING, STAGING, PROD].sort());
  });

  test('each stage gets its account\'s model role, monitoring role and alarm topic as stage template parameters', () => {
    const stages = JSON.parse(environmentWith(built.json, 'STAGES').STAGES);
    const staging = stages.find((s: any) => s.name === 'staging');
    const prod = stages.find((s: any) => s.name === 'prod');
    expect(staging.account).toBe(STAGING);
    expect(prod.account).toBe(PROD);
    expect(staging.parameters.ModelRoleArn).toBe(`arn:aws:iam::${STAGING}:role/churn-staging-model`);
    expect(staging.parameters.MonitoringRoleArn).toBe(`arn:aws:iam::${STAGING}:role/churn-staging-monitoring`);
    expect(prod.parameters.AlarmTopicArn).toBe(`arn:aws:sns:${ENV.region}:${PROD}:churn-prod-alarms`);
    // The project's key and bucket are the tooling account's.
    expect(prod.parameters.EncryptionKeyArn).toMatch(new RegExp(`^arn:aws:kms:${ENV.region}:${TOOLING}:key/`));
  });

  test('the deploy actions assume the stages\' test roles (and nothing else), watch prod\'s alarms and delete staging there', () => {
    const config = JSON.parse(environmentWith(built.json, 'DEPLOY_CONFIG').DEPLOY_CONFIG);
    expect(config.stageRoles).toEqual({
      staging: `arn:aws:iam::${STAGING}:role/churn-staging-test`, prod: `arn:aws:iam::${PROD}:role/churn-prod-test`,
    });
    expect(config.prodAlarmNames).toEqual(['churn-prod-errors', 'churn-prod-latency']);
    expect(config.deploymentRoleArn).toBe(`arn:aws:iam::${STAGING}:role/churn-staging-cloudformation`);
    const statements = resourcesOf(built.json, 'AWS::IAM::ManagedPolicy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes('ProjectDeployActionsServiceRole'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('sts:'))).toEqual([
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [roleArn(STAGING, 'churn-staging-test'), roleArn(PROD, 'churn-prod-test')] },
    ]);
    expect(JSON.stringify(statements)).not.toContain('cloudformation:DeleteStack');
    const [, fn] = resourcesOf(built.json, 'AWS::Lambda::Function').find(([, f]) => f.Properties.Environment?.Variables?.DEPLOY_CONFIG)!;
    expect(fn.Properties.Timeout).toBe(900);
  });

  test('an output gives the key ARN the target accounts\' stacks take', () => {
    const [, output] = Object.entries(built.json.Outputs as Record<string, any>).find(([k]) => k.startsWith('ProjectEncryptionKeyArn'))!;
    expect(output.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProjectFoundationKey/), 'Arn'] });
  });

  test('no unacknowledged compliance finding', () => {
    expect(built.findings).toEqual([]);
  });
});

describe('a project with prod alone in another account', () => {
  test('staging keeps the tooling roles and prod\'s alarm rule is replaced by the bake action only for prod', () => {
    const { json } = buildProject({ prod: { account: PROD } }, { compliance: false });
    const staging = stagesOf(json).find((s: any) => s.Name === 'Staging');
    expect(staging.Actions[0].RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProjectStageDeployActionRole/), 'Arn'] });
    expect(staging.Actions[0].Configuration.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ProjectStageDeploymentRole/), 'Arn'] });
    const config = JSON.parse(environmentWith(json, 'DEPLOY_CONFIG').DEPLOY_CONFIG);
    expect(Object.keys(config.stageRoles)).toEqual(['prod']);
    expect([...principalAccounts(json)].sort()).toEqual([TOOLING, PROD].sort());
  });

  test('a stage account equal to the project stack\'s is the same-account flow', () => {
    const { json } = buildProject({ prod: { account: TOOLING } }, { compliance: false });
    expect(resourcesOf(json, 'AWS::Events::EventBusPolicy')).toHaveLength(0);
    expect(stagesOf(json).find((s: any) => s.Name === 'Prod').OnSuccess).toBeDefined();
  });
});

describe('a cross-account project that builds its own inference image', () => {
  test('the repositories have the names the target accounts pull by, and the inference repository lets each model role pull', () => {
    const { json, findings } = buildProject({
      training,
      staging: { account: STAGING },
      prod: { account: PROD },
      buildPipeline: {
        source: ProjectSource.connection({
          connectionArn: 'arn:aws:codeconnections:us-east-2:123456789012:connection/aEXAMPLE-8aad-4d5d-8878-dfcab0bc441f', repository: 'acme/churn',
        }),
        inferenceDockerfile: 'docker/Dockerfile',
      },
    });
    expect(findings).toEqual([]);
    const repositories = resourcesOf(json, 'AWS::ECR::Repository').map(([, r]) => r.Properties);
    expect(repositories.map((r) => r.RepositoryName)).toEqual(['churn/inference']);
    const statements = repositories[0].RepositoryPolicyText.Statement;
    expect(statements.filter((st: any) => st.Sid?.endsWith('PullInferenceImage'))).toEqual([STAGING, PROD].map((account) => expect.objectContaining({
      Principal: root(account),
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      Condition: { ArnEquals: { 'aws:PrincipalArn': roleArn(account, `churn-${account === STAGING ? 'staging' : 'prod'}-model`) } },
    })));
  });
});

describe('bad cross-account input', () => {
  const build = (props: Partial<MlopsProjectProps>, env: { account?: string; region?: string } | null = ENV) => () => {
    const stack = new Stack(new App(), 'Churn', { env: env ?? undefined });
    new MlopsProject(stack, 'Project', { projectName: 'churn', ...props });
  };
  test.each([
    ['an account of 11 digits', { prod: { account: '55556666777' } }, /prod\.account.*"55556666777".*exactly 12 digits/s],
    ['an account that is a token', { staging: { account: Lazy.string({ produce: () => STAGING }) } }, /staging\.account.*must be a literal account ID/s],
    ['serverless staging in another account', { staging: { account: STAGING, mode: StagingMode.SERVERLESS }, endpoint: { networkIsolation: false } },
      /staging\.mode.*Serverless staging runs in the project's account only/s],
    ['a bake time longer than the function can wait', { prod: { account: PROD, bakeTime: Duration.minutes(20) } },
      /prod\.bakeTime.*at most 12 minutes/s],
  ])('%s is refused', (_what, props, message) => {
    expect(build(props as Partial<MlopsProjectProps>)).toThrow(message);
  });

  test('an environment-agnostic project stack is refused for a stage in another account', () => {
    expect(build({ prod: { account: PROD } }, null)).toThrow(/env.*needs the project stack's account and region as literals/s);
  });
});
