import { Duration } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { formatFindings } from '../helpers/compliance';
import { resourcesOf } from './util';
import { buildLoopProject, LoopProject, resourceOf, SLACK, synthLoopProject, TEAMS, TRAINING } from './loop-util';

/** Every option of the loop at once: two chat channels, every retraining trigger, a feature store read both ways. */
describe('MlopsProject with chat, retraining and a feature store (every option on)', () => {
  let built: LoopProject;
  beforeAll(() => {
    built = buildLoopProject(({ group, store }) => ({
      training: TRAINING,
      endpoint: { dataQualityMonitor: true, networkIsolation: false },
      notificationEmails: ['ml-team@example.com'],
      chat: { slackChannels: [SLACK], microsoftTeamsChannels: [{ ...TEAMS, channelName: 'ml-alerts' }] },
      retraining: { onMonitorViolation: true, schedule: events.Schedule.rate(Duration.days(7)), newData: { prefix: 'incoming/churn/', suffix: '.csv' } },
      featureStore: { featureStore: store, featureGroup: group, endpointReadsOnlineStore: true },
    }), { compliance: true });
  });

  test('the project stack leaves nothing unacknowledged in the compliance packs', () => {
    expect(formatFindings(built.findings)).toBe('');
  });

  test('a Slack channel configuration subscribed to the project topic, with the project\'s guardrails and role', () => {
    const slack = resourceOf(built.json, 'AWS::Chatbot::SlackChannelConfiguration', 'ProjectChatSlack0');
    expect(slack.Properties).toEqual({
      ConfigurationName: 'churn-slack-C07EZ1ABC23',
      SlackWorkspaceId: 'T07EA123LEP',
      SlackChannelId: 'C07EZ1ABC23',
      IamRoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^ProjectChatRole/), 'Arn'] },
      SnsTopicArns: [{ Ref: expect.stringMatching(/^ProjectNotifications/) }],
      GuardrailPolicies: [
        { Ref: expect.stringMatching(/^ProjectChatAlarmRead/) },
        { Ref: expect.stringMatching(/^ProjectChatMetricCharts/) },
        { Ref: expect.stringMatching(/^ProjectChatGuardrail/) },
      ],
      LoggingLevel: 'ERROR',
      UserRoleRequired: false,
    });
  });

  test('a Microsoft Teams channel configuration (the L1 resource) with the same topic, guardrails and role', () => {
    const teams = resourceOf(built.json, 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration', 'ProjectChatTeams1');
    const slack = resourceOf(built.json, 'AWS::Chatbot::SlackChannelConfiguration', 'ProjectChatSlack0');
    expect(teams.Properties).toEqual({
      ConfigurationName: expect.stringMatching(/^churn-teams-[0-9a-f]{8}$/),
      TeamsTenantId: TEAMS.tenantId,
      TeamId: TEAMS.teamId,
      TeamsChannelId: TEAMS.channelId,
      TeamsChannelName: 'ml-alerts',
      IamRoleArn: slack.Properties.IamRoleArn,
      SnsTopicArns: slack.Properties.SnsTopicArns,
      GuardrailPolicies: slack.Properties.GuardrailPolicies,
      LoggingLevel: 'ERROR',
      UserRoleRequired: false,
    });
  });

  test('guardrails are customer managed policies that only read (never AdministratorAccess)', () => {
    const json = JSON.stringify(built.json);
    expect(json).not.toMatch(/AdministratorAccess|PowerUserAccess/);
    const policies = ['ProjectChatAlarmRead', 'ProjectChatMetricCharts', 'ProjectChatGuardrail']
      .map((id) => resourceOf(built.json, 'AWS::IAM::ManagedPolicy', id).Properties);
    const actions = policies.flatMap((p) => p.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()));
    expect(actions.length).toBeGreaterThan(10);
    for (const action of actions) { expect(action).toMatch(/^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]+$/); }
    for (const p of policies) {
      for (const s of p.PolicyDocument.Statement) { expect(s.Effect).toBe('Allow'); }
    }
  });

  test('the project read-only guardrail is scoped to the project\'s endpoints, group and pipelines', () => {
    const guardrail = resourceOf(built.json, 'AWS::IAM::ManagedPolicy', 'ProjectChatGuardrail').Properties;
    expect(guardrail.Roles).toBeUndefined();
    const byAction = Object.fromEntries(guardrail.PolicyDocument.Statement.map((s: any) => [[s.Action].flat()[0], JSON.stringify(s.Resource)]));
    expect(byAction['sagemaker:DescribeEndpoint']).toMatch(/:endpoint\/churn-\*".*:endpoint-config\/churn-\*"/);
    expect(byAction['sagemaker:DescribeModelPackageGroup']).toMatch(/model-package-group\/churn-models".*model-package\/churn-models\/\*"/);
    expect(byAction['codepipeline:GetPipeline']).toMatch(/:churn-deploy"/);
    expect(byAction['sagemaker:DescribePipeline']).toMatch(/:pipeline\/churn-training".*:pipeline\/churn-training\/execution\/\*"/);
  });

  test('the channel role only renders notifications: the project\'s alarms and their charts, nothing inline', () => {
    const role = resourceOf(built.json, 'AWS::IAM::Role', 'ProjectChatRole').Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' } },
    ]);
    expect(role.ManagedPolicyArns).toEqual([
      { Ref: expect.stringMatching(/^ProjectChatAlarmRead/) },
      { Ref: expect.stringMatching(/^ProjectChatMetricCharts/) },
    ]);
    expect(role.Policies).toBeUndefined();
    const alarmRead = resourceOf(built.json, 'AWS::IAM::ManagedPolicy', 'ProjectChatAlarmRead').Properties.PolicyDocument.Statement;
    expect(alarmRead).toEqual([{
      Action: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory'],
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:us-east-2:123456789012:alarm:churn-*']] },
    }]);
    const charts = resourceOf(built.json, 'AWS::IAM::ManagedPolicy', 'ProjectChatMetricCharts').Properties.PolicyDocument.Statement;
    expect(charts).toEqual([{ Action: ['cloudwatch:GetMetricWidgetImage', 'cloudwatch:GetMetricData'], Effect: 'Allow', Resource: '*' }]);
  });

  test('the channel configurations\' ARNs are an output, and public members', () => {
    expect(built.json.Outputs).toEqual(expect.objectContaining({
      [Object.keys(built.json.Outputs).find((k) => k.startsWith('ProjectChatChannelArns'))!]: {
        Description: 'The AWS Chatbot channel configurations of project churn (comma-separated)',
        Value: { 'Fn::Join': [',', [{ Ref: expect.stringMatching(/^ProjectChatSlack0/) }, { 'Fn::GetAtt': [expect.stringMatching(/^ProjectChatTeams1/), 'Arn'] }]] },
      },
    }));
    expect(built.project.chatChannelArns).toHaveLength(2);
    expect(built.project.chatGuardrailPolicies).toHaveLength(3);
    expect(built.project.chatRole).toBeDefined();
  });
});

