import type { ImportedDefinitionOptions } from '../definition';

const ROLE_KEYS = new Set(['RoleArn', 'ExecutionRoleArn']);

/**
 * A copy of an imported definition with the job roles, the bucket and other literals replaced by
 * the values (usually tokens) the options give.
 */
export function substituteImported(json: any, options: ImportedDefinitionOptions): any {
  const replacements: Array<[string, string]> = Object.entries(options.substitutions ?? {});
  if (options.bucket && options.sourceBucketName) {
    replacements.push([`s3://${options.sourceBucketName}/`, `s3://${options.bucket.bucketName}/`]);
    replacements.push([`s3://${options.sourceBucketName}"`, `s3://${options.bucket.bucketName}"`]);
  }
  const replaceString = (s: string): string => {
    let out = s;
    for (const [from, to] of replacements) {
      if (from.length > 0 && out.includes(from)) { out = out.split(from).join(to); }
    }
    if (options.bucket && options.sourceBucketName && out === `s3://${options.sourceBucketName}`) {
      out = `s3://${options.bucket.bucketName}`;
    }
    return out;
  };
  const walk = (x: any, key?: string): any => {
    if (typeof x === 'string') {
      if (key && ROLE_KEYS.has(key) && options.jobRole) { return options.jobRole.roleArn; }
      return replaceString(x);
    }
    if (Array.isArray(x)) { return x.map((e) => walk(e)); }
    if (x !== null && typeof x === 'object') {
      const out: any = {};
      for (const [k, v] of Object.entries(x)) { out[k] = walk(v, k); }
      return out;
    }
    return x;
  };
  return walk(json);
}
