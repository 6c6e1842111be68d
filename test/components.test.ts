/**
 * WASI preview 2 components: preview 1 C programs wrapped as `wasi:cli`
 * command components (build/components/, made by scripts/p1-components.mjs
 * with the preview 1 adapter) run under `kiln run`, where Kiln's own
 * `wasi:*` interfaces serve them, and must do exactly what the same
 * program does as a module (whose output the guest tests check line by
 * line): same status, stdout, stderr and files. Also: the API's runs,
 * two components with different configurations in one process, a
 * component's exit leaving the host running, an interface replaced by the
 * embedder, and what is refused.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { programPath, repoRoot } from './helpers/programs.js';
import { node24, runCase, runKiln, runKilnCommand, runKilnJspi, type CaseSpec, type Runner } from './helpers/runners.js';
import { spawnSync } from 'node:child_process';
import { CaptureStream, NotAPackedComponentError, WASI, componentsCache, packComponent, unpackComponent } from '../src/node.js';
import { UnsupportedImportsError, checkImports } from '../src/exec/component/component-instance.js';
import { transpileComponent, type TranspiledComponent } from '../src/exec/component/transpile.js';
import { componentImports, INTERFACE_GROUPS, KILN_INTERFACES } from '../src/syscalls/p2/imports.js';
import { HostContext } from '../src/syscalls/p2/host-context.js';
import { componentDiskCache } from '../src/exec/node/component-disk-cache.js';

const componentPath = (name: string): string => path.join(repoRoot, 'build', 'components', `${name}.wasm`);

/**
 * A case both ways: the module and the component, with argv[0] the same
 * name, must agree exactly, but for `differences`: stdout lines where the
 * preview 1 adapter (not Kiln) answers otherwise, [as a module, as a
 * component], each explained where it is listed.
 */
function agrees(title: string, spec: CaseSpec, differences: readonly [string, string][] = [], componentRunner: Runner = runKiln): void {
  test(`${title}: the component does what the module does`, async () => {
    assert.ok(existsSync(componentPath(spec.program)), `${componentPath(spec.program)} is missing: run npm run build:programs`);
    const flags = ['--argv0', spec.program, ...(spec.flags ?? [])];
    const asModule = await runCase(runKiln, { ...spec, program: programPath(spec.program), flags });
    const asComponent = await runCase(componentRunner, { ...spec, program: componentPath(spec.program), flags });
    let expected = asModule.stdout;
    for (const [module, component] of differences) {
      assert.ok(expected.includes(`${module}\n`), `the module printed no line ${JSON.stringify(module)}`);
      expected = expected.replace(`${module}\n`, `${component}\n`);
    }
    assert.deepEqual(asComponent, { ...asModule, stdout: expected });
  });
}

