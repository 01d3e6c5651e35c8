import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  check, checkExclusive, checkIntegerRange, checkNumberRange, childPath, describeValue, MlopsPropError, PropChecks,
} from '../../lib/private/errors';

function scope() {
  const app = new App();
  const stack = new Stack(app, 'ErrStack');
  return { app, stack, c: new Construct(stack, 'Thing') };
}

describe('prop errors', () => {
  test('name the construct path, the prop, the value and the rule', () => {
    const { c } = scope();
    expect(() => check(false, c, 'instanceCount', 0, 'It must be an integer from 1 to 100'))
      .toThrow('[ErrStack/Thing] Invalid prop `instanceCount`: received 0. It must be an integer from 1 to 100.');
  });

  test('are MlopsPropError instances carrying the path and the prop', () => {
    const { c } = scope();
    let caught: unknown;
    try { check(false, c, 'name', 'x', 'rule.'); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(MlopsPropError);
    expect((caught as MlopsPropError).constructPath).toBe('ErrStack/Thing');
    expect((caught as MlopsPropError).prop).toBe('name');
    expect((caught as Error).message).toMatch(/rule\.$/);
  });

  test('can name a construct that is not created yet', () => {
    const { stack } = scope();
    expect(() => check(false, childPath(stack, 'Key'), 'pendingWindow', 3, 'too short'))
      .toThrow('[ErrStack/Key] Invalid prop `pendingWindow`: received 3. too short.');
  });

  test('describe values without leaking raw token strings', () => {
    const { stack } = scope();
    const p = new CfnParameter(stack, 'P');
    const n = new CfnParameter(stack, 'Num', { type: 'Number' });
    expect(describeValue(p.valueAsString)).toMatch(/^a token \(\$\{Token\[.*\]\}\) resolved only at deploy time$/);
    expect(describeValue(n.valueAsNumber)).toBe('a token resolved only at deploy time');
    expect(describeValue('x'.repeat(500))).toHaveLength(122);
    expect(describeValue({ a: 1 })).toBe('{"a":1}');
    expect(describeValue(Duration.minutes(5))).toBe('5 minutes');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(null)).toBe('null');
    const cyclic: any = {}; cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe('[object Object]');
  });

  test('range checks skip tokens and reject fractions and out-of-range values', () => {
    const { c, stack } = scope();
    const p = new CfnParameter(stack, 'N', { type: 'Number' });
    expect(() => checkIntegerRange(c, 'n', p.valueAsNumber, 1, 5)).not.toThrow();
    expect(() => checkIntegerRange(c, 'n', undefined, 1, 5)).not.toThrow();
    expect(() => checkIntegerRange(c, 'n', 2.5, 1, 5)).toThrow('Invalid prop `n`: received 2.5. It must be an integer from 1 to 5.');
    expect(() => checkIntegerRange(c, 'n', 6, 1, 5)).toThrow(/received 6/);
    expect(() => checkNumberRange(c, 'f', 0.5, 0, 1)).not.toThrow();
    expect(() => checkNumberRange(c, 'f', NaN, 0, 1)).toThrow('Invalid prop `f`: received NaN. It must be a number from 0 to 1.');
  });

  test('an existing resource and props to create one are exclusive', () => {
    const { c } = scope();
    expect(() => checkExclusive(c, 'existingBucket', {}, 'bucketProps', { versioned: true }))
      .toThrow(/Invalid prop `bucketProps`: received \{"versioned":true\}\. It cannot be combined with `existingBucket`/);
    expect(() => checkExclusive(c, 'existingBucket', undefined, 'bucketProps', {})).not.toThrow();
  });

  test('deferred checks are reported together at synth', () => {
    const { app, c } = scope();
    PropChecks.defer(c, () => [
      { prop: 'minCapacity', value: 5, rule: 'It must not exceed maxCapacity (2)' },
      { prop: 'steps', value: [], rule: 'A pipeline needs at least one step' },
    ]);
    PropChecks.defer(c, () => []);
    let message = '';
    try { app.synth(); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/\[ErrStack\/Thing\] Invalid prop `minCapacity`: received 5\. It must not exceed maxCapacity \(2\)\./);
    expect(message).toMatch(/\[ErrStack\/Thing\] Invalid prop `steps`: received \[\]\. A pipeline needs at least one step\./);
    expect(message).not.toMatch(/\[ErrStack\/Thing\] \[ErrStack\/Thing\]/);
  });
});
