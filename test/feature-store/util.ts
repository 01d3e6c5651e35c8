import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FeatureDefinition, FeatureType } from '../../lib/feature-store';

/** A fresh lock file path in a temporary directory (the file does not exist yet). */
export function tempLockFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'feature-store-lock-')), 'feature-store.lock.json');
}

/** Read a lock file written by the construct. */
export function readLockFile(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf-8'));
}

/** A small, valid schema. */
export const ORDER_FEATURES: FeatureDefinition[] = [
  { name: 'order_id', type: FeatureType.STRING },
  { name: 'event_time', type: FeatureType.FRACTIONAL },
  { name: 'amount', type: FeatureType.FRACTIONAL },
  { name: 'item_count', type: FeatureType.INTEGRAL },
];
