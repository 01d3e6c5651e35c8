import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ts from 'typescript';
import {
  MlopsFoundation, ModelPackageGroup, ModelRegistryApproval, SchemaLockContext, SchemaLockMode, StandardTrainingPipeline, TrainingPipeline,
} from '../lib';
import { expectCompliant, registerCompliance, STRICT_VALIDATION_CONTEXT } from './helpers/compliance';
import { pipelineDefinitionOf } from './helpers/fixtures';

/**
 * The README's snippets compose (see the comment at the top of its constructs part):
 * - a block tagged `ts` is a fragment of one stack's constructor (`this` is the stack, later
 *   blocks use the names earlier ones declared); its imports are hoisted and merged;
 * - a block tagged `ts app` is a complete program, type-checked on its own;
 * - a block tagged `ts nocompile` is not checked.
 * The fragments become one stack class in a temporary file, which is type-checked with the
 * options of tsconfig.dev.json, then synthesized once, with the compliance packs.
 */

const REPO = path.join(__dirname, '..');
const README = path.join(REPO, 'README.md');
/** The SDK-produced definition the "Importing a Python SDK definition" snippet reads from `definition.json`. */
const SDK_DEFINITION = path.join(__dirname, 'fixtures', 'pipeline-definitions', 'abalone-r-rstudio-workshop.json');
/** The class the fragments are composed into. */
const STACK_CLASS = 'ReadmeStack';

/** The SDK definition as the README's import expects it: its register step leaves the version to the approval policy. */
function sdkDefinition(): string {
  const json = fs.readFileSync(SDK_DEFINITION, 'utf-8');
  const pending = json.replace(/"ModelApprovalStatus": "Approved"/g, '"ModelApprovalStatus": "PendingManualApproval"');
  if (pending === json) { throw new Error(`${SDK_DEFINITION} no longer registers as Approved: read it as it is`); }
  return pending;
}

/** A fenced block of the README. */
interface Block {
  readonly tags: string[];
  readonly code: string;
  /** The README line of the block's first code line (1-based). */
  readonly line: number;
}

/** The fenced blocks whose info string starts with `ts`, in document order (a `typescript` block is refused: tag it `ts`). */
function typeScriptBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let open: { fence: string; info: string[]; line: number; body: string[] } | undefined;
  markdown.split('\n').forEach((text, i) => {
    const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(text);
    if (!open) {
      if (fence) { open = { fence: fence[1], info: fence[2].trim().split(/\s+/).filter((w) => w), line: i + 2, body: [] }; }
      return;
    }
    if (fence && fence[1][0] === open.fence[0] && fence[1].length >= open.fence.length && fence[2].trim() === '') {
      const [lang, ...tags] = open.info;
      if (lang === 'typescript' || lang === 'tsx') {
        throw new Error(`README.md:${open.line - 1}: tag TypeScript blocks \`ts\` (with \`app\` or \`nocompile\`), not \`${lang}\``);
      }
      if (lang === 'ts') {
        const unknown = tags.filter((t) => t !== 'app' && t !== 'nocompile');
        if (unknown.length > 0 || tags.length > 1) {
          throw new Error(`README.md:${open.line - 1}: unknown tags \`${tags.join(' ')}\`: a \`ts\` block takes \`app\` or \`nocompile\`, or nothing`);
        }
        blocks.push({ tags, code: open.body.join('\n'), line: open.line });
      }
      open = undefined;
      return;
    }
    open.body.push(text);
  });
  if (open) { throw new Error(`README.md:${open.line - 1}: the fenced block is never closed`); }
  return blocks;
}

/** Where an import in a README block points to: the library is the repository's lib/, packages resolve from the repository. */
function resolveSpecifier(specifier: string, where: string): string {
  if (specifier === 'cdk-sagemaker-mlops') { return path.join(REPO, 'lib'); }
  if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
    throw new Error(`${where}: import '${specifier}': README snippets import packages, not files`);
  }
  if (builtinModules.includes(specifier.replace(/^node:/, ''))) { return specifier; }
  return require.resolve(specifier, { paths: [REPO] });
}

/** The README lines a generated file's lines come from (undefined for generated lines). */
type Origin = Array<number | undefined>;

interface NamedImport { readonly module: string; readonly imported: string; readonly line: number }

/**
 * The fragments as one module: their imports merged at the top (a name imported twice must mean
 * the same thing), their statements in order in the constructor of a stack class.
 */
