import { Size } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { InstanceType } from '../core/instance-type';
import { ModelSource } from './model-source';

/*
 * The variants of an endpoint besides the default instance variant: serverless, asynchronous,
 * and a shadow variant.
 */

/** A serverless variant. */
export interface ServerlessOptions {
  /** The memory of each invocation environment: 1, 2, 3, 4, 5 or 6 GiB. */
  readonly memorySize: Size;

  /**
   * The most concurrent invocations (1 to 200).
   *
   * @default 20
   */
  readonly maxConcurrency?: number;

  /**
   * Invocation environments kept warm (1 to `maxConcurrency`); required for autoscaling.
   *
   * @default - none
   */
  readonly provisionedConcurrency?: number;
}

/** Asynchronous inference: requests are queued and results written to S3. */
export interface AsyncInferenceOptions {
  /**
   * The key prefix of the results in the artifact bucket.
   *
   * @default - `<storage layout's asyncInferencePrefix(endpoint name)>/output` ("async-inference/<endpoint name>/output")
   */
  readonly outputPrefix?: string;

  /**
   * The key prefix of the failure reports in the artifact bucket.
   *
   * @default - `<storage layout's asyncInferencePrefix(endpoint name)>/failure` ("async-inference/<endpoint name>/failure")
   */
  readonly failurePrefix?: string;

  /**
   * The topic that hears of each success.
   *
   * @default - no notification
   */
  readonly successTopic?: sns.ITopic;

  /**
   * The topic that hears of each failure.
   *
   * @default - no notification
   */
  readonly errorTopic?: sns.ITopic;

  /**
   * The most concurrent requests one instance handles (1 to 1000).
   *
   * @default - chosen by SageMaker
   */
  readonly maxConcurrentInvocationsPerInstance?: number;
}

/** A shadow variant: receives a copy of the production traffic; its responses are discarded. */
export interface ShadowVariantOptions {
  /**
   * What the shadow variant serves.
   *
   * @default - the production model
   */
  readonly model?: ModelSource;

  /**
   * The instance type.
   *
   * @default - the production variant's
   */
  readonly instanceType?: InstanceType;

  /**
   * The instance count.
   *
   * @default 1
   */
  readonly initialInstanceCount?: number;

  /**
   * The share of production requests copied to the shadow variant, in percent (1 to 100).
   *
   * @default 100
   */
  readonly samplingPercentage?: number;

  /**
   * The variant name.
   *
   * @default "Shadow"
   */
  readonly variantName?: string;
}
