/** `ml.<family>.<size>`, e.g. `ml.m5.large`, `ml.g5.12xlarge`, `ml.c6id.xlarge`. */
export const INSTANCE_TYPE_PATTERN = /^ml\.([a-z][a-z0-9-]*)\.([a-z0-9]+)$/;

/**
 * Families that have NVMe instance store volumes without a `d` in their name. SageMaker
 * refuses a volume key (`KmsKeyId`, `VolumeKmsKeyId`) for instance types with local storage;
 * their instance store is encrypted by a hardware module on the instance.
 */
const INSTANCE_STORE_FAMILIES = new Set(['g5', 'g6', 'g6e', 'gr6', 'p5', 'p5e', 'p5en', 'trn1', 'trn1n', 'trn2', 'x2iedn']);

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
