import { App, Stack } from 'aws-cdk-lib';
import { FailStep, FeatureStore, FeatureType, MlopsProject, TrainingPipeline } from '../../lib';
import { tempLockFile } from '../feature-store/util';
import { ENV, fakeResolve, resourcesOf } from './util';
import { buildLoopProject, LoopProject, synthLoopProject, TRAINING } from './loop-util';

/** Every statement of the managed policies attached to a role (by the role's logical id prefix), resolved. */
function statementsOfRole(json: any, rolePrefix: string): any[] {
  return resourcesOf(json, 'AWS::IAM::ManagedPolicy')
    .filter(([, p]) => (p.Properties.Roles ?? []).some((r: any) => typeof r.Ref === 'string' && r.Ref.startsWith(rolePrefix)))
    .flatMap(([, p]) => fakeResolve(p.Properties.PolicyDocument.Statement, json));
}

/** The statements that allow an action. */
function allowing(statements: any[], action: string): any[] {
  return statements.filter((s) => [s.Action].flat().includes(action));
}

/** The default value of the pipeline's InputData parameter. */
function inputData(json: any): any {
  const [[, pipeline]] = resourcesOf(json, 'AWS::SageMaker::Pipeline');
  const body = pipeline.Properties.PipelineDefinition.PipelineDefinitionBody;
  const definition = JSON.parse(typeof body === 'string' ? body : fakeResolve(body, json));
  return definition.Parameters.find((p: any) => p.Name === 'InputData').DefaultValue;
}

describe('a feature group in the project: the pipeline reads its offline store, the endpoints its online store', () => {
  let built: LoopProject;
  beforeAll(() => {
    built = buildLoopProject(({ store, group }) => ({
      training: TRAINING,
      endpoint: { networkIsolation: false },
      featureStore: { featureStore: store, featureGroup: group, endpointReadsOnlineStore: true },
    }));
  });

  test('the input data defaults to the group\'s offline store', () => {
    expect(inputData(built.json)).toMatch(/^s3:\/\/fake-foundationartifactsbucket[0-9a-f]+\/feature-store\/customers$/);
    expect(built.group.offlineStoreS3Uri).toBeDefined();
  });

  test('the jobs\' role reads the group\'s offline store through the group\'s grant: objects, listing, Glue table, key', () => {
    const statements = statementsOfRole(built.json, 'ProjectTrainingJobRole');
    expect(allowing(statements, 's3:GetObject').flatMap((s) => [s.Resource].flat())).toContainEqual(expect.stringMatching(/:::fake-foundationartifactsbucket[0-9a-f]+\/feature-store\/customers\/\*$/));
    expect(allowing(statements, 'glue:GetTable')).toHaveLength(1);
    expect(allowing(statements, 's3:ListBucket').some((s) => JSON.stringify(s.Condition).includes('feature-store/customers/*'))).toBe(true);
  });

  test('the model role reads records of that group only (GetRecord, BatchGetRecord) and its online store key', () => {
    const statements = statementsOfRole(built.json, 'ProjectModelRole');
    const [records] = allowing(statements, 'sagemaker:GetRecord');
    expect([records.Action].flat()).toEqual(expect.arrayContaining(['sagemaker:GetRecord', 'sagemaker:BatchGetRecord']));
    expect([records.Resource].flat()).toEqual([expect.stringMatching(/^arn:aws:sagemaker:us-east-2:123456789012:feature-group\/[a-z0-9-]+$/)]);
    expect(allowing(statements, 'sagemaker:PutRecord')).toHaveLength(0);
  });
});

