import * as fs from 'fs';
import * as path from 'path';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { ContainerImage } from '../../core/container-image';
import { check } from '../../private/errors';
import { StandardPipelineInputParameters, StandardPipelineParameterNames } from '../input-parameters';
import { ProcessingInput } from '../processing-job';
import { ProcessingCode } from '../processing-step';
import { PipelineParameter } from '../values';

/*
 * The images and scripts of the standard pipeline, fixed in the definition (the props' own) or
 * taken from parameters whose defaults are the props' (StandardPipelineInputParameters).
 */

/** Where ProcessingStep puts a script (the SageMaker Python SDK's ScriptProcessor uses the same place). */
const CODE_DIR = '/opt/ml/processing/input/code';

/** How a processing step gets its script: the `code` prop, or an entrypoint and an input of its own. */
export interface ScriptInput {
  readonly code?: ProcessingCode;
  readonly entrypoint?: string[];
  readonly codeInputs: ProcessingInput[];
}

/** The images and scripts the standard pipeline's steps use, and the parameters they need. */
export interface StandardInputs {
  readonly parameters: PipelineParameter[];
  readonly trainingImage: ContainerImage;
  readonly inferenceImage: ContainerImage;
  readonly preprocessing: ScriptInput;
  readonly evaluation: ScriptInput;
}

/** Check the prop (JavaScript users can pass anything). */
export function checkInputParameters(where: string, value: StandardPipelineInputParameters | undefined): void {
  if (value === undefined) { return; }
  check(value !== null && typeof value === 'object' && !Array.isArray(value), where, 'inputParameters', value,
    'It must be an object with the booleans `trainingImage`, `inferenceImage` and `scripts`');
  for (const key of ['trainingImage', 'inferenceImage', 'scripts'] as const) {
    check(value[key] === undefined || typeof value[key] === 'boolean', where, `inputParameters.${key}`, value[key], 'It must be a boolean');
  }
}

/**
 * The images and scripts of the steps: the props' own unless `options` asks for parameters, which
 * then default to them. The defaults render exactly as the props would, so the roles' grants (which
 * follow the parameters' defaults) stay what they were.
 */
export function standardInputs(scope: Construct, where: string, options: StandardPipelineInputParameters | undefined, images: {
  readonly training: ContainerImage; readonly inference: ContainerImage;
}, scripts: { readonly preprocessing: ProcessingCode; readonly evaluation: ProcessingCode }): StandardInputs {
  const parameters: PipelineParameter[] = [];
  const imageParameter = (on: boolean | undefined, name: string, image: ContainerImage): ContainerImage => {
    if (!on) { return image; }
    const parameter = PipelineParameter.string(name, { defaultValue: image.bind(scope).imageUri });
    parameters.push(parameter);
    return ContainerImage.fromImageUri(parameter.asString);
  };
  const trainingImage = imageParameter(options?.trainingImage, StandardPipelineParameterNames.TRAINING_IMAGE_URI, images.training);
  // Without an inference image of its own, the model runs the training image (a parameter too, when it is one).
  const inferenceDefault = images.inference === images.training ? trainingImage : images.inference;
  const inferenceImage = options?.inferenceImage
    ? imageParameter(true, StandardPipelineParameterNames.INFERENCE_IMAGE_URI, images.inference)
    : inferenceDefault;

  const scriptInput = (name: string, stepName: string, code: ProcessingCode): ScriptInput => {
    if (!options?.scripts) { return { code, codeInputs: [] }; }
    // What ProcessingStep checks of a `code` prop, which the step does not get here.
    const prop = stepName === 'Preprocess' ? 'preprocessingScript' : 'evaluationScript';
    check((code.s3Uri === undefined) !== (code.localFile === undefined), where, prop, code, 'Give exactly one of `s3Uri` and `localFile`');
    if (code.localFile !== undefined) {
      check(fs.existsSync(code.localFile) && fs.statSync(code.localFile).isFile(), where, `${prop}.localFile`, code.localFile, 'It must be an existing file');
    }
    const parameter = PipelineParameter.string(name, { defaultValue: scriptUri(scope, stepName, code) });
    parameters.push(parameter);
    return {
      // SageMaker names the downloaded file after the object's key, which a parameter hides: run
      // the one file of the code folder under whatever name it has.
      entrypoint: ['/bin/sh', '-c', `exec "$@" ${CODE_DIR}/*`, 'run-script', ...(code.command ?? ['python3'])],
      codeInputs: [{ inputName: 'code', source: parameter.asString, destination: CODE_DIR }],
    };
  };
  return {
    parameters,
    trainingImage,
    inferenceImage,
    preprocessing: scriptInput(StandardPipelineParameterNames.PREPROCESSING_SCRIPT_URI, 'Preprocess', scripts.preprocessing),
    evaluation: scriptInput(StandardPipelineParameterNames.EVALUATION_SCRIPT_URI, 'Evaluate', scripts.evaluation),
  };
}

/** The S3 URI of a script: its `s3Uri`, or the asset of its local file (the asset ProcessingStep would make). */
function scriptUri(scope: Construct, stepName: string, code: ProcessingCode): string {
  if (code.s3Uri !== undefined) { return code.s3Uri; }
  const id = `Code${stepName}`;
  const asset = (scope.node.tryFindChild(id) as s3assets.Asset | undefined) ??
    new s3assets.Asset(scope, id, { path: code.localFile! });
  return `s3://${asset.s3BucketName}/${asset.s3ObjectKey}`;
}

/**
 * The file name a script has in a code folder: its `fileName`, else the last part of its local
 * file or S3 URI (what a build uploads it as).
 */
export function scriptFileName(code: ProcessingCode): string | undefined {
  if (code.fileName !== undefined) { return code.fileName; }
  if (code.localFile !== undefined) { return path.basename(code.localFile); }
  const last = code.s3Uri?.split('/').pop();
  return last && !last.includes('${Token[') ? last : undefined;
}
