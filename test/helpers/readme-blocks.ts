import * as fs from 'fs';
import * as path from 'path';

/**
 * The README's generated blocks: the text between `<!-- generated:<name> ... -->` and
 * `<!-- end generated:<name> -->`. A test renders each from the examples and checks the README
 * has it as rendered; with `MLOPS_UPDATE_README=1` it writes the rendering into the README instead.
 */

export const README = path.join(__dirname, '..', '..', 'README.md');

/** Whether the tests write the generated blocks instead of checking them. */
export const UPDATE_README = process.env.MLOPS_UPDATE_README === '1';

function markers(name: string): { begin: RegExp; end: string } {
  return { begin: new RegExp(`<!-- generated:${name}\\b[^>]*-->\\n`), end: `<!-- end generated:${name} -->` };
}

/** The generated block `name` of the README's text. */
export function readBlock(text: string, name: string): string {
  const { begin, end } = markers(name);
  const m = begin.exec(text);
  const at = m ? text.indexOf(end, m.index) : -1;
  if (!m || at < 0) { throw new Error(`README.md has no block <!-- generated:${name} -->...${end}`); }
  return text.slice(m.index + m[0].length, at);
}

/** Check the README's block `name` is `content` (or write it there, with MLOPS_UPDATE_README=1). */
export function expectReadmeBlock(name: string, content: string): void {
  const text = fs.readFileSync(README, 'utf-8');
  const current = readBlock(text, name);
  if (UPDATE_README) {
    if (current !== content) {
      const { begin } = markers(name);
      const m = begin.exec(text)!;
      const start = m.index + m[0].length;
      fs.writeFileSync(README, text.slice(0, start) + content + text.slice(start + current.length));
    }
    return;
  }
  // The message says how to regenerate; the diff shows what changed.
  expect({ block: name, content: current, regenerate: 'MLOPS_UPDATE_README=1 npx jest test/examples.test.ts' })
    .toEqual({ block: name, content, regenerate: 'MLOPS_UPDATE_README=1 npx jest test/examples.test.ts' });
}

/** A markdown table. */
export function markdownTable(header: string[], align: Array<'l' | 'r'>, rows: string[][]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${header.join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n') + '\n';
}
