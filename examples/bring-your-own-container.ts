import { App, Stack } from 'aws-cdk-lib';
import { ConnectionProvider, ContainerImage, MetricComparison, MlopsProject, ProjectSource } from '../lib';

/**
 * Your own training and inference images: each commit of the GitHub repository
 * (bring-your-own-container/repository/ shows what it holds) is built by the project's build
 * pipeline: both Dockerfiles into the project's ECR repositories (tagged with the commit id), the
 * pipeline's scripts to S3, then the training pipeline runs with that commit's images and scripts,
 * and the versions it registers are served with the inference image.
 *
 * The project creates the GitHub connection: complete it once in the console (Developer Tools >
 * Settings > Connections), it is PENDING until then.
 */
export function addBringYourOwnContainerExample(app: App): Stack {
  const stack = new Stack(app, 'ForecastProject', { env: { account: '123456789012', region: 'eu-west-1' } });
  new MlopsProject(stack, 'Forecast', {
    projectName: 'forecast',
    training: {
      inputDataUri: 's3://my-raw-data/demand/',
      // What an execution started without parameters runs (the built-in XGBoost image and these scripts); the
      // build starts each execution with its commit's images and pipeline/*.py instead.
      preprocessingScript: { s3Uri: 's3://my-code/forecast/preprocess.py' },
      evaluationScript: { s3Uri: 's3://my-code/forecast/evaluate.py' },
      hyperparameters: { max_depth: '4', num_round: '200' },
      metricJsonPath: 'regression_metrics.mape.value',
      metricThreshold: 0.15,
      metricComparison: MetricComparison.LESS_THAN_OR_EQUAL_TO,
    },
    buildPipeline: {
      source: ProjectSource.newConnection({ provider: ConnectionProvider.GITHUB, repository: 'acme/demand-forecast' }),
      trainingDockerfile: 'docker/train/Dockerfile',
      inferenceDockerfile: 'docker/serve/Dockerfile',
      baseImages: [ContainerImage.scikitLearn()],
    },
    endpoint: { dataQualityMonitor: true },
    notificationEmails: ['forecast-team@example.com'],
  });
  return stack;
}
