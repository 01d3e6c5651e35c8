import { CfnParameter, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { InstanceType } from './instance-type';
import { check, checkIntegerRange, childPath } from '../private/errors';

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
   * Add parameters for the data quality baseline (`BaselineStatisticsUri`, `BaselineConstraintsUri`),
   * which travel with the approved model package.
   *
   * @default false
   */
  readonly baselineParameters?: boolean;
}

/** The parameter values of one stage, for a deploy pipeline's parameter overrides. */
export interface EndpointStageValues {
  /** The approved model package version to deploy. */
  readonly modelPackageArn: string;
  /** The stage name (`staging`, `prod`), 1 to 16 letters, digits and dashes. */
  readonly stageName: string;
  /** A unique id of this deployment (for example the model package version), 1 to 16 letters and digits. */
  readonly deploymentId: string;
  /** @default - the parameter's default */
  readonly instanceType?: InstanceType;
  /** @default - the parameter's default */
  readonly instanceCount?: number;
  /** @default - the parameter's default */
  readonly maxCapacity?: number;
  /** @default - the parameter's default */
  readonly samplingPercentage?: number;
  /** @default - none */
  readonly baselineStatisticsUri?: string;
  /** @default - none */
  readonly baselineConstraintsUri?: string;
}

/**
 * CloudFormation parameters that make an {@link EndpointWithMonitor} stack a template that one
 * deploy pipeline deploys to every stage (staging, prod): the model package version and the
 * stage's settings. Pass its properties to the endpoint's props.
 *
 * The `DeploymentId` parameter (for example the model package version) is appended to the
 * configuration-hashed names of the model, the endpoint config and the monitoring job
 * definitions, because a hash computed at synth time cannot see a parameter's value.
 */
export class EndpointStageParameters extends Construct {
  /** The model package ARN (a token). */
  public readonly modelPackageArn: string;
  /** The stage name (a token). */
  public readonly stageName: string;
  /** The deployment id (a token). */
  public readonly deploymentId: string;
  /** The instance type (a token restricted to the allowed types). */
  public readonly instanceType: InstanceType;
  /** The initial instance count and the autoscaling minimum (a token). */
  public readonly instanceCount: number;
  /** The autoscaling maximum (a token). */
  public readonly maxCapacity: number;
  /** The data capture sampling percentage (a token). */
  public readonly samplingPercentage: number;
  /** The data quality baseline statistics URI (a token), when `baselineParameters` is on. */
  public readonly baselineStatisticsUri?: string;
  /** The data quality baseline constraints URI (a token), when `baselineParameters` is on. */
  public readonly baselineConstraintsUri?: string;

  private readonly params: { [name: string]: CfnParameter } = {};

