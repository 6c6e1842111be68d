#!/usr/bin/env node
// Builds the guest test programs under test/programs/ into
// build/programs/<name>.wasm (name = file name without extension):
//
//   test/programs/c/*.c      clang-19 --target=wasm32-wasi (wasi-libc)
//   test/programs/rust/*.rs  /usr/bin/rustc --target wasm32-wasi
//   test/programs/wat/*.wat  wat2wasm
//   test/programs/threads/*.c  clang-19, wasi-threads: shared imported memory,
//                              `wasi` `thread-spawn`, `wasi_thread_start`
//                              (kthread.h + kthread_start.s)
//   test/programs/wapc/as/*.ts    waPC guests in AssemblyScript (@wapc/as-guest,
//                                 @wapc/as-msgpack): the repository's asc
//                                 (npm ci), through wapc/as/asc.mjs
//   test/programs/wapc/wat/*.wat  waPC guests in WebAssembly text: wat2wasm
//   test/programs/wapc/rust/*.rs  waPC guests in Rust: rustc, wasm32-wasi cdylib
//   (see test/programs/wapc/README.md)
//   test/programs/wasix/*.c  WASIX (wasix_32v1) programs: clang-19
//                            --target=wasm32-wasmer-wasi against the wasix-libc
//                            sysroot, posix threads, shared imported memory;
//                            those that fork, vfork, exec or longjmp
//                            (wasix_fork*, wasix_vfork*, wasix_exec*,
//                            wasix_setjmp*) then go through binaryen's
//                            `wasm-opt -O2 --asyncify`
//                            (see test/programs/wasix/README.md)
//
// Then some of the C programs (every conf_*, and argsenv, stdio, cat, clocks,
// random, files, dirs, poll, sleep2 and proc: see p1-components.mjs) are also
// wrapped as WASI preview 2 wasi:cli/command components into
// build/components/<name>.wasm, for the preview 2 tests: what
// `jco new <name>.wasm --wasi-command` makes, done in process with
// componentNew from @bytecodealliance/jco-transpile and the preview 1 command
// adapter in build/p1-adapter/, which `node scripts/fetch-p1-adapter.mjs`
// fetches (npm test runs it first). A component is rewrapped only when it
// is missing or older than its core module or the adapter. The p2_*
// programs, which call preview 2 interfaces themselves, are embedded with
// their WIT world (p2_<name>.wit) first.
//
// And the JavaScript components (test/programs/components-js/<name>.js,
// with <name>.wit) are built with componentize-js into
// build/components-js/<name>.wasm (js-components.mjs), when missing or
// older than their sources.
//
// Program names are unique across all languages (waPC guests: wapc_*).
// A program is rebuilt only when its output is missing or the sha256 of its
// source (plus, for C, the shared headers next to it; for threads, also the
// assembly; for AssemblyScript, the compiler's and the guest libraries'
// versions and sources; for WASIX, the sysroot's libraries and README) and
// compiler command (with the asyncify step, where there is one) differs from
// the one stored in build/programs/.hashes.json. Builds run two at a time.
// A program that fails to build does not stop the others: the script builds
// what it can, names the failures (with the Debian package a compiler's
// message says is missing), lists them in build/programs/.failed and exits
// with status 3; other failures (a bad argument) exit 1. A missing compiler,
// wasm-opt or WASIX sysroot fails the programs that need it (status 3).
// Components are handled the same way: one that cannot be wrapped (or all
// of them, without the adapter) is named, listed in .failed as
// components/<name>, and the script exits with status 3.
// Usage: node scripts/build-programs.mjs [--force] [--out DIR] [--no-components] [NAME...]
// (--out: build into DIR instead of build/programs/, and the components
// into DIR/components/; --no-components: build no components; NAMEs: only
// those programs, and the components of those among them that have one)
// Environment: KILN_CLANG, KILN_RUSTC, KILN_WAT2WASM, KILN_WASM_OPT override
// the compilers (and binaryen's wasm-opt); KILN_BUILD_JOBS the parallelism;
// the wasix-libc sysroot is the first of $KILN_WASIX_SYSROOT,
// <repository>/../shared/toolchains/wasix-sysroot and
// /work/shared/toolchains/wasix-sysroot that exists (none: the WASIX
// programs fail to build, naming the places searched).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isComponentProgram, pruneComponents, worldFileOf, wrapComponents } from './p1-components.mjs';
import { buildJsComponents, jsComponentNames } from './js-components.mjs';
import { findWasixSysroot, wasixCompileCommand, WASIX_SYSROOT_CANDIDATES } from './wasix-toolchain.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcRoot = path.join(root, 'test', 'programs');
const cli = parseArgs(process.argv.slice(2));
const outDir = cli.out ?? path.join(root, 'build', 'programs');
const hashFile = path.join(outDir, '.hashes.json');
/** Where the components go: build/components/, or DIR/components/ with --out DIR. */
const componentsDir = cli.out ? path.join(cli.out, 'components') : path.join(root, 'build', 'components');
/** The names of the programs the last run could not build, one per line (absent when all built). */
const failedFile = path.join(outDir, '.failed');
/** Exit status when some programs failed to build (the others were built): the test runner goes on. */
const FAILED_STATUS = 3;
const jobs = Math.max(1, Number(process.env.KILN_BUILD_JOBS) || 2);

