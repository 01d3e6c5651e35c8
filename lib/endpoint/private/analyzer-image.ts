import { Aws, CfnMapping, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { check } from '../../private/errors';

/**
 * The registries of the Model Monitor analyzer image (`sagemaker-model-monitor-analyzer`), by
 * region, as published in the SageMaker developer guide ("Docker registry paths").
 */
export const MODEL_MONITOR_ANALYZER_REGISTRIES: { [region: string]: string } = {
  'af-south-1': '875698925577',
  'ap-east-1': '001633400207',
  'ap-northeast-1': '574779866223',
  'ap-northeast-2': '709848358524',
  'ap-south-1': '126357580389',
  'ap-southeast-1': '245545462676',
  'ap-southeast-2': '563025443158',
  'ca-central-1': '536280801234',
  'cn-north-1': '453000072557',
  'cn-northwest-1': '453252182341',
  'eu-central-1': '048819808253',
  'eu-north-1': '895015795356',
  'eu-south-1': '933208885752',
  'eu-west-1': '468650794304',
  'eu-west-2': '749857270468',
  'eu-west-3': '680080141114',
  'me-south-1': '607024016150',
  'sa-east-1': '539772159869',
  'us-east-1': '156813124566',
  'us-east-2': '777275614652',
  'us-west-1': '890145073186',
  'us-west-2': '159807026194',
};

/**
 * The registries of the SageMaker Clarify processing image (`sagemaker-clarify-processing:1.0`),
 * used by the bias and explainability monitors, by region.
 */
export const CLARIFY_REGISTRIES: { [region: string]: string } = {
  'af-south-1': '811711786498',
  'ap-east-1': '098760798382',
  'ap-northeast-1': '377024640650',
  'ap-northeast-2': '263625296855',
  'ap-northeast-3': '364406365360',
  'ap-south-1': '452307495513',
  'ap-southeast-1': '834264404009',
  'ap-southeast-2': '007051062584',
  'ca-central-1': '675030665977',
  'cn-north-1': '122526803553',
  'cn-northwest-1': '122578899357',
  'eu-central-1': '017069133835',
  'eu-north-1': '763603941244',
  'eu-south-1': '638885417683',
  'eu-west-1': '131013547314',
  'eu-west-2': '440796970383',
  'eu-west-3': '341593696636',
  'me-south-1': '835444307964',
  'sa-east-1': '520018980103',
  'us-east-1': '205585389593',
  'us-east-2': '211330385671',
  'us-west-1': '740489534195',
  'us-west-2': '306415355426',
};

/** The Model Monitor analyzer image URI for the stack's region. */
export function modelMonitorAnalyzerImage(scope: Construct): string {
  return regionalImage(scope, MODEL_MONITOR_ANALYZER_REGISTRIES, 'ModelMonitorAnalyzerRegistries',
    'sagemaker-model-monitor-analyzer', 'Model Monitor analyzer', 'analyzerImageUri');
}

/** The SageMaker Clarify image URI for the stack's region. */
export function clarifyImage(scope: Construct): string {
  return regionalImage(scope, CLARIFY_REGISTRIES, 'SageMakerClarifyRegistries',
    'sagemaker-clarify-processing:1.0', 'SageMaker Clarify', 'clarifyImageUri');
}

/**
 * An AWS-owned image URI for the stack's region. A literal region is looked up now (a clear error
 * for an unknown one); a region token (an environment-agnostic stack) is looked up by
 * CloudFormation through `Fn::FindInMap` on one mapping per stack.
 */
function regionalImage(scope: Construct, table: { [region: string]: string }, mappingId: string,
  repository: string, what: string, prop: string): string {
  const stack = Stack.of(scope);
  const region = stack.region;
  if (!Token.isUnresolved(region)) {
    const account = table[region];
    check(account !== undefined, scope, prop, undefined,
      `The ${what} image of region ${region} is not known to this library ` +
      `(known: ${Object.keys(table).join(', ')}); give its URI as \`${prop}\``);
    const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    return `${account}.dkr.ecr.${region}.${suffix}/${repository}`;
  }
  let mapping = stack.node.tryFindChild(mappingId) as CfnMapping | undefined;
  if (!mapping) {
    const rows: { [region: string]: { [key: string]: string } } = {};
    for (const [r, account] of Object.entries(table)) {
      rows[r] = { account };
    }
    mapping = new CfnMapping(stack, mappingId, { mapping: rows });
  }
  return `${mapping.findInMap(Aws.REGION, 'account')}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/${repository}`;
}
