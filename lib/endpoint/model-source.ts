import { Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { ContainerImage } from '../core/container-image';
import { grantPull, grantReadObjects, grantStatement } from '../private/grants';
import { parseS3Uri } from '../private/s3-uri';
import { check } from '../private/errors';

/** What a model source contributes to the model's container definition. */
export interface ModelSourceConfig {
  /** The inference image URI. @default - none (a model package carries its image) */
  readonly image?: string;
  /** The S3 URI of the model artifact (`model.tar.gz`). @default - none */
  readonly modelDataUrl?: string;
  /** The ARN of the model package version. @default - none */
  readonly modelPackageName?: string;
  /** Environment variables of the container. @default - none */
  readonly environment?: { [key: string]: string };
}

/** Where a model artifact lives. */
export interface ModelDataConfig {
  /** The S3 URI of the artifact. */
  readonly uri: string;
}

/**
 * A model artifact (`model.tar.gz`) in S3. Binding it grants the execution role read access to
 * exactly that object (and decryption with the bucket key, when the bucket has one).
 */
export abstract class ModelData {
  /**
   * An object in a bucket.
   *
   * @param bucket the bucket (its key, when it has one, is granted for decryption)
   * @param key the object key of the artifact
   */
  public static fromBucket(bucket: s3.IBucket, key: string): ModelData {
    return new BucketModelData(bucket, key);
  }

  /**
   * An `s3://bucket/key` URI. Read access is granted on that object; grant decryption yourself
   * when the object is encrypted with a customer managed key (or use `fromBucket`).
   *
   * @param uri the S3 URI of the artifact
   */
  public static fromS3Uri(uri: string): ModelData {
    return new UriModelData(uri);
  }

  /**
   * A local `model.tar.gz` uploaded as a CDK asset (SageMaker reads only gzipped tar archives,
   * so a directory, which CDK would zip, is refused).
   *
   * @param path the local path of the `.tar.gz` file
   */
  public static fromAsset(path: string): ModelData {
    return new AssetModelData(path);
  }

  /**
   * Make the artifact available to `grantee` and return its URI.
   *
   * @param scope the construct that uses the artifact
   * @param grantee the execution role of the model
   */
  public abstract bind(scope: Construct, grantee: iam.IGrantable): ModelDataConfig;
}

class BucketModelData extends ModelData {
  constructor(private readonly bucket: s3.IBucket, private readonly key: string) {
    super();
  }
  public bind(scope: Construct, grantee: iam.IGrantable): ModelDataConfig {
    if (!Token.isUnresolved(this.key)) {
      check(this.key.length > 0 && !this.key.startsWith('/'), scope, 'modelData.key', this.key,
        'It must be the object key of the model artifact, without a leading slash');
    }
    grantReadObjects(grantee, this.bucket, this.key, 'The model artifact object.');
    return { uri: this.bucket.s3UrlForObject(this.key) };
  }
}

class UriModelData extends ModelData {
  constructor(private readonly uri: string) {
    super();
  }
  public bind(scope: Construct, grantee: iam.IGrantable): ModelDataConfig {
    const parsed = parseS3Uri(scope, 'modelData', this.uri);
    grantStatement(grantee, new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [Stack.of(scope).formatArn({ service: 's3', region: '', account: '', resource: parsed.bucket, resourceName: parsed.key })],
    }), 'The model artifact object.');
    return { uri: this.uri };
  }
}

class AssetModelData extends ModelData {
  private asset?: s3assets.Asset;
  constructor(private readonly path: string) {
    super();
  }
  public bind(scope: Construct, grantee: iam.IGrantable): ModelDataConfig {
    check(/\.tar\.gz$/.test(this.path), scope, 'modelData', this.path,
      'It must be a gzipped tar archive (`model.tar.gz`): SageMaker reads nothing else, and CDK would zip a directory');
    if (!this.asset) {
      this.asset = new s3assets.Asset(scope, 'ModelData', { path: this.path });
    }
    grantReadObjects(grantee, this.asset.bucket, this.asset.s3ObjectKey, 'The model artifact asset object.');
    return { uri: this.asset.s3ObjectUrl };
  }
}