const PACKAGES = 'clang-19 lld-19 libclang-rt-19-dev-wasm32 wasi-libc wabt rustc libstd-rust-dev-wasm32 lld-14 binaryen';

const wasixSysroot = findWasixSysroot();
if (process.env.KILN_WASIX_SYSROOT && wasixSysroot !== WASIX_SYSROOT_CANDIDATES[0]) {
  process.stderr.write(
    `build-programs: KILN_WASIX_SYSROOT=${process.env.KILN_WASIX_SYSROOT} holds no lib/wasm32-wasi/libc.a` +
      (wasixSysroot ? `; using ${wasixSysroot}\n` : '\n'),
  );
}

/** Why the WASIX programs cannot be built here (no sysroot), or null. */
function wasixUnavailable() {
  if (wasixSysroot) return null;
  const places = [
    `$KILN_WASIX_SYSROOT (${process.env.KILN_WASIX_SYSROOT ? process.env.KILN_WASIX_SYSROOT : 'not set'})`,
    ...new Set(WASIX_SYSROOT_CANDIDATES.slice(process.env.KILN_WASIX_SYSROOT ? 1 : 0)),
  ];
  return (
    'no wasix-libc sysroot found (a directory with lib/wasm32-wasi/libc.a); looked in, in order:\n' +
    places.map((p) => `  ${p}\n`).join('') +
    'set KILN_WASIX_SYSROOT to one (shared/toolchains/wasix-sysroot/README.md says how it is built)\n'
  );
}

/** binaryen's optimiser, which adds asyncify to the WASIX programs that need it. */
const WASM_OPT = process.env.KILN_WASM_OPT || 'wasm-opt';

/**
 * WASIX programs that fork, vfork, exec (after a fork) or longjmp: wasix-libc
 * implements these by unwinding and rewinding the wasm stack (proc_fork,
 * stack_checkpoint/stack_restore), which needs asyncify.
 */
const WASIX_ASYNCIFY = /^wasix_(fork|vfork|exec|setjmp)/;

/**
 * WASIX programs built in the layout of the first generations' binaries
 * (Rust's, and the 2023 wasix-libc examples'): the stack below the data
 * (`--stack-first`), and no `asyncify_get_state` export, which the binaryen
 * of the time did not add (scripts/drop-export.mjs takes it out).
 */
const WASIX_STACK_FIRST = /^wasix_\w+_stack_first$/;
const DROP_EXPORT = 'scripts/drop-export.mjs'; // relative to the repository (tools run there)

/**
 * The wasix_64v1 WAT programs that fork or longjmp. Debian's binaryen (108)
 * cannot add asyncify to a memory64 module; the npm package `binaryen` (a
 * devDependency, binaryen compiled to JavaScript) can: its wasm-opt runs
 * under this Node.
 */
const WAT_ASYNCIFY = /^wasix64_fork/;
const WASM_OPT_MEMORY64 = 'node_modules/binaryen/bin/wasm-opt'; // relative to the repository (tools run there)

