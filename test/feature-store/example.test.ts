import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { addFeatureStoreExample } from '../../examples/feature-store';
import { SchemaLockContext } from '../../lib/feature-store';
import { compliantApp, expectCompliant } from '../helpers/compliance';
import { readLockFile, tempLockFile } from './util';

const COMMITTED_LOCK = path.join(__dirname, '..', '..', 'feature-store.lock.json');

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

  test('the committed feature-store.lock.json records the example as it is: verify mode warns of nothing and writes nothing', () => {
    const app = compliantApp();
    const lock = tempLockFile();
    fs.copyFileSync(COMMITTED_LOCK, lock);
    app.node.setContext(SchemaLockContext.FILE, lock);
    app.node.setContext(SchemaLockContext.MODE, 'verify');
    const stack = addFeatureStoreExample(app);
    app.synth();
    const annotations = Annotations.fromStack(stack);
    annotations.hasNoWarning('*', Match.stringLikeRegexp('schema lock'));
    annotations.hasNoError('*', Match.anyValue());
    expect(fs.readFileSync(lock, 'utf-8')).toBe(fs.readFileSync(COMMITTED_LOCK, 'utf-8'));
  });

  test('the store uses the foundation\'s key and bucket, and the pipeline role may read the orders offline store', () => {
    const app = compliantApp();
    const lock = tempLockFile();
    fs.copyFileSync(COMMITTED_LOCK, lock);
    app.node.setContext(SchemaLockContext.FILE, lock);
    app.node.setContext(SchemaLockContext.MODE, 'verify');
    const stack = addFeatureStoreExample(app);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.resourceCountIs('AWS::S3::Bucket', 2);
    const policies = t.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^PipelineRole') }] } });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual({
      Action: 's3:GetObject',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ArtifactsBucket/), 'Arn'] }, '/feature-store/orders/*']] },
    });
    expect(statements).toContainEqual(expect.objectContaining({
      Action: 's3:ListBucket',
      Condition: { StringLike: { 's3:prefix': ['feature-store/orders', 'feature-store/orders/*'] } },
    }));
  });
});
