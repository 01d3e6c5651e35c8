import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { parseObjectUri } from './private/locations';
import { check } from '../private/errors';
import { grantKey, grantReadObjects, grantStatement } from '../private/grants';

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
 * training pipeline's quality check produced. Give the files by S3 URI ({@link MonitoringBaseline.fromS3Uris}),
 * or take the drift-check baselines of a model package version ({@link ModelPackageBaselines}).
 */
export abstract class MonitoringBaseline {
  /**
   * Baseline files by S3 URI.
   *
   * @param props the URIs and, optionally, their bucket
   */
  public static fromS3Uris(props: MonitoringBaselineProps): MonitoringBaseline {
    return new S3UriBaseline(props);
  }

  /**
   * Grant read access to the files and return their URIs.
   *
   * @param scope the monitor construct
   * @param grantee the monitoring role
   */
  public abstract bind(scope: Construct, grantee: iam.IGrantable): MonitoringBaselineConfig;
}

class S3UriBaseline extends MonitoringBaseline {
  constructor(private readonly props: MonitoringBaselineProps) {
    super();
  }

  public bind(scope: Construct, grantee: iam.IGrantable): MonitoringBaselineConfig {
    const given: Array<[string, string | undefined]> = [['constraintsUri', this.props.constraintsUri], ['statisticsUri', this.props.statisticsUri],
      ['analysisConfigUri', this.props.analysisConfigUri]];
    const uris = given.filter((u): u is [string, string] => u[1] !== undefined);
    const stack = Stack.of(scope);
    const arns: string[] = [];
    let tokens = false;
    for (const [field, uri] of uris) {
      if (Token.isUnresolved(uri)) { tokens = true; continue; }
      const parsed = parseObjectUri(scope, `baseline.${field}`, uri);
      if (this.props.bucket && !Token.isUnresolved(this.props.bucket.bucketName)) {
        check(parsed.bucket === this.props.bucket.bucketName, scope, `baseline.${field}`, uri,
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
