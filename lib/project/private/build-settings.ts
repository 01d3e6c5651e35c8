import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { IConstruct } from 'constructs';
import { ContainerImage } from '../../core/container-image';
import { check } from '../../private/errors';
import { StandardPipelineInputParameters } from '../../training-pipeline/input-parameters';
import { scriptFileName } from '../../training-pipeline/private/input-parameters';
import { ProjectBuildOptions } from '../build-props';
import { MlopsProjectProps } from '../project-props';
import { ProjectSource } from '../source';

/** One image the build makes. */
export interface ImageBuildSettings {
  readonly dockerfile: string;
  readonly context: string;
}

/** The build side of a project, checked, with its defaults. */
export interface BuildSettings {
  readonly source: ProjectSource;
  readonly training?: ImageBuildSettings;
  readonly inference?: ImageBuildSettings;
  readonly baseImages: ContainerImage[];
  readonly codeDirectory: string;
  readonly computeType: codebuild.ComputeType;
  /**
   * The project's standard pipeline takes the built images and the uploaded scripts from these
   * parameters (undefined for a pipeline of the user's own).
   */
  readonly standardInputs?: StandardPipelineInputParameters;
  /** The file names of the standard pipeline's scripts in the code folder. */
  readonly scriptFileNames?: { readonly preprocessing: string; readonly evaluation: string };
}

/** A relative path of the repository, safe in a shell command as it is. */
const REPOSITORY_PATH = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/** CodeBuild's Linux computes that run privileged builds (no Lambda compute, no custom fleet attributes). */
const IMAGE_BUILD_COMPUTE = [
  codebuild.ComputeType.SMALL, codebuild.ComputeType.MEDIUM, codebuild.ComputeType.LARGE,
  codebuild.ComputeType.X_LARGE, codebuild.ComputeType.X2_LARGE,
];

function checkPath(where: IConstruct, prop: string, value: unknown, allowRoot: boolean): void {
  const ok = typeof value === 'string' && value.length <= 255 && (
    (allowRoot && value === '.') ||
    (REPOSITORY_PATH.test(value) && !value.split('/').some((p) => p === '.' || p === '..')));
  check(ok, where, prop, value,
    `It must be a path relative to the repository's root${allowRoot ? ' (or "." for the root)' : ''}: letters, digits and \`-_.\` in parts ` +
    'separated by single slashes, no leading slash, no `.` or `..` part (it goes into the build\'s shell commands as it is)');
}

function dirnameOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '.' : file.slice(0, i);
}

/** Validate `props.buildPipeline` (every rule names the prop, the value and the rule) and apply the defaults. */
export function buildSettings(where: IConstruct, props: MlopsProjectProps): BuildSettings | undefined {
  const b: ProjectBuildOptions | undefined = props.buildPipeline;
  if (b === undefined) { return undefined; }
  check(b !== null && typeof b === 'object' && !Array.isArray(b), where, 'buildPipeline', b, 'It must be the options of the build pipeline (at least `source`)');
  check(b.source instanceof ProjectSource, where, 'buildPipeline.source', b.source,
    'It is required: a ProjectSource (ProjectSource.connection(), .newConnection(), .s3Object() or .codeCommit())');
  b.source._check(where, 'buildPipeline.source');
  check(props.training !== undefined || props.trainingPipeline !== undefined, where, 'buildPipeline', 'a build pipeline without a training pipeline',
    'The build starts the project\'s training pipeline with each commit\'s images and code: give `training` (the standard pipeline) ' +
    'or `trainingPipeline` (your own)');

  const image = (name: 'training' | 'inference'): ImageBuildSettings | undefined => {
    const dockerfile = b[`${name}Dockerfile`];
    const context = b[`${name}BuildContext`];
    if (dockerfile === undefined) {
      check(context === undefined, where, `buildPipeline.${name}BuildContext`, context,
        `It needs \`buildPipeline.${name}Dockerfile\`: without a Dockerfile no ${name} image is built`);
      return undefined;
    }
    checkPath(where, `buildPipeline.${name}Dockerfile`, dockerfile, false);
    if (context !== undefined) { checkPath(where, `buildPipeline.${name}BuildContext`, context, true); }
    return { dockerfile, context: context ?? dirnameOf(dockerfile) };
  };
  const training = image('training');
  const inference = image('inference');

  const baseImages = b.baseImages ?? [];
  check(Array.isArray(baseImages), where, 'buildPipeline.baseImages', baseImages, 'It must be a list of ContainerImage');
  baseImages.forEach((img, i) => check(img instanceof ContainerImage, where, `buildPipeline.baseImages[${i}]`, img,
    'It must be a ContainerImage (ContainerImage.scikitLearn(), .fromEcrRepository(), .fromImageUri(), ...)'));
  check(baseImages.length === 0 || training !== undefined || inference !== undefined, where, 'buildPipeline.baseImages', `${baseImages.length} image(s)`,
    'Base images are for the Dockerfiles: give `buildPipeline.trainingDockerfile` or `buildPipeline.inferenceDockerfile`, or leave them out');

  const codeDirectory = b.codeDirectory ?? 'pipeline';
  checkPath(where, 'buildPipeline.codeDirectory', codeDirectory, true);
  const computeType = b.imageBuildComputeType ?? codebuild.ComputeType.MEDIUM;
  check(IMAGE_BUILD_COMPUTE.includes(computeType), where, 'buildPipeline.imageBuildComputeType', computeType,
    `It must be one of ${IMAGE_BUILD_COMPUTE.join(', ')}: images are built in privileged mode, which only these Linux computes run`);

  let standardInputs: StandardPipelineInputParameters | undefined;
  let scriptFileNames: BuildSettings['scriptFileNames'];
  if (props.training) {
    check(props.training.inputParameters === undefined, where, 'training.inputParameters', props.training.inputParameters,
      'The project sets it when it has a build pipeline: the build passes each commit\'s images and scripts');
    const names = { preprocessing: 'preprocessingScript', evaluation: 'evaluationScript' } as const;
    const fileNames: { [k: string]: string } = {};
    for (const [key, prop] of Object.entries(names)) {
      const code = props.training[prop];
      const fileName = code && typeof code === 'object' ? scriptFileName(code) : undefined;
      check(fileName !== undefined && /^[A-Za-z0-9_.-]+$/.test(fileName) && fileName !== '.' && fileName !== '..', where, `training.${prop}`, code,
        `The build passes the script's place in the code folder (buildPipeline.codeDirectory/<file name>): its file name must be known at synth ` +
        '(letters, digits and `-_.`): give `fileName` with an `s3Uri` known only at deploy time');
      fileNames[key] = fileName!;
    }
    scriptFileNames = { preprocessing: fileNames.preprocessing, evaluation: fileNames.evaluation };
    standardInputs = { trainingImage: training !== undefined, inferenceImage: inference !== undefined, scripts: true };
  }
  return { source: b.source, training, inference, baseImages, codeDirectory, computeType, standardInputs, scriptFileNames };
}
