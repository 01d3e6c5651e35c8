/*
 * Per test file: aws-cdk-lib's built-in CloudFormation validation is off by default in tests. It
 * costs 1.5 to 2.5 s of WebAssembly set-up in every test file and, without the strict context, only
 * prints warnings. The compliance helper (test/helpers/compliance.ts) turns it back on for the
 * synths it checks, where its findings count as errors, so every example and every compliance
 * fixture is still validated. MLOPS_TEST_VALIDATION=1 turns it on everywhere.
 */
if (process.env.MLOPS_TEST_VALIDATION !== '1' && process.env.CDK_VALIDATION === undefined) {
  process.env.CDK_VALIDATION = 'false';
}

// The handlers run on Lambda's Node.js 22 or newer; the AWS SDK's warning about the Node.js that
// runs the tests (20 on some machines; see the README's requirements) is not the tests' business.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