describe('components agree with modules (kiln run)', () => {
  agrees('argsenv with arguments and variables', {
    program: 'argsenv', sandbox: false,
    args: ['hello', 'two words', '', '\u00fcn\u00ef', '--flag'],
    env: [['GREETING', 'hi there'], ['WITH_EQUALS', 'a=b=c'], ['EMPTY', ''], ['UNICODE', '\u00f1\u2713']],
  });
  agrees('argsenv with nothing', { program: 'argsenv', sandbox: false });
  agrees('stdio writes', { program: 'stdio', args: ['out'], sandbox: false });
  agrees('stdio echoes stdin', { program: 'stdio', args: ['echo'], stdin: 'line one\nline two\n\u00e9\u2713', sandbox: false });
  agrees('stdio small and large writes in order (coalesced, then straight through)', { program: 'stdio', args: ['mixed'], sandbox: false });
  // WASI 0.2 has no CPU-time clock, and the adapter answers EBADF for it and for unknown clock ids.
  agrees('clocks', { program: 'clocks', sandbox: false }, [
    ['clock_getres PROCESS_CPUTIME_ID: ok (0 < res <= 10ms)', 'clock_getres PROCESS_CPUTIME_ID: EBADF (8)'],
    ['clock_gettime PROCESS_CPUTIME_ID: ok', 'clock_gettime PROCESS_CPUTIME_ID: EBADF (8)'],
    ['process cputime advances while spinning: yes', 'process cputime advances while spinning: no'],
    ['clock_time_get bad id: EINVAL (28)', 'clock_time_get bad id: EBADF (8)'],
    ['clock_res_get bad id: EINVAL (28)', 'clock_res_get bad id: EBADF (8)'],
  ]);
  agrees('sleep2', { program: 'sleep2', sandbox: false });
  // WASI 0.2 has no fd_allocate: the adapter answers ENOTSUP and the file keeps its size.
  agrees('files in a preopened directory', { program: 'files' }, [
    ['posix_fallocate 0+4096: OK (0)', 'posix_fallocate 0+4096: ENOTSUP (58)'],
    ['fstat after fallocate: size=4096 regular=yes nlink=1', 'fstat after fallocate: size=100 regular=yes nlink=1'],
    ['posix_fallocate within size: OK (0)', 'posix_fallocate within size: ENOTSUP (58)'],
    ['fstat after small fallocate: size=4096 regular=yes nlink=1', 'fstat after small fallocate: size=100 regular=yes nlink=1'],
  ]);
  // WASI 0.2 has no rights: the adapter reads a directory of a file as ENOTDIR, not ENOTCAPABLE.
  agrees('directories in a preopened directory', { program: 'dirs' }, [
    ['fd_readdir on a file fd: ENOTCAPABLE (76)', 'fd_readdir on a file fd: ENOTDIR (54)'],
  ]);
});

describe('components under runHere() (JSPI, on the Node 24 the test setup fetches)', { skip: existsSync(node24) ? false : `needs Node 24 (${node24})` }, () => {
  agrees('argsenv with arguments and variables', {
    program: 'argsenv', sandbox: false, args: ['hello', 'two words', ''], env: [['GREETING', 'hi there'], ['EMPTY', '']],
  }, [], runKilnJspi);
  agrees('stdio echoes stdin (blocking-read suspends)', { program: 'stdio', args: ['echo'], stdin: 'line one\nline two\n', sandbox: false }, [], runKilnJspi);
  agrees('files in a preopened directory', { program: 'files' }, [
    ['posix_fallocate 0+4096: OK (0)', 'posix_fallocate 0+4096: ENOTSUP (58)'],
    ['fstat after fallocate: size=4096 regular=yes nlink=1', 'fstat after fallocate: size=100 regular=yes nlink=1'],
    ['posix_fallocate within size: OK (0)', 'posix_fallocate within size: ENOTSUP (58)'],
    ['fstat after small fallocate: size=4096 regular=yes nlink=1', 'fstat after small fallocate: size=100 regular=yes nlink=1'],
  ], runKilnJspi);
  agrees('sleep2 (the clock\'s pollable suspends)', { program: 'sleep2', sandbox: false }, [], runKilnJspi);

  test('a component that sleeps suspends: the caller\'s timers keep running on the same thread', () => {
    const script = `
      import { readFileSync } from 'node:fs';
      const { WASI, CaptureStream } = await import(${JSON.stringify(new URL('../dist/node.js', import.meta.url).href)});
      let ticks = 0;
      const timer = setInterval(() => { ticks++; }, 50);
      const out = new CaptureStream();
      const code = await new WASI({ args: ['sleep2'], stdout: out }).runHere(readFileSync(${JSON.stringify(componentPath('sleep2'))}));
      clearInterval(timer);
      console.log(JSON.stringify({ code, out: out.text(), ticks }));
    `;
    const r = spawnSync(node24, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.stderr, '');
    const got = JSON.parse(r.stdout) as { code: number; out: string; ticks: number };
    assert.equal(got.code, 0);
    assert.equal(got.out, 'slept 2s: yes\n');
    assert.ok(got.ticks >= 20, `the caller's timer ran ${got.ticks} times in 2 s`);
  });
});