function composeFragments(fragments: Block[]): { source: string; origin: Origin; unimported: string[] } {
  const named = new Map<string, NamedImport>();          // local name -> what it is
  const namespaces = new Map<string, NamedImport>();     // local name -> module
  const body: Array<{ text: string; line?: number }> = [];
  const files: Array<{ block: Block; file: ts.SourceFile; imports: Set<string> }> = [];
  for (const block of fragments) {
    const file = ts.createSourceFile(`README.md:${block.line}`, block.code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const imports = new Set<string>();
    files.push({ block, file, imports });
    let code = block.code;
    for (const statement of [...file.statements].reverse()) {
      if (!ts.isImportDeclaration(statement)) { continue; }
      const line = block.line + file.getLineAndCharacterOfPosition(statement.getStart()).line;
      const where = `README.md:${line}`;
      const module = resolveSpecifier((statement.moduleSpecifier as ts.StringLiteral).text, where);
      const clause = statement.importClause;
      if (!clause || clause.name || clause.isTypeOnly) {
        throw new Error(`${where}: use named or namespace imports (\`import { X } from\`, \`import * as x from\`) in README snippets`);
      }
      const record = (map: Map<string, NamedImport>, local: string, imported: string) => {
        const seen = named.get(local) ?? namespaces.get(local);
        if (seen && (seen.module !== module || seen.imported !== imported)) {
          throw new Error(`${where}: \`${local}\` is imported here from ${module}, and at README.md:${seen.line} from ${seen.module}`);
        }
        if (!seen) { map.set(local, { module, imported, line }); }
        imports.add(local);
      };
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) {
        record(namespaces, bindings.name.text, '*');
      } else if (bindings) {
        for (const element of bindings.elements) {
          record(named, element.name.text, (element.propertyName ?? element.name).text);
        }
      }
      // Blank the import out, keeping the line count so that line numbers still map to the README.
      code = code.slice(0, statement.getStart()) + code.slice(statement.getStart(), statement.getEnd()).replace(/[^\n]/g, '')
        + code.slice(statement.getEnd());
    }
    body.push({ text: `// README.md:${block.line}` });
    code.split('\n').forEach((text, i) => body.push({ text: text.length > 0 ? `    ${text}` : '', line: block.line + i }));
  }

  const lines: Array<{ text: string; line?: number }> = [];
  for (const [local, ns] of namespaces) {
    lines.push({ text: `import * as ${local} from ${JSON.stringify(ns.module)};` });
  }
  const byModule = new Map<string, string[]>();
  for (const [local, n] of named) {
    byModule.set(n.module, [...(byModule.get(n.module) ?? []), n.imported === local ? local : `${n.imported} as ${local}`]);
  }
  for (const [module, names] of byModule) {
    lines.push({ text: `import { ${names.sort().join(', ')} } from ${JSON.stringify(module)};` });
  }
  lines.push(
    { text: `import { Stack as ReadmeStackBase, StackProps as ReadmeStackProps } from ${JSON.stringify(resolveSpecifier('aws-cdk-lib', 'test'))};` },
    { text: `import { Construct as ReadmeScope } from ${JSON.stringify(resolveSpecifier('constructs', 'test'))};` },
    { text: '' },
    { text: '/** Every `ts` block of README.md, in document order, in one stack. Generated by test/readme.test.ts. */' },
    { text: `export class ${STACK_CLASS} extends ReadmeStackBase {` },
    { text: '  constructor(scope: ReadmeScope, id: string, props?: ReadmeStackProps) {' },
    { text: '    super(scope, id, props);' },
    ...body,
    { text: '  }' },
    { text: '}' },
  );
  // Each block imports what it uses, so that a reader sees where every name comes from.
  const unimported = files.flatMap(({ block, file, imports }) => usedNames(file)
    .filter((u) => (named.has(u.name) || namespaces.has(u.name)) && !imports.has(u.name))
    .map((u) => `README.md:${block.line + u.line}: \`${u.name}\` is used but not imported in this block`));
  return { source: lines.map((l) => l.text).join('\n') + '\n', origin: lines.map((l) => l.line), unimported };
}

