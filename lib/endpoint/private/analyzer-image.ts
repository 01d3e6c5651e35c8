import { Aws, CfnMapping, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { check } from '../../private/errors';

/**
 * The registries of the Model Monitor analyzer image (`sagemaker-model-monitor-analyzer`), by
 * region, as published in the SageMaker developer guide ("Docker registry paths").
 */
export const MODEL_MONITOR_ANALYZER_REGISTRIES: { [region: string]: string } = {
  'us-east-1': '156813124566',
  'us-east-2': '777275614652',
  'us-west-1': '890145073186',
  'us-west-2': '159807026194',
  'ca-central-1': '536280801234',
  'sa-east-1': '539772159869',
  'eu-north-1': '895015795356',
  'eu-west-1': '468650794304',
  'eu-west-2': '749857270468',
  'eu-west-3': '680080141114',
  'eu-central-1': '048819808253',
  'me-south-1': '607024016150',
  'ap-east-1': '001633400207',
  'ap-south-1': '126357580389',
  'ap-northeast-1': '574779866223',
  'ap-northeast-2': '709848358524',
  'ap-southeast-1': '245545462676',
  'ap-southeast-2': '563025443158',
  'cn-north-1': '453000072557',
  'cn-northwest-1': '453252182341',
};

const REPOSITORY = 'sagemaker-model-monitor-analyzer';
const MAPPING_ID = 'ModelMonitorAnalyzerRegistries';

/**
 * The analyzer image URI for the stack's region. A literal region is looked up now (a clear error
 * for an unknown one); a region token (an environment-agnostic stack) is looked up by
 * CloudFormation through `Fn::FindInMap` on one mapping per stack.
 */
export function modelMonitorAnalyzerImage(scope: Construct): string {
  const stack = Stack.of(scope);
  const region = stack.region;
  if (!Token.isUnresolved(region)) {
    const account = MODEL_MONITOR_ANALYZER_REGISTRIES[region];
    check(account !== undefined, scope, 'analyzerImageUri', undefined,
      `The Model Monitor analyzer image of region ${region} is not known to this library ` +
      `(known: ${Object.keys(MODEL_MONITOR_ANALYZER_REGISTRIES).join(', ')}); give its URI as \`analyzerImageUri\``);
    const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    return `${account}.dkr.ecr.${region}.${suffix}/${REPOSITORY}`;
  }
  let mapping = stack.node.tryFindChild(MAPPING_ID) as CfnMapping | undefined;
  if (!mapping) {
    const table: { [region: string]: { [key: string]: string } } = {};
    for (const [r, account] of Object.entries(MODEL_MONITOR_ANALYZER_REGISTRIES)) {
      table[r] = { account };
    }
    mapping = new CfnMapping(stack, MAPPING_ID, { mapping: table });
  }
  return `${mapping.findInMap(Aws.REGION, 'account')}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/${REPOSITORY}`;
}
