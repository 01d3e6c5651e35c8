import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ModelData } from './model-data';
import { checkModelPackageVersion, readPrefix } from './private/model-package';
import { ContainerImage } from '../core/container-image';
import { IModelPackageGroup } from '../core/model-package-group';
import { StorageLayout } from '../core/storage-layout';
import { check } from '../private/errors';
import { grantPull, grantReadObjects } from '../private/grants';

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

/** What the endpoint that serves a model source gives it when binding. */
export interface ModelSourceBindOptions {
  /**
   * The endpoint's artifact bucket (its explicit `artifactBucket`, or its foundation's).
   *
   * @default - none
   */
  readonly artifactBucket?: s3.IBucket;

  /**
   * The endpoint's storage layout.
   *
   * @default StorageLayout.DEFAULT
   */
  readonly storageLayout?: StorageLayout;
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

/**
 * Options of a model built from a model package version (the promote path). The execution role
 * may read the version's artifacts under one key prefix of one bucket: the group's prefix of the
 * storage layout (`<models>/<group name>`) or `modelDataKeyPrefix`, never the whole bucket.
 */
export interface ModelPackageModelOptions {
  /**
   * The model package group the version belongs to. Its artifacts are read under the storage
   * layout's `modelPrefix(group name)`; a literal ARN must be a version of this group.
   *
   * @default - none: `modelDataKeyPrefix` is required
   */
  readonly modelPackageGroup?: IModelPackageGroup;

  /**
   * The bucket that holds the model package's artifacts; the execution role may read objects
   * under the artifact prefix (and decrypt with the bucket key).
   *
   * @default - the endpoint's artifact bucket (its `artifactBucket`, or its foundation's)
   */
  readonly artifactBucket?: s3.IBucket;

  /**
   * The key prefix of the artifacts in the bucket.
   *
   * @default - the storage layout's `modelPrefix(group name)` ("models/<group name>") of `modelPackageGroup`
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
   * @param options the group, and where the artifacts and images live
   */
  public static fromModelPackageArn(modelPackageArn: string, options: ModelPackageModelOptions = {}): ModelSource {
    return new ModelPackageSource(modelPackageArn, options ?? {});
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
   * @param options the endpoint's bucket and storage layout
   */
  public abstract bind(scope: Construct, grantee: iam.IGrantable, options?: ModelSourceBindOptions): ModelSourceConfig;
}

class ModelPackageSource extends ModelSource {
  constructor(private readonly arn: string, private readonly options: ModelPackageModelOptions) {
    super();
  }

  public bind(scope: Construct, grantee: iam.IGrantable, bindOptions: ModelSourceBindOptions = {}): ModelSourceConfig {
    const group = this.options.modelPackageGroup;
    checkModelPackageVersion(scope, 'modelPackageArn', this.arn, group);
    const bucket = this.options.artifactBucket ?? bindOptions.artifactBucket;
    check(bucket !== undefined, scope, 'artifactBucket', undefined,
      'A model package source needs the bucket of its artifacts, so the execution role can read them: give `artifactBucket` ' +
      'in the options of ModelSource.fromModelPackageArn, or the endpoint\'s `artifactBucket` or `foundation`');
    const layout = bindOptions.storageLayout ?? StorageLayout.DEFAULT;
    const prefix = readPrefix(scope, 'modelDataKeyPrefix', this.options.modelDataKeyPrefix,
      group ? () => layout.modelPrefix(group.modelPackageGroupName) : undefined, 'model artifacts');
    grantReadObjects(grantee, bucket!, `${prefix}/*`,
      'Model package versions are registered at run time, each with its own artifact object; read access is limited to ' +
      'the artifact prefix of the model package group.');
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
