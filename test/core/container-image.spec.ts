import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ContainerImage } from '../../lib/core';
import { MlopsPropError } from '../../lib/private/errors';
import {
  CLARIFY_REGISTRIES, CLARIFY_VERSIONS, MODEL_MONITOR_ANALYZER_REGISTRIES, SCIKIT_LEARN_VERSIONS, XGBOOST_REGISTRIES, XGBOOST_VERSIONS,
} from '../../lib/private/image-registries';

/*
 * The built-in image tables, checked against the SageMaker Python SDK's image_uri_config (issue 10
 * item 12), and built-in image versions refused at synth when the SDK does not list them.
 */

function uriIn(region: string, image: ContainerImage): string {
  const stack = new Stack(new App(), 'S', { env: { region, account: '111122223333' } });
  return image.bind(stack).imageUri;
}

describe('the registry tables agree with the SDK image_uri_config', () => {
  test('Clarify in ap-northeast-3 is the SDK\'s 912233562940, not the PyTorch account 364406365360', () => {
    expect(CLARIFY_REGISTRIES['ap-northeast-3']).toBe('912233562940');
    expect(Object.values(CLARIFY_REGISTRIES)).not.toContain('364406365360');
    expect(uriIn('ap-northeast-3', ContainerImage.clarify())).toBe('912233562940.dkr.ecr.ap-northeast-3.amazonaws.com/sagemaker-clarify-processing:1.0');
  });

  test('Clarify has us-gov-west-1 (598674086554), in the aws-us-gov partition', () => {
    expect(CLARIFY_REGISTRIES['us-gov-west-1']).toBe('598674086554');
    const stack = new Stack(new App(), 'Gov', { env: { region: 'us-gov-west-1', account: '111122223333' } });
    expect(ContainerImage.clarify().bind(stack)).toEqual({
      imageUri: '598674086554.dkr.ecr.us-gov-west-1.amazonaws.com/sagemaker-clarify-processing:1.0',
      repositoryArn: 'arn:aws-us-gov:ecr:us-gov-west-1:598674086554:repository/sagemaker-clarify-processing',
    });
  });

  test('the Clarify table has the 24 regions of the SDK file', () => {
    expect(Object.keys(CLARIFY_REGISTRIES)).toHaveLength(24);
    expect(CLARIFY_REGISTRIES['us-west-2']).toBe('306415355426');
  });

  test('Model Monitor keeps the 22 confirmed regions: the unconfirmed newer ones are left out', () => {
    expect(Object.keys(MODEL_MONITOR_ANALYZER_REGISTRIES)).toHaveLength(22);
    for (const region of ['ap-northeast-3', 'ap-southeast-3', 'eu-central-2', 'eu-south-2', 'il-central-1', 'me-central-1']) {
      expect(MODEL_MONITOR_ANALYZER_REGISTRIES[region]).toBeUndefined();
    }
    expect(MODEL_MONITOR_ANALYZER_REGISTRIES['us-east-1']).toBe('156813124566');
  });

  test('XGBoost and scikit-learn share the framework map (33 commercial, China and GovCloud regions)', () => {
    expect(Object.keys(XGBOOST_REGISTRIES)).toHaveLength(33);
    expect(XGBOOST_REGISTRIES['il-central-1']).toBe('898809789911');
    expect(uriIn('cn-north-1', ContainerImage.scikitLearn())).toBe('450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-scikit-learn:1.2-1-cpu-py3');
  });
});

describe('built-in image versions', () => {
  function errorOf(build: () => unknown): MlopsPropError {
    try {
      build();
    } catch (e: any) {
      return e;
    }
    throw new Error('no error');
  }

  test('ContainerImage.xgboost(\'99.9\') is refused, listing the versions the SDK has', () => {
    const e = errorOf(() => ContainerImage.xgboost('99.9'));
    expect(e.name).toBe('MlopsPropError');
    expect(e.message).toBe('[ContainerImage.xgboost] Invalid prop `version`: received "99.9". SageMaker has no such image version; the versions ' +
      'the SageMaker Python SDK lists are 0.90-1, 0.90-2, 1.0-1, 1.2-1, 1.2-2, 1.3-1, 1.5-1, 1.7-1, 3.0-5, 3.2-0. For an image this list does ' +
      'not know, use ContainerImage.fromImageUri() with its URI.');
  });

  test('ContainerImage.scikitLearn(\'9.9-9\') is refused, listing the versions the SDK has', () => {
    expect(() => ContainerImage.scikitLearn('9.9-9')).toThrow(
      /\[ContainerImage\.scikitLearn\] Invalid prop `version`: received "9\.9-9"\. SageMaker has no such image version; the versions the SageMaker Python SDK lists are 0\.20\.0, 0\.23-1, 1\.0-1, 1\.2-1, 1\.4-2, 1\.4-2-py312/);
    // The tag is not the version: `1.2-1-cpu-py3` is refused as a version.
    expect(() => ContainerImage.scikitLearn('1.2-1-cpu-py3')).toThrow(/received "1\.2-1-cpu-py3"/);
  });

  test('ContainerImage.clarify(\'2.0\') is refused', () => {
    expect(() => ContainerImage.clarify('2.0')).toThrow(/\[ContainerImage\.clarify\] Invalid prop `version`: received "2\.0"\. .*lists are 1\.0\./);
  });

  test('every listed version is accepted and tagged as the SDK tags it', () => {
    for (const v of XGBOOST_VERSIONS) { expect(uriIn('eu-west-1', ContainerImage.xgboost(v))).toBe(`141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:${v}`); }
    for (const v of SCIKIT_LEARN_VERSIONS) { expect(uriIn('eu-west-1', ContainerImage.scikitLearn(v))).toMatch(new RegExp(`/sagemaker-scikit-learn:${v.replace(/\./g, '\\.')}-cpu-py3$`)); }
    expect(CLARIFY_VERSIONS).toEqual(['1.0']);
  });

  test('the escape hatch: an image URI of a version this library does not list', () => {
    const stack = new Stack(new App(), 'S', { env: { region: 'us-east-1', account: '111122223333' } });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const config = ContainerImage.fromImageUri('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:4.0-1').bind(stack, role);
    expect(stack.resolve(config)).toEqual({
      imageUri: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:4.0-1',
      repositoryArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:us-east-1:683313688378:repository/sagemaker-xgboost']] },
    });
  });
});
