import { CustomResource, Duration, Lazy, Size, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { InstanceType } from '../core/instance-type';
import { grantKey, grantReadObjects, grantStatement } from '../private/grants';
import { parseS3Uri } from '../private/s3-uri';
import { check } from '../private/errors';
import { HandlerFunction } from '../private/handler-function';

/** Where the baseline files of a monitor are. */
export interface MonitoringBaselineProps {
  /** The S3 URI of `constraints.json`. */
  readonly constraintsUri: string;

  /**
   * The S3 URI of `statistics.json` (required by the data quality monitor).
   *
   * @default - none
   */
  readonly statisticsUri?: string;

  /**
   * The S3 URI of the SageMaker Clarify `analysis_config.json` (required by the bias and
   * explainability monitors).
   *
   * @default - none
   */
  readonly analysisConfigUri?: string;

  /**
   * The bucket of the files: the monitoring role may read the objects (and decrypt with the
   * bucket key). Required when the URIs are tokens (CloudFormation parameters).
   *
   * @default - read access to the objects named by the literal URIs
   */
  readonly bucket?: s3.IBucket;
}

/** What a bound baseline renders. */
export interface MonitoringBaselineConfig {
  /** The S3 URI of `constraints.json`. */
  readonly constraintsUri: string;
  /** The S3 URI of `statistics.json`. @default - none */
  readonly statisticsUri?: string;
  /** The S3 URI of the Clarify analysis configuration. @default - none */
  readonly analysisConfigUri?: string;
}

/**
 * The baseline a monitor compares captured traffic with: the constraints and statistics the
 * training pipeline's quality check produced (the drift-check baselines of the model package).
 */
export class MonitoringBaseline {
  /**
   * Baseline files by S3 URI.
   *
   * @param props the URIs and, optionally, their bucket
   */
  public static fromS3Uris(props: MonitoringBaselineProps): MonitoringBaseline {
    return new MonitoringBaseline(props);
  }

  /** @internal */
  public static _fromModelPackage(reader: ModelPackageBaselines, fields: { constraints: string; statistics?: string; config?: string }): MonitoringBaseline {
    return new MonitoringBaseline({ constraintsUri: '', bucket: reader.bucket }, reader, fields);
  }

  private constructor(private readonly props: MonitoringBaselineProps, private readonly reader?: ModelPackageBaselines,
    private readonly fields?: { constraints: string; statistics?: string; config?: string }) {}

  /**
   * Grant read access to the files and return their URIs.
   *
   * @param scope the monitor construct
   * @param grantee the monitoring role
   */
  public bind(scope: Construct, grantee: iam.IGrantable): MonitoringBaselineConfig {
    if (this.reader && this.fields) {
      return this.reader._bind(scope, grantee, this.fields);
    }
    const uris = [this.props.constraintsUri, this.props.statisticsUri, this.props.analysisConfigUri].filter((u): u is string => u !== undefined);
    const stack = Stack.of(scope);
    const arns: string[] = [];
    let tokens = false;
    for (const uri of uris) {
      if (Token.isUnresolved(uri)) { tokens = true; continue; }
      const parsed = parseS3Uri(scope, 'baseline', uri);
      if (this.props.bucket && !Token.isUnresolved(this.props.bucket.bucketName)) {
        check(parsed.bucket === this.props.bucket.bucketName, scope, 'baseline', uri,
          `It must be in the bucket given as \`baseline.bucket\` (${this.props.bucket.bucketName})`);
      }
      arns.push(stack.formatArn({ service: 's3', region: '', account: '', resource: parsed.bucket, resourceName: parsed.key }));
    }
    if (tokens) {
      check(this.props.bucket !== undefined, scope, 'baseline.bucket', undefined,
        'Baseline URIs that are tokens (CloudFormation parameters) need the bucket that holds them, so the monitoring role can read them');
      grantReadObjects(grantee, this.props.bucket!, '*',
        'The baseline files travel with each model version and are named only at deploy time (CloudFormation parameters); ' +
        'read access is limited to the baseline bucket.');
    }
    if (arns.length > 0) {
      grantStatement(grantee, new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: arns }), 'The baseline files.');
      if (!tokens && this.props.bucket?.encryptionKey) {
        grantKey(grantee, this.props.bucket.encryptionKey, ['kms:Decrypt']);
      }
    }
    return { constraintsUri: this.props.constraintsUri, statisticsUri: this.props.statisticsUri, analysisConfigUri: this.props.analysisConfigUri };
  }
}

/**
 * How often a monitoring job runs. Model Monitor runs at most hourly.
 */
export class MonitoringFrequency {
  /** Every hour. */
  public static readonly HOURLY = new MonitoringFrequency('cron(0 * ? * * *)', 1);
  /** Every day at midnight UTC. */
  public static readonly DAILY = new MonitoringFrequency('cron(0 0 ? * * *)', 24);

