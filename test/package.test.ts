/**
 * Kiln as a user gets it: the tarball `npm pack` makes, installed into a
 * fresh project with npm. What it holds (the runtime, the sources its
 * source maps name, the LICENSE, the examples; no tests), what installing
 * it pulls (the runtime dependencies only), `npx kiln` on the bundled
 * example, the public enums as objects for plain JavaScript, and every
 * JavaScript example of README.md and docs/*.md, run against the installed
 * package (test/helpers/doc-snippets.ts says how a block is marked).
 *
 * Needs dist/ built (the test command builds it) and the npm cache that
 * `npm ci` filled (the install prefers it; it reaches the registry only for
 * what is missing).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { documentationSnippets } from './helpers/doc-snippets.js';
import { programPath, repoRoot } from './helpers/programs.js';

const NODE24 = path.join(repoRoot, 'build', 'node24', 'bin', 'node');
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  name: string; dependencies: Record<string, string>; devDependencies: Record<string, string>;
};

/** The version of a dev dependency the repository pins. */
function devVersion(name: string): string {
  const v = pkg.devDependencies[name];
  assert.ok(v !== undefined, `${name} is no dev dependency`);
  return v;
}

let tmp = '';
let project = '';
let packed: string[] = [];
/** What installing the package alone put in node_modules. */
let installedAlone: string[] = [];

function npm(args: string[], cwd: string): string {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  assert.equal(r.status, 0, `npm ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

before(() => {
  assert.ok(existsSync(path.join(repoRoot, 'dist', 'node.js')), 'dist/ is missing: run npm run build');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kiln-package-'));
  const [info] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], repoRoot)) as
    { filename: string; files: { path: string }[] }[];
  packed = info!.files.map((f) => f.path).sort();
  project = path.join(tmp, 'project');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'kiln-user', private: true, type: 'module' }));
  npm(['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(tmp, info!.filename)], project);
  const lock = JSON.parse(readFileSync(path.join(project, 'node_modules', '.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  installedAlone = Object.keys(lock.packages).map((p) => p.replace(/^.*node_modules\//, '')).sort();
  // Then the optional peer that runs components, as docs/api.md tells users to install it.
  npm(['install', '--no-audit', '--no-fund', '--prefer-offline', `@bytecodealliance/jco-transpile@${devVersion('@bytecodealliance/jco-transpile')}`], project);
});

after(() => {
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
});

describe('the packed package', () => {
  test('holds the runtime, the CLI, the sources its source maps name, the LICENSE and the examples; no tests, no build output', () => {
    for (const file of ['LICENSE', 'README.md', 'package.json', 'bin/kiln.js', 'dist/node.js', 'dist/node.d.ts', 'dist/browser.js',
      'dist/cli/main.js', 'src/node.ts', 'examples/hello.wasm', 'examples/hello.wat']) {
      assert.ok(packed.includes(file), `${file} is not in the package`);
    }
    const stray = packed.filter((f) => /^(test|build|bench|scripts|node_modules|\.ci)\//.test(f));
    assert.deepEqual(stray, []);
    assert.match(readFileSync(path.join(project, 'node_modules', pkg.name, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004/);
  });

  test('every source map names only files the package ships', () => {
    const maps = packed.filter((f) => f.endsWith('.map'));
    assert.ok(maps.length > 0, 'no source maps shipped');
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(path.join(project, 'node_modules', pkg.name, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const file = path.posix.normalize(path.posix.join(path.posix.dirname(map), source));
        if (!packed.includes(file)) missing.push(`${map} → ${source}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test('installing it pulls the runtime dependencies and nothing else (not the optional transpiler of components)', () => {
    assert.deepEqual(installedAlone, [pkg.name, ...Object.keys(pkg.dependencies)].sort());
  });

  test('npx kiln runs the bundled example', () => {
    const r = spawnSync('npx', ['--no-install', 'kiln', 'run', `node_modules/${pkg.name}/examples/hello.wasm`, 'one', 'two'], {
      cwd: project, encoding: 'utf8',
    });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'Hello from Kiln! A WASI program is running.\narg: one\narg: two\n');
    assert.equal(r.status, 0);
  });

  test('plain JavaScript gets Errno, FileType and ClockId as objects, in both entry points', () => {
    const script = path.join(project, 'enums.mjs');
    writeFileSync(script, [
      `import { Errno, FileType, ClockId, WasiError } from '${pkg.name}';`,
      `import * as browser from '${pkg.name}/browser';`,
      'const e = new WasiError(Errno.NOENT);',
      'console.log(Errno.NOENT, Errno[44], FileType.DIRECTORY, ClockId.MONOTONIC, e.errno === Errno.NOENT, e.message);',
      'console.log(browser.Errno.NOTCAPABLE, browser.FileType.SYMBOLIC_LINK, browser.ClockId.REALTIME);',
    ].join('\n'));
    const r = spawnSync(process.execPath, [script], { cwd: project, encoding: 'utf8' });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, '44 NOENT 3 1 true ENOENT\n76 7 0\n');
  });
});

/**
 * The files the examples name, in a fresh folder per example: app.wasm
 * (test/programs/c/cat.c) and app.component.wasm (the same as a
 * component), proxy.component.wasm (an HTTP proxy component, linked: it
 * is large), app-threads.wasm (a wasi-threads program), guest.wasm (a
 * waPC guest), data/input.txt and an empty out/.
 */
function exampleFolder(name: string): string {
  const dir = path.join(project, name);
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  mkdirSync(path.join(dir, 'out'));
  copyFileSync(programPath('cat'), path.join(dir, 'app.wasm'));
  copyFileSync(path.join(repoRoot, 'build', 'components', 'cat.wasm'), path.join(dir, 'app.component.wasm'));
  symlinkSync(path.join(repoRoot, 'build', 'components-js', 'http_echo.wasm'), path.join(dir, 'proxy.component.wasm'));
  copyFileSync(programPath('threads_basic'), path.join(dir, 'app-threads.wasm'));
  copyFileSync(programPath('wapc_as_echo'), path.join(dir, 'guest.wasm'));
  writeFileSync(path.join(dir, 'data', 'input.txt'), 'hello\n');
  return dir;
}

describe('the documentation examples, run against the installed package', () => {
  const snippets = documentationSnippets(repoRoot);
  for (const [i, snippet] of snippets.entries()) {
    const skip = snippet.notRun ?? (snippet.node24 && !existsSync(NODE24) ? `needs Node 24 (${NODE24})` : false);
    test(snippet.where, { skip }, () => {
      const dir = exampleFolder(`example-${i}`);
      writeFileSync(path.join(dir, 'example.mjs'), snippet.code);
      const r = spawnSync(snippet.node24 ? NODE24 : process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.stderr, '', `${snippet.where} wrote to stderr`);
      assert.equal(r.status, 0, `${snippet.where} exited with ${r.status}`);
      if (snippet.stdout !== undefined) assert.equal(r.stdout, snippet.stdout);
    });
  }
});
