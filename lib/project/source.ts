import { Token } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codeconnections from 'aws-cdk-lib/aws-codeconnections';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { check } from '../private/errors';

/** The provider of a repository reached through an AWS CodeConnections connection. */
export enum ConnectionProvider {
  /** GitHub (github.com). */
  GITHUB = 'GitHub',
  /** GitLab (gitlab.com). */
  GITLAB = 'GitLab',
  /** Bitbucket Cloud. */
  BITBUCKET = 'Bitbucket',
}

/** A repository and branch reached through a connection. */
export interface ConnectionRepositoryOptions {
  /**
   * The repository, `owner/name` (for GitLab, `group/subgroup/name` too): letters, digits and
   * `-_.` in parts separated by single slashes.
   */
  readonly repository: string;

  /**
   * The branch whose commits the build pipeline builds.
   *
   * @default "main"
   */
  readonly branch?: string;
}

/** A repository reached through an existing connection. */
export interface ConnectionSourceOptions extends ConnectionRepositoryOptions {
  /**
   * The ARN of an AWS CodeConnections connection (`arn:<partition>:codeconnections:...:connection/<id>`,
   * or the older `arn:<partition>:codestar-connections:...` form) in the status AVAILABLE.
   */
  readonly connectionArn: string;
}

/** A repository reached through a connection the project creates. */
export interface NewConnectionSourceOptions extends ConnectionRepositoryOptions {
  /** The provider of the repository. */
  readonly provider: ConnectionProvider;

  /**
   * The connection's name (unique in the account, 1 to 32 letters, digits and `-_.`).
   *
   * @default "<projectName>-source"
   */
  readonly connectionName?: string;
}

/** A zip of the repository in S3. */
export interface S3ObjectSourceOptions {
  /**
   * The bucket. CodePipeline reads an S3 source from a versioned bucket, and the pipeline starts on
   * the bucket's `Object Created` events through EventBridge: the bucket must be versioned and
   * send its events to EventBridge (an ArtifactBucket is and does).
   */
  readonly bucket: s3.IBucket;

  /** The key of the zip (ending in `.zip`); each new version of it is one build. */
  readonly key: string;
}

/** A repository of AWS CodeCommit. */
export interface CodeCommitSourceOptions {
  /** The repository (an existing one: CodeCommit is closed to new AWS customers). */
  readonly repository: codecommit.IRepository;

  /**
   * The branch whose commits the build pipeline builds.
   *
   * @default "main"
   */
  readonly branch?: string;
}

/**
 * What a source gives the build pipeline.
 *
 * @internal
 */
export interface BoundSource {
  /** The source action (output artifact `Source`, variables namespace `Source`). */
  readonly action: codepipeline.IAction;
  /** The variable that identifies the revision: a commit id, or the version of the zip. */
  readonly revisionVariable: string;
  /** What the revision is, for documentation and messages. */
  readonly revisionKind: string;
  /** The events that start the pipeline (a rule of the project), when CodePipeline does not start it itself. */
  readonly trigger?: events.EventPattern;
  /** The connection the source uses, when it uses one. */
  readonly connectionArn?: string;
}

/**
 * What binding a source needs.
 *
 * @internal
 */
export interface SourceBindContext {
  readonly projectName: string;
  /** The role of the source action (the pipeline's role assumes it). */
  readonly role: iam.IRole;
  /** The output artifact. */
  readonly output: codepipeline.Artifact;
}

/** The name of the source action and of its variables namespace. */
const SOURCE = 'Source';

/**
 * Where the build pipeline of an MlopsProject takes the repository from.
 *
 * - A connection (AWS CodeConnections) to GitHub, GitLab or Bitbucket: an existing one
 *   (`ProjectSource.connection`), or one the project creates (`ProjectSource.newConnection`),
 *   which stays PENDING until someone completes it once in the console (Developer Tools >
 *   Settings > Connections > Update pending connection). CodePipeline starts on every push to
 *   the branch.
 * - A zip of the repository in S3 (`ProjectSource.s3Object`): each new version of the object
 *   starts the pipeline through an EventBridge rule on the bucket's `Object Created` events (no
 *   polling, no CloudTrail trail).
 * - A CodeCommit repository you already have (`ProjectSource.codeCommit`): CodeCommit is closed to
 *   new AWS customers, so this is only for those who still have it; its pushes to the branch
 *   start the pipeline through an EventBridge rule.
 */
