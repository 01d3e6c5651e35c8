/* aws-cdk-lib's CloudFormation validator, one per test worker (see test/setup/environment.js). */
module.exports = globalThis.__mlopsCloudFormationValidate;
