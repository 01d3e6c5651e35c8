/*
 * The model package group: its interface, the grants and event rules created and imported groups
 * share, the created group and the imported one. Longer than the ~400 lines the library aims at
 * because the docs of who can approve (the Deny of self-approval, what it covers and what it does
 * not) belong beside the grants they describe; the code itself is about 250 lines.
 */
import { Annotations, Arn, ArnFormat, Aws, Fn, IResource, Lazy, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { ModelApprovalStatus } from './model-approval-status';
import { SageMakerName } from './names';
import { checkTags } from '../model-registry/private/tag-rules';
import { check, isLiteralString } from '../private/errors';
import { checkGroupName, MODEL_PACKAGE_STATE_CHANGE } from '../private/model-package-group-rules';
import { registerPhysicalName } from '../private/unique-names';

/**
 * A SageMaker model package group (a model in the Model Registry, whose versions are model
 * packages): created by this library, or an existing one by name or ARN.
 *
 * Constructs that register versions (the training pipeline's register step), approve them
 * (ModelRegistryApproval) or deploy them (EndpointWithMonitor's model source) take the group as
 * this object, so each side's permissions and event rules cover exactly this group.
 */
export interface IModelPackageGroup extends IResource {
  /**
   * The name of the group.
   *
   * @attribute
   */
  readonly modelPackageGroupName: string;

  /**
   * The ARN of the group.
   *
   * @attribute
   */
  readonly modelPackageGroupArn: string;

  /** The ARN pattern of every version of the group (`arn:...:model-package/<group>/*`). */
  readonly modelPackageVersionsArn: string;

  /**
   * Let `grantee` register new versions in this group (`CreateModelPackage` with tags) and
   * describe the group and its versions, and deny it self-approval: an explicit Deny of
   * `CreateModelPackage` and `UpdateModelPackage` with `sagemaker:ModelApprovalStatus` =
   * `Approved` on this group and its versions, so that a registering principal (a pipeline's
   * execution role) can register versions as `PendingManualApproval` (or `Rejected`) only, and
   * never fire the group's `onApproved` rules without the approval policy.
   *
   * @param grantee the principal
   */
  grantRegister(grantee: iam.IGrantable): iam.Grant;

  /**
   * Let `grantee` approve or reject versions of this group (`UpdateModelPackage` and
   * `DescribeModelPackage` on its versions only). The one way this library gives to approve.
   *
   * @param grantee the principal
   */
  grantApprove(grantee: iam.IGrantable): iam.Grant;

  /**
   * Let `grantee` read the group and its versions.
   *
   * @param grantee the principal
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;

  /**
   * The event pattern of this group's `SageMaker Model Package State Change` events with one of
   * the given approval statuses (in the group's account), for rules built elsewhere.
   *
   * @param statuses the approval statuses to match
   */
  approvalStatusPattern(statuses: ModelApprovalStatus[]): events.EventPattern;

  /**
   * A rule that fires when a version of this group is approved (never on a registration).
   *
   * @param id the id of the rule
   * @param options the target and description of the rule
   */
  onApproved(id: string, options?: events.OnEventOptions): events.Rule;

  /**
   * A rule that fires when a version of this group is rejected.
   *
   * @param id the id of the rule
   * @param options the target and description of the rule
   */
  onRejected(id: string, options?: events.OnEventOptions): events.Rule;

  /**
   * A rule that fires when a version of this group is registered and waits for approval.
   *
   * @param id the id of the rule
   * @param options the target and description of the rule
   */
  onRegistered(id: string, options?: events.OnEventOptions): events.Rule;
}

/**
 * What created and imported model package groups share: grants and event rules.
 *
 * ## Who can approve
 *
 * `grantApprove` is the only grant of this library that lets a principal approve a version.
 * `grantRegister` denies its grantee self-approval with an explicit Deny (which no Allow of any
 * other policy overrides) of `sagemaker:CreateModelPackage` and `sagemaker:UpdateModelPackage`
 * when the request's `sagemaker:ModelApprovalStatus` is `Approved`, on this group and its
 * versions. That condition key is documented for both actions in the SageMaker service
 * authorization reference ("Filters access by the model approval status with the model-package
 * in the request", https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html).
 * The Deny uses `StringEquals`, not `StringNotEquals PendingManualApproval`: a negated operator is
 * true when the key is absent, so it would also refuse registrations that leave the status out
 * (IAM condition operators, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
 *
 * What holds, and what does not:
 * - A principal given `grantRegister` only cannot register a version as `Approved` nor approve one
 *   later, whatever else its policies allow.
 * - A principal given both `grantRegister` and `grantApprove` cannot approve either (the Deny
 *   wins over the Allow); it can still reject. Give registering and approving to separate
 *   principals; the group warns at synth when one principal gets both.
 * - A registration that omits `ModelApprovalStatus` is not denied (`StringEquals` is false when
 *   the key is absent). Whether SageMaker then fills the key in, or gives such a version any
 *   status but `PendingManualApproval`, is not documented (unconfirmed). The training pipeline's
 *   register step of this library always sends the status.
 * - Principals that never got `grantRegister` are not covered: any other role with
 *   `UpdateModelPackage` (for example through a broad managed policy) can approve. The group's
 *   cross-account resource policy (`allowAccounts`) grants no approval.
 * - Rules that act on approvals (`onApproved`) see every approval, however it was made; the audit
 *   log of ModelRegistryApproval records each one, and CloudTrail records who made it.
 */
export abstract class ModelPackageGroupBase extends Resource implements IModelPackageGroup {
  public abstract readonly modelPackageGroupName: string;
  public abstract readonly modelPackageGroupArn: string;

  /**
   * The name in event patterns: a token that depends on the group resource when this library
   * creates it, so rules are made after the group.
   */
  protected abstract readonly eventGroupName: string;

  /** The principals given grantRegister and grantApprove, to warn about one given both. */
  private readonly registrants = new Set<iam.IPrincipal>();
  private readonly approvers = new Set<iam.IPrincipal>();

  public get modelPackageVersionsArn(): string {
    return this.arnFor('model-package', `${arnName(this.modelPackageGroupName)}/*`);
  }

  public grantRegister(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:CreateModelPackage', 'sagemaker:AddTags', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup'],
      resourceArns: [this.groupArnForIam(), this.modelPackageVersionsArn],
    });
    // No self-approval (see the class docs): CreateModelPackage authorizes on the group and on
    // the version, UpdateModelPackage on the version.
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: ['sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage'],
      resources: [this.groupArnForIam(), this.modelPackageVersionsArn],
      conditions: { StringEquals: { 'sagemaker:ModelApprovalStatus': ModelApprovalStatus.APPROVED } },
    }));
    this.noteGrant(grantee, this.registrants, this.approvers);
    return grant;
  }

  public grantApprove(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:UpdateModelPackage', 'sagemaker:DescribeModelPackage'],
      resourceArns: [this.modelPackageVersionsArn],
    });
    this.noteGrant(grantee, this.approvers, this.registrants);
    return grant;
  }

  /**
   * Let `grantee` read the group and its versions: `DescribeModelPackageGroup`,
   * `DescribeModelPackage`, and `ListModelPackages` (which IAM does not limit to a resource).
   *
   * @param grantee the principal
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const describe = iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:DescribeModelPackageGroup', 'sagemaker:DescribeModelPackage'],
      resourceArns: [this.groupArnForIam(), this.modelPackageVersionsArn],
    });
    const list = iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:ListModelPackages'], resourceArns: ['*'] });
    return describe.combine(list);
  }

  public approvalStatusPattern(statuses: ModelApprovalStatus[]): events.EventPattern {
    this.warnIfEventsElsewhere();
    return {
      source: ['aws.sagemaker'],
      detailType: [MODEL_PACKAGE_STATE_CHANGE],
      account: [this.env.account],
      detail: {
        // SageMaker writes ARNs (the source of a created group's name here) in lower case.
        ModelPackageGroupName: [{ 'equals-ignore-case': this.eventGroupName }],
        ModelApprovalStatus: statuses,
      },
    };
  }

  public onApproved(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.ruleOn(id, options, ModelApprovalStatus.APPROVED, 'approved');
  }

  public onRejected(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.ruleOn(id, options, ModelApprovalStatus.REJECTED, 'rejected');
  }

  public onRegistered(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.ruleOn(id, options, ModelApprovalStatus.PENDING_MANUAL_APPROVAL, 'registered and waits for approval');
  }

  /** The group ARN built from its name (usable in the group's own resource policy). */
  protected groupArnForIam(): string {
    return this.arnFor('model-package-group', arnName(this.modelPackageGroupName));
  }

  private arnFor(resource: string, resourceName: string): string {
    return `arn:${Aws.PARTITION}:sagemaker:${this.env.region}:${this.env.account}:${resource}/${resourceName}`;
  }

  /**
   * Every rule built on this group's events (its own `on*` rules, and the rules of constructs
   * that use `approvalStatusPattern`, such as ModelRegistryApproval's handler trigger,
   * registration notice and audit) is made in this group's stack: SageMaker sends a group's
   * events to the default event bus of the group's own account and region only, so a group of
   * another account or region is warned about.
   */
  private warnIfEventsElsewhere(): void {
    const stack = Stack.of(this);
    const differs = (mine: string, theirs: string) => !Token.isUnresolved(mine) && !Token.isUnresolved(theirs) && mine !== theirs;
    if (differs(this.env.account, stack.account)) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-mlops:model-package-group:cross-account-events',
        `The model package group is in account ${this.env.account}, this stack in ${stack.account}: SageMaker sends the group's ` +
        'events to its own account\'s default event bus only, so rules on them here (approval handler, notifications, audit, ' +
        'deployments) see them only if that account forwards them to this account\'s default event bus.');
    }
    if (differs(this.env.region, stack.region)) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-mlops:model-package-group:cross-region-events',
        `The model package group is in region ${this.env.region}, this stack in ${stack.region}: SageMaker sends the group's ` +
        'events to the default event bus of its own region only, so rules on them here (approval handler, notifications, audit, ' +
        'deployments) see them only if they are forwarded to this region.');
    }
  }

  /** Record `grantee` in `mine`, and warn when it also holds the other grant. */
  private noteGrant(grantee: iam.IGrantable, mine: Set<iam.IPrincipal>, other: Set<iam.IPrincipal>): void {
    const principal = grantee.grantPrincipal;
    mine.add(principal);
    if (other.has(principal)) {
      const name = Construct.isConstruct(principal) ? principal.node.path : principal.toString();
      Annotations.of(this).addWarningV2('cdk-sagemaker-mlops:model-package-group:register-and-approve',
        `${name} was given both grantRegister and grantApprove on this group: the Deny of self-approval that grantRegister ` +
        'adds wins over the Allow of grantApprove, so it can reject versions but never approve them. Give approving to ' +
        'another principal.');
    }
  }

  private ruleOn(id: string, options: events.OnEventOptions, status: ModelApprovalStatus, what: string): events.Rule {
    const rule = new events.Rule(this, id, {
      description: options.description ?? `A version of the model package group is ${what}`,
      ruleName: options.ruleName,
      crossStackScope: options.crossStackScope,
    });
    rule.addEventPattern(this.approvalStatusPattern([status]));
    if (options.eventPattern) { rule.addEventPattern(options.eventPattern); }
    if (options.target) { rule.addTarget(options.target); }
    return rule;
  }
}

