/*
 * The default values that the endpoint and its stage parameters share (a leaf module, so the
 * public EndpointStageParameters can use them without an import cycle). Every other default is
 * in defaults.ts.
 */

/** The production variant's name. */
export const DEFAULT_VARIANT_NAME = 'AllTraffic';

/** The production variant's instance count: two or more spread over availability zones. */
export const DEFAULT_INSTANCE_COUNT = 2;

/** The share of requests captured, in percent. */
export const DEFAULT_SAMPLING_PERCENTAGE = 20;

/** The autoscaling maximum of a stage template. */
export const DEFAULT_STAGE_MAX_CAPACITY = 4;
