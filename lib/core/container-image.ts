import { Aws, CfnMapping, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { check, propError } from '../private/errors';
import { grantPullFromRepository } from '../private/grants';
import { ECR_IMAGE_URI, ecrRepositoryArnOf, partitionOf } from '../private/ecr';
import {
  CLARIFY_REGISTRIES, CLARIFY_VERSIONS, MODEL_MONITOR_ANALYZER_REGISTRIES, SCIKIT_LEARN_VERSIONS, XGBOOST_REGISTRIES, XGBOOST_VERSIONS,
} from '../private/image-registries';

/** The built-in image families this module knows, by the table that lists their registries. */
const BUILT_IN_REGISTRIES = { xgboost: XGBOOST_REGISTRIES, modelMonitor: MODEL_MONITOR_ANALYZER_REGISTRIES, clarify: CLARIFY_REGISTRIES };

/**
 * A version of a built-in image must be one the SageMaker Python SDK lists (a token is taken as
 * it is): a version that does not exist would fail only when SageMaker pulls the image.
 */
function checkVersion(method: string, version: string, known: readonly string[]): void {
  if (Token.isUnresolved(version)) { return; }
  check(typeof version === 'string' && known.includes(version), method, 'version', version,
    `SageMaker has no such image version; the versions the SageMaker Python SDK lists are ${known.join(', ')}. ` +
    'For an image this list does not know, use ContainerImage.fromImageUri() with its URI');
}

/** A container image bound to a stack. */
export interface ContainerImageConfig {
  /** The image URI. */
  readonly imageUri: string;

  /**
   * The ARN of the ECR repository of the image, when a role that runs it needs pull permissions.
   *
   * @default - not an ECR image
   */
  readonly repositoryArn?: string;
}

/**
 * A container image for SageMaker jobs (processing, training, pipeline model steps) and for
 * models behind endpoints: a built-in SageMaker image (resolved per region, also when the region
 * is known only at deploy time), an image in an ECR repository, or any image URI.
 */
export abstract class ContainerImage {
  /**
   * The SageMaker built-in XGBoost algorithm image (`sagemaker-xgboost:<version>`), for training
   * and inference.
   *
   * The version must be one the SageMaker Python SDK lists (0.90-1 to 3.2-0); for another image
   * URI use `ContainerImage.fromImageUri()`.
   *
   * @param version the framework version, such as `1.7-1`
   * @default version "1.7-1"
   */
  public static xgboost(version?: string): ContainerImage {
    const v = version ?? '1.7-1';
    checkVersion('ContainerImage.xgboost', v, XGBOOST_VERSIONS);
    return new BuiltInImage('xgboost', 'sagemaker-xgboost', v);
  }

  /**
   * The SageMaker scikit-learn framework image (`sagemaker-scikit-learn:<version>-cpu-py3`), for
   * processing, training and inference.
   *
   * The version must be one the SageMaker Python SDK lists (0.20.0 to 1.4-2-py312); for another
   * image URI use `ContainerImage.fromImageUri()`.
   *
   * @param version the framework version, such as `1.2-1`
   * @default version "1.2-1"
   */
  public static scikitLearn(version?: string): ContainerImage {
    const v = version ?? '1.2-1';
    checkVersion('ContainerImage.scikitLearn', v, SCIKIT_LEARN_VERSIONS);
    return new BuiltInImage('xgboost', 'sagemaker-scikit-learn', `${v}-cpu-py3`);
  }

  /**
   * The Model Monitor analyzer image (`sagemaker-model-monitor-analyzer`), which computes data
   * quality baselines and runs data and model quality monitors.
   */
  public static modelMonitorAnalyzer(): ContainerImage {
    return new BuiltInImage('modelMonitor', 'sagemaker-model-monitor-analyzer', 'latest');
  }

  /**
   * The SageMaker Clarify processing image (`sagemaker-clarify-processing`), which computes bias
   * and explainability baselines (Clarify check steps).
   *
   * @param version the image version
   * @default version "1.0"
   */
  public static clarify(version?: string): ContainerImage {
    const v = version ?? '1.0';
    checkVersion('ContainerImage.clarify', v, CLARIFY_VERSIONS);
    return new BuiltInImage('clarify', 'sagemaker-clarify-processing', v);
  }

  /**
   * An image in an ECR repository; the role that runs it gets pull permissions on that repository.
   *
   * @param repository the repository
   * @param tagOrDigest a tag, or a digest `sha256:<64 hex digits>`
   * @default tagOrDigest "latest"
   */
  public static fromEcrRepository(repository: ecr.IRepository, tagOrDigest?: string): ContainerImage {
    const tag = tagOrDigest ?? 'latest';
    if (!Token.isUnresolved(tag)) {
      check(/^(sha256:[a-f0-9]{64}|[\w][\w.-]{0,127})$/.test(tag), 'ContainerImage.fromEcrRepository', 'tagOrDigest', tag,
        'It must be an image tag (up to 128 letters, digits, `_`, `.`, `-`) or a digest `sha256:<64 hex digits>`');
    }
    return new EcrImage(repository, tag);
  }

  /**
   * Any image URI. When it names an ECR repository (`<account>.dkr.ecr.<region>.<domain>/<name>`),
   * the role that runs it gets pull permissions on that repository (the repository's own policy
   * must allow a role of another account).
   *
   * This is also the escape hatch for a built-in image in a version or a region this library does
   * not list yet, such as `ContainerImage.fromImageUri('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:4.0-1')`.
   *
   * @param imageUri the image URI, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-repo:1.0`
   */
  public static fromImageUri(imageUri: string): ContainerImage {
    if (!Token.isUnresolved(imageUri)) {
      check(typeof imageUri === 'string' && imageUri.length > 0 && imageUri.length <= 255
        && (ECR_IMAGE_URI.test(imageUri) || /^[\w.-]+(:\d+)?\/[\w./-]+([:@][\w.:-]+)?$/.test(imageUri)),
      'ContainerImage.fromImageUri', 'imageUri', imageUri,
      'It must be an image URI of at most 255 characters, such as "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-repo:1.0"');
    }
    return new UriImage(imageUri);
  }

  /**
   * Bind the image to the construct that runs it.
   *
   * @param scope the construct that uses the image (its stack resolves built-in images)
   * @param grantee the role that runs the image: it gets pull permissions on an ECR repository
   * @default grantee - no permissions are granted (the caller grants them from `repositoryArn`)
   */
  public abstract bind(scope: IConstruct, grantee?: iam.IGrantable): ContainerImageConfig;
}

class BuiltInImage extends ContainerImage {
  constructor(private readonly table: keyof typeof BUILT_IN_REGISTRIES, private readonly repository: string, private readonly tag: string) {
    super();
    check(/^[A-Za-z0-9._-]{1,128}$/.test(tag), 'ContainerImage', 'version', tag, 'It must be a valid image tag');
  }

  public bind(scope: IConstruct, grantee?: iam.IGrantable): ContainerImageConfig {
    const stack = Stack.of(scope);
    const registries = BUILT_IN_REGISTRIES[this.table];
    let account: string;
    if (!Token.isUnresolved(stack.region)) {
      const found = registries[stack.region];
      if (!found) {
        throw propError(scope, 'image', `${this.repository}:${this.tag}`,
          `No built-in image is known for region ${stack.region}; known regions: ${Object.keys(registries).sort().join(', ')}. ` +
          'Use ContainerImage.fromImageUri() with the image URI for that region');
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
    const repositoryArn = `arn:${partition}:ecr:${stack.region}:${account}:repository/${this.repository}`;
    if (grantee) { grantPullFromRepository(grantee, repositoryArn); }
    return { imageUri: `${account}.dkr.ecr.${stack.region}.${suffix}/${this.repository}:${this.tag}`, repositoryArn };
  }
}

class EcrImage extends ContainerImage {
  constructor(private readonly repository: ecr.IRepository, private readonly tagOrDigest: string) {
    super();
  }

  public bind(_scope: IConstruct, grantee?: iam.IGrantable): ContainerImageConfig {
    if (grantee) { grantPullFromRepository(grantee, this.repository.repositoryArn); }
    return { imageUri: this.repository.repositoryUriForTagOrDigest(this.tagOrDigest), repositoryArn: this.repository.repositoryArn };
  }
}

class UriImage extends ContainerImage {
  constructor(private readonly uri: string) {
    super();
  }

  public bind(scope: IConstruct, grantee?: iam.IGrantable): ContainerImageConfig {
    const repositoryArn = ecrRepositoryArnOf(this.uri, Stack.of(scope).partition);
    if (grantee && repositoryArn) { grantPullFromRepository(grantee, repositoryArn); }
    return { imageUri: this.uri, repositoryArn };
  }
}