  constructor(scope: Construct, id: string, props: EndpointStageParametersProps = {}) {
    super(scope, id);
    const allowed = props.allowedInstanceTypes ?? [
      InstanceType.ML_M5_LARGE, InstanceType.ML_M5_XLARGE, InstanceType.ML_M5_2XLARGE,
      InstanceType.ML_C5_LARGE, InstanceType.ML_C5_XLARGE, InstanceType.ML_C5_2XLARGE,
      InstanceType.ML_G4DN_XLARGE, InstanceType.ML_G5_XLARGE,
    ];
    check(allowed.length > 0 && allowed.every((t) => !t.isToken), this, 'allowedInstanceTypes', allowed.map(String),
      'It must list at least one literal instance type');
    const defaultType = props.defaultInstanceType ?? allowed[0];
    check(allowed.some((t) => t.name === defaultType.name), this, 'defaultInstanceType', defaultType.name,
      'It must be one of `allowedInstanceTypes`');
    checkIntegerRange(this, 'defaultInstanceCount', props.defaultInstanceCount, 1, 100);
    checkIntegerRange(this, 'defaultMaxCapacity', props.defaultMaxCapacity, 1, 100);
    checkIntegerRange(this, 'defaultSamplingPercentage', props.defaultSamplingPercentage, 0, 100);
    const stack = Stack.of(this);
    check(stack.node.findAll().filter((c) => c instanceof EndpointStageParameters).length === 1, this, 'id', id,
      'A stack can hold only one EndpointStageParameters');

    const param = (name: string, p: ConstructorParameters<typeof CfnParameter>[2]) => {
      // Parameters live at the stack root so their logical ids are the readable names a deploy
      // pipeline passes as overrides.
      const cfn = new CfnParameter(stack, name, p);
      this.params[name] = cfn;
      return cfn;
    };
    this.modelPackageArn = param('ModelPackageArn', {
      type: 'String',
      description: 'The approved model package version to deploy',
      allowedPattern: '^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:model-package/[a-zA-Z0-9-]{1,63}/[0-9]+$',
    }).valueAsString;
    this.stageName = param('StageName', {
      type: 'String',
      description: 'The stage (staging, prod): part of the endpoint name',
      allowedPattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,15}$',
      minLength: 1,
      maxLength: 16,
    }).valueAsString;
    this.deploymentId = param('DeploymentId', {
      type: 'String',
      description: 'A unique id of this deployment (for example the model package version): part of the replaced resources\' names',
      allowedPattern: '^[a-zA-Z0-9]{1,16}$',
      minLength: 1,
      maxLength: 16,
    }).valueAsString;
    this.instanceType = InstanceType._oneOf(param('InstanceType', {
      type: 'String',
      description: 'The instance type of the production variant',
      allowedValues: allowed.map((t) => t.name),
      default: defaultType.name,
    }).valueAsString, allowed);
    this.instanceCount = param('InstanceCount', {
      type: 'Number',
      description: 'The initial instance count (and the autoscaling minimum)',
      minValue: 1,
      maxValue: 100,
      default: props.defaultInstanceCount ?? 2,
    }).valueAsNumber;
    this.maxCapacity = param('MaxCapacity', {
      type: 'Number',
      description: 'The autoscaling maximum instance count',
      minValue: 1,
      maxValue: 100,
      default: props.defaultMaxCapacity ?? 4,
    }).valueAsNumber;
    this.samplingPercentage = param('SamplingPercentage', {
      type: 'Number',
      description: 'The percentage of requests captured for monitoring',
      minValue: 0,
      maxValue: 100,
      default: props.defaultSamplingPercentage ?? 20,
    }).valueAsNumber;
    if (props.baselineParameters) {
      const pattern = '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$';
      this.baselineStatisticsUri = param('BaselineStatisticsUri', {
        type: 'String', description: 'The S3 URI of the data quality baseline statistics.json', allowedPattern: pattern,
      }).valueAsString;
      this.baselineConstraintsUri = param('BaselineConstraintsUri', {
        type: 'String', description: 'The S3 URI of the data quality baseline constraints.json', allowedPattern: pattern,
      }).valueAsString;
    }
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
    const out: { [name: string]: string } = {
      ModelPackageArn: values.modelPackageArn,
      StageName: values.stageName,
      DeploymentId: values.deploymentId,
    };
    if (values.instanceType) { out.InstanceType = values.instanceType.name; }
    if (values.instanceCount !== undefined) { out.InstanceCount = String(values.instanceCount); }
    if (values.maxCapacity !== undefined) { out.MaxCapacity = String(values.maxCapacity); }
    if (values.samplingPercentage !== undefined) { out.SamplingPercentage = String(values.samplingPercentage); }
    if (values.baselineStatisticsUri !== undefined) {
      check(this.baselineStatisticsUri !== undefined, this, 'baselineStatisticsUri', values.baselineStatisticsUri,
        'The template has no baseline parameters; set `baselineParameters: true`');
      out.BaselineStatisticsUri = values.baselineStatisticsUri;
    }
    if (values.baselineConstraintsUri !== undefined) {
      check(this.baselineConstraintsUri !== undefined, this, 'baselineConstraintsUri', values.baselineConstraintsUri,
        'The template has no baseline parameters; set `baselineParameters: true`');
      out.BaselineConstraintsUri = values.baselineConstraintsUri;
    }
    return out;
  }

  /** The names of the template's parameters. */
  public get parameterNames(): string[] {
    return Object.keys(this.params);
  }
}
