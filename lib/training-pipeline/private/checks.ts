import { check } from '../../private/errors';

/**
 * The props object itself, for constructors whose props are required: JavaScript and Python
 * users can leave it out, which must be a MlopsPropError rather than a TypeError further on.
 */
export function checkPropsGiven(where: string, props: unknown, what: string): void {
  check(props !== undefined && props !== null && typeof props === 'object', where, 'props', props, `It is required: ${what}`);
}
