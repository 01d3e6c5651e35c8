import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { ProjectSource } from './source';
import { ContainerImage } from '../core/container-image';

/**
 * The build side of an MlopsProject: a CodePipeline (V2) that, for each commit of the source,
 * builds the training and inference images from Dockerfiles of the repository into the project's
 * ECR repositories (tagged with the commit id), uploads the pipeline's code to the artifact bucket
 * under a prefix of that commit, and starts the training pipeline with that commit's images and
 * code as pipeline parameters.
 *
 * Paths are relative to the repository's root: letters, digits and `-_./` only, no `..` part, no
 * leading slash (they go into the build's shell commands as they are).
 */
export interface ProjectBuildOptions {
  /** Where the repository comes from. */
  readonly source: ProjectSource;

  /**
   * The Dockerfile of the training image (relative to the repository's root). The build pushes
   * the image to the project's training repository, tagged with the commit id, and the training
   * pipeline runs it (`TrainingImageUri`).
   *
   * @default - no training image is built: the training pipeline's own image (a built-in one)
   */
  readonly trainingDockerfile?: string;

  /**
   * The build context of the training image (a folder of the repository).
   *
   * @default - the folder of `trainingDockerfile`
   */
  readonly trainingBuildContext?: string;

  /**
   * The Dockerfile of the inference image (relative to the repository's root). The build pushes
   * it to the project's inference repository, tagged with the commit id, and the training pipeline
   * registers model versions with it (`InferenceImageUri`).
   *
   * @default - no inference image is built: the training image (built or not) serves the model
   */
  readonly inferenceDockerfile?: string;

  /**
   * The build context of the inference image (a folder of the repository).
   *
   * @default - the folder of `inferenceDockerfile`
   */
  readonly inferenceBuildContext?: string;

  /**
   * Images in ECR repositories that the Dockerfiles start `FROM` (SageMaker's framework images,
   * such as `ContainerImage.scikitLearn()`, or images of your own): the image build logs in to
   * their registries and may pull from their repositories only.
   *
   * @default - none: the Dockerfiles start from public images (for example `public.ecr.aws/...`)
   */
  readonly baseImages?: ContainerImage[];

  /**
   * The folder of the repository with the pipeline's code and scripts, uploaded for each commit to
   * `s3://<artifact bucket>/<code prefix>/<project>/<commit>/`. For the standard training pipeline,
   * the preprocessing and evaluation scripts must be in it under their file names (the file name
   * of `localFile`, or the last part of `s3Uri`, or `fileName`).
   *
   * @default "pipeline"
   */
  readonly codeDirectory?: string;

  /**
   * The compute of the image build (a CodeBuild Linux instance; images are built in privileged
   * mode, which CodeBuild's Lambda compute does not offer).
   *
   * @default codebuild.ComputeType.MEDIUM
   */
  readonly imageBuildComputeType?: codebuild.ComputeType;
}