export abstract class ProjectSource {
  /**
   * A repository reached through an existing connection.
   *
   * @param options the connection, repository and branch
   */
  public static connection(options: ConnectionSourceOptions): ProjectSource {
    return new ConnectionSource(options, false);
  }

  /**
   * A repository reached through a connection the project creates (`AWS::CodeConnections::Connection`).
   * The connection is PENDING until someone with access to the repository completes it once in
   * the console (Developer Tools > Settings > Connections > Update pending connection); until
   * then the build pipeline's source action fails.
   *
   * @param options the provider, repository and branch
   */
  public static newConnection(options: NewConnectionSourceOptions): ProjectSource {
    return new ConnectionSource(options, true);
  }

  /**
   * A zip of the repository in a versioned bucket that sends its events to EventBridge.
   *
   * @param options the bucket and key
   */
  public static s3Object(options: S3ObjectSourceOptions): ProjectSource {
    return new S3ObjectSource(options);
  }

  /**
   * A CodeCommit repository you already have (CodeCommit is closed to new AWS customers).
   *
   * @param options the repository and branch
   */
  public static codeCommit(options: CodeCommitSourceOptions): ProjectSource {
    return new CodeCommitSource(options);
  }

  /**
   * Check the options (with the project's path and the prop `buildPipeline.source`).
   *
   * @internal
   */
  public abstract _check(where: IConstruct, prop: string): void;

  /**
   * The source action and what the pipeline needs of it.
   *
   * @internal
   */
  public abstract _bind(scope: Construct, context: SourceBindContext): BoundSource;

  /**
   * The source in a few words, for the flow diagram: `GitHub acme/churn@main`, `S3 sources/churn.zip`...
   *
   * @internal
   */
  public abstract _describe(): string;
}

