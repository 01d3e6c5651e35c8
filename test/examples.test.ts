import { Stack } from 'aws-cdk-lib';
import { EXAMPLES } from '../examples';
import { compliantApp, unacknowledgedFindings, formatFindings } from './helpers/compliance';

describe('examples', () => {
  test.each(EXAMPLES.map((e) => [e.name, e]))('%s synthesizes with no unacknowledged finding', (_name, example) => {
    const app = compliantApp();
    const stack = example.add(app) as Stack;
    expect(Stack.isStack(stack)).toBe(true);
    const findings = unacknowledgedFindings(stack);
    expect(formatFindings(findings)).toBe('');
    expect(app.synth().stacks.length).toBeGreaterThanOrEqual(1);
  });
});
