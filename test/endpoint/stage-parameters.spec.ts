import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ArtifactBucket, InstanceType } from '../../lib/core';
import { EndpointStageParameters, EndpointWithMonitor, ModelSource } from '../../lib/endpoint';
import { ACCOUNT, onlyResource, REGION } from './util';

describe('two stage templates in one stack, each with its own EndpointStageParameters', () => {
  let template: Template;
  let churn: EndpointStageParameters;
  let fraud: EndpointStageParameters;
  beforeAll(() => {
    const stack = new Stack(new App(), 'Templates', { env: { account: ACCOUNT, region: REGION } });
    const artifacts = new ArtifactBucket(stack, 'Artifacts');
    churn = new EndpointStageParameters(stack, 'ChurnStage', { parameterPrefix: 'Churn' });
    fraud = new EndpointStageParameters(stack, 'FraudStage', { parameterPrefix: 'Fraud' });
    for (const [name, params] of [['churn', churn], ['fraud', fraud]] as const) {
      new EndpointWithMonitor(stack, `${name}Endpoint`, {
        model: ModelSource.fromModelPackageArn(params.modelPackageArn, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: `models/${name}` }),
        endpointName: params.endpointName(name),
        stageParameters: params,
        instanceType: params.instanceType,
        encryptionKey: artifacts.encryptionKey,
        dashboard: false,
      });
    }
    template = Template.fromStack(stack);
  });

  test('each set has its own parameters, named with its prefix', () => {
    const names = Object.keys(template.toJSON().Parameters).filter((p) => p !== 'BootstrapVersion').sort();
    expect(names).toEqual([
      'ChurnDeploymentId', 'ChurnInstanceType', 'ChurnModelPackageArn', 'ChurnStageName',
      'FraudDeploymentId', 'FraudInstanceType', 'FraudModelPackageArn', 'FraudStageName',
    ]);
    expect(churn.parameterNames.sort()).toEqual(['ChurnDeploymentId', 'ChurnInstanceType', 'ChurnModelPackageArn', 'ChurnStageName']);
  });

  test('each endpoint\'s names carry its own DeploymentId', () => {
    for (const [prefix, other] of [['Churn', 'Fraud'], ['Fraud', 'Churn']]) {
      const model = Object.values(template.findResources('AWS::SageMaker::Model', {
        Properties: { PrimaryContainer: { ModelPackageName: { Ref: `${prefix}ModelPackageArn` } } },
      })) as any[];
      expect(model).toHaveLength(1);
      const name = JSON.stringify(model[0].Properties.ModelName);
      expect(name).toContain(`"Ref":"${prefix}DeploymentId"`);
      expect(name).not.toContain(`${other}DeploymentId`);
    }
    const configs = Object.values(template.findResources('AWS::SageMaker::EndpointConfig')).map((c: any) => JSON.stringify(c.Properties.EndpointConfigName));
    expect(configs.filter((c) => c.includes('"Ref":"ChurnDeploymentId"') && !c.includes('Fraud'))).toHaveLength(1);
    expect(configs.filter((c) => c.includes('"Ref":"FraudDeploymentId"') && !c.includes('Churn'))).toHaveLength(1);
  });

  test('parameterValues gives each deploy pipeline the overrides of its own template', () => {
    expect(fraud.parameterValues({
      modelPackageArn: 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/fraud/2',
      stageName: 'prod', deploymentId: 'v2', instanceType: InstanceType.ML_C5_XLARGE,
    })).toEqual({
      FraudModelPackageArn: 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/fraud/2',
      FraudStageName: 'prod', FraudDeploymentId: 'v2', FraudInstanceType: 'ml.c5.xlarge',
    });
  });
});

test('an endpoint without stageParameters does not pick up a set it was not given', () => {
  const stack = new Stack(new App(), 'T', { env: { account: ACCOUNT, region: REGION } });
  const artifacts = new ArtifactBucket(stack, 'Artifacts');
  const params = new EndpointStageParameters(stack, 'Stage');
  new EndpointWithMonitor(stack, 'Endpoint', {
    model: ModelSource.fromModelPackageArn(params.modelPackageArn, { artifactBucket: artifacts.bucket, modelDataKeyPrefix: 'models/churn' }),
  });
  // The configuration refers to a parameter and no deployment id is given: CloudFormation names the model.
  const template = Template.fromStack(stack);
  expect(onlyResource(template, 'AWS::SageMaker::Model').Properties.ModelName).toBeUndefined();
  template.hasResourceProperties('AWS::SageMaker::EndpointConfig', { EndpointConfigName: Match.absent() });
});

describe('bad stage parameter input', () => {
  test('two sets without a prefix in one stack', () => {
    const stack = new Stack(new App(), 'T');
    new EndpointStageParameters(stack, 'First');
    expect(() => new EndpointStageParameters(stack, 'Second'))
      .toThrow(/\[T\/Second\] Invalid prop `parameterPrefix`: received undefined. The stack already has a parameter or construct named DeploymentId .*give each set of stage parameters in a stack its own `parameterPrefix`/);
  });

  test('a prefix that is not alphanumeric', () => {
    const stack = new Stack(new App(), 'T');
    expect(() => new EndpointStageParameters(stack, 'Stage', { parameterPrefix: 'churn-model' }))
      .toThrow(/\[T\/Stage\] Invalid prop `parameterPrefix`: received "churn-model". It must be up to 64 letters and digits/);
  });
});
