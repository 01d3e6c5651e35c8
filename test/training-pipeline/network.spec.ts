import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ModelStep, ProcessingStep, TrainingPipeline, TrainingStep } from '../../lib/training-pipeline';
import { ContainerImage } from '../../lib/core';
import { compliantApp, expectCompliant } from '../helpers/compliance';
import { bodyOf, statementsOf } from './structural';

describe('jobs in a VPC', () => {
  let template: Template;
  let body: any;

  beforeAll(() => {
    const app = compliantApp();
    const stack = new Stack(app, 'Vpc', { env: { account: '111122223333', region: 'us-east-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
    });
    const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'private', vpc, networkIsolation: true });
    const prep = new ProcessingStep('Prep', { image: ContainerImage.scikitLearn(), outputs: [{ outputName: 'out', source: '/opt/ml/processing/out' }] });
    const train = new TrainingStep('Train', { image: ContainerImage.xgboost(), inputs: [{ channelName: 'train', s3Uri: prep.properties.outputUri('out').asString }] });
    pipeline.addStep(prep, train, new ModelStep('Model', { image: ContainerImage.xgboost(), modelDataUrl: train.properties.modelArtifacts.s3ModelArtifacts.asString }));
    expectCompliant(stack);
    template = Template.fromStack(stack);
    body = bodyOf(template);
  });

  test('processing, training and model steps get the subnets, the security group, isolation and encrypted inter-container traffic', () => {
    const vpcConfig = body.Steps[0].Arguments.NetworkConfig.VpcConfig;
    expect(vpcConfig.Subnets).toEqual(['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb']);
    expect(vpcConfig.SecurityGroupIds).toEqual([expect.stringMatching(/^<PipelineJobSecurityGroup[0-9A-F]+\.GroupId>$/)]);
    expect(body.Steps[0].Arguments.NetworkConfig).toMatchObject({ EnableInterContainerTrafficEncryption: true, EnableNetworkIsolation: true });
    expect(body.Steps[1].Arguments).toMatchObject({ VpcConfig: vpcConfig, EnableInterContainerTrafficEncryption: true, EnableNetworkIsolation: true });
    expect(body.Steps[2].Arguments).toMatchObject({ VpcConfig: vpcConfig, EnableNetworkIsolation: true });
  });

  test('the security group allows traffic between the instances of a job only', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties);
    expect(ingress).toHaveLength(1);
    expect(ingress[0].IpProtocol).toBe('-1');
    expect(ingress[0].SourceSecurityGroupId).toEqual(ingress[0].GroupId);
    expect(JSON.stringify(template.findResources('AWS::EC2::SecurityGroup'))).not.toContain('0.0.0.0/0\",\"IpProtocol\":\"-1\"}],\"SecurityGroupIngress');
  });

  test('the job role may create network interfaces in those subnets and security groups', () => {
    const statements = statementsOf(template, 'PipelineJobRole');
    const eni = statements.find((s) => [s.Action].flat().includes('ec2:CreateNetworkInterface'));
    const resources = JSON.stringify(eni.Resource);
    expect(resources).toContain('subnet/subnet-0aaaaaaaaaaaaaaaa');
    expect(resources).toContain('network-interface/*');
    expect(resources).toContain('security-group/');
    const describe = statementsOf(template, 'PipelineExecutionRole').find((s) => [s.Action].flat().includes('ec2:DescribeSubnets'));
    expect(describe.Resource).toBe('*');
  });
});

test('subnets without a VPC are refused', () => {
  expect(() => new TrainingPipeline(new Stack(), 'P', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }))
    .toThrow(/\[Default\/P\] Invalid prop `vpcSubnets`: received "a subnet selection"\. It needs `vpc` \(or a foundation with a VPC\)/);
});