describe('components through the API', () => {
  const argsenv = (): Uint8Array => readFileSync(componentPath('argsenv'));

  test('two components in one process keep their own arguments and environment, and an exit leaves the host running', async () => {
    const a = new CaptureStream();
    const b = new CaptureStream();
    const first = new WASI({ args: ['first', 'x'], env: { WHO: 'a' }, stdout: a, stderr: a });
    const second = new WASI({ args: ['second'], env: { WHO: 'b', MORE: '1' }, stdout: b, stderr: b });
    const [ca, cb] = await Promise.all([first.run(argsenv()), second.run(argsenv())]);
    assert.equal(ca, 0);
    assert.equal(cb, 0);
    assert.match(a.text(), /^argc=2\nargv\[0\]=\[first\]\nargv\[1\]=\[x\]\n/);
    assert.match(a.text(), /\nenviron count=1\nenv: \[WHO=a\]\n/);
    assert.match(b.text(), /^argc=1\nargv\[0\]=\[second\]\n/);
    assert.match(b.text(), /\nenviron count=2\nenv: \[MORE=1\]\nenv: \[WHO=b\]\n/);
    // A component that exits with a failure (the adapter's proc_exit(n > 0)) ends itself only.
    const out = new CaptureStream();
    const failing = await new WASI({ args: ['proc', 'exit-flushes'], stdout: out, stderr: out }).run(readFileSync(componentPath('proc')));
    assert.equal(failing, 1);
    assert.equal(out.text(), 'to stderr, no newlinebuffered, no newline', 'what it wrote before exit() is there');
    assert.equal(await new WASI({ args: ['again'], stdout: new CaptureStream() }).run(argsenv()), 0, 'the host runs more after it');
  });

  test('run() keeps the caller\'s event loop going: the component runs in a process worker', async () => {
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 50);
    try {
      const out = new CaptureStream();
      const code = await new WASI({ args: ['sleep2'], stdout: out }).run(readFileSync(componentPath('sleep2')));
      assert.equal(code, 0);
      assert.equal(out.text(), 'slept 2s: yes\n');
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 20, `the caller's timer ran ${ticks} times in 2 s`);
  });

  test('an embedder replaces wasi:clocks/wall-clock; the same program as a module sees the same time through the clocks option', async () => {
    const seconds = 1_234_567_890n;
    const out = new CaptureStream();
    const code = await new WASI({
      args: ['wallclock'], stdout: out,
      interfaces: () => ({
        'wasi:clocks/wall-clock': {
          now: () => ({ seconds, nanoseconds: 5 }),
          resolution: () => ({ seconds: 0n, nanoseconds: 1 }),
        },
      }),
    }).run(readFileSync(componentPath('wallclock')));
    assert.equal(code, 0);
    assert.equal(out.text(), 'realtime: 1234567890.000000005\n');
    const asModule = new CaptureStream();
    const moduleCode = await new WASI({
      args: ['wallclock'], stdout: asModule, stderr: asModule,
      clocks: { now: (id) => (id === 0 ? seconds * 1_000_000_000n + 5n : 0n), resolution: () => 1n },
    }).run(readFileSync(programPath('wallclock')));
    assert.equal(asModule.text(), out.text());
    assert.equal(moduleCode, 0);
  });

  test('the interfaces Kiln names before a run are those it serves, group by group, and a run makes only the groups it imports', () => {
    const ctx = new HostContext(new WASI({}).process);
    assert.deepEqual(new Set(Object.keys(componentImports(ctx))), KILN_INTERFACES);
    for (const [names, make] of INTERFACE_GROUPS) assert.deepEqual(Object.keys(make(ctx)).sort(), [...names].sort());
    assert.deepEqual(Object.keys(componentImports(ctx, new Set(['wasi:io/poll', 'wasi:clocks/wall-clock']))).sort(), [
      'wasi:clocks/monotonic-clock', 'wasi:clocks/wall-clock', 'wasi:io/error', 'wasi:io/poll', 'wasi:io/streams',
    ]);
  });

  test('a component importing an interface Kiln does not implement is refused before it runs, naming it', () => {
    const fake: TranspiledComponent = {
      key: 'k', glue: '', cores: new Map(), exports: ['wasi:cli/run@0.2.0'],
      imports: ['wasi:cli/environment@0.2.0', 'wasi:sockets/tcp@0.2.0', 'wasi:http/outgoing-handler@0.2.0'],
    };
    assert.throws(() => checkImports(fake, { 'wasi:cli/environment': {} }), (e: unknown) => {
      assert.ok(e instanceof UnsupportedImportsError);
      assert.deepEqual(e.missing, ['wasi:sockets/tcp@0.2.0', 'wasi:http/outgoing-handler@0.2.0']);
      assert.match(e.message, /^the component imports wasi:sockets\/tcp@0\.2\.0, wasi:http\/outgoing-handler@0\.2\.0, which Kiln does not implement yet/);
      return true;
    });
  });
});