/** Props of a {@link ModelPackageGroup}. */
export interface ModelPackageGroupProps {
  /**
   * The group's name. A group cannot be renamed: changing the name later makes CloudFormation
   * replace the group, and the new group starts without the old one's versions.
   *
   * @default - derived from the stack name and the construct path (stable, lower case)
   */
  readonly modelPackageGroupName?: string;

  /**
   * A description. Changing it later replaces the group (CloudFormation cannot update it in place).
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Accounts allowed to read this group's versions and deploy them (create models from them),
   * through the group's resource policy. They also need the model artifacts' bucket and key and
   * the inference image's repository shared.
   *
   * @default - no other account
   */
  readonly allowAccounts?: string[];

  /**
   * What happens to the group when it leaves the stack. A deleted group takes the record of every
   * registered version with it.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A SageMaker model package group, retained when the stack is deleted, with an optional
 * cross-account resource policy. Add the approval workflow with {@link ModelRegistryApproval}.
 *
 * @example
 * import * as iam from 'aws-cdk-lib/aws-iam';
 * import { ManagedPolicyRole, ModelPackageGroup } from 'cdk-sagemaker-mlops';
 *
 * const churnModels = new ModelPackageGroup(this, 'ChurnModels', {
 *   modelPackageGroupName: 'churn',
 *   allowAccounts: ['555566667777'], // the prod account may read and deploy its versions
 * });
 * const pipelineRole = new ManagedPolicyRole(this, 'PipelineRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
 * churnModels.grantRegister(pipelineRole); // registers versions, can never approve one
 */
export class ModelPackageGroup extends ModelPackageGroupBase {
  /**
   * A group of this stack's account and region, by name.
   *
   * @param scope the scope
   * @param id the id
   * @param modelPackageGroupName the group's name
   */
  public static fromModelPackageGroupName(scope: Construct, id: string, modelPackageGroupName: string): IModelPackageGroup {
    checkGroupName(`${scope.node.path}/${id}`, 'modelPackageGroupName', modelPackageGroupName);
    return new ImportedModelPackageGroup(scope, id, modelPackageGroupName);
  }