/** The identifiers a snippet uses as values or types (not property names, not its own imports), with their line in the block. */
function usedNames(file: ts.SourceFile): Array<{ name: string; line: number }> {
  const used: Array<{ name: string; line: number }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) { return; }
    const parent = node.parent;
    const isPropertyName = parent !== undefined && (
      (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
      (ts.isPropertyAssignment(parent) && parent.name === node) ||
      (ts.isQualifiedName(parent) && parent.right === node));
    if (ts.isIdentifier(node) && !isPropertyName) {
      used.push({ name: node.text, line: file.getLineAndCharacterOfPosition(node.getStart()).line });
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  return used;
}

/** A complete program with its imports pointed at the repository. */
function rewriteProgram(block: Block): { source: string; origin: Origin } {
  const file = ts.createSourceFile('app.ts', block.code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  let code = block.code;
  for (const statement of [...file.statements].reverse()) {
    if (!ts.isImportDeclaration(statement)) { continue; }
    const specifier = statement.moduleSpecifier;
    const line = block.line + file.getLineAndCharacterOfPosition(statement.getStart()).line;
    const resolved = resolveSpecifier((specifier as ts.StringLiteral).text, `README.md:${line}`);
    code = code.slice(0, specifier.getStart()) + JSON.stringify(resolved) + code.slice(specifier.getEnd());
  }
  return { source: code + '\n', origin: code.split('\n').map((_, i) => block.line + i) };
}

/** The diagnostics of the generated files (not of the library they import), with README line numbers. */
function typeCheck(files: Map<string, { source: string; origin: Origin }>): string[] {
  const configFile = path.join(REPO, 'tsconfig.dev.json');
  const config = ts.readConfigFile(configFile, ts.sys.readFile);
  if (config.error) { throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n')); }
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, REPO, undefined, configFile);
  // The options of tsconfig.dev.json; only what places files changes (the generated ones live outside the repository).
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, rootDir: undefined, incremental: false, tsBuildInfoFile: undefined };
  const program = ts.createProgram({ rootNames: [...files.keys()], options });
  const problems = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  for (const [name, { origin }] of files) {
    const sourceFile = program.getSourceFile(name)!;
    for (const d of [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]) {
      const line = d.start === undefined ? undefined : sourceFile.getLineAndCharacterOfPosition(d.start).line;
      const readmeLine = line === undefined ? undefined : origin[line];
      const at = readmeLine === undefined ? `${path.basename(name)}:${line === undefined ? '?' : line + 1}` : `README.md:${readmeLine}`;
      problems.push(`${at}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  return problems;
}


/** The RegisterModel steps of a definition, in condition branches too. */
function registerSteps(steps: any[]): any[] {
  return steps.flatMap((s) => [
    ...(s.Type === 'RegisterModel' ? [s] : []),
    ...registerSteps([...(s.Arguments?.IfSteps ?? []), ...(s.Arguments?.ElseSteps ?? [])]),
  ]);
}

describe('README snippets', () => {
  const blocks = typeScriptBlocks(fs.readFileSync(README, 'utf-8'));
  const fragments = blocks.filter((b) => b.tags.length === 0);
  const programs = blocks.filter((b) => b.tags[0] === 'app');
  let dir: string;
  let problems: string[] = [];
  let unimported: string[] = [];
  let synthesis: { stack: Stack; template: Template } | Error;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-snippets-'));
    const files = new Map<string, { source: string; origin: Origin }>();
    const stackFile = path.join(dir, 'readme-stack.ts');
    const composed = composeFragments(fragments);
    unimported = composed.unimported;
    files.set(stackFile, composed);
    programs.forEach((block, i) => files.set(path.join(dir, `readme-app-${i + 1}.ts`), rewriteProgram(block)));
    for (const [name, { source }] of files) { fs.writeFileSync(name, source); }
    problems = typeCheck(files);
    if (problems.length > 0) { return; }

    // Run the stack once: compiled to JavaScript beside the source, so that its imports (absolute
    // paths) load the very modules this test loads.
    const js = ts.transpileModule(files.get(stackFile)!.source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    fs.writeFileSync(path.join(dir, 'readme-stack.js'), js);
    fs.writeFileSync(path.join(dir, 'definition.json'), sdkDefinition());
    const app = new App({ context: STRICT_VALIDATION_CONTEXT, outdir: path.join(dir, 'cdk.out') });
    // The schema lock of the README's feature groups goes to the temporary directory, not the repository.
    app.node.setContext(SchemaLockContext.FILE, path.join(dir, 'feature-store.lock.json'));
    app.node.setContext(SchemaLockContext.MODE, SchemaLockMode.UPDATE);
    registerCompliance(app);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const generated = require(path.join(dir, 'readme-stack.js'));
      const stack: Stack = new generated[STACK_CLASS](app, 'Readme', { env: { account: '123456789012', region: 'eu-west-1' } });
      expectCompliant(stack);
      synthesis = { stack, template: Template.fromStack(stack) };
    } catch (e) {
      synthesis = e as Error;
    }
    // About 30 s alone (10 s type-check, 16 s synthesis with the compliance packs); more on a busy machine.
  }, 300_000);

  afterAll(() => {
    if (dir) { fs.rmSync(dir, { recursive: true, force: true }); }
  });

  /** The synthesized stack, or the reason there is none. */
  function synthesized(): { stack: Stack; template: Template } {
    if (problems.length > 0) { throw new Error('The snippets do not type-check (see that test): nothing was synthesized'); }
    if (synthesis instanceof Error) { throw synthesis; }
    return synthesis;
  }

  test('the README has stack fragments and complete programs; a block left unchecked says why', () => {
    expect(fragments.length).toBeGreaterThanOrEqual(8);
    expect(programs.length).toBeGreaterThanOrEqual(1);
    for (const block of blocks.filter((b) => b.tags[0] === 'nocompile')) {
      expect({ line: block.line, firstLine: block.code.split('\n')[0] })
        .toEqual({ line: block.line, firstLine: expect.stringMatching(/^\/\/ Not checked: \S/) });
    }
  });

  test('the fragments, composed into one stack, and the programs type-check with the options of tsconfig.dev.json', () => {
    expect(problems).toEqual([]);
  });

  test('each fragment imports the names it uses (those of earlier blocks\' imports included)', () => {
    expect(unimported).toEqual([]);
  });

  test('the stack synthesizes with nothing unacknowledged by the compliance packs', () => {
    synthesized();
  });

  test('the fragments make one stack on one foundation: exactly one KMS key, the foundation\'s', () => {
    const { stack, template } = synthesized();
    const foundations = stack.node.findAll().filter((c): c is MlopsFoundation => c instanceof MlopsFoundation);
    expect(foundations).toHaveLength(1);
    const keys = template.findResources('AWS::KMS::Key');
    expect(Object.keys(keys)).toEqual([stack.getLogicalId(foundations[0].encryptionKey.node.defaultChild as CfnElement)]);
    // One artifact bucket and its access-log bucket: every construct writes into the foundation's bucket.
    template.resourceCountIs('AWS::S3::Bucket', 2);
  });

  test('every register step of a typed pipeline names its model package group by reference', () => {
    const { stack, template } = synthesized();
    const groups = stack.node.findAll().filter((c): c is ModelPackageGroup => c instanceof ModelPackageGroup)
      .map((g) => stack.getLogicalId(g.cfnModelPackageGroup));
    const typed = stack.node.findAll().filter((c): c is TrainingPipeline => c instanceof TrainingPipeline && !c.definition.isImported);
    expect(typed.length).toBeGreaterThanOrEqual(2);
    const resources = template.toJSON().Resources;
    for (const pipeline of typed) {
      const registers = registerSteps(pipelineDefinitionOf(resources[stack.getLogicalId(pipeline.resource)]).Steps);
      expect(registers.length).toBeGreaterThan(0);
      for (const step of registers) {
        // `<LogicalId>`: a Ref of a group resource of the stack, never a literal name.
        expect(groups).toContain(/^<([A-Za-z0-9]+)>$/.exec(step.Arguments.ModelPackageGroupName)?.[1]);
      }
    }
  });
  test('each standard pipeline writes its evaluation reports where the approval handler of its group reads them', () => {
    const { stack, template } = synthesized();
    const resources = template.toJSON().Resources;
    const registries = stack.node.findAll().filter((c): c is ModelRegistryApproval => c instanceof ModelRegistryApproval);
    const pairs = stack.node.findAll().filter((c): c is StandardTrainingPipeline => c instanceof StandardTrainingPipeline)
      .flatMap((p) => registries.filter((r) => r.modelPackageGroup === p.registerStep.modelPackageGroup).map((r) => [p, r] as const));
    expect(pairs.length).toBeGreaterThanOrEqual(2);
    for (const [pipeline, registry] of pairs) {
      const [register] = registerSteps(pipelineDefinitionOf(resources[stack.getLogicalId(pipeline.resource)]).Steps);
      const report = `${register.Arguments.ModelMetrics.ModelQuality.Statistics.S3Uri['Std:Join'].Values[0]}/`;
      const readable = `s3://<${stack.getLogicalId(registry.artifactBucket!.node.defaultChild as CfnElement)}>/${registry.metricsKeyPrefix}`;
      expect(report.slice(0, readable.length)).toBe(readable);
    }
  });
});
