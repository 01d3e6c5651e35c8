import * as fs from 'fs';
import * as path from 'path';
import { Token } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { check, propError } from '../private/errors';
import { ProcessingJobProps } from './processing-job';
import { checkPropsGiven } from './private/checks';
import { checkJobProps, renderProcessingInput, renderProcessingJob } from './private/jobs';
import type { StepRenderContext } from './private/render-context';
import { JobStepOptions, Step, StepType } from './step';
import { PipelineValue, PropertyFile } from './values';

/** The script a processing job runs: in S3 already, or a local file uploaded as an asset. */
export interface ProcessingCode {
  /**
   * The S3 URI of the script.
   *
   * @default - none: give `localFile`
   */
  readonly s3Uri?: string;
  /**
   * A local file, uploaded as an S3 asset with the stack (the job role may read it).
   *
   * @default - none: give `s3Uri`
   */
  readonly localFile?: string;
  /**
   * The file name of the script (the last part of the URI when it is a literal).
   *
   * @default - the part of `s3Uri` after the last '/'
   */
  readonly fileName?: string;
  /**
   * The command that runs the script.
   *
   * @default ["python3"]
   */
  readonly command?: string[];
}

/** Props of a {@link ProcessingStep}. */
export interface ProcessingStepProps extends ProcessingJobProps, JobStepOptions {
  /**
   * A script to run: it is added as the input `code` (`/opt/ml/processing/input/code`) and
   * becomes the entrypoint, as the SageMaker Python SDK's ScriptProcessor does.
   *
   * @default - the image's own entrypoint
   */
  readonly code?: ProcessingCode;
  /**
   * JSON files the job writes that later steps read with `Std:JsonGet`.
   *
   * @default - none
   */
  readonly propertyFiles?: PropertyFile[];
}

const CODE_DIR = '/opt/ml/processing/input/code';

/**
 * A processing step: runs a SageMaker processing job (data preparation, evaluation...).
 */
export class ProcessingStep extends Step {
  /** The step's properties. */
  public readonly properties: ProcessingStepProperties;
  private readonly props: ProcessingStepProps;

  constructor(stepName: string, props: ProcessingStepProps) {
    super(stepName, StepType.PROCESSING, props);
    checkPropsGiven(`step ${stepName}`, props, 'the image');
    this.props = props;
    this._checkJobOptions();
    const where = `step ${stepName}`;
    checkJobProps(where, 'processing', props);
    if (props.code) {
      check((props.code.s3Uri === undefined) !== (props.code.localFile === undefined), where, 'code', props.code,
        'Give exactly one of `s3Uri` and `localFile`');
      if (props.code.localFile !== undefined) {
        check(fs.existsSync(props.code.localFile) && fs.statSync(props.code.localFile).isFile(), where, 'code.localFile', props.code.localFile,
          'It must be an existing file');
      }
    }
    if (props.code && props.entrypoint) {
      throw propError(where, 'entrypoint', props.entrypoint, 'Give either `code` (which sets the entrypoint) or `entrypoint`, not both');
    }
    const outputNames = new Set((props.outputs ?? []).map((o) => o.outputName));
    for (const f of props.propertyFiles ?? []) {
      if (f._owner && f._owner !== this) {
        throw propError(where, 'propertyFiles', f.name, `The property file is already declared by step "${f._owner.stepName}"`);
      }
      check(outputNames.has(f.outputName), where, 'propertyFiles', f.name,
        `The property file's output "${f.outputName}" is not one of the step's outputs (${[...outputNames].join(', ') || 'none'})`);
      f._owner = this;
    }
    this.properties = new ProcessingStepProperties(this, [...outputNames]);
  }

  /** @internal */
  protected _allowsJobRetries(): boolean {
    return true;
  }

  /** @internal */
  public _renderArguments(r: StepRenderContext): any {
    const code = this.props.code;
    const extra: any[] = [];
    let entrypoint: string[] | undefined;
    if (code) {
      let s3Uri = code.s3Uri ?? '';
      let localName: string | undefined;
      if (code.localFile !== undefined) {
        const scope = r.scope;
        const id = `Code${this.stepName}`;
        const asset = (scope.node.tryFindChild(id) as s3assets.Asset | undefined) ??
          new s3assets.Asset(scope as Construct, id, { path: code.localFile });
        s3Uri = `s3://${asset.s3BucketName}/${asset.s3ObjectKey}`;
        localName = Token.isUnresolved(asset.s3ObjectKey)
          ? `${asset.assetHash}${path.extname(code.localFile)}`
          : asset.s3ObjectKey.split('/').pop();
      }
      const last = localName ?? s3Uri.split('/').pop() ?? '';
      const fileName = code.fileName ?? (last.length > 0 && !Token.isUnresolved(last) ? last : undefined);
      if (!fileName) {
        r.issue('The file name of `code.s3Uri` is not known at synth time: give `code.fileName` so that the entrypoint can name the script');
      }
      extra.push(renderProcessingInput({ inputName: 'code', source: s3Uri, destination: CODE_DIR }));
      entrypoint = [...(code.command ?? ['python3']), `${CODE_DIR}/${fileName ?? 'script'}`];
    }
    return renderProcessingJob(r, this.props, extra, entrypoint);
  }

  /** @internal */
  public _renderExtras(_r: StepRenderContext): Record<string, any> {
    const files = this.props.propertyFiles ?? [];
    return files.length > 0 ? { PropertyFiles: files.map((f) => ({ PropertyFileName: f.name, OutputName: f.outputName, FilePath: f.path })) } : {};
  }
}

/** The properties of a processing step. */
export class ProcessingStepProperties {
  /** `ProcessingJobName`. */
  public readonly processingJobName: PipelineValue;
  /** `ProcessingJobArn`. */
  public readonly processingJobArn: PipelineValue;

  /**
   * @param step the step
   * @param outputNames the names of its outputs
   */
  constructor(private readonly step: Step, private readonly outputNames: string[]) {
    this.processingJobName = step.property('ProcessingJobName');
    this.processingJobArn = step.property('ProcessingJobArn');
  }

  /**
   * The S3 URI of an output: `ProcessingOutputConfig.Outputs['name'].S3Output.S3Uri`.
   *
   * @param outputName the output's name
   */
  public outputUri(outputName: string): PipelineValue {
    check(this.outputNames.includes(outputName), `step ${this.step.stepName}`, 'outputName', outputName,
      `The step has no such output; its outputs are: ${this.outputNames.join(', ') || 'none'}`);
    return this.step.property(`ProcessingOutputConfig.Outputs['${outputName}'].S3Output.S3Uri`);
  }
}