describe('components: kiln run and the cache', () => {
  test('a flag only modules can use yet is refused by name (status 2)', async () => {
    const r = await runKiln({ program: componentPath('argsenv'), flags: ['--listen', '127.0.0.1:0'] });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'kiln: --listen cannot be used with a component (WASI preview 2) yet\n');
  });

  test('--max-memory caps the memory a component defines: refused at start when it needs more, a trap when it cannot grow, the same run when it fits', async () => {
    const program = componentPath('argsenv');
    const refused = `kiln: cannot run ${program}: the module needs 2 pages (128 KiB) of memory at start; the limit is 1 page\n`;
    for (const flags of [['--max-memory', '64K'], ['--max-memory', '64K', '--timeout', '10s']]) {
      const r = await runKiln({ program, flags });
      assert.deepEqual([r.status, r.stdout, r.stderr], [1, '', refused], flags.join(' '));
    }
    // Two pages hold the program, not the preview 1 adapter's state, which it allocates by growing the memory.
    const tight = await runKiln({ program, flags: ['--max-memory', '128K'] });
    assert.equal(tight.status, 134);
    assert.match(tight.stderr, /^Error: the guest trapped: unreachable\n/);
    const uncapped = await runKiln({ program, args: ['x'] });
    const capped = await runKiln({ program, args: ['x'], flags: ['--max-memory', '1M'] });
    assert.equal(uncapped.status, 0, uncapped.stderr);
    assert.deepEqual([capped.status, capped.stdout, capped.stderr], [0, uncapped.stdout, '']);
  });

  test('--timeout stops a component (in a process worker): status 124 and the message, as for a module', async () => {
    const r = await runKiln({ program: componentPath('sleep2'), flags: ['--timeout', '300ms'] });
    assert.equal(r.status, 124);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'kiln: the guest did not finish within its time limit of 300 ms and was stopped\n');
  });

  test('--trace prints each wasi:* call with its arguments and result, resources by their WIT names', async () => {
    const r = await runCase(runKiln, {
      program: componentPath('cat'), args: ['/sandbox/f.txt'], flags: ['--trace'],
      setup: (sb) => writeFileSync(path.join(sb.dir, 'f.txt'), 'hi\n'),
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
    const lines = r.stderr.split('\n');
    for (const line of [
      '[kiln trace] wasi:filesystem/preopens.get-directories() = [[descriptor, "/sandbox"]]',
      '[kiln trace] wasi:filesystem/types.descriptor.open-at({symlink-follow}, "f.txt", {}, {read}) = descriptor',
      '[kiln trace] wasi:filesystem/types.descriptor.read-via-stream(0) = input-stream',
      '[kiln trace] wasi:io/streams.input-stream.blocking-read(4095) = <3 bytes>',
      '[kiln trace] wasi:io/streams.input-stream.blocking-read(4092) = err({tag: "closed"})',
      '[kiln trace] wasi:io/streams.output-stream.blocking-write-and-flush(<3 bytes>) = none',
    ]) assert.ok(lines.includes(line), `no line ${line} in:\n${r.stderr}`);
  });

  test("the installed transpiler's synchronous glue calls the host directly; the JSPI glue keeps jco's tasks; both declare jco's runtime classes once", async () => {
    // A transpiler whose glue no longer matches would still run (tested above), slower: this says so.
    const bytes = readFileSync(componentPath('argsenv'));
    const direct = (c: TranspiledComponent): boolean => c.glue.includes('const task = _syncHostTask;');
    const sync = await transpileComponent(bytes);
    const jspi = await transpileComponent(bytes, undefined, true);
    assert.equal(direct(sync), true);
    assert.equal(direct(jspi), false);
    for (const c of [sync, jspi]) {
      const hoisted = [...c.glue.matchAll(/^const _kilnHoisted_(\w+) = class \1 \{/gm)].map((m) => m[1]);
      assert.deepEqual(hoisted.filter((n) => ['AsyncTask', 'ComponentAsyncState', 'RepTable'].includes(n!)).sort(), ['AsyncTask', 'ComponentAsyncState', 'RepTable']);
      assert.doesNotMatch(c.glue, /^ {2}class \w+ \{/m, 'a class left inside instantiate');
    }
  });

  test('kiln transpile packs a component transpiled ahead (--jspi: the glue runHere() needs); run() finds it through componentsCache without transpiling', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-transpile-'));
    try {
      const source = componentPath('argsenv');
      const bytes = readFileSync(source);
      const out = path.join(dir, 'argsenv.kiln');
      const r = await runKilnCommand(['transpile', source, '-o', out], { timeoutMs: 60_000 });
      assert.deepEqual([r.status, r.stdout.toString(), r.stderr], [0, '', `kiln transpile: wrote ${out} (${readFileSync(out).length} bytes)\n`]);
      const jspiOut = path.join(dir, 'argsenv-jspi.kiln');
      assert.equal((await runKilnCommand(['transpile', '--jspi', '--output', jspiOut, source], { timeoutMs: 60_000 })).status, 0);
      const packed = unpackComponent(readFileSync(out));
      const made = await transpileComponent(bytes);
      assert.deepEqual({ ...packed, cores: [...packed.cores] }, { ...made, cores: [...made.cores] });
      assert.equal(unpackComponent(readFileSync(jspiOut)).suspending, true);
      assert.deepEqual(unpackComponent(packComponent(made)), packed);

      // A cache that refuses to be asked for anything else shows that run() took the packed glue.
      const asked: string[] = [];
      const served = componentsCache([packed]);
      const stdout = new CaptureStream();
      const code = await new WASI({
        args: ['argsenv', 'packed'], env: {}, stdout,
        componentCache: { get: (key) => { asked.push(key); return served.get(key); }, set: () => assert.fail('nothing is transpiled') },
      }).run(bytes);
      assert.equal(code, 0);
      assert.match(stdout.text(), /^argc=2\nargv\[0\]=\[argsenv\]\nargv\[1\]=\[packed\]\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('kiln transpile refuses what is no component (status 1), and needs a component (status 2); unpacking other bytes is NotAPackedComponentError', async () => {
    const notComponent = await runKilnCommand(['transpile', programPath('argsenv')]);
    assert.deepEqual([notComponent.status, notComponent.stderr], [1, `kiln: cannot transpile ${programPath('argsenv')}: it is not a component (WASI preview 2)\n`]);
    const none = await runKilnCommand(['transpile']);
    assert.deepEqual([none.status, none.stderr], [2, 'kiln: transpile: which component? (kiln transpile COMPONENT.wasm)\n']);
    assert.throws(() => unpackComponent(new Uint8Array([0x00, 0x61, 0x73, 0x6d])), NotAPackedComponentError);
    assert.throws(() => unpackComponent(packComponent({ key: 'k', glue: '', cores: new Map(), imports: [], exports: [] }).subarray(0, 10)), NotAPackedComponentError);
  });

  test('the disk cache gives back what it was given, and an entry it cannot read counts as none', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-components-'));
    try {
      const cache = componentDiskCache(dir);
      const bytes = readFileSync(componentPath('argsenv'));
      const made = await transpileComponent(bytes);
      await cache.set(made);
      const kept = await cache.get(made.key);
      assert.ok(kept !== undefined);
      assert.equal(kept.glue, made.glue);
      assert.deepEqual([...kept.cores.keys()], [...made.cores.keys()]);
      for (const [name, core] of made.cores) assert.deepEqual(kept.cores.get(name), core);
      assert.deepEqual(kept.imports, made.imports);
      assert.deepEqual(kept.exports, made.exports);
      writeFileSync(path.join(dir, made.key, 'manifest.json'), '{');
      assert.equal(await cache.get(made.key), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
