/**
 * Pipeline parameters of a {@link StandardTrainingPipeline} through which an execution runs other
 * images and scripts than the pipeline's props give, such as those of one commit (the build
 * pipeline of an MlopsProject passes each commit's).
 *
 * Each parameter defaults to what the props give, so an execution that sets none of them (a
 * schedule, a retraining trigger, a start in the console) runs what the pipeline ran before.
 */
export interface StandardPipelineInputParameters {
  /**
   * Declare `TrainingImageUri`, the image of the training job (and of the registered model when
   * the pipeline has no `inferenceImage` and `inferenceImage` here is off). Its default is the URI
   * of the `trainingImage` prop.
   *
   * The execution role of the jobs may pull the default image; a role that runs another one needs
   * pull permissions on its repository (MlopsProject grants them for the repositories it builds into).
   *
   * @default false
   */
  readonly trainingImage?: boolean;

  /**
   * Declare `InferenceImageUri`, the image the registered model version runs. Its default is the
   * URI of the `inferenceImage` prop, else of the training image.
   *
   * @default false
   */
  readonly inferenceImage?: boolean;

  /**
   * Declare `PreprocessingScriptUri` and `EvaluationScriptUri`, each the S3 URI of one script file.
   * Their defaults are the scripts of the props (a `localFile` is uploaded as an asset, as before).
   *
   * A script given by a parameter is run under its own file name, whatever it is (the job's
   * entrypoint is `/bin/sh -c 'exec "$@" /opt/ml/processing/input/code/*'` with the script's
   * `command` as the arguments): SageMaker names the downloaded file after the object's key, which
   * the definition cannot know when the key is a parameter.
   *
   * @default false
   */
  readonly scripts?: boolean;
}

/** The names of the parameters {@link StandardPipelineInputParameters} declares. */
export class StandardPipelineParameterNames {
  /** The image of the training job. */
  public static readonly TRAINING_IMAGE_URI = 'TrainingImageUri';
  /** The image the registered model version runs. */
  public static readonly INFERENCE_IMAGE_URI = 'InferenceImageUri';
  /** The S3 URI of the preprocessing script. */
  public static readonly PREPROCESSING_SCRIPT_URI = 'PreprocessingScriptUri';
  /** The S3 URI of the evaluation script. */
  public static readonly EVALUATION_SCRIPT_URI = 'EvaluationScriptUri';

  private constructor() {}
}
