import { Aws, CfnMapping, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { IConstruct } from 'constructs';
import { check, propError } from '../private/errors';
import { MODEL_MONITOR_ANALYZER_REGISTRIES, XGBOOST_REGISTRIES } from '../private/image-registries';

/** The built-in image families this module knows, by the table that lists their registries. */
const BUILT_IN_REGISTRIES = { xgboost: XGBOOST_REGISTRIES, modelMonitor: MODEL_MONITOR_ANALYZER_REGISTRIES };

/** The image of a job, bound to a stack. */
export interface JobImageConfig {
  /** The image URI. */
  readonly imageUri: string;
  /**
   * The ARN of the ECR repository, when the image is in ECR.
   *
   * @default - not an ECR image the job role needs permissions for
   */
  readonly repositoryArn?: string;
}

/**
 * The container image of a processing, training or model step: a built-in SageMaker image
 * (resolved per region, also when the region is only known at deploy time), an image in an ECR
 * repository, or any image URI.
 */
export abstract class JobImage {
  /**
   * The SageMaker built-in XGBoost algorithm image (`sagemaker-xgboost:<version>`), for training
   * and inference.
   *
   * @param version the framework version, such as `1.7-1`
   * @default version "1.7-1"
   */
  public static xgboost(version?: string): JobImage {
    return new BuiltInImage('xgboost', 'sagemaker-xgboost', version ?? '1.7-1');
  }

  /**
   * The SageMaker scikit-learn framework image (`sagemaker-scikit-learn:<version>-cpu-py3`), for
   * processing, training and inference.
   *
   * @param version the framework version, such as `1.2-1`
   * @default version "1.2-1"
   */
  public static scikitLearn(version?: string): JobImage {
    const v = version ?? '1.2-1';
    return new BuiltInImage('xgboost', 'sagemaker-scikit-learn', `${v}-cpu-py3`);
  }

  /**
   * The Model Monitor analyzer image (`sagemaker-model-monitor-analyzer`), which computes data
   * quality baselines.
   */
  public static modelMonitorAnalyzer(): JobImage {
    return new BuiltInImage('modelMonitor', 'sagemaker-model-monitor-analyzer', 'latest');
  }

  /**
   * An image in an ECR repository; the job role gets pull permissions on it.
   *
   * @param repository the repository
   * @param tag the image tag
   * @default tag "latest"
   */
  public static fromEcrRepository(repository: ecr.IRepository, tag?: string): JobImage {
    return new EcrImage(repository, tag ?? 'latest');
  }

  /**
   * Any image URI. When it names an ECR repository (`<account>.dkr.ecr.<region>.<domain>/<name>`),
   * the job role gets pull permissions on that repository.
   *
   * @param imageUri the image URI
   */
  public static fromImageUri(imageUri: string): JobImage {
    check(typeof imageUri === 'string' && imageUri.length > 0 && imageUri.length <= 255, 'JobImage', 'imageUri', imageUri,
      'It must be an image URI of 1 to 255 characters');
    return new UriImage(imageUri);
  }

  /**
   * Bind the image to a stack.
   * @internal
   */
  public _bind(_scope: IConstruct): JobImageConfig {
    throw new Error('JobImage subclasses must implement _bind');
  }
}

class BuiltInImage extends JobImage {
  constructor(private readonly table: keyof typeof BUILT_IN_REGISTRIES, private readonly repository: string, private readonly tag: string) {
    super();
    check(/^[A-Za-z0-9._-]{1,128}$/.test(tag), 'JobImage', 'version', tag, 'It must be a valid image tag');
  }

  /** @internal */
  public _bind(scope: IConstruct): JobImageConfig {
    const stack = Stack.of(scope);
    const registries = BUILT_IN_REGISTRIES[this.table];
    let account: string;
    if (!Token.isUnresolved(stack.region)) {
      const found = registries[stack.region];
      if (!found) {
        throw propError(scope, 'image', `${this.repository}:${this.tag}`,
          `No built-in image is known for region ${stack.region}; known regions: ${Object.keys(registries).sort().join(', ')}. ` +
          'Use JobImage.fromImageUri() with the image URI for that region');
      }
      account = found;
    } else {
      const id = `SageMakerImageRegistries${this.table.charAt(0).toUpperCase()}${this.table.slice(1)}`;
      const mapping = (stack.node.tryFindChild(id) as CfnMapping | undefined) ?? new CfnMapping(stack, id, {
        mapping: Object.fromEntries(Object.entries(registries).map(([region, acct]) => [region, { account: acct }])),
      });
      account = mapping.findInMap(Aws.REGION, 'account');
    }
    const literal = !Token.isUnresolved(stack.region);
    const suffix = literal ? (stack.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com') : stack.urlSuffix;
    const partition = literal ? partitionOf(stack.region) : stack.partition;
    return {
      imageUri: `${account}.dkr.ecr.${stack.region}.${suffix}/${this.repository}:${this.tag}`,
      repositoryArn: `arn:${partition}:ecr:${stack.region}:${account}:repository/${this.repository}`,
    };
  }
}

class EcrImage extends JobImage {
  constructor(private readonly repository: ecr.IRepository, private readonly tag: string) {
    super();
  }

  /** @internal */
  public _bind(_scope: IConstruct): JobImageConfig {
    return { imageUri: this.repository.repositoryUriForTag(this.tag), repositoryArn: this.repository.repositoryArn };
  }
}

class UriImage extends JobImage {
  constructor(private readonly uri: string) {
    super();
  }

  /** @internal */
  public _bind(scope: IConstruct): JobImageConfig {
    return { imageUri: this.uri, repositoryArn: ecrRepositoryArnOf(this.uri, Stack.of(scope).partition) };
  }
}

/** The partition of a literal region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) { return 'aws-cn'; }
  if (region.startsWith('us-gov-')) { return 'aws-us-gov'; }
  return 'aws';
}

const PART = '(?:\\$\\{Token\\[[^\\]]+\\]\\}|[A-Za-z0-9-]+)';
const ECR_URI = new RegExp(`^(${PART})\\.dkr\\.ecr\\.(${PART})\\.(?:\\$\\{Token\\[[^\\]]+\\]\\}|[a-z.]+)/([a-z0-9._/-]+?)(?::[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})?$`);

/** The repository ARN of an ECR image URI (tokens allowed in account and region), or undefined. */
export function ecrRepositoryArnOf(uri: string, partition: string): string | undefined {
  const m = ECR_URI.exec(uri);
  if (!m) { return undefined; }
  return `arn:${partition}:ecr:${m[2]}:${m[1]}:repository/${m[3]}`;
}
