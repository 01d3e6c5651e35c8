import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MonitoringBaseline, MonitoringFrequency, ProblemType } from '../../lib/endpoint';
import { build, onlyResource, statementsOfPolicies } from './util';

const clarifyBaseline = () => MonitoringBaseline.fromS3Uris({
  constraintsUri: 's3://baselines-123/churn/3/bias/constraints.json',
  analysisConfigUri: 's3://baselines-123/churn/3/bias/analysis_config.json',
});

describe('bias and explainability monitors (SageMaker Clarify)', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = build((a) => ({
      dataCapture: {},
      modelBiasMonitor: {
        baseline: clarifyBaseline(),
        groundTruthBucket: a.bucket,
        probabilityAttribute: '0',
        probabilityThresholdAttribute: 0.6,
        startTimeOffset: Duration.hours(26),
        endTimeOffset: Duration.hours(2),
        frequency: MonitoringFrequency.DAILY,
        maxRuntime: Duration.hours(2),
      },
      modelExplainabilityMonitor: { baseline: clarifyBaseline(), featuresAttribute: 'features', frequency: MonitoringFrequency.DAILY },
      modelQualityMonitor: {
        problemType: ProblemType.BINARY_CLASSIFICATION,
        baseline: MonitoringBaseline.fromS3Uris({ constraintsUri: 's3://baselines-123/churn/3/quality/constraints.json' }),
        groundTruthBucket: a.bucket,
        startTimeOffset: Duration.hours(3),
        endTimeOffset: Duration.hours(1),
      },
    })));
  });

  test('the bias job: Clarify image of the region, analysis config, ground truth window, encrypted', () => {
    const job = onlyResource(template, 'AWS::SageMaker::ModelBiasJobDefinition').Properties;
    expect(job.ModelBiasAppSpecification).toEqual({
      ImageUri: '131013547314.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-clarify-processing:1.0',
      ConfigUri: 's3://baselines-123/churn/3/bias/analysis_config.json',
    });
    expect(job.ModelBiasBaselineConfig).toEqual({ ConstraintsResource: { S3Uri: 's3://baselines-123/churn/3/bias/constraints.json' } });
    expect(job.ModelBiasJobInput.EndpointInput).toEqual(expect.objectContaining({
      ProbabilityAttribute: '0', ProbabilityThresholdAttribute: 0.6, StartTimeOffset: '-PT26H', EndTimeOffset: '-PT2H',
    }));
    expect(job.ModelBiasJobInput.GroundTruthS3Input.S3Uri['Fn::Join'][1][2]).toMatch(/^\/ground-truth\/Stack-Endpoint-[0-9a-f]{8}$/);
    expect(job.ModelBiasJobOutputConfig.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsKey/), 'Arn'] });
    expect(job.NetworkConfig).toEqual({ EnableInterContainerTrafficEncryption: true, EnableNetworkIsolation: true });
  });

  test('the explainability job reads features from the captured requests', () => {
    const job = onlyResource(template, 'AWS::SageMaker::ModelExplainabilityJobDefinition').Properties;
    expect(job.ModelExplainabilityAppSpecification.ImageUri).toMatch(/sagemaker-clarify-processing:1.0$/);
    expect(job.ModelExplainabilityJobInput.EndpointInput).toEqual(expect.objectContaining({ FeaturesAttribute: 'features' }));
    expect(job.JobDefinitionName).toMatch(/-xai-[0-9a-f]{8}$/);
  });

  test('model quality gets its ground truth window too', () => {
    const job = onlyResource(template, 'AWS::SageMaker::ModelQualityJobDefinition').Properties;
    expect(job.ModelQualityJobInput.EndpointInput).toEqual(expect.objectContaining({ StartTimeOffset: '-PT3H', EndTimeOffset: '-PT1H' }));
  });

  test('one schedule per monitor, each with its type, and a violation rule each', () => {
    const types = Object.values(template.findResources('AWS::SageMaker::MonitoringSchedule'))
      .map((r: any) => r.Properties.MonitoringScheduleConfig.MonitoringType).sort();
    expect(types).toEqual(['ModelBias', 'ModelExplainability', 'ModelQuality']);
    const names = Object.values(template.findResources('AWS::SageMaker::MonitoringSchedule')).map((r: any) => r.Properties.MonitoringScheduleName);
    expect(new Set(names).size).toBe(3);
    template.resourceCountIs('AWS::Events::Rule', 3);
  });

  test('the monitoring role may read the analysis configuration', () => {
    const resources = JSON.stringify(statementsOfPolicies(template, /MonitoringRole/));
    expect(resources).toContain('baselines-123/churn/3/bias/analysis_config.json');
  });
});

describe('bad Clarify monitor input', () => {
  test('a Clarify monitor without the analysis configuration', () => {
    expect(() => build(() => ({
      dataCapture: {},
      modelExplainabilityMonitor: { baseline: MonitoringBaseline.fromS3Uris({ constraintsUri: 's3://b-123/c.json' }) },
    }))).toThrow(/Invalid prop `modelExplainabilityMonitor.baseline.analysisConfigUri`: received undefined. The SageMaker Clarify monitors need the analysis configuration/);
  });

  test('a ground truth window that ends before it starts', () => {
    expect(() => build((a) => ({
      dataCapture: {},
      modelBiasMonitor: { baseline: clarifyBaseline(), groundTruthBucket: a.bucket, startTimeOffset: Duration.hours(1), endTimeOffset: Duration.hours(2) },
    }))).toThrow(/Invalid prop `modelBiasMonitor.endTimeOffset`: received 2 hours. It must be shorter than startTimeOffset \(1 hour\)/);
  });

  test('a time offset that is not whole hours', () => {
    expect(() => build((a) => ({
      dataCapture: {},
      modelBiasMonitor: { baseline: clarifyBaseline(), groundTruthBucket: a.bucket, startTimeOffset: Duration.minutes(90) },
    }))).toThrow(/Invalid prop `modelBiasMonitor.startTimeOffset`: received 1 hour 30 minutes. It must be a whole number of hours/);
  });

  test('a bias monitor without captured responses', () => {
    expect(() => build((a) => ({
      dataCapture: { captureResponse: false },
      modelBiasMonitor: { baseline: clarifyBaseline(), groundTruthBucket: a.bucket },
    }))).toThrow(/Invalid prop `dataCapture.captureResponse`: received false. The modelBiasMonitor reads the captured responses/);
  });
});
