import { CustomResource, Duration, Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { MonitoringBaseline, MonitoringBaselineConfig } from './monitoring-baseline';
import { checkModelPackageVersion, readPrefix } from './private/model-package';
import { FoundationOptions } from '../core/foundation';
import { IModelPackageGroup } from '../core/model-package-group';
import { policiesOf } from '../private/dependencies';
import { check } from '../private/errors';
import { grantReadObjects } from '../private/grants';
import { HandlerFunction } from '../private/handler-function';
import { resolveBucket, resolveKey, resolveLayout } from '../private/resources';

/**
 * Props of {@link ModelPackageBaselines}.
 *
 * The key encrypts the reader function's environment, logs and dead-letter queue; the bucket is
 * the one the baseline files are in. Both come from `foundation` unless given here.
 */
export interface ModelPackageBaselinesProps extends FoundationOptions {
  /** The model package version whose drift-check baselines are read (a CloudFormation parameter works too). */
  readonly modelPackageArn: string;

  /**
   * The model package group of the version. Monitoring roles may read the baseline files under
   * its prefix of the storage layout (`baselinePrefix(group name)`); a literal ARN must be a
   * version of this group.
   *
   * @default - none: `baselinesKeyPrefix` is required
   */
  readonly modelPackageGroup?: IModelPackageGroup;

  /**
   * The key prefix of the baseline files in the bucket.
   *
   * @default - the storage layout's `baselinePrefix(group name)` ("baselines/<group name>") of `modelPackageGroup`
   */
  readonly baselinesKeyPrefix?: string;
}

/** How long CloudFormation waits for the reader's answer. */
const SERVICE_TIMEOUT = Duration.minutes(5);

/** Where each baseline sits among the custom resource's attributes. */
interface BaselineFields {
  readonly constraints: string;
  readonly statistics?: string;
  readonly config?: string;
}

/**
 * The drift-check baselines a model package version carries (registered by the training
 * pipeline's quality and Clarify check steps), read at deploy time by a small custom resource
 * (`DescribeModelPackage`). A monitor whose baseline the version lacks fails the deployment with
 * a clear reason, before any schedule exists.
 *
 * @example
 * import { EndpointWithMonitor, MlopsFoundation, ModelPackageBaselines, ModelPackageGroup, ModelSource } from 'cdk-sagemaker-mlops';
 *
 * // Monitor data quality against the baselines the training pipeline registered with the version.
 * const foundation = new MlopsFoundation(this, 'Foundation');
 * const modelPackageGroup = ModelPackageGroup.fromModelPackageGroupName(this, 'ChurnModels', 'churn');
 * const modelPackageArn = 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn/3';
 * const baselines = new ModelPackageBaselines(this, 'Baselines', { foundation, modelPackageArn, modelPackageGroup });
 * new EndpointWithMonitor(this, 'Endpoint', {
 *   foundation,
 *   model: ModelSource.fromModelPackageArn(modelPackageArn, { modelPackageGroup }),
 *   dataCapture: { samplingPercentage: 20 },
 *   dataQualityMonitor: { baseline: baselines.dataQuality },
 * });
 */
export class ModelPackageBaselines extends Construct {
  /** The data quality baseline (statistics and constraints). */
  public readonly dataQuality: MonitoringBaseline;
  /** The model quality baseline (constraints). */
  public readonly modelQuality: MonitoringBaseline;
  /** The bias baseline (post-training constraints and the Clarify configuration). */
  public readonly bias: MonitoringBaseline;
  /** The explainability baseline (constraints and the Clarify configuration). */
  public readonly explainability: MonitoringBaseline;
  /** The bucket of the baseline files. */
  public readonly artifactBucket: s3.IBucket;
  /** The key prefix of the baseline files: the only one monitoring roles may read. */
  public readonly baselinesKeyPrefix: string;
  /** The key of the reader function. */
  public readonly encryptionKey: kms.IKey;
  /** The model package version. */
  public readonly modelPackageArn: string;

  private readonly required = new Set<string>();
  private readonly reader: CustomResource;

  constructor(scope: Construct, id: string, props: ModelPackageBaselinesProps) {
    super(scope, id);
    check(props?.modelPackageArn !== undefined, this, 'modelPackageArn', undefined,
      'It is required: the model package version whose drift-check baselines the monitors use');
    checkModelPackageVersion(this, 'modelPackageArn', props.modelPackageArn, props.modelPackageGroup);
    check(props.artifactBucket !== undefined || props.foundation !== undefined, this, 'artifactBucket', undefined,
      'The baseline files are in a bucket the training pipeline wrote: give `artifactBucket` or `foundation`');
    const group = props.modelPackageGroup;
    const layout = resolveLayout(props);
    this.baselinesKeyPrefix = readPrefix(this, 'baselinesKeyPrefix', props.baselinesKeyPrefix,
      group ? () => layout.baselinePrefix(group.modelPackageGroupName) : undefined, 'baseline files');
    this.modelPackageArn = props.modelPackageArn;
    this.encryptionKey = resolveKey(this, 'Key', props);
    this.artifactBucket = resolveBucket(this, 'Bucket', this.encryptionKey, props);
    this.reader = this.createReader();

    this.dataQuality = this.baseline({ constraints: 'DataQualityConstraints', statistics: 'DataQualityStatistics' });
    this.modelQuality = this.baseline({ constraints: 'ModelQualityConstraints' });
    this.bias = this.baseline({ constraints: 'BiasConstraints', config: 'BiasConfig' });
    this.explainability = this.baseline({ constraints: 'ExplainabilityConstraints', config: 'ExplainabilityConfig' });
  }

  private baseline(fields: BaselineFields): MonitoringBaseline {
    return new PackageBaseline((grantee) => this.bindBaseline(grantee, fields));
  }

  private bindBaseline(grantee: iam.IGrantable, fields: BaselineFields): MonitoringBaselineConfig {
    const attr = (name?: string) => {
      if (name === undefined) { return undefined; }
      this.required.add(name);
      return this.reader.getAttString(name);
    };
    grantReadObjects(grantee, this.artifactBucket, `${this.baselinesKeyPrefix}/*`,
      'The baseline files of each model version are written at run time by the training pipeline and named only at deploy time; ' +
      'read access is limited to the baseline prefix of the model package group.');
    return { constraintsUri: attr(fields.constraints)!, statisticsUri: attr(fields.statistics), analysisConfigUri: attr(fields.config) };
  }

  private createReader(): CustomResource {
    const fn = new HandlerFunction(this, 'Reader', {
      handler: 'model-package-baselines',
      description: 'Reads the drift-check baselines of a SageMaker model package version for Model Monitor',
      encryptionKey: this.encryptionKey,
      timeout: Duration.seconds(60),
      invocation: 'Invoked by CloudFormation as a custom resource, once per deployment of the stack.',
    });
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:DescribeModelPackage'], resources: [this.modelPackageArn] }));
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.function.functionArn,
      resourceType: 'Custom::ModelPackageBaselines',
      // A handler that never answers (killed before its response, or never invoked) fails the
      // stack within minutes instead of CloudFormation's default hour. The handler itself stops
      // after 60 seconds.
      serviceTimeout: SERVICE_TIMEOUT,
      properties: {
        ModelPackageArn: this.modelPackageArn,
        Required: Lazy.list({ produce: () => [...this.required].sort() }),
      },
    });
    // The read needs the function's permission to describe the package: wait for the role's
    // policies (the function, referenced by its ARN, already waits for the role itself).
    resource.node.addDependency(policiesOf(fn.role));
    return resource;
  }
}

/** A baseline read from the version: binding grants the read and records the attributes in use. */
class PackageBaseline extends MonitoringBaseline {
  constructor(private readonly bindTo: (grantee: iam.IGrantable) => MonitoringBaselineConfig) {
    super();
  }

  public bind(_scope: Construct, grantee: iam.IGrantable): MonitoringBaselineConfig {
    return this.bindTo(grantee);
  }
}