describe('a whole feature store (no group)', () => {
  test('the input data is the store\'s prefix; the jobs read the objects under it and decrypt with its key', () => {
    const { json } = buildLoopProject(({ store }) => ({ training: TRAINING, featureStore: { featureStore: store } }));
    expect(inputData(json)).toMatch(/^s3:\/\/fake-foundationartifactsbucket[0-9a-f]+\/feature-store$/);
    const statements = statementsOfRole(json, 'ProjectTrainingJobRole');
    expect(allowing(statements, 's3:GetObject').flatMap((s) => [s.Resource].flat())).toContainEqual(expect.stringMatching(/\/feature-store\/\*$/));
    expect(allowing(statements, 's3:ListBucket').some((s) => JSON.stringify(s.Condition ?? {}).includes('"feature-store/*"'))).toBe(true);
    expect(allowing(statementsOfRole(json, 'ProjectModelRole'), 'sagemaker:GetRecord')).toHaveLength(0);
  });

  test('an explicit inputDataUri stays; the jobs still may read the store', () => {
    const { json } = buildLoopProject(({ store }) => ({ training: { ...TRAINING, inputDataUri: 's3://raw-data-bucket/churn/' }, featureStore: { featureStore: store } }));
    expect(inputData(json)).toBe('s3://raw-data-bucket/churn/');
    expect(allowing(statementsOfRole(json, 'ProjectTrainingJobRole'), 's3:GetObject').flatMap((s) => [s.Resource].flat()))
      .toContainEqual(expect.stringMatching(/\/feature-store\/\*$/));
  });

  test('a pipeline of your own (a TrainingPipeline) gets the read on its job role', () => {
    const app = new App();
    const stack = new Stack(app, 'Churn', { env: ENV });
    const store = new FeatureStore(stack, 'Features', { schemaLock: { file: tempLockFile() } });
    const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'my-training' });
    pipeline.addStep(new FailStep('Fail', { errorMessage: 'nothing' }));
    new MlopsProject(stack, 'Project', { projectName: 'churn', trainingPipeline: pipeline, featureStore: { featureStore: store } });
    const json = app.synth().getStackByName('Churn').template;
    expect(allowing(statementsOfRole(json, 'PipelineJobRole'), 's3:GetObject').flatMap((s) => [s.Resource].flat()))
      .toContainEqual(expect.stringMatching(/\/feature-store\/\*$/));
  });
});

describe('bad feature store input is refused with the prop, the value and the rule', () => {
  test.each([
    ['no input data and no feature store', () => ({ training: TRAINING }),
      /`training.inputDataUri`: received undefined. It is required, unless `featureStore` gives an offline store/],
    ['a group of another store', ({ stack, group }: any) => ({
      training: TRAINING,
      featureStore: { featureStore: new FeatureStore(stack, 'Other', { schemaLock: { file: tempLockFile() } }), featureGroup: group },
    }), /`featureStore.featureGroup`: received "Churn\/Features\/Customers". It must be a group of `featureStore.featureStore`/],
    ['online reads without a group', ({ store }: any) => ({
      training: TRAINING, endpoint: { networkIsolation: false }, featureStore: { featureStore: store, endpointReadsOnlineStore: true },
    }), /`featureStore.endpointReadsOnlineStore`: received true. Give `featureStore.featureGroup`/],
    ['online reads from an isolated container (the default)', ({ store, group }: any) => ({
      training: TRAINING, featureStore: { featureStore: store, featureGroup: group, endpointReadsOnlineStore: true },
    }), /`endpoint.networkIsolation`: received true. A model container without network access cannot call the Feature Store runtime/],
    ['online reads of a group without an online store', ({ store }: any) => ({
      training: TRAINING, endpoint: { networkIsolation: false },
      featureStore: {
        featureStore: store,
        featureGroup: store.addFeatureGroup('Offline', {
          features: [{ name: 'id', type: FeatureType.STRING }, { name: 't', type: FeatureType.FRACTIONAL }],
          recordIdentifierFeatureName: 'id', eventTimeFeatureName: 't', onlineStore: { enabled: false },
        }),
        endpointReadsOnlineStore: true,
      },
    }), /`featureStore.endpointReadsOnlineStore`: received true. The feature group Churn\/Features\/Offline has no online store/],
    ['a feature store with no use', ({ store }: any) => ({ featureStore: { featureStore: store } }),
      /`featureStore`: received "a feature store". It has no use here: the project has no training pipeline/],
    ['no store', () => ({ training: TRAINING, featureStore: {} as any }),
      /`featureStore.featureStore`: received undefined. It is required: a FeatureStore/],
  ])('%s', (_name, props, message) => {
    expect(() => synthLoopProject(props as any)).toThrow(message);
  });
});