// How each language is compiled. `{src}` and `{out}` are substituted (and
// `{name}`, the program name, inside arguments); the command with the
// placeholders is what goes into the hash.
const LANGS = {
  c: {
    dir: 'c',
    ext: '.c',
    compiler: process.env.KILN_CLANG || 'clang-19',
    args: ['--target=wasm32-wasi', '--sysroot=/usr', '-O2', '-Wall', '{src}', '-o', '{out}'],
    // Shared headers in the same folder are part of every C program.
    extraInputs: (dir) =>
      fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.h'))
        .sort()
        .map((f) => path.join(dir, f)),
  },
  rust: {
    dir: 'rust',
    ext: '.rs',
    compiler: process.env.KILN_RUSTC || '/usr/bin/rustc',
    args: ['--target', 'wasm32-wasi', '-O', '-C', 'strip=debuginfo', '{src}', '-o', '{out}'],
    extraInputs: () => [],
  },
  // wasi-threads programs. Debian's wasi-libc has no threads sysroot, so
  // these are wasm32-wasi programs built with atomics against a shared
  // memory, with their own small threads library (threads/kthread.h) and
  // wasi_thread_start (threads/kthread_start.s, linked into each):
  // -Xclang -O2               optimise in the compiler only. A driver-level
  //                           -O makes clang run binaryen's wasm-opt after
  //                           linking whenever it is on PATH, and binaryen
  //                           108 (Debian) miscompiles thread-local accesses
  //                           in shared-memory modules (simplify-globals-
  //                           optimizing); clang-19's --no-wasm-opt skips the
  //                           link step altogether. Same code as -O2 without
  //                           wasm-opt, whatever is installed.
  // -matomics -mbulk-memory   atomics (memory.atomic.wait/notify, TLS) and
  //                           the bulk-memory ops that initialise a shared
  //                           memory's passive data segments once;
  // -nostartfiles             _start comes from kthread.h, not crt1-command.o
  //                           (Debian's crt1 leaves ctors/dtors to wasm-ld,
  //                           which then wraps every export, wasi_thread_start
  //                           included, in __wasm_call_ctors/dtors);
  // --import-memory --shared-memory --max-memory
  //                           import `env.memory` as a shared memory (a shared
  //                           memory must declare its maximum: 16 MiB);
  // --export-memory           also export it as "memory", which WASI hosts
  //                           (wasmtime, node:wasi, Kiln) read;
  // --export=wasi_thread_start  (also marked in the .s, kept explicit);
  // --no-check-features       wasi-libc's objects were built without atomics
  //                           and bulk-memory, which wasm-ld otherwise refuses
  //                           with --shared-memory. Harmless here: that libc
  //                           code runs single-threaded (see kthread.h);
  // --soname={name}           the module name in the name section (kept, for
  //                           wasm backtraces), instead of the temporary
  //                           output file's name.
  threads: {
    dir: 'threads',
    ext: '.c',
    compiler: process.env.KILN_CLANG || 'clang-19',
    args: [
      '--target=wasm32-wasi', '--sysroot=/usr', '-Xclang', '-O2', '-Wall', '-matomics', '-mbulk-memory', '-nostartfiles',
      '{src}', 'test/programs/threads/kthread_start.s',
      '-Wl,--import-memory,--export-memory,--shared-memory,--max-memory=16777216',
      '-Wl,--export=wasi_thread_start,--no-check-features,--soname={name}',
      '-o', '{out}',
    ],
    // The library (header and assembly) is part of every threads program.
    extraInputs: (dir) =>
      fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.h') || f.endsWith('.s'))
        .sort()
        .map((f) => path.join(dir, f)),
  },
  wat: {
    dir: 'wat',
    ext: '.wat',
    compiler: process.env.KILN_WAT2WASM || 'wat2wasm',
    // Threads enabled so that programs may use shared memory and atomics;
    // memory64 for the wasix_64v1 programs (wasix64_*).
    args: ['--enable-threads', '--enable-memory64', '{src}', '-o', '{out}'],
    // The command in the hash names no machine's paths: `process.execPath` replaces `node` when it runs.
    post: (name) => (WAT_ASYNCIFY.test(name)
      ? ['node', WASM_OPT_MEMORY64, '--enable-memory64', '--enable-threads', '--enable-mutable-globals', '-O2', '--asyncify', '{out}', '-o', '{out}']
      : null),
    extraInputs: () => [],
  },
  // waPC guests (test/programs/wapc/README.md describes each one).
  // AssemblyScript: the repository's compiler (node_modules/assemblyscript,
  // a devDependency, like @wapc/as-guest and @wapc/as-msgpack), run through
  // wapc/as/asc.mjs: plain asc, except that it patches two files of
  // @wapc/as-msgpack 0.1.15 in memory so that they compile with
  // AssemblyScript 0.28 (see there).
  // --use abort=<entry>/abort  every abort (explicit, failed assertion, throw)
  //                            calls the entry file's own `abort`, which hands
  //                            the message to as-guest's handleAbort (the
  //                            guest error) and then traps; without it asc
  //                            would import env.abort;
  // -O3 --runtime incremental  as-guest's documented build (incremental GC).
  'wapc-as': {
    dir: 'wapc/as',
    ext: '.ts',
    compiler: process.execPath,
    args: [
      'test/programs/wapc/as/asc.mjs', '{src}', '-o', '{out}',
      '-O3', '--runtime', 'incremental', '--use', 'abort=test/programs/wapc/as/{name}/abort',
    ],
    // The wrapper, and the versions and sources of the compiler and of the
    // guest libraries, are part of every AssemblyScript guest.
    extraInputs: (dir) =>
      [
        path.join(dir, 'asc.mjs'),
        'node_modules/assemblyscript/package.json',
        'node_modules/@wapc/as-guest/package.json',
        'node_modules/@wapc/as-guest/assembly/index.ts',
        'node_modules/@wapc/as-msgpack/package.json',
        ...listFiles('node_modules/@wapc/as-msgpack/assembly', '.ts'),
      ]
        .map((f) => path.resolve(root, f))
        .filter((f) => fs.existsSync(f)),
  },
  'wapc-wat': {
    dir: 'wapc/wat',
    ext: '.wat',
    compiler: process.env.KILN_WAT2WASM || 'wat2wasm',
    args: ['--enable-threads', '{src}', '-o', '{out}'],
    extraInputs: () => [],
  },
  // Rust waPC guests are reactors: cdylibs exporting __guest_call (and, for
  // wapc_rust_wasi, _initialize / wapc_init, see there);
  // -C panic=abort                  a panic traps (`unreachable`);
  // -C target-feature=+bulk-memory  memcpy/memset become memory.copy/fill:
  //                                 the no_std guest (wapc_rust_echo) would
  //                                 otherwise import env.memcpy, as nothing
  //                                 links wasi-libc into a no_std cdylib.
  'wapc-rust': {
    dir: 'wapc/rust',
    ext: '.rs',
    compiler: process.env.KILN_RUSTC || '/usr/bin/rustc',
    args: [
      '--target', 'wasm32-wasi', '--crate-type', 'cdylib', '-C', 'panic=abort', '-C', 'target-feature=+bulk-memory',
      '-O', '-C', 'strip=debuginfo', '{src}', '-o', '{out}',
    ],
    extraInputs: () => [],
  },
  // WASIX programs (test/programs/wasix/README.md), with the flags of the
  // sysroot's README (those of wasix-libc's own examples/Makefile):
  // --target=wasm32-wasmer-wasi   the WASIX target: clang defines __wasi__
  //                               and links crt1-command.o from the sysroot;
  // -O2                           also makes clang run `wasm-opt -O2` on the
  //                               linked module when binaryen is on PATH (the
  //                               threads programs' TLS miscompile does not
  //                               apply here: __tls_base is exported, and
  //                               wasix_pthreads checks TLS);
  // --sysroot=<sysroot>           wasix-libc (headers, libc.a, crt1), found
  //                               as WASIX_SYSROOT_CANDIDATES says
  //                               (scripts/wasix-toolchain.mjs, which holds
  //                               this command); its path is part of the
  //                               hashed command;
  // -matomics -mbulk-memory -mmutable-globals
  //                               the features wasix-libc was built with:
  //                               atomics on a shared memory, bulk-memory for
  //                               its passive data segments, mutable globals
  //                               (__stack_pointer, __tls_base) shared with
  //                               the host;
  // -pthread -mthread-model posix posix threads (wasi.thread-spawn,
  //                               wasi_thread_start, libpthread);
  // -ftls-model=local-exec        TLS relative to __tls_base, which
  //                               __wasm_init_tls sets for each thread;
  // -fno-trapping-math            as wasix-libc itself is built;
  // -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS
  //                               declare mmap, signal() and clock() in the
  //                               headers (with the two -l below);
  // -Wall -Wextra -Werror         as wasix-libc's examples; the programs
  //                               also build warning-free with gcc natively;
  // --shared-memory --import-memory --max-memory=268435456
  //                               import `env.memory` as a shared memory (the
  //                               host creates it and hands it to every thread;
  //                               a fork gets a copy) of at most 256 MiB: the
  //                               README says 4 GiB, which these programs are
  //                               far from needing (they behave the same with
  //                               either), and a runaway allocation fails
  //                               sooner;
  // --export-dynamic --export=__heap_base,__stack_pointer,__data_end,
  //   __wasm_init_tls,__wasm_signal,__tls_size,__tls_align,__tls_base
  //                               what a WASIX host reads or calls: the
  //                               memory layout, the TLS set-up for new
  //                               threads, and the signal entry point;
  // --export-table                the function table, as
  //                               __indirect_function_table: where a host
  //                               finds a function the guest names by its
  //                               pointer (context_create's entrypoint);
  // -lwasi-emulated-mman -lwasi-emulated-process-clocks
  //                               mmap over malloc, clock() over
  //                               clock_gettime.
  // Programs matching WASIX_ASYNCIFY then go through
  // `wasm-opt -O2 --asyncify` (`post`, part of the hashed command).
  wasix: {
    dir: 'wasix',
    ext: '.c',
    compiler: wasixCompileCommand(wasixSysroot)[0],
    args: wasixCompileCommand(wasixSysroot).slice(1),
    linkArgs: (name) => (WASIX_STACK_FIRST.test(name) ? ['-Wl,--stack-first'] : []),
    post: (name) => (WASIX_STACK_FIRST.test(name)
      ? ['node', DROP_EXPORT, '{out}', 'asyncify_get_state', '--', WASM_OPT, '-O2', '--asyncify', '{out}', '-o', '{out}']
      : WASIX_ASYNCIFY.test(name) ? [WASM_OPT, '-O2', '--asyncify', '{out}', '-o', '{out}'] : null),
    unavailable: wasixUnavailable,
    // The shared header, and the sysroot's libraries and README (which names
    // the wasix-libc commit it was built from), are part of every program.
    extraInputs: (dir) => [
      ...fs
        .readdirSync(dir)
        // The headers, and the programs a variant includes (wasix_setjmp_stack_first.c includes wasix_setjmp.c).
        .filter((f) => f.endsWith('.h') || f === 'wasix_setjmp.c')
        .sort()
        .map((f) => path.join(dir, f)),
      ...(wasixSysroot
        ? [
            path.join(wasixSysroot, 'README.md'),
            ...listFiles(path.join(wasixSysroot, 'lib', 'wasm32-wasi'), ''),
          ].filter((f) => fs.existsSync(f) && fs.statSync(f).isFile())
        : []),
    ],
  },
};

