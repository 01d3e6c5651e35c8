/*
 * Integration test app for EndpointWithMonitor, for users with an AWS account (see
 * CONTRIBUTING.md, "Integration apps"):
 *
 *   npx cdk deploy --app "npx ts-node --prefer-ts-exts --transpile-only -P tsconfig.dev.json test/integ/integ.endpoint.ts" --all
 *
 * The model. SageMaker serves only a real model archive: a file uploaded as it is would not load.
 * This app needs no model from elsewhere: it builds, at synth, a `model.tar.gz` that the public
 * SageMaker scikit-learn image serves as a framework model (the weights in model.json and the
 * script test/integ/assets/endpoint-model/inference.py under code/, named by the model's
 * environment as the SageMaker Python SDK names them), and uploads it as an asset. The model is
 * linear with known weights, so the answer is exact: rows "1,2,3" and "4,5,6" answer [8.5, 19].
 *
 * The stack: the endpoint on one ml.t2.medium with network isolation (the default), capture of
 * every request, and a data quality monitor (hourly, on ml.m5.large) against a hand-written
 * baseline for the three input columns (test/integ/assets/endpoint-baseline). Accounts where
 * Model Monitor is not available (AWS documents it as closed to new customers) run without it:
 * `-c integ-endpoint:monitor=false`.
 *
 * The assertions, in order, against the real APIs:
 *   1. the endpoint is InService with one instance and capture on (DescribeEndpoint; CloudFormation
 *      completes the endpoint only once it is InService);
 *   2. it answers two CSV rows with the exact predictions in JSON (sagemaker-runtime InvokeEndpoint);
 *   3. the capture of that request reaches the foundation's bucket, encrypted with its key, under
 *      the layout's data capture prefix (ListObjectsV2 every minute, for up to 20 minutes);
 *   4. with the monitor: its schedule exists for this endpoint, is Scheduled and monitors data
 *      quality (ListMonitoringSchedules, every 30 seconds for up to 10 minutes).
 * Cost: about 30 minutes of an ml.t2.medium endpoint (the first monitoring run, at the top of the
 * hour, would add an ml.m5.large processing job): under USD 0.10.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AwsApiCall, ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { assertInOrder, disposable, INTEG_ASSETS, writeTarGz } from './support';
import { ContainerImage, InstanceType, MlopsFoundation } from '../../lib/core';
import { EndpointWithMonitor, ModelData, ModelSource, MonitoringBaseline } from '../../lib/endpoint';

/** The endpoint's name. */
export const ENDPOINT_NAME = 'mlops-integ-endpoint';

/** The model's weights (model.json in the archive) and the request the assertions send. */
export const MODEL = { weights: [0.5, 1, 2], intercept: 0 };
export const REQUEST = { body: '1,2,3\n4,5,6\n', predictions: [8.5, 19] };

/** The context key that turns the data quality monitor off. */
export const MONITOR_CONTEXT = 'integ-endpoint:monitor';