/** A git branch name (git check-ref-format, and what CodePipeline accepts). */
function branchProblem(branch: unknown): string | undefined {
  const rule = 'It must be a git branch name: at most 255 characters, no spaces, no `..`, `@{`, `//`, `\\` or any of `~^:?*[`, ' +
    'not starting with `-` or `/`, not ending with `/`, `.` or `.lock`';
  if (typeof branch !== 'string' || branch.length === 0 || branch.length > 255) { return rule; }
  if (Token.isUnresolved(branch)) { return undefined; }
  if (/[\s~^:?*[\\\x00-\x1f\x7f]|\.\.|@\{|\/\/|^[-/]|\/$|\.$|\.lock$|(^|\/)\./.test(branch) || branch === '@') { return rule; }
  return undefined;
}

/** Check a repository and branch. */
function checkRepository(where: IConstruct, prop: string, repository: unknown, branch: unknown, parts: 'two' | 'two-or-more'): void {
  const part = '[A-Za-z0-9_.-]+';
  const pattern = parts === 'two' ? new RegExp(`^${part}/${part}$`) : new RegExp(`^${part}(/${part})+$`);
  const ok = typeof repository === 'string' && (Token.isUnresolved(repository) ||
    (pattern.test(repository) && repository.length <= 200 && !repository.split('/').some((p) => p === '.' || p === '..')));
  check(ok, where, `${prop}.repository`, repository, parts === 'two'
    ? 'It must be `owner/name`: letters, digits and `-_.` on each side of one slash'
    : 'It must be `owner/name` (for GitLab also `group/subgroup/name`): letters, digits and `-_.` in parts separated by single slashes');
  if (branch !== undefined) {
    const problem = branchProblem(branch);
    check(problem === undefined, where, `${prop}.branch`, branch, problem!);
  }
}

/** The two forms of a connection ARN (CodeStar Connections was renamed AWS CodeConnections in 2024). */
const CONNECTION_ARN = /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/;

class ConnectionSource extends ProjectSource {
  constructor(private readonly options: ConnectionRepositoryOptions & { connectionArn?: string; connectionName?: string; provider?: ConnectionProvider },
    private readonly created: boolean) {
    super();
  }

  public _check(where: IConstruct, prop: string): void {
    const o = this.options;
    check(o !== undefined && o !== null && typeof o === 'object', where, prop, o, 'Give the options of the source');
    const provider = o.provider;
    if (!this.created) {
      check(typeof o.connectionArn === 'string' && (Token.isUnresolved(o.connectionArn) || CONNECTION_ARN.test(o.connectionArn)),
        where, `${prop}.connectionArn`, o.connectionArn,
        'It must be the ARN of a connection: arn:<partition>:codeconnections:<region>:<account>:connection/<id> ' +
        '(or the older codestar-connections form)');
    } else {
      check(Object.values(ConnectionProvider).includes(provider!), where, `${prop}.provider`, provider,
        `It must be one of ConnectionProvider.${Object.keys(ConnectionProvider).join(', ConnectionProvider.')}`);
      if (o.connectionName !== undefined) {
        check(typeof o.connectionName === 'string' && (Token.isUnresolved(o.connectionName) || /^[A-Za-z0-9._-]{1,32}$/.test(o.connectionName)),
          where, `${prop}.connectionName`, o.connectionName, 'It must be 1 to 32 letters, digits and `-_.` (unique in the account)');
      }
    }
    // GitHub and Bitbucket name a repository by its owner and name; GitLab allows nested groups.
    const parts = provider === ConnectionProvider.GITHUB || provider === ConnectionProvider.BITBUCKET ? 'two' : 'two-or-more';
    checkRepository(where, prop, o.repository, o.branch, parts);
  }

  public _bind(scope: Construct, c: SourceBindContext): BoundSource {
    let connectionArn = this.options.connectionArn;
    if (this.created) {
      const connection = new codeconnections.CfnConnection(scope, 'SourceConnection', {
        connectionName: this.options.connectionName ?? `${c.projectName}-source`,
        providerType: this.options.provider,
      });
      connectionArn = connection.attrConnectionArn;
    }
    const arn = connectionArn!;
    const repository = this.options.repository;
    const slash = repository.lastIndexOf('/');
    const action = new cpactions.CodeStarConnectionsSourceAction({
      actionName: SOURCE,
      connectionArn: arn,
      owner: repository.slice(0, slash),
      repo: repository.slice(slash + 1),
      branch: this.options.branch ?? 'main',
      output: c.output,
      role: c.role,
      variablesNamespace: SOURCE,
      // CodePipeline starts the pipeline on each push to the branch (no polling).
      triggerOnPush: true,
    });
    // aws-cdk-lib grants codestar-connections:UseConnection; IAM wants the prefix of the ARN, and
    // connections created since July 2024 (and the one created here) are codeconnections ones.
    // An ARN known only at deploy time may be of either form: both are granted then.
    const service = this.created ? 'codeconnections' : Token.isUnresolved(arn) ? undefined : CONNECTION_ARN.exec(arn)?.[1];
    if (service !== 'codestar-connections') {
      c.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['codeconnections:UseConnection'], resources: [arn] }));
    }
    return { action, revisionVariable: `#{${SOURCE}.CommitId}`, revisionKind: 'the commit id', connectionArn: arn };
  }

  public _describe(): string {
    return `${this.created ? this.options.provider : 'Connection'} ${this.options.repository}@${this.options.branch ?? 'main'}`;
  }
}

class S3ObjectSource extends ProjectSource {
  constructor(private readonly options: S3ObjectSourceOptions) {
    super();
  }

