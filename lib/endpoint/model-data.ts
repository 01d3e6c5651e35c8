import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { objectKeyProblem, parseObjectUri } from './private/locations';
import { check } from '../private/errors';
import { grantReadObjects, grantStatement } from '../private/grants';

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
   * so a directory, which CDK would zip, is refused). aws-cdk-lib names the uploaded object
   * `<asset hash>.gz`: it keeps only the last extension of the file.
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
      const problem = objectKeyProblem(this.key);
      check(problem === undefined, scope, 'modelData.key', this.key, problem ?? '');
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
    const parsed = parseObjectUri(scope, 'modelData', this.uri);
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
