import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  MlflowServerType, MlflowTrackingServerSize, MlopsProject, MlopsProjectProps, ModelPackageGroup, StandardTrainingPipeline,
  TrainingPipeline,
} from '../../lib';
import { buildProject, BuiltProject, ENV, PROJECT_TRAINING, resourcesOf } from './util';

const training = PROJECT_TRAINING;

/** Every statement of the managed policies attached to a role (by the role's logical id prefix). */
function statementsOfRole(json: any, rolePrefix: string): any[] {
  return resourcesOf(json, 'AWS::IAM::ManagedPolicy')
    .filter(([, p]) => (p.Properties.Roles ?? []).some((r: any) => typeof r.Ref === 'string' && r.Ref.startsWith(rolePrefix)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

const ref = (prefix: string) => ({ 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${prefix}`)), expect.any(String)] });

describe('experiment tracking on an MLflow App (the default), with automatic registration', () => {
  let built: BuiltProject;
  beforeAll(() => {
    built = buildProject({ training, experimentTracking: { automaticModelRegistration: true, weeklyMaintenanceWindowStart: 'Sun:03:00' } });
  });

  test('an MLflow App with the foundation\'s bucket under the experiments prefix as artifact store', () => {
    const [[, app]] = resourcesOf(built.json, 'AWS::SageMaker::MlflowApp');
    expect(app.Properties).toEqual({
      Name: 'churn-mlflow',
      ArtifactStoreUri: { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^ProjectFoundationArtifactsBucket/) }, '/experiments/churn/']] },
      RoleArn: ref('ProjectExperimentTrackingRole'),
      ModelRegistrationMode: 'AutoModelRegistrationEnabled',
      WeeklyMaintenanceWindowStart: 'Sun:03:00',
      Tags: [{ Key: 'cdk-sagemaker-mlops:project', Value: 'churn' }],
    });
    expect(resourcesOf(built.json, 'AWS::SageMaker::MlflowTrackingServer')).toHaveLength(0);
  });

  test('the jobs get its ARN as MLFLOW_TRACKING_URI', () => {
    const [[, pipeline]] = resourcesOf(built.json, 'AWS::SageMaker::Pipeline');
    const body = JSON.stringify(pipeline.Properties.PipelineDefinition);
    // Preprocess, Train and Evaluate (the ARN is a deploy-time value inside the definition).
    expect(body.match(/MLFLOW_TRACKING_URI/g)).toHaveLength(3);
    expect(body).toMatch(/"Fn::GetAtt":\["ProjectExperimentTracking[A-F0-9]{8}","Arn"\]/);
  });

  test('the service role is trusted by SageMaker for this account\'s MLflow Apps only', () => {
    const [, role] = resourcesOf(built.json, 'AWS::IAM::Role').find(([id]) => id.startsWith('ProjectExperimentTrackingRole'))!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'sagemaker.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': ENV.account },
        ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:sagemaker:${ENV.region}:${ENV.account}:mlflow-app/*`]] } },
      },
    }]);
  });

  test('the service role reaches the artifact store prefix and the key, registers into MLflow\'s groups, and is denied the project\'s group', () => {
    const statements = statementsOfRole(built.json, 'ProjectExperimentTrackingRole');
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        Resource: { 'Fn::Join': ['', [ref('ProjectFoundationArtifactsBucket'), '/experiments/churn/*']] },
      }),
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['experiments/churn', 'experiments/churn/*'] } } }),
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt'], Resource: ref('ProjectFoundationKey') }),
      expect.objectContaining({ Effect: 'Deny', Action: ['sagemaker:CreateModelPackage', 'sagemaker:UpdateModelPackage'] }),
    ]));
    const registration = statements.find((st) => Array.isArray(st.Action) && st.Action.includes('sagemaker:CreateModelPackageGroup'));
    expect(JSON.stringify(registration.Resource)).toContain(`:sagemaker:${ENV.region}:${ENV.account}:model-package-group/*`);
    const deny = statements.find((st) => st.Effect === 'Deny');
    expect(deny.Resource[0]).toEqual({ Ref: expect.stringMatching(/^ProjectRegistryGroup/) });
    expect(JSON.stringify(deny.Resource)).toContain('model-package/churn-models/*');
    // Nothing on the whole bucket.
    expect(JSON.stringify(statements)).not.toMatch(/Arn"\]\},"\/\*"/);
  });

  test('the job role may log to this MLflow App only, and delete nothing', () => {
    const [, pipeline] = resourcesOf(built.json, 'AWS::SageMaker::Pipeline')[0];
    expect(pipeline).toBeDefined();
    const jobStatements = statementsOfRole(built.json, 'ProjectTrainingJobRole');
    const mlflow = jobStatements.filter((st) => JSON.stringify(st.Action).includes('mlflow'));
    expect(mlflow).toHaveLength(1);
    expect(mlflow[0].Resource).toEqual(ref('ProjectExperimentTracking'));
    expect(mlflow[0].Action).toEqual(expect.arrayContaining(['sagemaker:CallMlflowAppApi', 'sagemaker-mlflow:LogMetric', 'sagemaker-mlflow:CreateRun']));
    expect(JSON.stringify(mlflow[0].Action)).not.toMatch(/Delete|AccessUI|Presigned|\*/);
    expect(jobStatements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        Resource: { 'Fn::Join': ['', [ref('ProjectFoundationArtifactsBucket'), '/experiments/churn/*']] } }),
    ]));
  });

  test('a stack output gives the tracking URI', () => {
    const [, output] = Object.entries(built.json.Outputs as Record<string, any>).find(([k]) => k.startsWith('ProjectExperimentTrackingArn'))!;
    expect(output.Value).toEqual(ref('ProjectExperimentTracking'));
  });

  test('no unacknowledged compliance finding', () => {
    expect(built.findings).toEqual([]);
  });
});

