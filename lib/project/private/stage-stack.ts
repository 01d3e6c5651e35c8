import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  DockerImageAssetLocation, DockerImageAssetSource, FileAssetLocation, FileAssetPackaging, FileAssetSource, ISynthesisSession, Lazy,
  Names, Stack, StackSynthesizer,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * The stack of the stage template: synthesized, in the same `cdk synth`, into a template file that
 * becomes a file asset of its parent (the project stack), the way aws-cdk-lib's servicecatalog
 * ProductStack works. It is never a cloud assembly artifact of its own (`cdk deploy` does not see
 * it): the deploy pipeline's CloudFormation actions deploy it, once per stage, with that stage's
 * template configuration file.
 *
 * So that a CloudFormation action can deploy it anywhere, the template has no CDK bootstrap
 * version parameter or rule and no assets: everything it needs comes in as parameters.
 */
export class StageStack extends Stack {
  /** The file name of the template in the cloud assembly. */
  public readonly templateFile: string;
  private readonly parentStack: Stack;
  private location?: FileAssetLocation;
  private templateJson?: any;

  constructor(scope: Construct, id: string, description: string) {
    super(scope, id, { synthesizer: new StageStackSynthesizer(), analyticsReporting: false, description });
    this.parentStack = Stack.of(scope);
    this.templateFile = `${Names.uniqueId(this)}.stage.template.json`;
  }

  /** The bucket of the template asset (in the parent stack's terms; known once synthesized). */
  public get templateBucketName(): string {
    // aws-cdk-lib resolves every token once before synthesis (to find cross-stack references): undefined then.
    return Lazy.uncachedString({ produce: () => this.location?.bucketName });
  }

  /** The object key of the template asset. */
  public get templateObjectKey(): string {
    return Lazy.uncachedString({ produce: () => this.location?.objectKey });
  }

  /** The template as synthesized (for checks that compare it with what its users give it). */
  public get synthesizedTemplate(): any {
    if (!this.templateJson) { throw new Error(`The stage template ${this.node.path} is read before it was synthesized`); }
    return this.templateJson;
  }

  /**
   * Render the template, write it into the cloud assembly and register it as a file asset of
   * the parent stack.
   *
   * @internal
   */
  public _synthesizeTemplate(session: ISynthesisSession): void {
    this.templateJson = this._toCloudFormation();
    const text = JSON.stringify(this.templateJson, undefined, 1);
    this.location = this.parentStack.synthesizer.addFileAsset({
      packaging: FileAssetPackaging.FILE,
      sourceHash: crypto.createHash('sha256').update(text).digest('hex'),
      fileName: this.templateFile,
    });
    fs.writeFileSync(path.join(session.assembly.outdir, this.templateFile), text);
  }
}

/** A synthesizer that adds nothing to the template (no bootstrap rule) and refuses assets. */
class StageStackSynthesizer extends StackSynthesizer {
  public addFileAsset(asset: FileAssetSource): FileAssetLocation {
    throw new Error(`The stage template cannot hold a file asset (${asset.fileName ?? asset.executable?.join(' ') ?? asset.sourceHash}): ` +
      'a CloudFormation action of the deploy pipeline deploys it, with no CDK bootstrap. Give the stage\'s model, code and ' +
      'baselines through the model package (the release carries its artifacts and drift-check baselines) instead of local files.');
  }

  public addDockerImageAsset(asset: DockerImageAssetSource): DockerImageAssetLocation {
    throw new Error(`The stage template cannot hold a container image asset (${asset.directoryName ?? asset.sourceHash}): ` +
      'build images in the build pipeline and register them with the model package instead.');
  }

  public synthesize(session: ISynthesisSession): void {
    // Only the template: it is registered as an asset of the parent stack, not emitted as an artifact.
    this.synthesizeTemplate(session);
  }
}
