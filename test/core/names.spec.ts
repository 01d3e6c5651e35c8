import { App, Aws, CfnParameter, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SAGEMAKER_NAME_PATTERN, SageMakerName, stableStringify } from '../../lib/core/names';

function scopes() {
  const app = new App();
  const stack = new Stack(app, 'NamesStack');
  return { app, stack, a: new Construct(stack, 'A'), b: new Construct(stack, 'B') };
}

describe('SageMakerName.derive', () => {
  test('prefix plus an 8-character hash, obeying the SageMaker pattern', () => {
    const { a } = scopes();
    const name = SageMakerName.derive(a, { prefix: 'churn-model', config: { image: 'x' } });
    expect(name).toMatch(/^churn-model-[0-9a-f]{8}$/);
    expect(name).toMatch(SAGEMAKER_NAME_PATTERN);
  });

  test('defaults the prefix to the stack name and the construct id', () => {
    const { a } = scopes();
    expect(SageMakerName.derive(a)).toMatch(/^NamesStack-A-[0-9a-f]{8}$/);
  });

  test('the same configuration gives the same name; any change gives a new one', () => {
    const { a } = scopes();
    const one = SageMakerName.derive(a, { prefix: 'm', config: { image: 'x', instanceType: 'ml.m5.large' } });
    const same = SageMakerName.derive(a, { prefix: 'm', config: { instanceType: 'ml.m5.large', image: 'x' } });
    const changed = SageMakerName.derive(a, { prefix: 'm', config: { image: 'x', instanceType: 'ml.m5.xlarge' } });
    expect(same).toBe(one);
    expect(changed).not.toBe(one);
  });

  test('two constructs with the same prefix and configuration never collide', () => {
    const { a, b } = scopes();
    const config = { image: 'x' };
    expect(SageMakerName.derive(a, { prefix: 'm', config })).not.toBe(SageMakerName.derive(b, { prefix: 'm', config }));
  });

  test('tokens in the configuration hash by their CloudFormation form, stably across syntheses', () => {
    const first = scopes();
    const p1 = new CfnParameter(first.stack, 'ModelData');
    const second = scopes();
    new CfnParameter(second.stack, 'Unrelated'); // shifts token numbering
    const p2 = new CfnParameter(second.stack, 'ModelData');
    const n1 = SageMakerName.derive(first.a, { prefix: 'm', config: { data: p1.valueAsString } });
    const n2 = SageMakerName.derive(second.a, { prefix: 'm', config: { data: p2.valueAsString } });
    expect(n1).toBe(n2);
    const other = new CfnParameter(first.stack, 'OtherData');
    expect(SageMakerName.derive(first.a, { prefix: 'm', config: { data: other.valueAsString } })).not.toBe(n1);
  });

  test('a long prefix is shortened to fit 63 characters', () => {
    const { a } = scopes();
    const name = SageMakerName.derive(a, { prefix: 'x'.repeat(200), config: 1 });
    expect(name.length).toBe(63);
    expect(name).toMatch(SAGEMAKER_NAME_PATTERN);
  });

  test('a custom maxLength is honoured exactly', () => {
    const { a } = scopes();
    const name = SageMakerName.derive(a, { prefix: 'abcdefghijklmnopqrstuvwxyz', maxLength: 20, hashLength: 6 });
    expect(name).toMatch(/^abcdefghijklm-[0-9a-f]{6}$/);
    expect(name.length).toBe(20);
  });

  test('odd characters become single dashes and the name never starts or ends with one', () => {
    const { a } = scopes();
    const name = SageMakerName.derive(a, { prefix: '__My Stack/Model.v2@@__' });
    expect(name).toMatch(/^My-Stack-Model-v2-[0-9a-f]{8}$/);
    expect(name).toMatch(SAGEMAKER_NAME_PATTERN);
  });

  test('a prefix of only odd characters falls back to a letter', () => {
    const { a } = scopes();
    expect(SageMakerName.derive(a, { prefix: '///' })).toMatch(/^m-[0-9a-f]{8}$/);
  });

  test('truncation never leaves a dash before the hash separator', () => {
    const { a } = scopes();
    // 54 characters of budget: the 54th character is a dash.
    const name = SageMakerName.derive(a, { prefix: 'a'.repeat(53) + '-bbbb' });
    expect(name).toMatch(/^a{53}-[0-9a-f]{8}$/);
  });

  test('tokens in the prefix are kept whole and counted at their assumed length', () => {
    const { a, stack } = scopes();
    const stage = new CfnParameter(stack, 'Stage', { maxLength: 10 });
    const name = SageMakerName.derive(a, { prefix: `${'p'.repeat(60)}-${stage.valueAsString}`, assumedTokenLength: 10 });
    expect(Token.isUnresolved(name)).toBe(true);
    const resolved = stack.resolve(name);
    const parts: any[] = resolved['Fn::Join'][1];
    const literal = parts.filter((p) => typeof p === 'string').join('');
    expect(parts).toContainEqual({ Ref: 'Stage' });
    // literal characters + one token of at most 10 characters fit in 63
    expect(literal.length + 10).toBeLessThanOrEqual(63);
    expect(literal).toMatch(/^p+-{0,1}-[0-9a-f]{8}$/);
  });

  test('pseudo parameters in the prefix work like any token', () => {
    const { a, stack } = scopes();
    const name = SageMakerName.derive(a, { prefix: `${Aws.STACK_NAME}-endpoint`, assumedTokenLength: 30 });
    expect(stack.resolve(name)).toEqual({ 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, expect.stringMatching(/^-endpoint-[0-9a-f]{8}$/)]] });
  });

  test('tokens that cannot fit are refused with a clear error', () => {
    const { a, stack } = scopes();
    const p = new CfnParameter(stack, 'Long');
    expect(() => SageMakerName.derive(a, { prefix: `${p.valueAsString}-${p.valueAsString}`, assumedTokenLength: 40 }))
      .toThrow(/\[NamesStack\/A\] Invalid prop `prefix`: received a token .* Its 2 token\(s\), each counted as 40 characters, do not fit in maxLength \(63\)/);
  });

  test('limits are validated', () => {
    const { a } = scopes();
    expect(() => SageMakerName.derive(a, { maxLength: 2 })).toThrow(/Invalid prop `maxLength`: received 2\. It must be an integer from 3 to 1024/);
    expect(() => SageMakerName.derive(a, { hashLength: 3 })).toThrow(/Invalid prop `hashLength`: received 3/);
    expect(() => SageMakerName.derive(a, { maxLength: 9, hashLength: 8 })).toThrow(/must leave room for at least one prefix character/);
    expect(() => SageMakerName.derive(a, { assumedTokenLength: 0 })).toThrow(/Invalid prop `assumedTokenLength`: received 0/);
  });

  test('_lazy hashes the configuration as it is at synth time', () => {
    const { a, stack } = scopes();
    const config: any = { variants: ['one'] };
    const lazy = SageMakerName._lazy(a, { prefix: 'cfg' }, () => config);
    const before = SageMakerName.derive(a, { prefix: 'cfg', config: { variants: ['one'] } });
    config.variants.push('two');
    const resolved = stack.resolve(lazy);
    expect(resolved).toMatch(/^cfg-[0-9a-f]{8}$/);
    expect(resolved).not.toBe(before);
    expect(resolved).toBe(SageMakerName.derive(a, { prefix: 'cfg', config: { variants: ['one', 'two'] } }));
  });
});

describe('stableStringify', () => {
  test('sorts keys at every depth and drops undefined fields', () => {
    expect(stableStringify({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
});