/** Build the integ app into `app` and return the test case. */
export function buildEndpointInteg(app: App): IntegTest {
  const stack = new Stack(app, 'MlopsIntegEndpoint', {
    description: 'cdk-sagemaker-mlops integration test: an endpoint with data capture and a data quality monitor',
  });
  const monitored = String(app.node.tryGetContext(MONITOR_CONTEXT) ?? 'true') !== 'false';
  const foundation = new MlopsFoundation(stack, 'Foundation', {
    encryptionKeyProps: { pendingWindow: Duration.days(7) },
  });
  const archive = writeTarGz('mlops-integ-endpoint-model-', [
    { name: 'model.json', content: JSON.stringify(MODEL) },
    { name: 'code/inference.py', content: fs.readFileSync(path.join(INTEG_ASSETS, 'endpoint-model', 'inference.py'), 'utf-8') },
  ]);
  const baseline = (file: string) => new s3assets.Asset(stack, `Baseline${file}`, { path: path.join(INTEG_ASSETS, 'endpoint-baseline', `${file}.json`) });
  const statistics = baseline('statistics');
  const constraints = baseline('constraints');

  const endpoint = new EndpointWithMonitor(stack, 'Endpoint', {
    foundation,
    endpointName: ENDPOINT_NAME,
    model: ModelSource.fromImage(ContainerImage.scikitLearn(), {
      modelData: ModelData.fromAsset(archive),
      environment: {
        SAGEMAKER_PROGRAM: 'inference.py',
        SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
        SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
      },
    }),
    instanceType: InstanceType.ML_T2_MEDIUM,
    initialInstanceCount: 1,
    dataCapture: { samplingPercentage: 100 },
    dataQualityMonitor: monitored ? {
      baseline: MonitoringBaseline.fromS3Uris({
        statisticsUri: statistics.s3ObjectUrl,
        constraintsUri: constraints.s3ObjectUrl,
        // The assets' bucket (the CDK bootstrap bucket): its URIs are tokens.
        bucket: statistics.bucket,
      }),
      instanceType: InstanceType.ML_M5_LARGE,
    } : undefined,
  });
  // Test data only: everything goes with the stack (the library retains it by default).
  disposable(stack);

  const integ = new IntegTest(app, 'EndpointInteg', { testCases: [stack], stackUpdateWorkflow: false });
  const a = integ.assertions;

  const inService = a.awsApiCall('SageMaker', 'describeEndpoint', { EndpointName: endpoint.endpointName })
    .expect(ExpectedResult.objectLike({
      EndpointStatus: 'InService',
      ProductionVariants: Match.arrayWith([Match.objectLike({ VariantName: endpoint.variantName, CurrentInstanceCount: 1 })]),
      DataCaptureConfig: Match.objectLike({ EnableCapture: true, CurrentSamplingPercentage: 100 }),
    }));

  const invoked = a.awsApiCall('SageMakerRuntime', 'invokeEndpoint', {
    EndpointName: endpoint.endpointName,
    ContentType: 'text/csv',
    Accept: 'application/json',
    Body: REQUEST.body,
  }).expect(ExpectedResult.objectLike({ ContentType: 'application/json', Body: REQUEST.predictions }));

  const capturePrefix = `${foundation.storageLayout.dataCapturePrefix(ENDPOINT_NAME)}/`;
  const captured = a.awsApiCall('S3', 'listObjectsV2', { Bucket: foundation.artifactBucket.bucketName, Prefix: capturePrefix, MaxKeys: 5 })
    .assertAtPath('Contents.0.Key', ExpectedResult.stringLikeRegexp(`^${capturePrefix}.+\\.jsonl$`))
    .waitForAssertions({ interval: Duration.minutes(1), totalTimeout: Duration.minutes(20) });
  // The SDK names the call ListObjectsV2; its IAM action is s3:ListBucket (on the bucket).
  const listBucket = { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [foundation.artifactBucket.bucketArn] };
  captured.provider.addToRolePolicy(listBucket);
  if (captured instanceof AwsApiCall) { captured.waiterProvider?.addToRolePolicy(listBucket); }

  const calls = [inService, invoked, captured];
  if (monitored) {
    // A new schedule is Pending for a moment before it is Scheduled.
    calls.push(a.awsApiCall('SageMaker', 'listMonitoringSchedules', { EndpointName: endpoint.endpointName })
      .expect(ExpectedResult.objectLike({
        MonitoringScheduleSummaries: [Match.objectLike({
          EndpointName: endpoint.endpointName, MonitoringScheduleStatus: 'Scheduled', MonitoringType: 'DataQuality',
        })],
      }))
      .waitForAssertions({ interval: Duration.seconds(30), totalTimeout: Duration.minutes(10) }));
  }
  assertInOrder(stack, ...calls);
  return integ;
}

if (require.main === module) {
  const app = new App();
  buildEndpointInteg(app);
  app.synth();
}
