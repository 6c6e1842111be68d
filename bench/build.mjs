#!/usr/bin/env node
// Compiles bench/programs/*.c (clang, wasm32-wasi) and bench/programs/*.wat
// (wat2wasm) into build/bench/*.wasm, and the native reference programs
// bench/programs/native/*.c (gcc -O2 -pthread, for bench/threads.mjs) into
// build/bench/native/NAME. A program is rebuilt only when the hash of its
// inputs (source, shared headers, tool, flags) changed.
//
// Environment overrides:
//   CLANG=/path/to/clang        (default: clang-19, then clang)
//   WASI_SYSROOT=/path/sysroot  (default: /usr, i.e. Debian's wasi-libc)
//   WAT2WASM=/path/to/wat2wasm  (default: wat2wasm)
//   CC=/path/to/gcc             native programs (default: gcc)
//
// Usage: node bench/build.mjs [--force] [--quiet]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..');
export const programsDir = path.join(here, 'programs');
export const outDir = path.join(repoRoot, 'build', 'bench');
export const nativeProgramsDir = path.join(programsDir, 'native');
export const nativeOutDir = path.join(outDir, 'native');
const stampFile = path.join(outDir, '.stamps.json');

const CFLAGS = ['--target=wasm32-wasi', '-O2', '-Wall', '-Wextra'];
const NATIVE_CFLAGS = ['-O2', '-pthread', '-Wall', '-Wextra'];

function which(cmd) {
  if (cmd.includes('/')) return fs.existsSync(cmd) ? cmd : null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {}
  }
  return null;
}

function findClang() {
  const candidates = process.env.CLANG ? [process.env.CLANG] : ['clang-19', 'clang'];
  for (const c of candidates) {
    const p = which(c);
    if (p) return p;
  }
  return null;
}

function sysroot() {
  if (process.env.WASI_SYSROOT) return process.env.WASI_SYSROOT;
  for (const p of ['/usr', '/opt/wasi-sdk/share/wasi-sysroot']) {
    if (fs.existsSync(path.join(p, 'include', 'wasm32-wasi')) || fs.existsSync(path.join(p, 'include', 'wasi'))) {
      return p;
    }
  }
  return '/usr';
}

function readStamps() {
  try {
    return JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  } catch {
    return {};
  }
}

/** Lists the benchmark program sources: [{ name, src, kind }]. */
export function listPrograms() {
  return fs
    .readdirSync(programsDir)
    .filter((f) => f.endsWith('.c') || f.endsWith('.wat'))
    .sort()
    .map((f) => ({
      name: f.replace(/\.(c|wat)$/, ''),
      src: path.join(programsDir, f),
      kind: f.endsWith('.c') ? 'c' : 'wat',
    }));
}

/**
 * Builds every program (or only `names`). Returns { name: wasmPath }.
 * Throws if a program cannot be built and no previous build exists.
 */