  public _check(where: IConstruct, prop: string): void {
    const o = this.options;
    check(o !== undefined && o !== null && typeof o === 'object', where, prop, o, 'Give the bucket and key of the zip');
    check(o.bucket !== undefined && o.bucket !== null && typeof o.bucket === 'object' && typeof o.bucket.bucketName === 'string',
      where, `${prop}.bucket`, o.bucket, 'It must be a bucket (s3.IBucket)');
    check(typeof o.key === 'string' && (Token.isUnresolved(o.key) ||
      (/^[^/\s][^\s]*\.zip$/.test(o.key) && o.key.length <= 1024 && !o.key.includes('//'))),
    where, `${prop}.key`, o.key, 'It must be the key of a .zip object: no leading slash, no spaces or empty parts, ending in `.zip`');
    const cfn = s3BucketResource(o.bucket);
    if (cfn) {
      const versioning = cfn.versioningConfiguration as s3.CfnBucket.VersioningConfigurationProperty | undefined;
      check(versioning?.status === 'Enabled', where, `${prop}.bucket`, o.bucket.node.path,
        'CodePipeline reads an S3 source only from a versioned bucket: create it with `versioned: true` (an ArtifactBucket is)');
      const notifications = cfn.notificationConfiguration as s3.CfnBucket.NotificationConfigurationProperty | undefined;
      const l1 = (notifications?.eventBridgeConfiguration as s3.CfnBucket.EventBridgeConfigurationProperty | undefined)?.eventBridgeEnabled;
      // `eventBridgeEnabled: true` of s3.Bucket goes through its notifications resource instead.
      check(l1 === true || o.bucket.node.tryFindChild('Notifications') !== undefined, where, `${prop}.bucket`, o.bucket.node.path,
        'The build pipeline starts on the bucket\'s Object Created events in EventBridge: create it with `eventBridgeEnabled: true` ' +
        '(an ArtifactBucket sends them)');
    }
  }

  public _bind(_scope: Construct, c: SourceBindContext): BoundSource {
    const { bucket, key } = this.options;
    const action = new cpactions.S3SourceAction({
      actionName: SOURCE,
      bucket,
      bucketKey: key,
      output: c.output,
      role: c.role,
      variablesNamespace: SOURCE,
      // The project's EventBridge rule starts the pipeline (aws-cdk-lib's EVENTS trigger needs a CloudTrail trail).
      trigger: cpactions.S3Trigger.NONE,
    });
    return {
      action,
      revisionVariable: `#{${SOURCE}.VersionId}`,
      revisionKind: 'the version id of the zip',
      trigger: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [bucket.bucketName] }, object: { key: [key] } },
      },
    };
  }

  public _describe(): string {
    return `S3 ${this.options.key}`;
  }
}

/** The L1 bucket of a bucket this app creates (its settings are known), else undefined. */
function s3BucketResource(bucket: s3.IBucket): s3.CfnBucket | undefined {
  const child = bucket instanceof s3.Bucket ? bucket.node.defaultChild : undefined;
  return child instanceof s3.CfnBucket ? child : undefined;
}

class CodeCommitSource extends ProjectSource {
  constructor(private readonly options: CodeCommitSourceOptions) {
    super();
  }

  public _check(where: IConstruct, prop: string): void {
    const o = this.options;
    check(o !== undefined && o !== null && typeof o === 'object', where, prop, o, 'Give the repository');
    check(o.repository !== undefined && o.repository !== null && typeof o.repository === 'object' && typeof o.repository.repositoryArn === 'string',
      where, `${prop}.repository`, o.repository,
      'It must be an existing CodeCommit repository (codecommit.Repository.fromRepositoryName); CodeCommit is closed to new AWS customers');
    if (o.branch !== undefined) {
      const problem = branchProblem(o.branch);
      check(problem === undefined, where, `${prop}.branch`, o.branch, problem!);
    }
  }

  public _bind(_scope: Construct, c: SourceBindContext): BoundSource {
    const branch = this.options.branch ?? 'main';
    const action = new cpactions.CodeCommitSourceAction({
      actionName: SOURCE,
      repository: this.options.repository,
      branch,
      output: c.output,
      role: c.role,
      variablesNamespace: SOURCE,
      // The project's EventBridge rule starts the pipeline, with a role that trusts that rule only.
      trigger: cpactions.CodeCommitTrigger.NONE,
    });
    return {
      action,
      revisionVariable: `#{${SOURCE}.CommitId}`,
      revisionKind: 'the commit id',
      trigger: {
        source: ['aws.codecommit'],
        detailType: ['CodeCommit Repository State Change'],
        resources: [this.options.repository.repositoryArn],
        detail: { event: ['referenceCreated', 'referenceUpdated'], referenceType: ['branch'], referenceName: [branch] },
      },
    };
  }

  public _describe(): string {
    const name = this.options.repository.repositoryName;
    return `CodeCommit ${Token.isUnresolved(name) ? 'repository' : name}@${this.options.branch ?? 'main'}`;
  }
}
