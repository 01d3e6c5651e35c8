import * as crypto from 'crypto';
import { ArnFormat, Stack, Token, Validations } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { sageMakerArn } from './stage-roles';
import { IModelPackageGroup } from '../../core/model-package-group';
import { check, propError } from '../../private/errors';
import { acknowledgeWildcardResources } from '../../private/nag';
import { ITrainingPipeline } from '../../training-pipeline/pipeline-base';
import { MicrosoftTeamsChannelOptions, ProjectChatOptions, SlackChannelOptions } from '../loop-props';

/*
 * The project's chat channels: AWS Chatbot (Amazon Q Developer in chat applications) channel
 * configurations subscribed to the notification topic, with explicit guardrails and a channel
 * role that only renders notifications.
 *
 * The ID rules are those of the CloudFormation resource schemas of AWS::Chatbot::SlackChannelConfiguration
 * and AWS::Chatbot::MicrosoftTeamsChannelConfiguration (CloudFormation Template Reference).
 */

const SLACK_WORKSPACE = /^[0-9A-Z]{1,255}$/;
const SLACK_CHANNEL = /^[A-Za-z0-9]{1,256}$/;
const GUID = /^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$/;
const TEAMS_CHANNEL = /^([a-zA-Z0-9-_=+/.,])*%3[aA]([a-zA-Z0-9-_=+/.,])*%40([a-zA-Z0-9-_=+/.,])*$/;
const CONFIGURATION_NAME = /^[A-Za-z0-9-_]{1,128}$/;
/** AWS managed policies never accepted as guardrails: they bound nothing. */
const REFUSED_GUARDRAIL = /:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)("|$)/;

/** One channel, checked, with its configuration name. */
export interface ChatChannelSettings {
  readonly kind: 'slack' | 'teams';
  /** The prop path of the channel, for messages. */
  readonly prop: string;
  readonly configurationName: string;
  readonly slack?: SlackChannelOptions;
  readonly teams?: MicrosoftTeamsChannelOptions;
}

/** The chat options with every default applied. */
export interface ChatSettings {
  readonly channels: ChatChannelSettings[];
  readonly loggingLevel: chatbot.LoggingLevel;
  readonly userRoleRequired: boolean;
  readonly guardrailPolicies?: iam.IManagedPolicy[];
  readonly channelRole?: iam.IRole;
}

/** Check the chat options (every rule names the prop, the value and the rule) and apply the defaults. */
export function chatSettings(where: IConstruct, projectName: string, o: ProjectChatOptions): ChatSettings {
  check(o !== null && typeof o === 'object', where, 'chat', o, 'It must be an object with `slackChannels` and/or `microsoftTeamsChannels`');
  const slack = o.slackChannels ?? [];
  const teams = o.microsoftTeamsChannels ?? [];
  check(Array.isArray(slack) && Array.isArray(teams) && slack.length + teams.length > 0, where, 'chat', o,
    'Give at least one channel in `slackChannels` or `microsoftTeamsChannels`');
  const literal = (v: unknown) => typeof v === 'string' && !Token.isUnresolved(v);
  const channels: ChatChannelSettings[] = [];
  slack.forEach((c, i) => {
    const prop = `chat.slackChannels[${i}]`;
    check(c !== null && typeof c === 'object', where, prop, c, 'It must be an object with `workspaceId` and `channelId`');
    check(typeof c.workspaceId === 'string' && (!literal(c.workspaceId) || SLACK_WORKSPACE.test(c.workspaceId)), where, `${prop}.workspaceId`,
      c.workspaceId, 'A Slack workspace ID is 1 to 255 upper-case letters and digits (such as T07EA123LEP): copy it from the Chatbot ' +
      'console once the workspace is authorized there');
    check(typeof c.channelId === 'string' && (!literal(c.channelId) || SLACK_CHANNEL.test(c.channelId)), where, `${prop}.channelId`,
      c.channelId, 'A Slack channel ID is 1 to 256 letters and digits (such as C07EZ1ABC23, the last part of the channel\'s link), not its name');
    channels.push({ kind: 'slack', prop, slack: c, configurationName: c.configurationName ?? truncate(`${projectName}-slack-${c.channelId}`) });
  });
  teams.forEach((c, i) => {
    const prop = `chat.microsoftTeamsChannels[${i}]`;
    check(c !== null && typeof c === 'object', where, prop, c, 'It must be an object with `tenantId`, `teamId` and `channelId`');
    for (const key of ['tenantId', 'teamId'] as const) {
      check(typeof c[key] === 'string' && (!literal(c[key]) || GUID.test(c[key])), where, `${prop}.${key}`, c[key],
        'It must be a GUID (8-4-4-4-12 hexadecimal digits), as the Chatbot console shows it once the team is authorized there');
    }
    const id = c.channelId;
    check(typeof id === 'string' && (!literal(id) || (id.length <= 256 && TEAMS_CHANNEL.test(id))), where, `${prop}.channelId`, id,
      'A Microsoft Teams channel ID is URL-encoded as in the channel\'s link, such as 19%3a...%40thread.tacv2 ' +
      '(`:` as %3a and `@` as %40), at most 256 characters');
    check(c.channelName === undefined || (typeof c.channelName === 'string' && c.channelName.length >= 1 && c.channelName.length <= 256),
      where, `${prop}.channelName`, c.channelName, 'It must be 1 to 256 characters');
    channels.push({ kind: 'teams', prop, teams: c, configurationName: c.configurationName ?? `${projectName}-teams-${hash(id)}` });
  });
  const names = new Set<string>();
  channels.forEach((c) => {
    const given = c.slack?.configurationName ?? c.teams?.configurationName;
    const prop = given !== undefined ? `${c.prop}.configurationName` : c.prop;
    check(Token.isUnresolved(c.configurationName) || CONFIGURATION_NAME.test(c.configurationName), where, prop, c.configurationName,
      'A channel configuration name is 1 to 128 letters, digits, `-` and `_`');
    check(!names.has(c.configurationName), where, prop, c.configurationName,
      'Each channel needs a configuration of its own: this name (or channel) is given twice');
    names.add(c.configurationName);
  });
  const level = o.loggingLevel ?? chatbot.LoggingLevel.ERROR;
  check(Object.values(chatbot.LoggingLevel).includes(level), where, 'chat.loggingLevel', level,
    `It must be one of ${Object.values(chatbot.LoggingLevel).join(', ')}`);
  if (o.guardrailPolicies !== undefined) {
    check(Array.isArray(o.guardrailPolicies) && o.guardrailPolicies.length > 0, where, 'chat.guardrailPolicies', o.guardrailPolicies,
      'Give at least one policy, or leave it out for the project\'s read-only guardrails: a channel without guardrails gets the ' +
      'AWS managed AdministratorAccess policy');
    o.guardrailPolicies.forEach((p, i) => {
      const arn = p?.managedPolicyArn;
      check(typeof arn === 'string', where, `chat.guardrailPolicies[${i}]`, p, 'It must be an IAM managed policy (iam.ManagedPolicy.from...)');
      const refused = REFUSED_GUARDRAIL.exec(Token.isUnresolved(arn) ? JSON.stringify(Stack.of(where).resolve(arn)) : arn);
      if (refused) {
        throw propError(where, `chat.guardrailPolicies[${i}]`, refused[1],
          'A guardrail bounds what anyone may do from chat; an administrator-level policy bounds nothing. Give a read-only policy ' +
          '(such as ReadOnlyAccess or CloudWatchReadOnlyAccess) or one of your own');
      }
    });
  }
  return {
    channels,
    loggingLevel: level,
    userRoleRequired: o.userRoleRequired ?? false,
    guardrailPolicies: o.guardrailPolicies,
    channelRole: o.channelRole,
  };
}

/** What the chat channels reach. */
export interface ChatScope {
  readonly projectName: string;
  readonly topic: sns.ITopic;
  readonly group: IModelPackageGroup;
  readonly deployPipelineName: string;
  readonly trainingPipeline?: ITrainingPipeline;
  /** The endpoint names of every stage start with this (`<project>-`). */
  readonly endpointNamePrefix: string;
}

/** The chat channels of a project. */
export interface Chat {
  readonly role: iam.IRole;
  readonly guardrailPolicies: iam.IManagedPolicy[];
  readonly slackChannels: chatbot.SlackChannelConfiguration[];
  readonly microsoftTeamsChannels: chatbot.CfnMicrosoftTeamsChannelConfiguration[];
  /** The ARNs of every channel configuration. */
  readonly channelArns: string[];
}

/** Create the channel configurations, their role and their guardrails. */
export function createChat(scope: Construct, s: ChatSettings, c: ChatScope): Chat {
  const stack = Stack.of(scope);
  const alarms = stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${c.projectName}-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  // What rendering a notification takes: the alarm (Chatbot describes the project's alarms) and its
  // chart (GetMetricWidgetImage, GetMetricData: no resource scope in IAM).
  const alarmRead = policy(scope, 'ChatAlarmRead', `The project ${c.projectName}'s alarms, as Chatbot shows them in chat`, [
    new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory'], resources: [alarms] }),
  ], `Chatbot describes the alarms of the project's stages, named after the project (${c.projectName}-*), to show them in chat.`);
  const charts = new iam.ManagedPolicy(scope, 'ChatMetricCharts', {
    description: `Metric charts of the notifications of project ${c.projectName} in chat`,
    statements: [new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricWidgetImage', 'cloudwatch:GetMetricData'], resources: ['*'] })],
  });
  Validations.of(charts).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'This policy holds only cloudwatch:GetMetricWidgetImage and cloudwatch:GetMetricData, which IAM offers no resource scope ' +
      'for: Chatbot draws the chart of an alarm notification with them (read only).',
  });
  const role = s.channelRole ?? new iam.Role(scope, 'ChatRole', {
    // AWS documents no aws:SourceArn / aws:SourceAccount form for Chatbot's channel roles: the trust names the service only.
    assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
    description: `AWS Chatbot renders the notifications of project ${c.projectName} in chat (no commands)`,
    managedPolicies: [alarmRead, charts],
  });
  const guardrails = s.guardrailPolicies ?? [alarmRead, charts, projectReadOnly(scope, c)];

  const slackChannels: chatbot.SlackChannelConfiguration[] = [];
  const microsoftTeamsChannels: chatbot.CfnMicrosoftTeamsChannelConfiguration[] = [];
  const channelArns: string[] = [];
  s.channels.forEach((ch, i) => {
    const id = `Chat${ch.kind === 'slack' ? 'Slack' : 'Teams'}${i}`;
    if (ch.slack) {
      const slack = new chatbot.SlackChannelConfiguration(scope, id, {
        slackChannelConfigurationName: ch.configurationName,
        slackWorkspaceId: ch.slack.workspaceId,
        slackChannelId: ch.slack.channelId,
        role,
        notificationTopics: [c.topic],
        guardrailPolicies: guardrails,
        loggingLevel: s.loggingLevel,
        userRoleRequired: s.userRoleRequired,
      });
      slackChannels.push(slack);
      channelArns.push(slack.slackChannelConfigurationArn);
    } else {
      const t = ch.teams!;
      const teams = new chatbot.CfnMicrosoftTeamsChannelConfiguration(scope, id, {
        configurationName: ch.configurationName,
        teamsTenantId: t.tenantId,
        teamId: t.teamId,
        teamsChannelId: t.channelId,
        teamsChannelName: t.channelName,
        iamRoleArn: role.roleArn,
        snsTopicArns: [c.topic.topicArn],
        guardrailPolicies: guardrails.map((g) => g.managedPolicyArn),
        loggingLevel: s.loggingLevel,
        userRoleRequired: s.userRoleRequired,
      });
      microsoftTeamsChannels.push(teams);
      channelArns.push(teams.attrArn);
    }
  });
  return { role, guardrailPolicies: guardrails, slackChannels, microsoftTeamsChannels, channelArns };
}

