import { Template } from 'aws-cdk-lib/assertions';
import { addFeatureStoreExample } from '../../examples/feature-store';
import { SchemaLockContext } from '../../lib/feature-store';
import { compliantApp, expectCompliant } from '../helpers/compliance';
import { readLockFile, tempLockFile } from './util';

describe('feature store example', () => {
  test('is compliant, has two groups with both stores, and records them in the lock', () => {
    const app = compliantApp();
    const lock = tempLockFile();
    app.node.setContext(SchemaLockContext.FILE, lock);
    app.node.setContext(SchemaLockContext.MODE, 'update');
    const stack = addFeatureStoreExample(app);
    expectCompliant(stack);
    const t = Template.fromStack(stack);
    const groups = Object.values(t.findResources('AWS::SageMaker::FeatureGroup'));
    expect(groups).toHaveLength(2);
    for (const g of groups) {
      expect(g.Properties.OnlineStoreConfig.EnableOnlineStore).toBe(true);
      expect(g.Properties.OfflineStoreConfig.TableFormat).toBe('Iceberg');
      expect(g.DeletionPolicy).toBe('Retain');
    }
    expect(Object.keys(readLockFile(lock).featureGroups)).toEqual([
      'MlopsFeatureStoreExample/Features/Customers',
      'MlopsFeatureStoreExample/Features/Orders',
    ]);
  });
});