  /**
   * A group by ARN. SageMaker sends a group's events to its own account and region only: rules
   * on a group of another account see its events only when that account forwards them.
   *
   * @param scope the scope
   * @param id the id
   * @param modelPackageGroupArn `arn:<partition>:sagemaker:<region>:<account>:model-package-group/<name>`
   */
  public static fromModelPackageGroupArn(scope: Construct, id: string, modelPackageGroupArn: string): IModelPackageGroup {
    const where = `${scope.node.path}/${id}`;
    if (isLiteralString(modelPackageGroupArn)) {
      const m = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package-group\/(.+)$/.exec(modelPackageGroupArn);
      check(m !== null, where, 'modelPackageGroupArn', modelPackageGroupArn,
        'It must be a model package group ARN: arn:<partition>:sagemaker:<region>:<account>:model-package-group/<name>');
      checkGroupName(where, 'modelPackageGroupArn', m![1]);
    }
    const parts = Arn.split(modelPackageGroupArn, ArnFormat.SLASH_RESOURCE_NAME);
    return new ImportedModelPackageGroup(scope, id, parts.resourceName!, modelPackageGroupArn, parts.account, parts.region);
  }

  public readonly modelPackageGroupName: string;
  public readonly modelPackageGroupArn: string;
  /** The L1 resource. */
  public readonly cfnModelPackageGroup: sagemaker.CfnModelPackageGroup;
  protected readonly eventGroupName: string;
  private readonly allowedAccounts: string[] = [];

