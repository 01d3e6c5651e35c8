#!/usr/bin/env node
/*
 * Writes API.md: jsii-docgen's API reference of the package (TypeScript), made easier to learn from:
 *
 * - a table of contents at the top: every construct, struct, class, interface and enum with its
 *   one-line summary, linked to its section;
 * - a class that extends a type of another package (aws-cdk-lib's LogGroup, Role, Key, Repository,
 *   Resource; constructs' Construct) lists only the members this package defines or overrides,
 *   with a link to the base type's reference instead of a copy of its members (jsii-docgen has no
 *   option for this: its CLI repeats every inherited member). The same holds for the non-struct
 *   interfaces. Structs keep every property, inherited or not: all of them can be passed;
 * - a struct's properties inherited from another struct of the package keep their summary, type and
 *   default; their longer remarks are replaced by a link to the struct that documents them in full;
 * - `{@link X}` in the documentation becomes a link to X's section (jsii-docgen leaves it as is);
 * - headings inside a type's documentation become bold lines, so that the headings of API.md are
 *   only its sections and types.
 *
 * Usage: node scripts/docgen.js   (after the jsii compile; `npm run docgen`)
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { Documentation, Language, MarkdownRenderer } = require('jsii-docgen');

const root = path.resolve(__dirname, '..');
const output = path.join(root, 'API.md');
const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
const types = assembly.types;

/** The reference page of a type of another package. */
function externalLink(fqn) {
  return `https://docs.aws.amazon.com/cdk/api/v2/docs/${fqn}.html`;
}

/**
 * The names this package declares on a type and on its bases and interfaces inside the package,
 * and the types of other packages it extends (its first base outside the package, then interfaces).
 */
function ownMemberNames(fqn) {
  const names = new Set();
  const external = [];
  const visit = (f, isBase) => {
    const t = types[f];
    if (!t) {
      if (!external.some((e) => e.fqn === f)) external.push({ fqn: f, isBase });
      return;
    }
    for (const m of t.methods || []) names.add(m.name);
    for (const p of t.properties || []) names.add(p.name);
    if (t.base) visit(t.base, true);
    for (const i of t.interfaces || []) visit(i, false);
  };
  visit(fqn, true);
  // An external base class implements the external interfaces (IResource, IConstruct): name it alone.
  const base = external.filter((e) => e.isBase);
  return { names, external: (base.length ? base : external).map((e) => e.fqn) };
}

/** Lines starting with `#` (outside code blocks) as bold lines. */
function demoteHeadings(text) {
  if (!text) return text;
  let fence = false;
  return text.split('\n').map((line) => {
    if (/^\s*```/.test(line)) fence = !fence;
    const h = !fence && /^#{1,6}\s+(.*)$/.exec(line);
    return h ? `**${h[1].trim()}**` : line;
  }).join('\n');
}

function externalNote(external) {
  if (!external.length) return '';
  const [first, ...more] = external.map((f) => `[\`${f}\`](${externalLink(f)})`);
  const also = more.length ? ` (and ${more.join(', ')})` : '';
  return `\n\nExtends ${first}${also}: the members it inherits from there are not repeated here.`;
}

function trimClass(entry) {
  const { names, external } = ownMemberNames(entry.fqn);
  const own = (m) => names.has(m.displayName);
  const trimmed = { ...entry };
  for (const key of ['instanceMethods', 'staticMethods', 'properties', 'constants']) {
    if (Array.isArray(entry[key])) trimmed[key] = entry[key].filter(own);
  }
  const removed = ['instanceMethods', 'staticMethods', 'properties', 'constants']
    .reduce((n, key) => n + ((entry[key] || []).length - (trimmed[key] || []).length), 0);
  const docs = { ...(entry.docs || {}) };
  docs.remarks = demoteHeadings(docs.remarks);
  if (removed > 0) docs.remarks = `${docs.remarks || ''}${externalNote(external)}`.trim();
  trimmed.docs = docs;
  return trimmed;
}

function withDemotedHeadings(entry) {
  return { ...entry, docs: { ...(entry.docs || {}), remarks: demoteHeadings(entry.docs && entry.docs.remarks) } };
}

/** For each property a struct inherits from another struct of the package: the struct that declares it. */
function inheritedFrom(fqn) {
  const found = new Map();
  const visit = (f) => {
    const t = types[f];
    if (!t) return;
    if (f !== fqn) for (const p of t.properties || []) if (!found.has(p.name)) found.set(p.name, f);
    for (const i of t.interfaces || []) visit(i);
  };
  visit(fqn);
  for (const p of types[fqn].properties || []) found.delete(p.name); // redeclared here
  return found;
}

function trimStruct(entry) {
  const from = inheritedFrom(entry.fqn);
  const properties = entry.properties.map((p) => {
    const base = from.get(p.displayName);
    if (!base || !(p.docs && p.docs.remarks)) return p;
    const name = base.split('.').pop();
    return { ...p, docs: { ...p.docs, remarks: `Inherited from [\`${name}\`](#${base}.property.${p.displayName}), which documents it in full.` } };
  });
  return withDemotedHeadings({ ...entry, properties });
}

/** `{@link Type}`, `{@link Type.member}`, `{@link Type label}` as Markdown links to the type's section. */
function resolveLinks(value) {
  if (typeof value === 'string') {
    return value.replace(/\{@link\s+([^}\s]+)\s*([^}]*)\}/g, (all, target, label) => {
      const typeName = target.split('.')[0];
      const text = label.trim() || target;
      const fqn = `${assembly.name}.${typeName}`;
      return types[fqn] ? `[\`${text}\`](#${fqn})` : `\`${text}\``;
    });
  }
  if (Array.isArray(value)) return value.map(resolveLinks);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ['summary', 'remarks', 'default', 'deprecated', 'returns', 'see'].includes(k) || typeof v === 'object' ? resolveLinks(v) : v]));
  }
  return value;
}

