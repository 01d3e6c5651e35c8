import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  ApprovalPolicy, EndpointStageParameters, EndpointWithMonitor, FeatureStore, FeatureType, MetricComparison, MlopsFoundation,
  ModelPackageBaselines, ModelRegistryApproval, ModelSource, SchemaLockContext, SchemaLockMode, StandardTrainingPipeline,
} from '../lib';
import { compliantApp, expectCompliant } from './helpers/compliance';
import { bodyOf, statementsOf } from './training-pipeline/structural';

/**
 * The whole flow built by passing objects only, in one stack on one foundation:
 * FeatureStore -> StandardTrainingPipeline (reading the offline store) -> ModelRegistryApproval
 * (metric thresholds) -> EndpointWithMonitor (the approved package, monitored on its drift-check
 * baselines). No name, bucket or prefix is typed twice.
 */
describe('composing the constructs by object, on one foundation', () => {
  let stack: Stack;
  let template: Template;
  let registry: ModelRegistryApproval;
  let pipeline: StandardTrainingPipeline;

  beforeAll(() => {
    const app = compliantApp();
    // The schema lock file belongs to the app that owns the feature groups: this test keeps none.
    app.node.setContext(SchemaLockContext.MODE, SchemaLockMode.DISABLED);
    stack = new Stack(app, 'Flow', { env: { account: '123456789012', region: 'eu-west-1' } });
    const foundation = new MlopsFoundation(stack, 'Foundation');

    const features = new FeatureStore(stack, 'Features', { foundation });
    const customers = features.addFeatureGroup('Customers', {
      features: [
        { name: 'customer_id', type: FeatureType.STRING },
        { name: 'event_time', type: FeatureType.FRACTIONAL },
        { name: 'tenure', type: FeatureType.INTEGRAL },
        { name: 'churned', type: FeatureType.INTEGRAL },
      ],
      recordIdentifierFeatureName: 'customer_id',
      eventTimeFeatureName: 'event_time',
    });

    registry = new ModelRegistryApproval(stack, 'Registry', {
      foundation,
      approvalPolicy: ApprovalPolicy.METRIC_THRESHOLDS,
      metricThresholds: [{ metricJsonPath: 'binary_classification_metrics.auc.value', comparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO, value: 0.8 }],
    });

    pipeline = new StandardTrainingPipeline(stack, 'Training', {
      foundation,
      modelPackageGroup: registry.modelPackageGroup,
      inputDataUri: customers.offlineStoreS3Uri!,
      preprocessingScript: { s3Uri: `s3://${foundation.artifactBucket.bucketName}/code/preprocess.py` },
      evaluationScript: { s3Uri: `s3://${foundation.artifactBucket.bucketName}/code/evaluate.py` },
      metricJsonPath: 'binary_classification_metrics.auc.value',
      metricThreshold: 0.8,
      metricComparison: MetricComparison.GREATER_THAN_OR_EQUAL_TO,
    });
    customers.grantReadOfflineStore(pipeline.jobRole);

    const stage = new EndpointStageParameters(stack, 'Stage');
    const baselines = new ModelPackageBaselines(stack, 'Baselines', {
      foundation, modelPackageArn: stage.modelPackageArn, modelPackageGroup: registry.modelPackageGroup,
    });
    new EndpointWithMonitor(stack, 'Endpoint', {
      foundation,
      model: ModelSource.fromModelPackageArn(stage.modelPackageArn, { modelPackageGroup: registry.modelPackageGroup }),
      stageParameters: stage,
      instanceType: stage.instanceType,
      dataCapture: { samplingPercentage: stage.samplingPercentage },
      dataQualityMonitor: { baseline: baselines.dataQuality },
    });
    expectCompliant(stack);
    template = Template.fromStack(stack);
  });

  test('exactly one KMS key and one artifact bucket (with its access-log bucket)', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.resourceCountIs('AWS::S3::Bucket', 2);
  });

  test('the register step names the group resource by reference, not by a literal', () => {
    const register = bodyOf(template).Steps[4].Arguments.IfSteps[0].Arguments;
    template.resourceCountIs('AWS::SageMaker::ModelPackageGroup', 1);
    const group = stack.getLogicalId(registry.modelPackageGroup.node.defaultChild as CfnElement);
    expect(register.ModelPackageGroupName).toBe(`<${group}>`);
  });

  test('the model metrics the register step writes lie where the approval handler may read', () => {
    const register = bodyOf(template).Steps[4].Arguments.IfSteps[0].Arguments;
    const metrics = register.ModelMetrics.ModelQuality.Statistics.S3Uri['Std:Join'].Values[0] as string;
    const bucket = /^s3:\/\/(<[^>]+>)\/(.+)$/.exec(metrics)!;
    // The handler's environment names that bucket and a prefix the report starts with.
    const handler = Object.values(template.findResources('AWS::Lambda::Function'))
      .find((f) => f.Properties.Environment?.Variables?.POLICY === 'METRIC_THRESHOLDS')!;
    const env = handler.Properties.Environment.Variables;
    expect(`<${env.METRICS_BUCKET.Ref}>`).toBe(bucket[1]);
    expect(`${bucket[2]}/`.startsWith(env.METRICS_KEY_PREFIX)).toBe(true);
    expect(env.METRICS_KEY_PREFIX).toBe(`evaluation-reports/${registry.modelPackageGroup.modelPackageGroupName}/`);
    // And its role may read exactly that prefix of that bucket.
    const reads = statementsOf(template, 'RegistryApprovalHandler').filter((s) => s.Action === 's3:GetObject');
    expect(reads.map((s) => s.Resource)).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [env.METRICS_BUCKET.Ref, 'Arn'] }, `/${env.METRICS_KEY_PREFIX}*`]] }]);
  });

  test('the pipeline may create model packages in the registry\'s group only, and reads the feature group\'s offline store', () => {
    const statements = statementsOf(template, 'TrainingExecutionRole');
    const creates = statements.filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes('sagemaker:CreateModelPackage'));
    expect(creates).toHaveLength(1);
    expect(JSON.stringify(creates[0].Resource)).toContain(`model-package/${registry.modelPackageGroup.modelPackageGroupName}/*`);
    // ...and never as Approved: the approval policy decides (grantRegister's Deny).
    expect(statements).toContainEqual(expect.objectContaining({
      Effect: 'Deny', Action: ['sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage'],
      Condition: { StringEquals: { 'sagemaker:ModelApprovalStatus': 'Approved' } },
    }));
    const jobReads = statementsOf(template, 'TrainingJobRole').filter((s) => [s.Action].flat().includes('s3:GetObject'));
    expect(JSON.stringify(jobReads)).toContain('/feature-store/customers/*');
  });
});
