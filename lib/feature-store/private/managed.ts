/**
 * Roles whose offline-store permissions a FeatureStore grants once for all its groups (its
 * bucket prefix, Glue database and key), so that each group does not add its own statements
 * (an inline policy holds at most 10,240 characters).
 */
export const STORE_MANAGED_ROLES = new WeakSet<object>();
