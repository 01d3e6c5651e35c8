import { HOSTING_INSTANCE_TYPES, INSTANCE_TYPE_SOURCE, PROCESSING_INSTANCE_TYPES, TRAINING_INSTANCE_TYPES, TRANSFORM_INSTANCE_TYPES } from './instance-type-table';

/** `ml.<family>.<size>`, e.g. `ml.m5.large`, `ml.g5.12xlarge`, `ml.c6id.xlarge`. */
export const INSTANCE_TYPE_PATTERN = /^ml\.([a-z][a-z0-9-]*)\.([a-z0-9]+)$/;

/**
 * Families that have NVMe instance store volumes without a `d` in their name. SageMaker
 * refuses a volume key (`KmsKeyId`, `VolumeKmsKeyId`) for instance types with local storage;
 * their instance store is encrypted by a hardware module on the instance.
 */
const INSTANCE_STORE_FAMILIES = new Set(['dl1', 'g5', 'g6', 'g6e', 'gr6', 'p5', 'p5e', 'p5en', 'trn1', 'trn1n', 'trn2', 'x2iedn']);

/** Whether a literal `ml.*` instance type has NVMe instance storage. */
export function instanceTypeHasStorage(name: string): boolean {
  const family = INSTANCE_TYPE_PATTERN.exec(name)?.[1];
  if (!family) { return false; }
  if (INSTANCE_STORE_FAMILIES.has(family)) { return true; }
  // The `d` marks local NVMe storage: m5d, c5d, r5d, m6id, c6gd, g4dn, g4ad, p3dn, p4d, p4de.
  return /^[a-z]+[0-9]+[a-z]*d[a-z]*$/.test(family);
}

/** Whether a literal `ml.*` instance type is burstable. */
export function instanceTypeIsBurstable(name: string): boolean {
  const family = INSTANCE_TYPE_PATTERN.exec(name)?.[1];
  return family !== undefined && /^t[0-9]/.test(family);
}

/** The SageMaker API shapes that take an instance type, by what the type runs. */
export type InstanceTypeUse = 'hosting' | 'training' | 'processing' | 'transform';

const TABLES: Record<InstanceTypeUse, ReadonlySet<string>> = {
  hosting: HOSTING_INSTANCE_TYPES,
  training: TRAINING_INSTANCE_TYPES,
  processing: PROCESSING_INSTANCE_TYPES,
  transform: TRANSFORM_INSTANCE_TYPES,
};

const WHAT: Record<InstanceTypeUse, string> = {
  hosting: 'endpoints (hosting)',
  training: 'training and tuning jobs',
  processing: 'processing jobs, check steps and Model Monitor jobs',
  transform: 'batch transform jobs',
};

/** Whether SageMaker offers `name` for anything. */
export function isKnownInstanceType(name: string): boolean {
  return Object.values(TABLES).some((t) => t.has(name));
}

/** Whether SageMaker offers `name` for `use`. */
export function offersInstanceType(use: InstanceTypeUse, name: string): boolean {
  return TABLES[use].has(name);
}

/** The rule an unknown instance type breaks, with the closest known names. */
export function unknownInstanceTypeRule(name: string, use?: InstanceTypeUse): string {
  const table = use ? [...TABLES[use]] : [...new Set(Object.values(TABLES).flatMap((t) => [...t]))];
  const close = table.map((t) => [t, distance(name.startsWith('ml.') ? name : `ml.${name}`, t)] as const)
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).filter(([, d]) => d <= 3).slice(0, 3).map(([t]) => t);
  return `${use ? `SageMaker does not offer it for ${WHAT[use]}` : 'It is not a SageMaker instance type'} ` +
    `(the instance types of ${INSTANCE_TYPE_SOURCE})${close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''} ` +
    'For a type newer than this list, use InstanceType.unlisted()';
}

/** Levenshtein distance, for suggestions. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = next;
    }
  }
  return row[b.length];
}