export function buildBench({ names = null, force = false, quiet = false } = {}) {
  fs.mkdirSync(outDir, { recursive: true });
  const log = quiet ? () => {} : (msg) => console.error(msg);
  const stamps = readStamps();
  const headers = fs
    .readdirSync(programsDir)
    .filter((f) => f.endsWith('.h'))
    .sort()
    .map((f) => f + '\0' + fs.readFileSync(path.join(programsDir, f), 'utf8'))
    .join('\0');

  const clang = findClang();
  const wat2wasm = which(process.env.WAT2WASM ?? 'wat2wasm');
  const root = sysroot();
  const result = {};
  let built = 0;

  for (const prog of listPrograms()) {
    if (names && !names.includes(prog.name)) continue;
    const out = path.join(outDir, `${prog.name}.wasm`);
    let tool;
    let args;
    if (prog.kind === 'c') {
      tool = clang;
      args = [...CFLAGS, `--sysroot=${root}`, prog.src, '-o', out];
    } else {
      tool = wat2wasm;
      args = [prog.src, '-o', out];
    }
    const hash = createHash('sha256')
      .update(fs.readFileSync(prog.src))
      .update('\0')
      .update(prog.kind === 'c' ? headers : '')
      .update('\0')
      .update(String(tool))
      .update('\0')
      .update(args.join(' '))
      .digest('hex');

    if (!force && stamps[prog.name] === hash && fs.existsSync(out)) {
      result[prog.name] = out;
      continue;
    }
    if (!tool) {
      const what = prog.kind === 'c' ? 'clang (set CLANG=...)' : 'wat2wasm (set WAT2WASM=...)';
      if (fs.existsSync(out)) {
        log(`bench/build: ${what} not found; using existing, possibly stale ${path.relative(repoRoot, out)}`);
        result[prog.name] = out;
        continue;
      }
      throw new Error(`bench/build: cannot build ${prog.name}: ${what} not found`);
    }
    log(`bench/build: ${path.basename(tool)} ${path.relative(repoRoot, prog.src)} -> ${path.relative(repoRoot, out)}`);
    try {
      execFileSync(tool, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (err) {
      delete stamps[prog.name];
      fs.writeFileSync(stampFile, JSON.stringify(stamps, null, 2) + '\n');
      throw new Error(`bench/build: failed to build ${prog.name}: ${err.message}`);
    }
    stamps[prog.name] = hash;
    built++;
    result[prog.name] = out;
  }
  fs.writeFileSync(stampFile, JSON.stringify(stamps, null, 2) + '\n');
  if (built === 0) log('bench/build: all programs up to date');
  return result;
}

/** Lists the native reference programs: [{ name, src }]. */
export function listNativePrograms() {
  if (!fs.existsSync(nativeProgramsDir)) return [];
  return fs
    .readdirSync(nativeProgramsDir)
    .filter((f) => f.endsWith('.c'))
    .sort()
    .map((f) => ({ name: f.slice(0, -2), src: path.join(nativeProgramsDir, f) }));
}

/**
 * Builds the native programs (or only `names`) with gcc. Returns
 * { name: executablePath }. Like buildBench: uses an existing, possibly stale
 * build when gcc is missing, and throws when there is none.
 */
export function buildNative({ names = null, force = false, quiet = false } = {}) {
  fs.mkdirSync(nativeOutDir, { recursive: true });
  const log = quiet ? () => {} : (msg) => console.error(msg);
  const stamps = readStamps();
  const cc = which(process.env.CC ?? 'gcc');
  const result = {};
  let built = 0;
  for (const prog of listNativePrograms()) {
    if (names && !names.includes(prog.name)) continue;
    const key = `native/${prog.name}`;
    const out = path.join(nativeOutDir, prog.name);
    const args = [...NATIVE_CFLAGS, prog.src, '-o', out];
    const hash = createHash('sha256')
      .update(fs.readFileSync(prog.src))
      .update('\0')
      .update(String(cc))
      .update('\0')
      .update(args.join(' '))
      .digest('hex');
    if (!force && stamps[key] === hash && fs.existsSync(out)) {
      result[prog.name] = out;
      continue;
    }
    if (!cc) {
      if (fs.existsSync(out)) {
        log(`bench/build: gcc not found (set CC=...); using existing, possibly stale ${path.relative(repoRoot, out)}`);
        result[prog.name] = out;
        continue;
      }
      throw new Error(`bench/build: cannot build native ${prog.name}: gcc not found (apt-get install gcc, or set CC=...)`);
    }
    log(`bench/build: ${path.basename(cc)} ${path.relative(repoRoot, prog.src)} -> ${path.relative(repoRoot, out)}`);
    try {
      execFileSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (err) {
      delete stamps[key];
      fs.writeFileSync(stampFile, JSON.stringify(stamps, null, 2) + '\n');
      throw new Error(`bench/build: failed to build native ${prog.name}: ${err.message}`);
    }
    stamps[key] = hash;
    built++;
    result[prog.name] = out;
  }
  fs.writeFileSync(stampFile, JSON.stringify(stamps, null, 2) + '\n');
  if (built === 0) log('bench/build: native programs up to date');
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const argv = process.argv.slice(2);
    const opts = { force: argv.includes('--force'), quiet: argv.includes('--quiet') };
    const out = buildBench(opts);
    const native = buildNative(opts);
    if (!argv.includes('--quiet')) {
      for (const [name, p] of Object.entries(out)) console.log(`${name}\t${path.relative(repoRoot, p)}`);
      for (const [name, p] of Object.entries(native)) console.log(`native/${name}\t${path.relative(repoRoot, p)}`);
    }
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
