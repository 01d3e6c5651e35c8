import { Aws, CfnMapping, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { check } from '../../private/errors';
import { CLARIFY_REGISTRIES, MODEL_MONITOR_ANALYZER_REGISTRIES } from '../../private/image-registries';

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