/** Options of a model built from an image. */
export interface ImageModelOptions {
  /**
   * The model artifact.
   *
   * @default - none: the image holds the model
   */
  readonly modelData?: ModelData;

  /**
   * Environment variables of the inference container.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };
}

/** Options of a model built from a model package version (the promote path). */
export interface ModelPackageModelOptions {
  /**
   * The bucket that holds the model package's artifacts; the execution role may read objects
   * under `modelDataKeyPrefix` (and decrypt with the bucket key).
   */
  readonly modelDataBucket: s3.IBucket;

  /**
   * The key prefix of the artifacts in `modelDataBucket`.
   *
   * @default - the whole bucket
   */
  readonly modelDataKeyPrefix?: string;

  /**
   * ECR repositories that hold the package's inference images (pull rights are granted).
   * AWS-owned images need none.
   *
   * @default - none
   */
  readonly imageRepositories?: ecr.IRepository[];

  /**
   * Environment variables of the inference container (added to the package's own).
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };
}

/**
 * What the endpoint serves: an approved model package version, or an image plus model data.
 */
export abstract class ModelSource {
  /**
   * A model package version (the promote path: an approved version from the model registry).
   * A CloudFormation parameter is accepted, so one template serves every stage.
   *
   * @param modelPackageArn `arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>`
   * @param options where the artifacts and images live
   */
  public static fromModelPackageArn(modelPackageArn: string, options: ModelPackageModelOptions): ModelSource {
    return new ModelPackageSource(modelPackageArn, options);
  }

  /**
   * An inference image, with an optional model artifact.
   *
   * @param image the inference image
   * @param options the artifact and the environment
   */
  public static fromImage(image: ContainerImage, options: ImageModelOptions = {}): ModelSource {
    return new ImageSource(image, options);
  }

  /**
   * Grant `grantee` what it needs and return the container definition.
   *
   * @param scope the model construct
   * @param grantee the execution role of the model
   */
  public abstract bind(scope: Construct, grantee: iam.IGrantable): ModelSourceConfig;
}

class ModelPackageSource extends ModelSource {
  constructor(private readonly arn: string, private readonly options: ModelPackageModelOptions) {
    super();
  }
  public bind(scope: Construct, grantee: iam.IGrantable): ModelSourceConfig {
    if (!Token.isUnresolved(this.arn)) {
      check(/^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}\/\d+$/.test(this.arn),
        scope, 'modelPackageArn', this.arn,
        'It must be the ARN of a versioned model package: arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>');
    }
    check(this.options?.modelDataBucket !== undefined, scope, 'modelDataBucket', undefined,
      'A model package source needs the bucket of its artifacts, so the execution role can read them');
    const prefix = this.options.modelDataKeyPrefix;
    grantReadObjects(grantee, this.options.modelDataBucket, prefix ? `${prefix.replace(/\/+$/, '')}/*` : '*',
      'Model package versions are registered at run time, each with its own artifact object; read access is limited to ' +
      'the artifact bucket (and prefix) of the model package group.');
    for (const repo of this.options.imageRepositories ?? []) {
      grantPull(grantee, repo);
    }
    return { modelPackageName: this.arn, environment: this.options.environment };
  }
}

class ImageSource extends ModelSource {
  constructor(private readonly image: ContainerImage, private readonly options: ImageModelOptions) {
    super();
  }
  public bind(scope: Construct, grantee: iam.IGrantable): ModelSourceConfig {
    const image = this.image.bind(scope, grantee);
    const data = this.options.modelData?.bind(scope, grantee);
    return { image: image.imageUri, modelDataUrl: data?.uri, environment: this.options.environment };
  }
}
