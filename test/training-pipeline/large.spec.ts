import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ProcessingStep, Step, TrainingPipeline } from '../../lib/training-pipeline';
import { ContainerImage } from '../../lib/core';

describe('a pipeline of 200 steps', () => {
  test('renders inline, and no IAM managed policy goes over the size limit', () => {
    const app = new App();
    const stack = new Stack(app, 'Large');
    const pipeline = new TrainingPipeline(stack, 'Pipeline', { pipelineName: 'large' });
    const image = ContainerImage.fromImageUri('111122223333.dkr.ecr.us-east-1.amazonaws.com/bench:1');
    let previous: ProcessingStep | undefined;
    const steps: Step[] = [];
    for (let i = 0; i < 200; i++) {
      const step: ProcessingStep = new ProcessingStep(`Step${i}`, {
        image,
        code: { s3Uri: `s3://code-bucket-with-a-long-name/scripts/step-number-${i}.py` },
        inputs: [{ inputName: 'in', source: previous ? previous.properties.outputUri('out').asString : 's3://data/in/', destination: '/opt/ml/processing/input' }],
        outputs: [{ outputName: 'out', source: '/opt/ml/processing/output' }],
      });
      steps.push(step);
      previous = step;
    }
    pipeline.addStep(...steps);
    const template = Template.fromStack(stack);
    expect(pipeline.definitionStorage).toBe('inline');
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    for (const p of policies) {
      // IAM counts the policy without whitespace; references resolve to ARNs of similar length.
      expect(JSON.stringify(p.Properties.PolicyDocument).length).toBeLessThan(6144);
    }
    // IAM attaches at most 10 managed policies to a role by default.
    const perRole = new Map<string, number>();
    for (const p of policies) {
      for (const role of p.Properties.Roles) { perRole.set(role.Ref, (perRole.get(role.Ref) ?? 0) + 1); }
    }
    expect(Math.max(...perRole.values())).toBeLessThanOrEqual(10);
    // The 200 scripts of one bucket are read through their common prefix.
    const job = policies.filter((p) => p.Properties.Roles[0].Ref.startsWith('PipelineJobRole')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const read = job.find((s: any) => s.Action === 's3:GetObject');
    expect(JSON.stringify(read.Resource)).toContain('code-bucket-with-a-long-name/scripts/step-number-*');
  });
});
