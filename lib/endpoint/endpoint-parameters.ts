import { CfnParameter, CfnParameterProps, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DEFAULT_INSTANCE_COUNT, DEFAULT_SAMPLING_PERCENTAGE, DEFAULT_STAGE_MAX_CAPACITY } from './private/default-values';
import { checkInstanceType } from './private/instance-types';
import { InstanceType } from '../core/instance-type';
import { check, checkIntegerRange, childPath, propError } from '../private/errors';

/** Props of {@link EndpointStageParameters}. */
export interface EndpointStageParametersProps {
  /**
   * The instance types a stage may choose. They become the parameter's allowed values, so the
   * endpoint can still leave the volume key out for types with NVMe instance storage and refuse
   * burstable types when autoscaling is on.
   *
   * @default - ml.m5.large, ml.m5.xlarge, ml.m5.2xlarge, ml.c5.large, ml.c5.xlarge, ml.c5.2xlarge, ml.g4dn.xlarge, ml.g5.xlarge
   */
  readonly allowedInstanceTypes?: InstanceType[];

  /**
   * The default instance type.
   *
   * @default - the first allowed instance type
   */
  readonly defaultInstanceType?: InstanceType;

  /**
   * The default initial instance count.
   *
   * @default 2
   */
  readonly defaultInstanceCount?: number;

  /**
   * The default autoscaling maximum.
   *
   * @default 4
   */
  readonly defaultMaxCapacity?: number;

  /**
   * The default data capture sampling percentage.
   *
   * @default 20
   */
  readonly defaultSamplingPercentage?: number;

  /**
   * A prefix of the parameters' names (`<prefix>DeploymentId`, `<prefix>InstanceType`...), for
   * a second set of stage parameters in the same stack: CloudFormation parameter names are
   * unique per template.
   *
   * @default - no prefix: the names are `DeploymentId`, `ModelPackageArn`, `StageName`...
   */
  readonly parameterPrefix?: string;
}

const S3_URI_PATTERN = '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$';

/** The parameter values of one stage, for a deploy pipeline's parameter overrides. */
export interface EndpointStageValues {
  /** The approved model package version to deploy. */
  readonly modelPackageArn: string;
  /** The stage name (`staging`, `prod`), 1 to 16 letters, digits and dashes. */
  readonly stageName: string;
  /** A unique id of this deployment (for example the model package version), 1 to 16 letters and digits. */
  readonly deploymentId: string;
  /**
   * The instance type of the stage's endpoint (`InstanceType`, one of the allowed values).
   *
   * @default - the parameter's default
   */
  readonly instanceType?: InstanceType;
  /**
   * The instance count of the stage's endpoint (`InstanceCount`).
   *
   * @default - the parameter's default
   */
  readonly instanceCount?: number;
  /**
   * The most instances autoscaling may add in this stage (`MaxCapacity`).
   *
   * @default - the parameter's default
   */
  readonly maxCapacity?: number;
  /**
   * The share of requests whose data is captured in this stage, in percent (`SamplingPercentage`).
   *
   * @default - the parameter's default
   */
  readonly samplingPercentage?: number;
  /**
   * The S3 URI of the data quality baseline statistics the stage's monitor compares with (`BaselineStatisticsUri`).
   *
   * @default - none
   */
  readonly baselineStatisticsUri?: string;
  /**
   * The S3 URI of the data quality baseline constraints the stage's monitor checks (`BaselineConstraintsUri`).
   *
   * @default - none
   */
  readonly baselineConstraintsUri?: string;
}

/**
 * CloudFormation parameters that make an {@link EndpointWithMonitor} stack a template that one
 * deploy pipeline deploys to every stage (staging, prod): the model package version and the
 * stage's settings. Pass it as the endpoint's `stageParameters`, and its properties to the
 * endpoint's other props; a parameter is added to the template when its property is first read,
 * so the template holds only the parameters in use.
 *
 * The `DeploymentId` parameter (for example the model package version) is always there: it is
 * appended to the configuration-hashed names of the model, the endpoint config and the monitoring
 * job definitions, because a hash computed at synth time cannot see a parameter's value.
 *
 * @example
 * import { EndpointStageParameters, EndpointWithMonitor, MlopsFoundation, ModelPackageGroup, ModelSource } from 'cdk-sagemaker-mlops';
 *
 * // One template for every stage: the deploy pipeline gives each stage's values as parameters.
 * const foundation = new MlopsFoundation(this, 'Foundation');
 * const stage = new EndpointStageParameters(this, 'Stage');
 * new EndpointWithMonitor(this, 'Endpoint', {
 *   foundation,
 *   model: ModelSource.fromModelPackageArn(stage.modelPackageArn, {
 *     modelPackageGroup: ModelPackageGroup.fromModelPackageGroupName(this, 'ChurnModels', 'churn'),
 *   }),
 *   stageParameters: stage,
 *   endpointName: stage.endpointName('churn'), // staging-churn, prod-churn
 *   instanceType: stage.instanceType,
 *   initialInstanceCount: stage.instanceCount,
 * });
 */