/**
 * The default guardrail beyond notifications: read-only on what the project owns, so that a member
 * whose own role could do more still cannot change anything from chat, nor read data (no S3, no
 * logs, no records): its endpoints, its model package group and versions, the executions of its
 * training and deploy pipelines.
 */
function projectReadOnly(scope: Construct, c: ChatScope): iam.ManagedPolicy {
  const stack = Stack.of(scope);
  const group = c.group.modelPackageGroupName;
  const statements = [
    new iam.PolicyStatement({
      actions: ['sagemaker:DescribeEndpoint', 'sagemaker:DescribeEndpointConfig'],
      resources: [sageMakerArn(stack, 'endpoint', `${c.endpointNamePrefix}*`), sageMakerArn(stack, 'endpoint-config', `${c.endpointNamePrefix}*`)],
    }),
    new iam.PolicyStatement({
      actions: ['sagemaker:DescribeModelPackageGroup', 'sagemaker:DescribeModelPackage'],
      resources: [
        stack.formatArn({ service: 'sagemaker', resource: 'model-package-group', resourceName: Token.isUnresolved(group) ? group : group.toLowerCase() }),
        stack.formatArn({ service: 'sagemaker', resource: 'model-package', resourceName: `${Token.isUnresolved(group) ? group : group.toLowerCase()}/*` }),
      ],
    }),
    new iam.PolicyStatement({
      actions: ['codepipeline:GetPipeline', 'codepipeline:GetPipelineState', 'codepipeline:GetPipelineExecution', 'codepipeline:ListPipelineExecutions'],
      resources: [stack.formatArn({ service: 'codepipeline', resource: c.deployPipelineName })],
    }),
  ];
  if (c.trainingPipeline) {
    const arn = c.trainingPipeline.pipelineArn;
    statements.push(new iam.PolicyStatement({
      actions: ['sagemaker:DescribePipeline', 'sagemaker:ListPipelineExecutions', 'sagemaker:DescribePipelineExecution', 'sagemaker:ListPipelineExecutionSteps'],
      resources: [arn, `${arn}/execution/*`],
    }));
  }
  return policy(scope, 'ChatGuardrail', `The most anyone may do from the chat channels of project ${c.projectName}: read its resources`, statements,
    `A guardrail of the project's chat channels, read only: the project's endpoints (${c.endpointNamePrefix}*), the versions of its ` +
    'model package group and the executions of its pipelines, whose names SageMaker generates.');
}

/** A customer managed policy with its wildcard resources acknowledged on it alone. */
function policy(scope: Construct, id: string, description: string, statements: iam.PolicyStatement[], reason: string): iam.ManagedPolicy {
  const p = new iam.ManagedPolicy(scope, id, { description, statements });
  acknowledgeWildcardResources(p, statements, reason);
  return p;
}

/** The first 8 hexadecimal digits of a value's SHA-256 (a token hashes as its unresolved text). */
function hash(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex').slice(0, 8);
}

function truncate(name: string): string {
  return name.length <= 128 ? name : `${name.slice(0, 119)}-${hash(name)}`;
}
