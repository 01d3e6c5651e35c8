import { matchesEventPattern } from '../helpers/event-pattern';
import { allEventNames, loadEvent } from '../helpers/fixtures';

const approved = loadEvent('sagemaker-model-package-state-change.approved.drift-sample');
const rejected = loadEvent('sagemaker-model-package-state-change.rejected');
const s3Created = loadEvent('s3-object-created');

describe('matchesEventPattern', () => {
  test('exact values, nested objects and lists of alternatives', () => {
    const pattern = {
      'source': ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Package State Change'],
      'detail': { ModelPackageGroupName: ['drift-example'], ModelApprovalStatus: ['Approved'] },
    };
    expect(matchesEventPattern(pattern, approved)).toBe(true);
    expect(matchesEventPattern(pattern, rejected)).toBe(false);
    expect(matchesEventPattern({ detail: { ModelApprovalStatus: ['Rejected', 'Approved'] } }, rejected)).toBe(true);
  });

  test('a field missing from the event never matches a value', () => {
    expect(matchesEventPattern({ detail: { NoSuchField: ['x'] } }, approved)).toBe(false);
    expect(matchesEventPattern({ nothere: { deeper: ['x'] } }, approved)).toBe(false);
  });

  test('numbers and null match exactly', () => {
    expect(matchesEventPattern({ detail: { ModelPackageVersion: [26] } }, approved)).toBe(true);
    expect(matchesEventPattern({ detail: { ModelPackageVersion: ['26'] } }, approved)).toBe(false);
    expect(matchesEventPattern({ a: [null] }, { a: null })).toBe(true);
    expect(matchesEventPattern({ a: [null] }, {})).toBe(false);
  });

  test('prefix and suffix, also ignoring case', () => {
    expect(matchesEventPattern({ detail: { object: { key: [{ prefix: 'IMG_' }] } } }, s3Created)).toBe(true);
    expect(matchesEventPattern({ detail: { object: { key: [{ prefix: 'data/' }] } } }, s3Created)).toBe(false);
    expect(matchesEventPattern({ detail: { object: { key: [{ suffix: '.jpg' }] } } }, s3Created)).toBe(true);
    expect(matchesEventPattern({ detail: { object: { key: [{ prefix: { 'equals-ignore-case': 'img_' } }] } } }, s3Created)).toBe(true);
    expect(matchesEventPattern({ source: [{ 'equals-ignore-case': 'AWS.S3' }] }, s3Created)).toBe(true);
  });

  test('anything-but with a value, a list, and a prefix', () => {
    expect(matchesEventPattern({ detail: { ModelApprovalStatus: [{ 'anything-but': 'Approved' }] } }, rejected)).toBe(true);
    expect(matchesEventPattern({ detail: { ModelApprovalStatus: [{ 'anything-but': ['Approved', 'Rejected'] }] } }, rejected)).toBe(false);
    expect(matchesEventPattern({ detail: { ModelPackageGroupName: [{ 'anything-but': { prefix: 'drift' } }] } }, approved)).toBe(false);
    expect(matchesEventPattern({ detail: { ModelPackageGroupName: [{ 'anything-but': { suffix: 'other' } }] } }, approved)).toBe(true);
  });

  test('exists true and false', () => {
    expect(matchesEventPattern({ detail: { ModelPackageName: [{ exists: true }] } }, approved)).toBe(true);
    expect(matchesEventPattern({ detail: { ModelPackageName: [{ exists: false }] } }, approved)).toBe(false);
    expect(matchesEventPattern({ detail: { Missing: [{ exists: false }] } }, approved)).toBe(true);
    expect(matchesEventPattern({ detail: { Missing: [{ exists: true }] } }, approved)).toBe(false);
  });

  test('numeric ranges', () => {
    expect(matchesEventPattern({ detail: { ModelPackageVersion: [{ numeric: ['>', 25, '<=', 26] }] } }, approved)).toBe(true);
    expect(matchesEventPattern({ detail: { ModelPackageVersion: [{ numeric: ['>=', 27] }] } }, approved)).toBe(false);
    expect(matchesEventPattern({ detail: { ModelPackageVersion: [{ numeric: ['=', 26] }] } }, approved)).toBe(true);
    expect(matchesEventPattern({ detail: { ModelPackageGroupName: [{ numeric: ['>', 0] }] } }, approved)).toBe(false);
  });

  test('an array in the event matches when any element matches', () => {
    expect(matchesEventPattern({ resources: [{ prefix: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/drift-example/' }] }, approved)).toBe(true);
    expect(matchesEventPattern({ resources: ['arn:aws:sagemaker:us-east-1:123456789012:model-package/other/1'] }, approved)).toBe(false);
  });

  test('$or matches when any alternative matches', () => {
    const pattern = { detail: { $or: [{ ModelApprovalStatus: ['Approved'] }, { ModelPackageVersion: [{ numeric: ['>', 100] }] }] } };
    expect(matchesEventPattern(pattern, approved)).toBe(true);
    expect(matchesEventPattern(pattern, rejected)).toBe(false);
  });

  test('patterns it cannot check throw rather than match', () => {
    expect(() => matchesEventPattern({ source: [{ wildcard: 'aws.*' }] }, approved)).toThrow(/Unsupported content filter "wildcard"/);
    expect(() => matchesEventPattern({ source: 'aws.sagemaker' as any }, approved)).toThrow(/must be a list of values or a nested object/);
    expect(() => matchesEventPattern({ detail: { ModelPackageVersion: [{ numeric: ['!', 1] }] } }, approved)).toThrow(/Unsupported numeric operator/);
    expect(() => matchesEventPattern({ source: [{ prefix: 'a', suffix: 'b' }] }, approved)).toThrow(/exactly one key/);
  });

  test('every sample event parses and has the EventBridge envelope', () => {
    const names = allEventNames();
    expect(names.length).toBe(11);
    for (const name of names) {
      const e = loadEvent(name);
      expect(matchesEventPattern({ 'source': [{ prefix: 'aws.' }], 'detail-type': [{ exists: true }], 'detail': { } }, e)).toBe(true);
    }
  });
});
