/**
 * napi-rs `wasm32-wasi` packages on Kiln: `loadNapiRsBinding` loads real
 * published bindings (devDependencies) with Kiln's WASI on this thread and
 * in every worker their guest threads run in. The workers run
 * dist/napi/napi-rs-worker.js: build first (npm run build).
 *
 * - @oxc-parser/binding-wasm32-wasi: parse TypeScript, synchronously and on
 *   a guest thread (`parse` is async work).
 * - @tailwindcss/oxide-wasm32-wasi: scan a directory; the scan reads the
 *   files on a guest thread, through that worker's Kiln WASI.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNapiRsBinding, napiRsRuntime, WASI } from '../src/node.js';

const root = fileURLToPath(new URL('..', import.meta.url));

// The parts of the two bindings' APIs used here.
// Each ParseResult getter hands its value over once (a second read is empty).
interface OxcResult {
  readonly program: string;
  readonly errors: { message: string; labels: { start: number; end: number }[] }[];
  readonly module: { staticImports: { moduleRequest: { value: string } }[]; staticExports: { entries: { exportName: { name: string | null } }[] }[] };
  readonly comments: { type: string; value: string }[];
}
interface Oxc {
  parse(filename: string, source: string, options?: { lang?: string }): Promise<OxcResult>;
  parseSync(filename: string, source: string, options?: { lang?: string }): OxcResult;
}
interface TailwindScanner { scan(): string[]; readonly files: string[] }
interface Tailwind {
  Scanner: new (options: { sources: { base: string; pattern: string; negated: boolean }[] }) => TailwindScanner;
}
interface Node { type: string; [key: string]: unknown }

const loaded: object[] = [];
let dir: string;

before(() => {
  assert.ok(existsSync(join(root, 'dist/napi/napi-rs-worker.js')), 'dist/ is missing: run npm run build');
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'kiln-napi-')));
});

after(async () => {
  // Stop every worker (they are unref'd anyway, as in the packages' own loaders).
  for (const exports of loaded) await napiRsRuntime(exports)!.terminate();
  rmSync(dir, { recursive: true, force: true });
});

function load<T extends object>(name: string, options: Parameters<typeof loadNapiRsBinding>[1] = {}): T {
  const exports = loadNapiRsBinding<T>(name, { resolveFrom: root, ...options });
  loaded.push(exports);
  return exports;
}

const SOURCE = `import { readFile } from 'node:fs/promises';
// Reads a config file.
export async function loadConfig(path: string): Promise<Config> {
  return JSON.parse(await readFile(path, 'utf8')) as Config;
}
interface Config { name: string }
export const VERSION = 3;
`;

describe('@oxc-parser/binding-wasm32-wasi', () => {
  let oxc: Oxc;
  before(() => {
    writeFileSync(join(dir, 'config.ts'), SOURCE);
    oxc = load<Oxc>('@oxc-parser/binding-wasm32-wasi');
  });

  test('loads on Kiln: the main thread WASI is Kiln\'s', () => {
    const runtime = napiRsRuntime(oxc)!;
    assert.ok(runtime.wasi instanceof WASI);
    assert.match(runtime.wasmPath, /parser\.wasm32-wasi\.wasm$/);
  });

  test('parseSync: program, module record and comments of a TypeScript file', () => {
    const r = oxc.parseSync('config.ts', SOURCE, { lang: 'ts' });
    const { errors, module, comments } = r;
    assert.deepEqual(errors, []);
    const program = (JSON.parse(r.program) as { node: { type: string; body: Node[] } }).node;
    assert.equal(program.type, 'Program');
    assert.deepEqual(program.body.map((s) => s.type),
      ['ImportDeclaration', 'ExportNamedDeclaration', 'TSInterfaceDeclaration', 'ExportNamedDeclaration']);
    const fn = program.body[1]!['declaration'] as { type: string; async: boolean; id: { name: string }; params: { name: string }[] };
    assert.equal(fn.type, 'FunctionDeclaration');
    assert.equal(fn.id.name, 'loadConfig');
    assert.equal(fn.async, true);
    assert.equal(fn.params[0]!.name, 'path');
    assert.deepEqual(module.staticImports.map((i) => i.moduleRequest.value), ['node:fs/promises']);
    assert.deepEqual(module.staticExports.flatMap((e) => e.entries.map((x) => x.exportName.name)), ['loadConfig', 'VERSION']);
    assert.deepEqual(comments.map((c) => [c.type, c.value]), [['Line', ' Reads a config file.']]);
  });

  test('parse (async work on a guest thread, in a worker with Kiln\'s WASI)', async () => {
    const r = await oxc.parse('config.ts', SOURCE, { lang: 'ts' });
    assert.deepEqual(r.errors, []);
    const body = (JSON.parse(r.program) as { node: { body: Node[] } }).node.body;
    const decl = (body[3]!['declaration'] as { declarations: { id: { name: string }; init: { value: number } }[] }).declarations[0]!;
    assert.equal(decl.id.name, 'VERSION');
    assert.equal(decl.init.value, 3);

    const runtime = napiRsRuntime(oxc)!;
    assert.ok(runtime.threadsStarted >= 1, 'a guest thread ran (the async work runs on one)');
    assert.ok(runtime.workerWasiInstances >= 1, 'in a worker that built a Kiln WASI');
  });

  test('a broken file: errors with their positions', async () => {
    const broken = 'const a = (1, ;\n';
    for (const r of [oxc.parseSync('broken.js', broken), await oxc.parse('broken.js', broken)]) {
      const errors = r.errors;
      assert.deepEqual(errors.map((e) => [e.message, e.labels.map((l) => [l.start, l.end])]), [['Unexpected token', [[14, 15]]]]);
    }
  });
});

describe('@tailwindcss/oxide-wasm32-wasi', () => {
  let site: string;
  before(() => {
    site = join(dir, 'site');
    mkdirSync(join(site, 'components'), { recursive: true });
    writeFileSync(join(site, 'index.html'), '<main class="flex items-center p-4">\n  <h1 class="text-3xl font-bold">Hi</h1>\n</main>\n');
    writeFileSync(join(site, 'components', 'button.jsx'),
      'export const Button = () => <button className="rounded-lg hover:bg-sky-700 md:px-6">Go</button>;\n');
    writeFileSync(join(site, 'notes.bin'), 'bg-red-500'); // not a scanned extension
  });

  test('Scanner finds the exact candidates and files; the files are read on a guest thread through Kiln', async () => {
    const lines: string[] = [];
    const tw = load<Tailwind>('@tailwindcss/oxide-wasm32-wasi', { trace: (line) => lines.push(line) });
    const scanner = new tw.Scanner({ sources: [{ base: site, pattern: '**/*', negated: false }] });
    const candidates = scanner.scan();
    // What the package's own loader (node:wasi) finds too: class names plus lower-case words.
    assert.deepEqual([...candidates].sort(), [
      'class', 'className', 'const', 'export',
      'flex', 'font-bold', 'hover:bg-sky-700', 'items-center', 'md:px-6', 'p-4', 'rounded-lg', 'text-3xl',
    ]);
    assert.deepEqual([...scanner.files].sort(), [join(site, 'components', 'button.jsx'), join(site, 'index.html')]);

    const runtime = napiRsRuntime(tw)!;
    assert.ok(runtime.threadsStarted >= 1);
    assert.ok(runtime.workerWasiInstances >= 1);
    // Worker lines arrive through a message port: wait for them.
    const rel = join(site, 'index.html').slice(1);
    const fromWorker = (l: string): boolean => /^\[thread \d+\] path_open\(fd=3, .*path="/.test(l) && l.includes(`"${rel}"`);
    for (let i = 0; i < 100 && !lines.some(fromWorker); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(lines.some(fromWorker), 'a worker opened index.html through its Kiln WASI');
    assert.ok(lines.some((l) => /^\[thread \d+\] fd_read\(/.test(l)), 'and read it');
    // The directory walk runs on the loading thread.
    assert.ok(lines.some((l) => l.startsWith('fd_readdir(') && l.endsWith('= SUCCESS')));
  });

  test('preopens restrict what the binding sees, on every thread', () => {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'page.html'), '<p class="italic">x</p>');
    const tw = load<Tailwind>('@tailwindcss/oxide-wasm32-wasi', { preopens: { [site]: site } });
    const scanner = new tw.Scanner({
      sources: [{ base: site, pattern: '**/*', negated: false }, { base: outside, pattern: '**/*', negated: false }],
    });
    const candidates = scanner.scan();
    assert.ok(candidates.includes('hover:bg-sky-700'));
    assert.ok(!candidates.includes('italic'));
    assert.deepEqual([...scanner.files].sort(), [join(site, 'components', 'button.jsx'), join(site, 'index.html')]);
  });
});
