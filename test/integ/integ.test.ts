import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildModelRegistryInteg } from './integ.model-registry';

// integ-runner cannot read assemblies of aws-cdk-lib 2.258 or newer, so the integ apps are
// synthesized here: they must keep building, and their assertions must stay wired.
describe('integration test apps', () => {
  test('model registry: the test stack and its API assertions synthesize', () => {
    const app = new App();
    const integ = buildModelRegistryInteg(app);
    const assembly = app.synth();
    const names = assembly.stacks.map((s) => s.stackName).sort();
    expect(names).toEqual(expect.arrayContaining(['MlopsIntegModelRegistry']));
    const assertStack = assembly.stacks.find((s) => s.stackName.includes('DeployAssert'));
    expect(assertStack).toBeDefined();
    expect(integ.node.id).toBe('ModelRegistryInteg');
    const assertions = Template.fromJSON(assertStack!.template);
    // Custom resource type names are cut at 60 characters by integ-tests-alpha.
    const resources = Object.values(assertions.toJSON().Resources) as any[];
    const calls = (prefix: string) => resources.filter((r) => String(r.Type).startsWith(prefix));
    const describe = calls('Custom::DeployAssert@SdkCallSageMakerdescribeModelPackage');
    expect(describe).toHaveLength(1);
    expect(JSON.parse(describe[0].Properties.expected)).toEqual({ $ObjectLike: { ModelPackageGroupStatus: 'Completed' } });
    const fn = calls('Custom::DeployAssert@SdkCallLambdagetFunctionConfiguration');
    expect(fn).toHaveLength(1);
    expect(JSON.parse(fn[0].Properties.expected)).toEqual({ $ObjectLike: { Runtime: 'nodejs24.x', Architectures: ['arm64'] } });
    const stack = Template.fromJSON(assembly.getStackByName('MlopsIntegModelRegistry').template);
    stack.hasResource('AWS::SageMaker::ModelPackageGroup', { DeletionPolicy: 'Delete' });
  });
});
