/*
 * The tag rule of the library's constructs: tags reach their resources through `Tags.of(...)`
 * (aws-cdk-lib's tag aspect), which renders any key, so a bad key fails only at deploy time
 * (aws-cdk-lib's own schema check reports it only under the opt-in context flag
 * `@aws-cdk/core:validateAgainstDefaultRules`). Kept free of the registry's other code so that the
 * model package group and the feature store use it too; it belongs in lib/private/ once shared
 * more widely.
 *
 * Limits: "Tag naming limits and requirements" of the AWS tagging guide
 * (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): a key has 1 to 128
 * characters, a value 0 to 256, and the `aws:` prefix is reserved for AWS.
 */
import { CfnResource, TagManager, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PropChecks, PropIssue } from '../../private/errors';

/** Why a tag is refused, or undefined. */
export function tagProblem(key: string, value: string): string | undefined {
  if (Token.isUnresolved(key)) { return undefined; }
  if (key.trim().length === 0) { return 'A tag key has 1 to 128 characters and is not blank'; }
  if (key.length > 128) { return 'A tag key has at most 128 characters'; }
  if (key.toLowerCase().startsWith('aws:')) { return 'Tag keys starting with "aws:" are reserved for AWS'; }
  if (!Token.isUnresolved(value) && value.length > 256) { return 'A tag value has at most 256 characters'; }
  return undefined;
}

/**
 * Refuse at synth (after the tag aspects ran) a bad tag on any CloudFormation resource of `scope`,
 * leaving out the subtrees of the constructs `skip` accepts (constructs that check their own).
 * Each bad key is reported once, with the number of resources it is on.
 */
export function checkTags(scope: IConstruct, skip: (c: IConstruct) => boolean = () => false): void {
  PropChecks.defer(scope, () => {
    const found = new Map<string, { value: string; problem: string; resources: string[] }>();
    for (const resource of resourcesOf(scope, skip)) {
      if (!TagManager.isTaggable(resource)) { continue; }
      for (const [key, value] of Object.entries(resource.tags.tagValues())) {
        const problem = tagProblem(key, value);
        if (!problem) { continue; }
        const entry = found.get(key) ?? { value, problem, resources: [] };
        entry.resources.push(resource.node.path);
        found.set(key, entry);
      }
    }
    return [...found.entries()].map(([key, e]): PropIssue => ({
      prop: 'tags',
      value: key,
      rule: `${e.problem} (a tag set with Tags.of(...).add, found on ${e.resources.length} resource(s), such as ${e.resources[0]}); ` +
        'CloudFormation would refuse it at deploy time',
    }));
  });
}

function resourcesOf(scope: IConstruct, skip: (c: IConstruct) => boolean): CfnResource[] {
  const out: CfnResource[] = [];
  const visit = (c: IConstruct) => {
    if (CfnResource.isCfnResource(c)) { out.push(c); }
    for (const child of c.node.children) {
      if (!skip(child)) { visit(child); }
    }
  };
  visit(scope);
  return out;
}