  /**
   * Every `hours` hours, starting at midnight UTC.
   *
   * @param hours 1, 2, 3, 4, 6, 8, 12 or 24
   */
  public static everyHours(hours: number): MonitoringFrequency {
    check([1, 2, 3, 4, 6, 8, 12, 24].includes(hours), 'MonitoringFrequency.everyHours', 'hours', hours,
      'It must be 1, 2, 3, 4, 6, 8, 12 or 24 (Model Monitor runs on whole hours that divide a day)');
    return hours === 24 ? MonitoringFrequency.DAILY : new MonitoringFrequency(`cron(0 */${hours} ? * * *)`, hours);
  }

  /** The schedule expression. */
  public readonly expressionString: string;
  /** Hours between runs. */
  public readonly intervalHours: number;

  private constructor(expressionString: string, intervalHours: number) {
    this.expressionString = expressionString;
    this.intervalHours = intervalHours;
  }
}

/** Settings shared by every monitoring job. */
export interface MonitoringJobOptions {
  /**
   * How often the job runs.
   *
   * @default MonitoringFrequency.HOURLY
   */
  readonly frequency?: MonitoringFrequency;

  /**
   * The processing instance type of the job.
   *
   * @default InstanceType.ML_M5_XLARGE
   */
  readonly instanceType?: InstanceType;

  /**
   * The number of processing instances.
   *
   * @default 1
   */
  readonly instanceCount?: number;

  /**
   * The size of the job's storage volume (1 to 16384 GiB).
   *
   * @default Size.gibibytes(20)
   */
  readonly volumeSize?: Size;

  /**
   * How long a run may take. An hourly job must finish within the hour.
   *
   * @default Duration.hours(1)
   */
  readonly maxRuntime?: Duration;
}

/** The data quality monitor: captured inputs compared with the training data's baseline. */
export interface DataQualityMonitorOptions extends MonitoringJobOptions {
  /** The baseline (constraints and statistics). */
  readonly baseline: MonitoringBaseline;

  /**
   * Publish per-feature drift metrics to CloudWatch (`aws/sagemaker/Endpoints/data-metrics`).
   *
   * @default true
   */
  readonly publishMetrics?: boolean;
}

/** The problem a model solves, for the model quality monitor. */
export enum ProblemType {
  /** Two classes. */
  BINARY_CLASSIFICATION = 'BinaryClassification',
  /** More than two classes. */
  MULTICLASS_CLASSIFICATION = 'MulticlassClassification',
  /** A number. */
  REGRESSION = 'Regression',
}

/** Where the ground truth labels of a monitor come from, and which captured data they match. */
export interface GroundTruthOptions {
  /** The bucket where ground truth labels are uploaded. */
  readonly groundTruthBucket: s3.IBucket;

  /**
   * The key prefix of the ground truth labels in `groundTruthBucket`.
   *
   * @default "ground-truth/<endpoint name>"
   */
  readonly groundTruthPrefix?: string;

  /**
   * How far before a run the analysed window of captured data starts (labels arrive late).
   *
   * @default - SageMaker's default window
   */
  readonly startTimeOffset?: Duration;

  /**
   * How far before a run the analysed window ends.
   *
   * @default - SageMaker's default window
   */
  readonly endTimeOffset?: Duration;
}

/** The model quality monitor: predictions compared with ground truth labels. */
export interface ModelQualityMonitorOptions extends MonitoringJobOptions, GroundTruthOptions {
  /** The problem type. */
  readonly problemType: ProblemType;

  /** The baseline (constraints). */
  readonly baseline: MonitoringBaseline;

  /**
   * The attribute of the endpoint output that holds the prediction (an index for CSV, a
   * JSONPath for JSON).
   *
   * @default - none (regression and CSV output: the whole output)
   */
  readonly inferenceAttribute?: string;

  /**
   * The attribute of the endpoint output that holds the probability (classification).
   *
   * @default - none
   */
  readonly probabilityAttribute?: string;

  /**
   * The threshold above which a probability counts as the positive class (binary classification).
   *
   * @default - none
   */
  readonly probabilityThresholdAttribute?: number;
}

/**
 * Settings of the SageMaker Clarify monitors: the explainability monitor (feature attribution
 * drift of live predictions) uses them as they are; the bias monitor adds ground truth.
 */
export interface ClarifyMonitorOptions extends MonitoringJobOptions {
  /** The baseline: the constraints and the Clarify analysis configuration (`analysisConfigUri`). */
  readonly baseline: MonitoringBaseline;

  /**
   * The attribute of the endpoint input that holds the features (JSON input).
   *
   * @default - none (CSV input: the whole record)
   */
  readonly featuresAttribute?: string;

  /**
   * The attribute of the endpoint output that holds the prediction.
   *
   * @default - none
   */
  readonly inferenceAttribute?: string;