/** One line of the table of contents. */
function tocLine(entry) {
  let summary = resolveLinks((entry.docs && entry.docs.summary) || '').replace(/\[`([^`]*)`\]\([^)]*\)/g, '`$1`').replace(/\s+/g, ' ').trim();
  if (summary.length > 160) summary = `${summary.slice(0, 157).replace(/\s+\S*$/, '')}...`;
  return `- [${entry.displayName}](#${entry.id})${summary ? ` - ${summary}` : ''}`;
}

async function main() {
  const docs = await Documentation.forProject(root);
  try {
    const schema = (await docs.toJson({ language: Language.TYPESCRIPT, allSubmodules: true })).content;
    const api = schema.apiReference;
    const trimmedApi = {
      constructs: api.constructs.map(trimClass),
      classes: api.classes.map(trimClass),
      structs: api.structs.map(trimStruct),
      interfaces: api.interfaces.map(trimClass),
      enums: api.enums.map(withDemotedHeadings),
    };
    const linked = resolveLinks(trimmedApi);
    const markdown = MarkdownRenderer.fromSchema({ ...schema, apiReference: linked }, {}).render();

    const sections = [
      ['Constructs', trimmedApi.constructs],
      ['Structs', trimmedApi.structs],
      ['Classes', trimmedApi.classes],
      ['Protocols', trimmedApi.interfaces],
      ['Enums', trimmedApi.enums],
    ].filter(([, entries]) => entries.length);
    const toc = [
      '# API Reference',
      '',
      `The TypeScript API of ${assembly.name} ${assembly.version}, generated from the code by \`npm run docgen\`.`,
      'Each type links to its section; the constructs come first, then the props and options they take',
      '(structs), the other classes, the interfaces (protocols) and the enums. Types that extend a type of',
      'aws-cdk-lib or constructs list only what this package adds, with a link to the base type.',
      '',
      '## Contents',
      '',
      ...sections.flatMap(([title, entries]) => [`**[${title}](#${title})** (${entries.length})`, '', ...entries.map(tocLine), '']),
    ].join('\n');
    // jsii-docgen starts with its own "# API Reference" title: ours replaces it.
    const body = markdown.replace(/^# API Reference[^\n]*\n/, '');
    fs.writeFileSync(output, `${toc}\n${body.replace(/^\n+/, '')}`);
    const kib = (fs.statSync(output).size / 1024).toFixed(0);
    console.error(`API.md: ${kib} KiB, ${sections.reduce((n, [, e]) => n + e.length, 0)} types`);
  } finally {
    await docs.cleanup();
  }
}

main().catch((e) => {
  console.error(e.stack || e);
  process.exit(1);
});
