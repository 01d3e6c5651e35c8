import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import type { ContainerImage } from '../../core/container-image';
import type { IModelPackageGroup } from '../../core/model-package-group';

/**
 * What a step may ask of the walker that renders it (private/render.ts implements it). Steps
 * return their `Arguments` as plain objects in which pipeline values stay as they are: the walker
 * renders those afterwards. A leaf file: it imports nothing of this module.
 */
export interface StepRenderContext {
  /** A construct in the stack the definition is rendered for (assets, built-in image lookups). */
  readonly scope: IConstruct;

  /** Whether jobs run in a VPC (and so encrypt the traffic between their containers). */
  readonly inVpc: boolean;

  /** `true` when jobs run without network access, else undefined (the key is left out). */
  readonly networkIsolation: boolean | undefined;

  /** Where the render is, for messages (`step <name>`). */
  where(): string;

  /** Report a problem of the step being rendered. */
  issue(message: string): void;

  /** The ARN of a job's role: the given one, or the pipeline's job role. */
  role(role: iam.IRole | undefined, prop: string): string;

  /** The ARN of a job's key: the given one, or the pipeline's key, or undefined. */
  keyArn(key: kms.IKey | undefined): string | undefined;

  /** The URI of a job's image in the stack. */
  image(image: ContainerImage): string;

  /** `VpcConfig` of a job, when the pipeline runs its jobs in a VPC. */
  vpcConfig(): any;

  /**
   * The default S3 location of an output, unique per execution:
   * `s3://<bucket>/<prefix>/<execution id>/<step>/<parts>` (a `Std:Join`).
   */
  defaultOutput(prop: string, ...parts: string[]): any;

  /** A statement the pipeline's execution role needs for this step (invoking a function, sending to a queue). */
  addExecutionStatement(statement: iam.PolicyStatement): void;

  /** A model package group the step registers into (`register`) or reads baselines from (`read`). */
  useModelPackageGroup(group: IModelPackageGroup, use: 'register' | 'read'): void;
}
