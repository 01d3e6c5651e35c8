/** SageMaker's rule for parameter, property file and output parameter names. */
export const PIPELINE_ENTITY_NAME = /^[A-Za-z0-9\-_]{1,256}$/;

/** The definition format version SageMaker Pipelines reads. */
export const DEFINITION_VERSION = '2020-12-01';
