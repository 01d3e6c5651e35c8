/* ECR image URIs: parsing and the partition of a region. */

/** The partition of a literal region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) { return 'aws-cn'; }
  if (region.startsWith('us-gov-')) { return 'aws-us-gov'; }
  return 'aws';
}

const PART = '(?:\\$\\{Token\\[[^\\]]+\\]\\}|[A-Za-z0-9-]+)';
/** An ECR image URI; tokens allowed in the account, region and domain. */
export const ECR_IMAGE_URI = new RegExp(`^(${PART})\\.dkr\\.ecr\\.(${PART})\\.(?:\\$\\{Token\\[[^\\]]+\\]\\}|[a-z.]+)/([a-z0-9._/-]+?)(?::[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})?$`);

/** The repository ARN of an ECR image URI (tokens allowed in account and region), or undefined. */
export function ecrRepositoryArnOf(uri: string, partition: string): string | undefined {
  const m = ECR_IMAGE_URI.exec(uri);
  if (!m) { return undefined; }
  return `arn:${partition}:ecr:${m[2]}:${m[1]}:repository/${m[3]}`;
}
