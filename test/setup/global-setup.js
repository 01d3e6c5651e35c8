/*
 * Jest global set-up: one scratch folder for the whole run. Every temporary folder the tests and
 * the library make (cdk.out*, feature-store-lock-*, pipeline definitions...) goes under it, since
 * the workers inherit TMPDIR, and global-teardown.js removes it: a run leaves nothing in the
 * system's temporary folder.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-sagemaker-mlops-jest-'));
  process.env.MLOPS_JEST_TMP_ROOT = root;
  process.env.TMPDIR = root;
};