describe('experiment tracking on a tracking server', () => {
  test('a tracking server of the chosen size and version, registration off, trust scoped to tracking servers', () => {
    const { json, findings } = buildProject({
      training,
      experimentTracking: { serverType: MlflowServerType.TRACKING_SERVER, trackingServerSize: MlflowTrackingServerSize.MEDIUM, mlflowVersion: '2.16.2', name: 'churn-experiments' },
    });
    expect(findings).toEqual([]);
    const [[, server]] = resourcesOf(json, 'AWS::SageMaker::MlflowTrackingServer');
    expect(server.Properties).toEqual(expect.objectContaining({
      TrackingServerName: 'churn-experiments', TrackingServerSize: 'Medium', MlflowVersion: '2.16.2', AutomaticModelRegistration: false,
    }));
    const [, role] = resourcesOf(json, 'AWS::IAM::Role').find(([id]) => id.startsWith('ProjectExperimentTrackingRole'))!;
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.ArnLike['aws:SourceArn']))
      .toContain(`:sagemaker:${ENV.region}:${ENV.account}:mlflow-tracking-server/*`);
    const statements = statementsOfRole(json, 'ProjectExperimentTrackingRole');
    expect(JSON.stringify(statements)).not.toContain('CreateModelPackageGroup');
    const jobs = statementsOfRole(json, 'ProjectTrainingJobRole').filter((st) => JSON.stringify(st.Action).includes('mlflow'));
    expect(jobs[0].Action).toEqual(expect.arrayContaining(['sagemaker:DescribeMlflowTrackingServer', 'sagemaker-mlflow:LogBatch']));
    expect(JSON.stringify(jobs[0].Action)).not.toContain('CallMlflowAppApi');
  });

  test('the default size is Small', () => {
    const { json } = buildProject({ training, experimentTracking: { serverType: MlflowServerType.TRACKING_SERVER } }, { compliance: false });
    expect(resourcesOf(json, 'AWS::SageMaker::MlflowTrackingServer')[0][1].Properties.TrackingServerSize).toBe('Small');
  });
});

