import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, Dependable } from 'constructs';
import { policiesOf } from './dependencies';
import { EncryptedLogGroup } from '../core/encrypted-log-group';
import { ManagedPolicyRole } from '../core/managed-policy-role';

/** Where `scripts/bundle-handlers.js` writes the bundles (shipped in the npm package). */
export const HANDLER_ASSET_ROOT = path.join(__dirname, '..', '..', 'assets', 'handlers');

/** The runtime of every handler: the newest Node.js that aws-cdk-lib knows (cdk-nag AwsSolutions-L1). */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** The folder of a prebuilt handler bundle; a clear error when it was not built. */
export function handlerAssetPath(name: string): string {
  const dir = path.join(HANDLER_ASSET_ROOT, name);
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`The Lambda handler bundle "${name}" is missing from ${HANDLER_ASSET_ROOT}. ` +
      'In a clone of cdk-sagemaker-mlops run `npm run bundle` (npm ci does it through the prepare script); ' +
      'an installed package ships the bundles, so reinstall it if this happens there.');
  }
  return dir;
}

/** Props of a {@link HandlerFunction}. */
export interface HandlerFunctionProps {
  /** The handler's bundle name: the file name of `lib/<area>/handlers/<name>.ts`. */
  readonly handler: string;
  /** What the function does, for the console. */
  readonly description: string;
  /** Encrypts the environment variables, the logs and the dead-letter queue. */
  readonly encryptionKey: kms.IKey;
  /** Environment variables. */
  readonly environment?: { [key: string]: string };
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** Run in this VPC. @default - not in a VPC */
  readonly vpc?: ec2.IVpc;
  /** @default - private subnets with egress */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Who invokes the function and how often, for the reason of the reserved-concurrency acknowledgment.
   * @default "Invoked asynchronously by EventBridge at the rate of SageMaker events (a few a day)."
   */
  readonly invocation?: string;
  /** A folder with an `index.js` to use instead of the prebuilt bundle (tests). @default - the bundle of `handler` */
  readonly codeDirectory?: string;
}

/**
 * A Lambda function running one of the library's prebuilt handlers, with the defaults every
 * handler shares: the newest Node.js runtime on arm64, its own role with logging scoped to its own
 * encrypted log group (no managed policies), encrypted environment, an encrypted dead-letter
 * queue for failed asynchronous (EventBridge) invocations, optionally inside a VPC.
 *
 * The dead-letter queue is retained when the stack is deleted: its messages are the only record
 * of the events the handler never handled (a model version that was never evaluated, a release
 * that never started). Delete it by hand once it is empty.
 *
 * Findings the compliance packs raise for choices a user controls are acknowledged on these
 * resources only, with the reason.
 */
export class HandlerFunction extends Construct {
  /** The function. */
  public readonly function: lambda.Function;
  /** The function's role. */
  public readonly role: iam.Role;
  /** The log group the function writes to. */
  public readonly logGroup: logs.LogGroup;
  /** Failed asynchronous invocations land here after Lambda's retries. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    // The trust has no aws:SourceArn / aws:SourceAccount condition: the Lambda developer guide
    // ("Defining Lambda function permissions with an execution role") documents only the principal
    // for execution roles, and says aws:SourceArn applies to policies where the function is the
    // target resource (its resource policy), not to the role Lambda assumes. Adding a condition AWS
    // does not document for a service's role can break the service's own calls (prowler issue #4714).
    this.role = new ManagedPolicyRole(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.handler} handler of cdk-sagemaker-mlops`,
    });
    // lambda.Function depends on its role (`addDependency(role)`), which would render a DependsOn
    // on the role next to its `Fn::GetAtt Role.Arn` (cfn-lint W3005). Depending on this role means
    // depending on its policies: they reference the role, so the order after the role still holds,
    // and the function is created only once it may write its logs and decrypt its environment.
    const role = this.role;
    Dependable.implement(role, {
      get dependencyRoots() {
        const policies = Dependable.of(policiesOf(role)).dependencyRoots;
        return policies.length > 0 ? policies : [role.node.defaultChild!];
      },
    });
    this.logGroup = new EncryptedLogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.function = new lambda.Function(this, 'Function', {
      description: props.description,
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(props.codeDirectory ?? handlerAssetPath(props.handler)),
      role: this.role,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 256,
      environment: props.environment,
      environmentEncryption: props.encryptionKey,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      deadLetterQueue: this.deadLetterQueue,
      vpc: props.vpc,
      vpcSubnets: props.vpc ? (props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }) : undefined,
    });

    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:log-stream:*`],
    }));
    // Decrypt the environment, and send to the encrypted dead-letter queue: no wildcard KMS actions.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [props.encryptionKey.keyArn],
    }));
    const logGroupId = Stack.of(this).getLogicalId(this.logGroup.node.defaultChild as logs.CfnLogGroup);
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logGroupId}.Arn>:log-stream:*]`,
      reason: 'Lambda names its log streams at run time; the statement is limited to the function\'s own log group.',
    });

    const invocation = props.invocation ?? 'Invoked asynchronously by EventBridge at the rate of SageMaker events (a few a day).';
    const reasonConcurrency = `${invocation} Reserved concurrency would make the deployment fail in accounts whose ` +
      'concurrency quota is at the minimum (10).';
    const reasonVpc = 'The handler calls only AWS APIs over TLS and reaches no private resource; pass a VPC to run it in one.';
    const acks = [
      { id: 'HIPAA.Security-LambdaConcurrency', reason: reasonConcurrency },
      { id: 'NIST.800.53.R5-LambdaConcurrency', reason: reasonConcurrency },
      { id: 'PCI.DSS.321-LambdaConcurrency', reason: reasonConcurrency },
    ];
    if (!props.vpc) {
      acks.push(
        { id: 'HIPAA.Security-LambdaInsideVPC', reason: reasonVpc },
        { id: 'NIST.800.53.R5-LambdaInsideVPC', reason: reasonVpc },
        { id: 'PCI.DSS.321-LambdaInsideVPC', reason: reasonVpc },
        { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason: reasonVpc },
      );
    } else {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason: 'The narrowest policy AWS offers for the network interfaces of a Lambda function in a VPC; Lambda adds it for every VPC function.',
      });
    }
    Validations.of(this.function).acknowledge(...acks);
    const reasonDlq = 'This queue is itself the dead-letter queue of a Lambda function; a queue behind it would only move the problem.';
    Validations.of(this.deadLetterQueue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: reasonDlq },
      { id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: reasonDlq },
    );
  }
}