/** Files in `dir` (relative to the repository root) ending with `ext`, sorted; none if `dir` is missing. */
function listFiles(dir, ext) {
  const abs = path.resolve(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => path.join(dir, f));
}

/** `[--force] [--out DIR] [--no-components] [NAME...]`. */
function parseArgs(argv) {
  const out = { force: false, out: undefined, components: true, only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--force') out.force = true;
    else if (a === '--out' && i + 1 < argv.length) out.out = path.resolve(argv[++i]);
    else if (a === '--no-components') out.components = false;
    else if (a.startsWith('--')) {
      fail(`unknown option ${a}\nusage: node scripts/build-programs.mjs [--force] [--out DIR] [--no-components] [NAME...]`);
    } else out.only.push(a);
  }
  return out;
}

function fail(message) {
  process.stderr.write(`build-programs: ${message}\n`);
  process.exit(1);
}

function findExecutable(cmd) {
  if (cmd.includes('/')) return fs.existsSync(cmd) ? cmd : null;
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, cmd);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return null;
}

function discover() {
  const programs = [];
  const seen = new Map();
  for (const [lang, spec] of Object.entries(LANGS)) {
    const dir = path.join(srcRoot, spec.dir);
    if (!fs.existsSync(dir)) continue;
    const extras = spec.extraInputs(dir);
    for (const file of fs.readdirSync(dir).sort()) {
      if (!file.endsWith(spec.ext)) continue;
      const name = file.slice(0, -spec.ext.length);
      const src = path.join(dir, file);
      if (seen.has(name)) {
        fail(`program name "${name}" is used twice: ${path.relative(root, seen.get(name))} and ${path.relative(root, src)}`);
      }
      seen.set(name, src);
      programs.push({ name, lang, src, extras, out: path.join(outDir, `${name}.wasm`) });
    }
  }
  return programs;
}