describe('experiment tracking with a pipeline of your own, and for people', () => {
  test('a TrainingPipeline of your own gets the access; grantExperimentTracking opens the UI to a role', () => {
    const app = new App();
    const stack = new Stack(app, 'Churn', { env: ENV });
    const group = new ModelPackageGroup(stack, 'Group', { modelPackageGroupName: 'churn-models' });
    const pipeline: TrainingPipeline = new StandardTrainingPipeline(stack, 'Own', { ...training, pipelineName: 'churn-own', modelPackageGroup: group });
    const project = new MlopsProject(stack, 'Project', {
      projectName: 'churn', trainingPipeline: pipeline, experimentTracking: {}, approval: { modelPackageGroup: group },
    });
    const scientist = new iam.Role(stack, 'Scientist', { assumedBy: new iam.AccountRootPrincipal() });
    project.grantExperimentTracking(scientist);
    const json = app.synth().getStackByName('Churn').template;
    const jobs = statementsOfRole(json, 'OwnJobRole').filter((st) => JSON.stringify(st.Action).includes('mlflow'));
    expect(jobs).toHaveLength(1);
    const scientistPolicy = resourcesOf(json, 'AWS::IAM::Policy').find(([id]) => id.startsWith('ScientistDefaultPolicy'))![1];
    const actions = scientistPolicy.Properties.PolicyDocument.Statement.flatMap((st: any) => [].concat(st.Action));
    expect(actions).toEqual(expect.arrayContaining(['sagemaker-mlflow:AccessUI', 'sagemaker:CreatePresignedMlflowAppUrl', 's3:GetObject']));
    expect(project.experimentTrackingArn).toBeDefined();
  });
});

describe('bad experiment tracking input', () => {
  const build = (props: Partial<MlopsProjectProps>) => () => {
    const stack = new Stack(new App(), 'Churn', { env: ENV });
    new MlopsProject(stack, 'Project', { projectName: 'churn', training, ...props });
  };

  test.each([
    [{ experimentTracking: { trackingServerSize: MlflowTrackingServerSize.LARGE } }, /experimentTracking\.trackingServerSize.*An MLflow App has no size/s],
    [{ experimentTracking: { mlflowVersion: '2.16.2' } }, /experimentTracking\.mlflowVersion.*An MLflow App runs the MLflow version SageMaker manages/s],
    [{ experimentTracking: { serverType: MlflowServerType.TRACKING_SERVER, mlflowVersion: 'latest' } }, /experimentTracking\.mlflowVersion.*"latest".*<major>\.<minor>\.<patch>/s],
    [{ experimentTracking: { serverType: 'BIG' as any } }, /experimentTracking\.serverType.*"BIG".*MlflowServerType\.APP/s],
    [{ experimentTracking: { name: 'churn_mlflow' } }, /experimentTracking\.name.*"churn_mlflow".*letters, digits and dashes/s],
    [{ experimentTracking: { weeklyMaintenanceWindowStart: 'Sunday 03:00' } }, /weeklyMaintenanceWindowStart.*"Sunday 03:00".*Ddd:HH:MM/s],
    [{ experimentTracking: { weeklyMaintenanceWindowStart: 'Sun:24:00' } }, /weeklyMaintenanceWindowStart.*"Sun:24:00"/s],
    [{ experimentTracking: { automaticModelRegistration: 'yes' as any } }, /automaticModelRegistration.*"yes".*true or false/s],
    [{ experimentTracking: null as any }, /experimentTracking.*ExperimentTrackingOptions/s],
    [{ experimentTracking: {}, training: { ...training, networkIsolation: true } }, /training\.networkIsolation.*cannot reach the MLflow resource/s],
  ])('refused %#', (props, message) => {
    expect(build(props as Partial<MlopsProjectProps>)).toThrow(message);
  });

  test('grantExperimentTracking without experiment tracking names the prop', () => {
    const stack = new Stack(new App(), 'Churn', { env: ENV });
    const project = new MlopsProject(stack, 'Project', { projectName: 'churn', training });
    expect(() => project.grantExperimentTracking(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() })))
      .toThrow(/Churn\/Project.*experimentTracking.*tracks no experiments/s);
  });
});