  /**
   * The attribute of the endpoint output that holds the probability.
   *
   * @default - none
   */
  readonly probabilityAttribute?: string;

}

/** The bias monitor: bias metrics of live predictions against ground truth (SageMaker Clarify). */
export interface ModelBiasMonitorOptions extends ClarifyMonitorOptions, GroundTruthOptions {
  /**
   * The threshold above which a probability counts as the positive class.
   *
   * @default - none
   */
  readonly probabilityThresholdAttribute?: number;
}

/** Props of {@link ModelPackageBaselines}. */
export interface ModelPackageBaselinesProps {
  /** The model package version whose drift-check baselines are read (a CloudFormation parameter works too). */
  readonly modelPackageArn: string;

  /** The bucket that holds the baseline files: the monitoring role may read its objects. */
  readonly bucket: s3.IBucket;

  /**
   * The key of the reader function's environment, logs and dead-letter queue.
   *
   * @default - the encryption key of the EndpointWithMonitor that uses the baselines
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The drift-check baselines a model package version carries (registered by the training
 * pipeline's quality and Clarify check steps), read at deploy time by a small custom resource
 * (`DescribeModelPackage`). A monitor whose baseline the version lacks fails the deployment with
 * a clear reason, before any schedule exists.
 */
export class ModelPackageBaselines {
  /** The data quality baseline (statistics and constraints). */
  public readonly dataQuality: MonitoringBaseline;
  /** The model quality baseline (constraints). */
  public readonly modelQuality: MonitoringBaseline;
  /** The bias baseline (post-training constraints and the Clarify configuration). */
  public readonly bias: MonitoringBaseline;
  /** The explainability baseline (constraints and the Clarify configuration). */
  public readonly explainability: MonitoringBaseline;
  /** The bucket of the baseline files. */
  public readonly bucket: s3.IBucket;
  /** The model package version. */
  public readonly modelPackageArn: string;

  private readonly encryptionKey?: kms.IKey;
  private readonly required = new Set<string>();
  private readonly readers = new Map<Construct, CustomResource>();

  constructor(props: ModelPackageBaselinesProps) {
    this.modelPackageArn = props.modelPackageArn;
    this.bucket = props.bucket;
    this.encryptionKey = props.encryptionKey;
    this.dataQuality = MonitoringBaseline._fromModelPackage(this, { constraints: 'DataQualityConstraints', statistics: 'DataQualityStatistics' });
    this.modelQuality = MonitoringBaseline._fromModelPackage(this, { constraints: 'ModelQualityConstraints' });
    this.bias = MonitoringBaseline._fromModelPackage(this, { constraints: 'BiasConstraints', config: 'BiasConfig' });
    this.explainability = MonitoringBaseline._fromModelPackage(this, { constraints: 'ExplainabilityConstraints', config: 'ExplainabilityConfig' });
  }

  /** @internal */
  public _bind(scope: Construct, grantee: iam.IGrantable, fields: { constraints: string; statistics?: string; config?: string }): MonitoringBaselineConfig {
    const reader = this.reader(scope);
    const attr = (name?: string) => {
      if (name === undefined) { return undefined; }
      this.required.add(name);
      return reader.getAttString(name);
    };
    grantReadObjects(grantee, this.bucket, '*',
      'The baseline files of each model version are written at run time by the training pipeline and named only at deploy time; ' +
      'read access is limited to the baseline bucket.');
    return { constraintsUri: attr(fields.constraints)!, statisticsUri: attr(fields.statistics), analysisConfigUri: attr(fields.config) };
  }

  private reader(scope: Construct): CustomResource {
    const existing = this.readers.get(scope);
    if (existing) { return existing; }
    const key = this.encryptionKey ?? (scope as unknown as { encryptionKey?: kms.IKey }).encryptionKey;
    check(key !== undefined, scope, 'baseline.encryptionKey', undefined,
      'ModelPackageBaselines used outside an EndpointWithMonitor needs `encryptionKey`');
    const owner = new Construct(scope, `ModelPackageBaselines${this.readers.size === 0 ? '' : this.readers.size + 1}`);
    const fn = new HandlerFunction(owner, 'Reader', {
      handler: 'model-package-baselines',
      description: 'Reads the drift-check baselines of a SageMaker model package version for Model Monitor',
      encryptionKey: key!,
      timeout: Duration.seconds(60),
      invocation: 'Invoked by CloudFormation as a custom resource, once per deployment of the stack.',
    });
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:DescribeModelPackage'], resources: [this.modelPackageArn] }));
    const resource = new CustomResource(owner, 'Resource', {
      serviceToken: fn.function.functionArn,
      resourceType: 'Custom::ModelPackageBaselines',
      properties: {
        ModelPackageArn: this.modelPackageArn,
        Required: Lazy.list({ produce: () => [...this.required].sort() }),
      },
    });
    resource.node.addDependency(fn.role);
    this.readers.set(scope, resource);
    return resource;
  }
}
