import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CustomResource, Duration, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { policiesOf } from '../../private/dependencies';
import { PropIssue } from '../../private/errors';
import { HandlerFunction } from '../../private/handler-function';
import { acknowledgeWildcardIds } from './pipeline-roles';

/*
 * Where a rendered definition goes: inline in the template (`PipelineDefinitionBody`) up to the
 * inline limit; above it, an S3 asset when it holds no deploy-time values; else an asset with
 * markers in place of those values, copied by a custom resource to the artifact bucket with the
 * values CloudFormation resolved.
 */

/** The CreatePipeline API's limit for a definition. */
export const MAX_DEFINITION_LENGTH = 1048576;

/** How long CloudFormation waits for the definition writer to answer. */
export const DEFINITION_WRITER_SERVICE_TIMEOUT = Duration.minutes(5);

/** What the storage needs to know. */
export interface DefinitionStorageOptions {
  /** Definitions up to this many bytes go inline. */
  readonly maxInlineBytes: number;
  /** The bucket large definitions with deploy-time values are copied to. */
  readonly artifactBucket: s3.IBucket;
  /** The key prefix they go under (the storage layout's definition prefix of the pipeline). */
  readonly definitionPrefix: string;
  /** The key of the writer function's logs and environment. */
  readonly encryptionKey: kms.IKey;
}

/** Where the definition went, and the `PipelineDefinition` property of the pipeline resource. */
export interface StoredDefinition {
  readonly storage: 'inline' | 's3';
  readonly cfnDefinition: any;
  readonly issues: PropIssue[];
}

/** Store the (unresolved) definition of the pipeline `scope`. */
export function storeDefinition(scope: Construct, definition: any, options: DefinitionStorageOptions): StoredDefinition {
  const stack = Stack.of(scope);
  const resolved = stack.resolve(definition);
  const text = JSON.stringify(resolved);
  const size = Buffer.byteLength(text, 'utf-8');
  if (size <= options.maxInlineBytes) {
    return { storage: 'inline', cfnDefinition: { PipelineDefinitionBody: stack.toJsonString(definition) }, issues: [] };
  }
  const issues: PropIssue[] = [];
  if (size > MAX_DEFINITION_LENGTH) {
    issues.push({ prop: 'definition', value: `${size} bytes`, rule: `The definition is larger than SageMaker accepts (${MAX_DEFINITION_LENGTH} bytes); split the pipeline` });
  }
  if (!/"(Ref|Fn::[A-Za-z]+)"/.test(text)) {
    const asset = writeAsset(scope, text);
    return { storage: 's3', cfnDefinition: { PipelineDefinitionS3Location: { Bucket: asset.s3BucketName, Key: asset.s3ObjectKey } }, issues };
  }
  return { storage: 's3', cfnDefinition: storeWithDeployTimeValues(scope, definition, options, issues), issues };
}

function writeAsset(scope: Construct, text: string): s3assets.Asset {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-definition-'));
  const file = path.join(dir, 'definition.json');
  fs.writeFileSync(file, text);
  return new s3assets.Asset(scope, 'DefinitionAsset', { path: file });
}

/**
 * A large definition with deploy-time values: uploaded as an asset with markers in their place,
 * and copied by a custom resource to the artifact bucket with the values CloudFormation resolved.
 */
function storeWithDeployTimeValues(scope: Construct, definition: any, options: DefinitionStorageOptions, issues: PropIssue[]): any {
  const stack = Stack.of(scope);
  const substitutions: { [marker: string]: string } = {};
  const markers = new Map<string, string>();
  const markerOf = (tokenString: string): string => {
    let m = markers.get(tokenString);
    if (!m) {
      m = `<<mlops-token:${markers.size}>>`;
      markers.set(tokenString, m);
      substitutions[m] = tokenString;
    }
    return m;
  };
  const template = (x: any): any => {
    if (typeof x === 'string') {
      if (!Token.isUnresolved(x)) { return x; }
      const fragments = Tokenization.reverseString(x);
      return (fragments as any).fragments.map((f: any) => f.type === 'literal' ? f.lit
        : markerOf(Token.asString(f.type === 'intrinsic' ? f.value : f.token))).join('');
    }
    if (typeof x === 'number') {
      if (Token.isUnresolved(x)) {
        issues.push({ prop: 'definition', value: 'a number token', rule: 'A number known only at deploy time cannot go into a definition stored in S3; use a pipeline parameter' });
      }
      return x;
    }
    if (Array.isArray(x)) { return x.map(template); }
    if (x && typeof x === 'object') {
      if (Token.isUnresolved(x)) { return markerOf(Token.asString(x)); }
      const out: any = {};
      for (const [k, v] of Object.entries(x)) { out[k] = template(v); }
      return out;
    }
    return x;
  };
  const asset = writeAsset(scope, JSON.stringify(template(definition)));
  const prefix = options.definitionPrefix.replace(/\/+$/, '');
  const targetKey = `${prefix}/${asset.assetHash}.json`;

  const writer = new HandlerFunction(scope, 'DefinitionWriter', {
    handler: 'pipeline-definition',
    description: `Writes the definition of the SageMaker pipeline ${scope.node.path} with its deploy-time values`,
    encryptionKey: options.encryptionKey,
    timeout: Duration.minutes(2),
  });
  const bucket = options.artifactBucket;
  const targets = bucket.arnForObjects(`${prefix}/*`);
  writer.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject'],
    resources: [`arn:${stack.partition}:s3:::${asset.s3BucketName}/${asset.s3ObjectKey}`],
  }));
  writer.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: [targets] }));
  const keys = [...new Set([options.encryptionKey, ...(bucket.encryptionKey ? [bucket.encryptionKey] : [])])];
  writer.role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
    resources: keys.map((k) => k.keyArn),
  }));
  acknowledgeWildcardIds(writer.role, [targets], 'The writer puts definitions (one per version, named by content hash) ' +
    'under the definition prefix of this pipeline only.');
  const resource = new CustomResource(scope, 'Definition', {
    serviceToken: writer.function.functionArn,
    resourceType: 'Custom::PipelineDefinition',
    // CloudFormation waits an hour for an answer by default; the writer answers within its
    // 2-minute timeout (a FAILED with the reason, whatever went wrong), so this is a backstop.
    serviceTimeout: DEFINITION_WRITER_SERVICE_TIMEOUT,
    properties: {
      SourceBucket: asset.s3BucketName,
      SourceKey: asset.s3ObjectKey,
      TargetBucket: bucket.bucketName,
      TargetKey: targetKey,
      Substitutions: substitutions,
    },
  });
  // The service token (GetAtt of the function) orders the copy after the function; it must also
  // wait for the role's policies, or the first copy can be refused (not for the role itself: W3005).
  resource.node.addDependency(policiesOf(writer.role));
  return {
    PipelineDefinitionS3Location: {
      Bucket: resource.getAttString('Bucket'),
      Key: resource.getAttString('Key'),
      ETag: resource.getAttString('ETag'),
    },
  };
}
