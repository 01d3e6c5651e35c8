import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { TrainingPipelineBase } from '../pipeline-base';

/** A pipeline that exists already, by name (triggers, grants and metrics only). */
export class ImportedTrainingPipeline extends TrainingPipelineBase {
  public readonly pipelineName: string;
  public readonly pipelineArn: string;
  constructor(scope: Construct, id: string, pipelineName: string) {
    super(scope, id);
    this.pipelineName = pipelineName;
    this.pipelineArn = Stack.of(this).formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: pipelineName });
  }
}
