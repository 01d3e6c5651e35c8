import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ArtifactBucket } from '../../lib';
import { compliantApp, expectCompliant, unacknowledgedFindings } from '../helpers/compliance';

describe('compliance helper', () => {
  test('catches a deliberately non-compliant bucket in every pack and in Guard', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Bad');
    new s3.Bucket(stack, 'Plain', { removalPolicy: RemovalPolicy.DESTROY });

    const findings = unacknowledgedFindings(stack);
    const plugins = new Set(findings.map((f) => f.plugin));
    expect([...plugins].sort()).toEqual(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'cdk-validator-cfnguard']);
    const rules = findings.map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining([
      'AwsSolutions-S1', 'AwsSolutions-S10',
      'HIPAA.Security-S3BucketLoggingEnabled',
      'NIST.800.53.R5-S3DefaultEncryptionKMS',
      'PCI.DSS.321-S3BucketSSLRequestsOnly',
    ]));
    expect(findings.every((f) => f.path.startsWith('Bad/Plain'))).toBe(true);
    expect(() => expectCompliant(stack)).toThrow(/unacknowledged compliance finding\(s\):\nBad\/Plain\/Resource: \[/);
  });

  test('passes a stack whose findings are all acknowledged', () => {
    const app = compliantApp();
    const stack = new Stack(app, 'Good');
    new ArtifactBucket(stack, 'Artifacts');
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});