  constructor(scope: Construct, id: string, props: ModelPackageGroupProps = {}) {
    super(scope, id);
    checkGroupName(this, 'modelPackageGroupName', props.modelPackageGroupName);
    if (isLiteralString(props.description)) {
      check(props.description.length <= 1024, this, 'description', props.description, 'It must be at most 1024 characters long');
    }
    this.modelPackageGroupName = props.modelPackageGroupName ?? SageMakerName.derive(this, { maxLength: 63 }).toLowerCase();
    this.cfnModelPackageGroup = new sagemaker.CfnModelPackageGroup(this, 'Resource', {
      modelPackageGroupName: this.modelPackageGroupName,
      modelPackageGroupDescription: props.description,
      modelPackageGroupPolicy: Lazy.any({ produce: () => this.renderPolicy() }),
    });
    this.cfnModelPackageGroup.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    registerPhysicalName(this, 'model package group', 'modelPackageGroupName', this.modelPackageGroupName);
    checkTags(this);
    // `Ref` of a model package group is its ARN, and there is no `Fn::GetAtt` for its name.
    this.modelPackageGroupArn = this.cfnModelPackageGroup.ref;
    this.eventGroupName = Fn.select(1, Fn.split('/', this.cfnModelPackageGroup.ref));
    for (const account of props.allowAccounts ?? []) { this.allowAccount(account); }
  }

  /**
   * Let another account read this group's versions and deploy them (`DescribeModelPackageGroup`,
   * `DescribeModelPackage`, `ListModelPackages`, `CreateModel`), through the group's resource policy.
   *
   * @param accountId the 12-digit account ID
   */
  public allowAccount(accountId: string): void {
    if (isLiteralString(accountId)) {
      check(/^\d{12}$/.test(accountId), this, 'allowAccounts', accountId, 'An account ID is exactly 12 digits');
      const own = Stack.of(this).account;
      check(Token.isUnresolved(own) || accountId !== own, this, 'allowAccounts', accountId,
        'The group\'s own account needs no resource policy; use grantRead / grantApprove for its principals');
    }
    if (!this.allowedAccounts.includes(accountId)) { this.allowedAccounts.push(accountId); }
  }

  private renderPolicy(): any {
    if (this.allowedAccounts.length === 0) { return undefined; }
    const principals = this.allowedAccounts.map((a) => new iam.AccountPrincipal(a));
    const doc = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'CrossAccountReadGroup',
          principals,
          actions: ['sagemaker:DescribeModelPackageGroup'],
          resources: [this.groupArnForIam()],
        }),
        new iam.PolicyStatement({
          sid: 'CrossAccountReadAndDeployVersions',
          principals,
          actions: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages', 'sagemaker:CreateModel'],
          resources: [this.modelPackageVersionsArn],
        }),
      ],
    });
    return Stack.of(this).resolve(doc);
  }
}

class ImportedModelPackageGroup extends ModelPackageGroupBase {
  public readonly modelPackageGroupName: string;
  public readonly modelPackageGroupArn: string;
  protected readonly eventGroupName: string;

  constructor(scope: Construct, id: string, name: string, arn?: string, account?: string, region?: string) {
    super(scope, id, { account, region });
    this.modelPackageGroupName = name;
    this.eventGroupName = name;
    this.modelPackageGroupArn = arn ?? this.groupArnForIam();
  }
}

/** The name as it appears in an ARN: SageMaker writes ARNs in lower case. Tokens are kept. */
function arnName(name: string): string {
  return Token.isUnresolved(name) ? name : name.toLowerCase();
}
