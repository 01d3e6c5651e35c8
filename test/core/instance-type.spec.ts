import { InstanceType } from '../../lib';
import { offersInstanceType } from '../../lib/private/instance-types';
import { HOSTING_INSTANCE_TYPES, PROCESSING_INSTANCE_TYPES, TRAINING_INSTANCE_TYPES } from '../../lib/private/instance-type-table';

describe('InstanceType', () => {
  test.each([
    ['ml.m5.larg', /It is not a SageMaker instance type .*did you mean ml\.m5\.large/],
    ['m5.xlarge', /It must be a SageMaker instance type such as "ml.m5.large".*did you mean ml\.m5\.xlarge/],
    ['ml.foo.bar', /\[InstanceType.of\] Invalid prop `name`: received "ml.foo.bar". It is not a SageMaker instance type \(the instance types of botocore/],
  ])('a typo %j is refused with suggestions', (name, message) => {
    expect(() => InstanceType.of(name)).toThrow(message);
  });

  test('known types and tokens are accepted', () => {
    expect(InstanceType.of('ml.g5.12xlarge').name).toBe('ml.g5.12xlarge');
    expect(InstanceType.of('${Token[TOKEN.1]}').isToken).toBe(true);
  });

  test('an unlisted type (newer than the list) passes with its form checked only', () => {
    expect(InstanceType.unlisted('ml.x99.huge').name).toBe('ml.x99.huge');
    expect(() => InstanceType.unlisted('x99.huge')).toThrow(/\[InstanceType.unlisted\] Invalid prop `name`/);
    expect(() => InstanceType.unlisted('ml.x99.huge')._checkFor('S/E', 'instanceType', 'hosting')).not.toThrow();
  });

  test('a type is checked for its use: a training-only type cannot host an endpoint', () => {
    const trainingOnly = [...TRAINING_INSTANCE_TYPES].find((t) => !HOSTING_INSTANCE_TYPES.has(t))!;
    expect(() => InstanceType.of(trainingOnly)._checkFor('S/E', 'instanceType', 'hosting'))
      .toThrow(new RegExp(`\\[S/E\\] Invalid prop \`instanceType\`: received "${trainingOnly.replace(/\./g, '\\.')}". SageMaker does not offer it for endpoints \\(hosting\\)`));
    expect(() => InstanceType.of(trainingOnly)._checkFor('S/E', 'instanceType', 'training')).not.toThrow();
  });

  test('every constant is a type SageMaker offers (ml.t3.medium for jobs only), and the table has the common job types', () => {
    for (const [key, value] of Object.entries(InstanceType)) {
      if (value instanceof InstanceType) {
        const uses = (['hosting', 'training', 'processing'] as const).filter((use) => offersInstanceType(use, value.name));
        expect([key, uses]).toEqual([key, key === 'ML_T3_MEDIUM' ? ['training', 'processing'] : ['hosting', ...uses.slice(1)]]);
      }
    }
    expect(PROCESSING_INSTANCE_TYPES.has('ml.m5.xlarge')).toBe(true);
    expect(TRAINING_INSTANCE_TYPES.has('ml.p4d.24xlarge')).toBe(true);
  });

  test('instance storage: ml.dl1 has NVMe storage; m5 has none', () => {
    expect(InstanceType.of('ml.dl1.24xlarge').hasInstanceStorage).toBe(true);
    expect(InstanceType.ML_M5_LARGE.hasInstanceStorage).toBe(false);
    expect(InstanceType.ML_G5_XLARGE.hasInstanceStorage).toBe(true);
  });
});