export class EndpointStageParameters extends Construct {
  /** A unique id of the deployment (a token). */
  public readonly deploymentId: string;

  private readonly params: { [name: string]: CfnParameter } = {};
  private readonly allowed: InstanceType[];
  private readonly defaultType: InstanceType;
  private readonly props: EndpointStageParametersProps;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: EndpointStageParametersProps = {}) {
    super(scope, id);
    this.props = props;
    this.allowed = props.allowedInstanceTypes ?? [
      InstanceType.ML_M5_LARGE, InstanceType.ML_M5_XLARGE, InstanceType.ML_M5_2XLARGE,
      InstanceType.ML_C5_LARGE, InstanceType.ML_C5_XLARGE, InstanceType.ML_C5_2XLARGE,
      InstanceType.ML_G4DN_XLARGE, InstanceType.ML_G5_XLARGE,
    ];
    check(Array.isArray(this.allowed) && this.allowed.length > 0, this, 'allowedInstanceTypes',
      Array.isArray(this.allowed) ? this.allowed.map(String) : this.allowed,
      'It must list at least one literal instance type');
    // They become the endpoint's production variant: SageMaker must host each of them.
    this.allowed.forEach((t, i) => {
      checkInstanceType(this, `allowedInstanceTypes[${i}]`, t, 'hosting');
      check(!t.isToken, this, `allowedInstanceTypes[${i}]`, t.name, 'It must be a literal instance type: it becomes an allowed value of the parameter');
    });
    this.defaultType = props.defaultInstanceType === undefined ? this.allowed[0]
      : checkInstanceType(this, 'defaultInstanceType', props.defaultInstanceType, 'hosting');
    check(this.allowed.some((t) => t.name === this.defaultType.name), this, 'defaultInstanceType', this.defaultType.name,
      `It must be one of \`allowedInstanceTypes\` (${this.allowed.map((t) => t.name).join(', ')})`);
    checkIntegerRange(this, 'defaultInstanceCount', props.defaultInstanceCount, 1, 100);
    checkIntegerRange(this, 'defaultMaxCapacity', props.defaultMaxCapacity, 1, 100);
    checkIntegerRange(this, 'defaultSamplingPercentage', props.defaultSamplingPercentage, 0, 100);
    this.prefix = props.parameterPrefix ?? '';
    check(!Token.isUnresolved(this.prefix) && /^[A-Za-z0-9]*$/.test(this.prefix) && this.prefix.length <= 64, this, 'parameterPrefix',
      props.parameterPrefix, 'It must be up to 64 letters and digits (CloudFormation parameter names are alphanumeric)');

    this.deploymentId = this.param('DeploymentId', {
      type: 'String',
      description: 'A unique id of this deployment (for example the model package version): part of the replaced resources\' names',
      allowedPattern: '^[a-zA-Z0-9]{1,16}$',
      minLength: 1,
      maxLength: 16,
    }).valueAsString;
  }

  /** The model package ARN (a token). */
  public get modelPackageArn(): string {
    return this.param('ModelPackageArn', {
      type: 'String',
      description: 'The approved model package version to deploy',
      allowedPattern: '^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:model-package/[a-zA-Z0-9-]{1,63}/[0-9]+$',
    }).valueAsString;
  }

  /** The stage name (a token), 1 to 16 letters, digits and dashes. */
  public get stageName(): string {
    return this.param('StageName', {
      type: 'String',
      description: 'The stage (staging, prod): part of the endpoint name',
      allowedPattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,15}$',
      minLength: 1,
      maxLength: 16,
    }).valueAsString;
  }

  /** The instance type (a token restricted to the allowed types). */
  public get instanceType(): InstanceType {
    return InstanceType._oneOf(this.param('InstanceType', {
      type: 'String',
      description: 'The instance type of the production variant',
      allowedValues: this.allowed.map((t) => t.name),
      default: this.defaultType.name,
    }).valueAsString, this.allowed);
  }

  /** The initial instance count and the autoscaling minimum (a token). */
  public get instanceCount(): number {
    return this.param('InstanceCount', {
      type: 'Number',
      description: 'The initial instance count (and the autoscaling minimum)',
      minValue: 1,
      maxValue: 100,
      default: this.props.defaultInstanceCount ?? DEFAULT_INSTANCE_COUNT,
    }).valueAsNumber;
  }

  /** The autoscaling maximum (a token). */
  public get maxCapacity(): number {
    return this.param('MaxCapacity', {
      type: 'Number',
      description: 'The autoscaling maximum instance count',
      minValue: 1,
      maxValue: 100,
      default: this.props.defaultMaxCapacity ?? DEFAULT_STAGE_MAX_CAPACITY,
    }).valueAsNumber;
  }

  /** The data capture sampling percentage (a token). */
  public get samplingPercentage(): number {
    return this.param('SamplingPercentage', {
      type: 'Number',
      description: 'The percentage of requests captured for monitoring',
      minValue: 0,
      maxValue: 100,
      default: this.props.defaultSamplingPercentage ?? DEFAULT_SAMPLING_PERCENTAGE,
    }).valueAsNumber;
  }

  /** The S3 URI of the data quality baseline statistics (a token). */
  public get baselineStatisticsUri(): string {
    return this.param('BaselineStatisticsUri', {
      type: 'String', description: 'The S3 URI of the data quality baseline statistics.json', allowedPattern: S3_URI_PATTERN,
    }).valueAsString;
  }

  /** The S3 URI of the data quality baseline constraints (a token). */
  public get baselineConstraintsUri(): string {
    return this.param('BaselineConstraintsUri', {
      type: 'String', description: 'The S3 URI of the data quality baseline constraints.json', allowedPattern: S3_URI_PATTERN,
    }).valueAsString;
  }

  /**
   * The parameter `name`, created at the stack root on first use (its logical id is the readable
   * name a pipeline overrides), with the prefix of this set.
   */
  private param(name: string, props: CfnParameterProps): CfnParameter {
    if (!this.params[name]) {
      const stack = Stack.of(this);
      const id = `${this.prefix}${name}`;
      check(stack.node.tryFindChild(id) === undefined, this, 'parameterPrefix', this.props.parameterPrefix,
        `The stack already has a parameter or construct named ${id} (another EndpointStageParameters?): ` +
        'give each set of stage parameters in a stack its own `parameterPrefix`');
      this.params[name] = new CfnParameter(stack, id, props);
    }
    return this.params[name];
  }

  /**
   * The endpoint name of a stage: `<stage>-<base>`.
   *
   * @param base the stage-independent part, up to 46 characters
   */
  public endpointName(base: string): string {
    if (!Token.isUnresolved(base)) {
      check(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/.test(base) && base.length <= 46, childPath(this, 'endpointName'), 'base', base,
        'It must be 1 to 46 letters, digits and dashes, starting and ending with a letter or digit (the stage name takes up to 17 more)');
    }
    return `${this.stageName}-${base}`;
  }

  /**
   * The parameter overrides of one stage, by parameter name (for a CloudFormation deploy action).
   *
   * @param values the stage's values
   */
  public parameterValues(values: EndpointStageValues): { [name: string]: string } {
    const given: { [name: string]: string | undefined } = {
      ModelPackageArn: values.modelPackageArn,
      StageName: values.stageName,
      DeploymentId: values.deploymentId,
      InstanceType: values.instanceType === undefined ? undefined : this.allowedValue(values.instanceType),
      InstanceCount: values.instanceCount === undefined ? undefined : String(values.instanceCount),
      MaxCapacity: values.maxCapacity === undefined ? undefined : String(values.maxCapacity),
      SamplingPercentage: values.samplingPercentage === undefined ? undefined : String(values.samplingPercentage),
      BaselineStatisticsUri: values.baselineStatisticsUri,
      BaselineConstraintsUri: values.baselineConstraintsUri,
    };
    const out: { [name: string]: string } = {};
    for (const [name, value] of Object.entries(given)) {
      if (value === undefined) { continue; }
      // CloudFormation rejects overrides of parameters the template does not have.
      if (!this.params[name]) {
        if (name === 'ModelPackageArn' || name === 'StageName') { continue; }
        throw propError(this, `${this.prefix}${name}`, value, 'The template has no such parameter: the endpoint does not use it');
      }
      out[`${this.prefix}${name}`] = value;
    }
    return out;
  }

  /** An instance type of a stage's values: one of the allowed ones (CloudFormation would refuse another at deploy time). */
  private allowedValue(type: InstanceType): string {
    const name = checkInstanceType(childPath(this, 'parameterValues'), 'instanceType', type, 'hosting').name;
    check(this.allowed.some((t) => t.name === name), childPath(this, 'parameterValues'), 'instanceType', name,
      `It must be one of the allowed instance types of the parameter (${this.allowed.map((t) => t.name).join(', ')})`);
    return name;
  }

  /** The names of the template's parameters. */
  public get parameterNames(): string[] {
    return Object.keys(this.params).map((name) => `${this.prefix}${name}`);
  }
}