describe('chat options of your own', () => {
  test('your guardrails, your channel role (nothing added to it), a logging level and user roles', () => {
    const { json } = buildLoopProject(({ stack }) => ({
      chat: {
        slackChannels: [{ ...SLACK, configurationName: 'ml_alerts' }],
        guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
        channelRole: iam.Role.fromRoleArn(stack, 'MyChatRole', 'arn:aws:iam::123456789012:role/my-chatbot-role', { mutable: false }),
        loggingLevel: chatbot.LoggingLevel.INFO,
        userRoleRequired: true,
      },
    }));
    const slack = resourceOf(json, 'AWS::Chatbot::SlackChannelConfiguration', 'ProjectChatSlack0');
    expect(slack.Properties).toEqual(expect.objectContaining({
      ConfigurationName: 'ml_alerts',
      IamRoleArn: 'arn:aws:iam::123456789012:role/my-chatbot-role',
      GuardrailPolicies: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/ReadOnlyAccess']] }],
      LoggingLevel: 'INFO',
      UserRoleRequired: true,
    }));
    expect(resourcesOf(json, 'AWS::IAM::Role').map(([id]) => id)).not.toContainEqual(expect.stringMatching(/^ProjectChatRole/));
    expect(resourcesOf(json, 'AWS::IAM::ManagedPolicy').map(([id]) => id)).not.toContainEqual(expect.stringMatching(/^ProjectChatGuardrail/));
  });

  test('without chat: no channel configuration, no chat role, no output', () => {
    const { json, project } = buildLoopProject(() => ({}));
    expect(resourcesOf(json, 'AWS::Chatbot::SlackChannelConfiguration')).toHaveLength(0);
    expect(resourcesOf(json, 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration')).toHaveLength(0);
    expect(Object.keys(json.Outputs)).not.toContainEqual(expect.stringMatching(/Chat/));
    expect(project.chatRole).toBeUndefined();
    expect(project.chatChannelArns).toEqual([]);
  });
});

describe('bad chat input is refused with the prop, the value and the rule', () => {
  test.each([
    ['no channel', {}, /`chat`: received \{\}. Give at least one channel in `slackChannels` or `microsoftTeamsChannels`/],
    ['a lower-case Slack workspace ID', { slackChannels: [{ ...SLACK, workspaceId: 'my-workspace' }] },
      /`chat.slackChannels\[0\].workspaceId`: received "my-workspace". A Slack workspace ID is 1 to 255 upper-case letters and digits/],
    ['a Slack channel name instead of its ID', { slackChannels: [{ ...SLACK, channelId: '#ml-alerts' }] },
      /`chat.slackChannels\[0\].channelId`: received "#ml-alerts". A Slack channel ID is 1 to 256 letters and digits/],
    ['a tenant ID that is no GUID', { microsoftTeamsChannels: [{ ...TEAMS, tenantId: 'contoso.onmicrosoft.com' }] },
      /`chat.microsoftTeamsChannels\[0\].tenantId`: received "contoso.onmicrosoft.com". It must be a GUID/],
    ['a team ID that is no GUID', { microsoftTeamsChannels: [{ ...TEAMS, teamId: '74361522da01538daa2eac7918c6bb92' }] },
      /`chat.microsoftTeamsChannels\[0\].teamId`: received "74361522da01538daa2eac7918c6bb92". It must be a GUID/],
    ['a Teams channel ID that is not URL-encoded', { microsoftTeamsChannels: [{ ...TEAMS, channelId: '19:b6ef35dc342d56ba5654e6fc6d25a071@thread.tacv2' }] },
      /`chat.microsoftTeamsChannels\[0\].channelId`: received "19:b6ef.*". A Microsoft Teams channel ID is URL-encoded/],
    ['no guardrail at all', { slackChannels: [SLACK], guardrailPolicies: [] },
      /`chat.guardrailPolicies`: received \[\]. Give at least one policy.*a channel without guardrails gets the AWS managed AdministratorAccess policy/],
    ['AdministratorAccess as a guardrail', { slackChannels: [SLACK], guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')] },
      /`chat.guardrailPolicies\[0\]`: received "AdministratorAccess". A guardrail bounds what anyone may do from chat/],
    ['the same channel twice', { slackChannels: [SLACK, SLACK] },
      /`chat.slackChannels\[1\]`: received "churn-slack-C07EZ1ABC23". Each channel needs a configuration of its own/],
    ['a configuration name with a space', { slackChannels: [{ ...SLACK, configurationName: 'ml alerts' }] },
      /`chat.slackChannels\[0\].configurationName`: received "ml alerts". A channel configuration name is 1 to 128 letters, digits/],
    ['an unknown logging level', { slackChannels: [SLACK], loggingLevel: 'DEBUG' as chatbot.LoggingLevel },
      /`chat.loggingLevel`: received "DEBUG". It must be one of ERROR, INFO, NONE/],
  ])('%s', (_name, chat, message) => {
    expect(() => synthLoopProject(() => ({ chat: chat as any }))).toThrow(message);
  });
});