/** The command run after the compiler for this program (`post`, with placeholders), or null. */
function postCommand(program) {
  return LANGS[program.lang].post?.(program.name) ?? null;
}

function hashOf(program) {
  const spec = LANGS[program.lang];
  const h = createHash('sha256');
  h.update(JSON.stringify([spec.compiler, ...spec.args, ...(spec.linkArgs?.(program.name) ?? [])]));
  const post = postCommand(program);
  if (post) h.update(`\0${JSON.stringify(post)}`);
  for (const file of [program.src, ...program.extras]) {
    h.update(`\0${path.relative(root, file)}\0`);
    h.update(fs.readFileSync(file));
  }
  return h.digest('hex');
}

function readHashes() {
  try {
    return JSON.parse(fs.readFileSync(hashFile, 'utf8'));
  } catch {
    return {};
  }
}

/** Runs `cmd args` in the repository root; resolves to { ok, output }. */
function runTool(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => resolve({ ok: false, output: `${err.message}\n` }));
    child.on('close', (code, signal) =>
      resolve({ ok: code === 0, output: code === 0 ? output : output || `exited with ${signal ?? code}\n` }),
    );
  });
}

async function compile(program) {
  const spec = LANGS[program.lang];
  // Build in a directory of its own and move the module into place: a
  // concurrent reader never sees a half-written module, and whatever the
  // compiler leaves next to its output (rustc's *.rcgu.o objects when a link
  // fails) goes away with the directory.
  const work = fs.mkdtempSync(path.join(outDir, `.build-${program.name}-`));
  const tmp = path.join(work, `${program.name}.wasm`);
  const fill = (a) => (a === '{src}' ? program.src : a === '{out}' ? tmp : a.replaceAll('{name}', program.name));
  try {
    let result = await runTool(spec.compiler, [...spec.args, ...(spec.linkArgs?.(program.name) ?? [])].map(fill));
    // The step after the compiler (wasm-opt --asyncify) rewrites the module in place.
    const post = postCommand(program);
    if (result.ok && post && fs.existsSync(tmp)) {
      const after = await runTool(post[0] === 'node' ? process.execPath : post[0], post.slice(1).map(fill));
      result = { ok: after.ok, output: result.output + after.output };
    }
    if (result.ok && fs.existsSync(tmp)) {
      fs.renameSync(tmp, program.out);
      return result;
    }
    return { ok: false, output: result.output || 'no module was written\n' };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * What a compiler's message says is missing, as the Debian package that
 * brings it. Some of these are only Recommends of the package one would
 * think of (rust-lld, from rustc, is a link to lld-14, which
 * libstd-rust-dev-wasm32 only recommends), so an install with
 * --no-install-recommends misses them.
 */
const MISSING_PACKAGE_HINTS = [
  [/compiler not found: clang-19/, 'clang-19', 'the C compiler'],
  [/compiler not found: \/usr\/bin\/rustc/, 'rustc', "Debian's Rust compiler (a rustup toolchain lacks the wasm32-wasi target)"],
  [/compiler not found: wat2wasm/, 'wabt', 'the WebAssembly text assembler'],
  [/linker `rust-lld` not found/, 'lld-14', "rustc's rust-lld links to lld-14's linker, which libstd-rust-dev-wasm32 only recommends"],
  [/can't find crate for `(std|core)`/, 'libstd-rust-dev-wasm32', 'the Rust standard library for wasm32-wasi'],
  [/unable to execute command: Executable "wasm-ld"|wasm-ld: not found|"wasm-ld" not found/, 'lld-19', "clang-19's WebAssembly linker"],
  [/libclang_rt\.builtins-wasm32\.a/, 'libclang-rt-19-dev-wasm32', "clang's runtime library for wasm32"],
  [/'(stdio|stdlib|string|unistd|errno)\.h' file not found|cannot open crt1(-command)?\.o|unable to find library -lc\b/, 'wasi-libc', 'the C library for wasm32-wasi'],
  [/compiler not found: (\S*\/)?wasm-opt\b/, 'binaryen', 'wasm-opt, which adds asyncify to the WASIX programs that fork, exec or longjmp'],
];

/** What a failure's output says is missing that no Debian package brings. */
const MISSING_OTHER_HINTS = [
  [/no wasix-libc sysroot found/, 'the wasix-libc sysroot (for the WASIX programs): set KILN_WASIX_SYSROOT'],
  [/no WASI preview 1 adapter at/, 'the WASI preview 1 adapter (for the components): node scripts/fetch-p1-adapter.mjs'],
  [/cannot load @bytecodealliance\/jco-transpile/, 'the devDependency @bytecodealliance/jco-transpile (for the components): npm ci'],
  [/Cannot find module '.*node_modules\/binaryen\//, 'the devDependency binaryen (asyncify for the memory64 programs): npm ci'],
];

/** Hints naming the packages (or other things) a failed build's output says are missing. */
function missingPackageHints(output) {
  return [
    ...MISSING_PACKAGE_HINTS.filter(([pattern]) => pattern.test(output)).map(
      ([, pkg, why]) => `  missing: ${pkg} (${why}): apt-get install ${pkg}`,
    ),
    ...MISSING_OTHER_HINTS.filter(([pattern]) => pattern.test(output)).map(([, what]) => `  missing: ${what}`),
  ];
}

async function main() {
  const { force, only } = cli;
  let programs = discover();
  if (only.length) {
    const unknown = only.filter((n) => !programs.some((p) => p.name === n) && !jsComponentNames(root).includes(n));
    if (unknown.length) fail(`unknown program(s): ${unknown.join(', ')}`);
    programs = programs.filter((p) => only.includes(p.name));
  }

  fs.mkdirSync(outDir, { recursive: true });
  const { failures, hints, built } = await buildPrograms(programs, force);
  const failed = failures.map((p) => p.name);
  if (built === 0 && failed.length === 0) process.stdout.write(`build-programs: ${programs.length} program(s) up to date\n`);
  else if (failed.length === 0) process.stdout.write(`build-programs: built ${built}, ${programs.length - built} up to date\n`);

  // The components of the selected programs that were built (or were up to
  // date): one whose program failed to build is not wrapped, that program
  // being listed already.
  const components = cli.components ? programs.filter((p) => isComponentProgram(p.lang, p.name)) : [];
  if (cli.components && only.length === 0) pruneComponents(componentsDir, new Set(components.map((p) => p.name)));
  const wrapped = await wrapComponents({
    root,
    programs: components.filter((p) => !failed.includes(p.name)).map((p) => ({ name: p.name, module: p.out, world: worldFileOf(p.src) })),
    dir: componentsDir,
    force,
    log: (line) => process.stdout.write(line),
  });
  if (wrapped.missing) {
    process.stderr.write(`FAILED ${path.relative(root, componentsDir)}/: ${wrapped.missing}`);
    missingPackageHints(wrapped.missing).forEach((h) => hints.add(h));
  }
  for (const { name, output } of wrapped.failures) {
    failed.push(`components/${name}`);
    if (wrapped.missing) continue;
    const h = missingPackageHints(output);
    h.forEach((x) => hints.add(x));
    const from = path.relative(root, path.join(outDir, `${name}.wasm`));
    process.stderr.write(`FAILED component ${name} (from ${from}):\n${output}${h.map((x) => `${x}\n`).join('')}`);
  }
  if (components.length > 0 && wrapped.failures.length === 0) {
    process.stdout.write(
      wrapped.built === 0
        ? `build-programs: ${wrapped.upToDate} component(s) up to date\n`
        : `build-programs: wrapped ${wrapped.built} component(s), ${wrapped.upToDate} up to date\n`,
    );
  }

  // The JavaScript components (all of them, or those named).
  const jsNames = cli.components ? jsComponentNames(root).filter((n) => only.length === 0 || only.includes(n)) : [];
  const js = await buildJsComponents({ root, names: jsNames, force, log: (line) => process.stdout.write(line) });
  for (const { name, output } of js.failures) {
    failed.push(`components-js/${name}`);
    process.stderr.write(`FAILED JavaScript component ${name}:\n${output}`);
  }
  if (jsNames.length > 0 && js.failures.length === 0 && js.built === 0) {
    process.stdout.write(`build-programs: ${js.upToDate} JavaScript component(s) up to date\n`);
  }

  if (failed.length) {
    fs.writeFileSync(failedFile, `${failed.join('\n')}\n`);
    // The packages to install, when a program failed without saying what is missing.
    const generic = hints.size === 0 && failures.length > 0;
    process.stderr.write(
      `build-programs: ${failed.length} program(s) failed to build: ${failed.join(', ')}\n` +
        [...hints].map((h) => `${h}\n`).join('') +
        (generic
          ? `If a header, library or target is missing, install: apt-get install ${PACKAGES}\n` +
            `(AssemblyScript guests: the compiler and libraries are devDependencies: npm ci)\n`
          : ''),
    );
    process.exit(FAILED_STATUS);
  }
  if (only.length === 0) fs.rmSync(failedFile, { force: true });
}

/**
 * Builds the programs whose output is missing or whose hash changed, two at
 * a time, and records the hashes. Returns the programs that failed, the
 * hints naming what is missing, and how many were built.
 */
async function buildPrograms(programs, force) {
  const { only } = cli;
  const stored = readHashes();
  const todo = [];
  const hashes = {};
  for (const p of programs) {
    p.hash = hashOf(p);
    if (!force && stored[p.name] === p.hash && fs.existsSync(p.out)) hashes[p.name] = p.hash;
    else todo.push(p);
  }
  const failures = [];
  const hintSet = new Set();
  if (todo.length === 0) return { failures, hints: hintSet, built: 0 };

  // A missing compiler (or wasm-opt, or WASIX sysroot) fails its programs, not the others.
  const toolsOf = (p) => [LANGS[p.lang].compiler, ...(postCommand(p) ? [postCommand(p)[0]] : [])];
  const missing = new Set([...new Set(todo.flatMap(toolsOf))].filter((c) => !findExecutable(c)));

  let next = 0;
  async function worker() {
    while (next < todo.length) {
      const p = todo[next++];
      const started = Date.now();
      const absent = toolsOf(p).filter((tool) => missing.has(tool));
      const unavailable = LANGS[p.lang].unavailable?.();
      const result = absent.length
        ? { ok: false, output: absent.map((tool) => `compiler not found: ${tool}\n`).join('') }
        : unavailable
          ? { ok: false, output: unavailable }
          : await compile(p);
      const rel = path.relative(root, p.src);
      if (result.ok) {
        hashes[p.name] = p.hash;
        process.stdout.write(`built ${p.name}.wasm from ${rel} (${Date.now() - started} ms)\n`);
        if (result.output.trim()) process.stdout.write(result.output);
      } else {
        failures.push(p);
        const hints = missingPackageHints(result.output);
        hints.forEach((h) => hintSet.add(h));
        process.stderr.write(`FAILED ${rel}:\n${result.output}${hints.map((h) => `${h}\n`).join('')}`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, todo.length) }, worker));

  // Keep the hashes of programs not built in this run (when NAMEs were given).
  const merged = only.length ? { ...stored, ...hashes } : hashes;
  for (const p of failures) delete merged[p.name];
  fs.writeFileSync(hashFile, `${JSON.stringify(merged, null, 2)}\n`);
  return { failures, hints: hintSet, built: todo.length - failures.length };
}

await main();
