import * as fs from 'fs';
import * as path from 'path';

const EVENTS = path.join(__dirname, '..', 'fixtures', 'events');

/** A sample EventBridge event from test/fixtures/events (see SOURCES.md there), freshly parsed. */
export function loadEvent(name: string): any {
  const file = path.join(EVENTS, name.endsWith('.json') ? name : `${name}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf-8'));
}

/** The names of all sample events. */
export function allEventNames(): string[] {
  return fs.readdirSync(EVENTS).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
}
