/**
 * The API reference: TypeDoc builds it from the entry points with the
 * repository's typedoc.json (as `npm run docs:api` does) with no warning
 * at all, so every exported member is documented; it has a page for each
 * main class; and the configuration does fail a build with an undocumented
 * export.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Application, LogLevel, PackageJsonReader, TSConfigReader, TypeDocReader, type TypeDocOptions } from 'typedoc';
import { repoRoot } from './helpers/programs.js';

interface Build {
  ok: boolean;
  warnings: string[];
  errors: string[];
}

/** Runs TypeDoc as its command line does (convert, validate, render), collecting its warnings and errors. */
async function typedoc(options: TypeDocOptions): Promise<Build> {
  const app = await Application.bootstrapWithPlugins(options, [new TypeDocReader(), new PackageJsonReader(), new TSConfigReader()]);
  const warnings: string[] = [];
  const errors: string[] = [];
  app.logger.log = (message: string, level: LogLevel) => {
    if (level === LogLevel.Warn) warnings.push(message);
    if (level === LogLevel.Error) errors.push(message);
  };
  const strict = app.options.getValue('treatWarningsAsErrors');
  const failed = (): boolean => errors.length > 0 || (strict && warnings.length > 0);
  const project = await app.convert();
  if (project === undefined || failed()) return { ok: false, warnings, errors };
  app.validate(project);
  if (failed()) return { ok: false, warnings, errors };
  await app.generateOutputs(project);
  return { ok: !failed(), warnings, errors };
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-api-docs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const config = JSON.parse(readFileSync(join(repoRoot, 'typedoc.json'), 'utf8')) as Record<string, unknown>;

test('typedoc.json builds the reference from both entry points, failing on anything undocumented', () => {
  assert.deepEqual(config['entryPoints'], ['src/node.ts', 'src/browser.ts']);
  assert.equal(config['out'], 'build/api');
  assert.equal(config['treatWarningsAsErrors'], true);
  assert.equal((config['validation'] as Record<string, unknown>)['notDocumented'], true);
});

test('the API reference builds with zero warnings and has pages for the main classes', { timeout: 120_000 }, async (t) => {
  const out = tempDir(t);
  const started = performance.now();
  const build = await typedoc({ options: join(repoRoot, 'typedoc.json'), tsconfig: join(repoRoot, 'tsconfig.json'), out, logLevel: LogLevel.Warn });
  assert.deepEqual(build.errors, []);
  assert.deepEqual(build.warnings, []);
  assert.ok(build.ok);
  t.diagnostic(`typedoc took ${Math.round(performance.now() - started)} ms`);

  const page = (kind: string, name: string): string => {
    const file = join(out, kind, `${name}.html`);
    assert.ok(existsSync(file), `${kind}/${name}.html exists`);
    return readFileSync(file, 'utf8');
  };
  for (const name of ['WASI', 'WasiBuilder', 'MemoryFileSystem', 'CaptureStream', 'WapcHost', 'WapcHostAsync', 'WebAssemblyEngine', 'NodeFileSystem']) {
    page('classes', `kiln-wasm.${name}`);
  }
  for (const name of ['WASI', 'WasiBuilder', 'WebAssemblyEngine', 'ConsoleStream']) page('classes', `kiln-wasm_browser.${name}`);
  page('modules', 'kiln-wasm');
  page('modules', 'kiln-wasm_browser');
  page('modules', 'kiln-wasm.fsPaths');
  assert.match(page('classes', 'kiln-wasm.CaptureStream'), /Everything written so far, decoded as UTF-8/);
  assert.match(page('classes', 'kiln-wasm.MemoryFileSystem'), /The bytes of the file at/);
  assert.match(page('types', 'kiln-wasm.WapcOutput'), /a function that receives a copy of each write/);
});

test('the same settings fail a build that has an undocumented export', { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'entry.ts'), [
    '/** A documented function. */',
    'export function documented(): number { return 1; }',
    'export function forgotten(): number { return 2; }',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: [] },
    files: ['entry.ts'],
  }));
  // The repository's settings, with this project's entry point, tsconfig and output.
  const { intentionallyNotExported: _notExported, ...settings } = config;
  writeFileSync(join(dir, 'typedoc.json'), JSON.stringify({ ...settings, entryPoints: ['entry.ts'], tsconfig: 'tsconfig.json', out: 'out' }));
  const build = await typedoc({ options: join(dir, 'typedoc.json'), tsconfig: join(dir, 'tsconfig.json'), logLevel: LogLevel.Error });
  assert.equal(build.ok, false);
  assert.equal(build.warnings.length, 1, build.warnings.join('\n'));
  assert.match(build.warnings[0]!, /forgotten .*does not have any documentation/);
});
