/**
 * The syscall fuzzer: every preview 1 function (except proc_exit and
 * proc_raise, which end the guest by design) is called directly, thousands
 * of times, with random arguments derived from its signature kinds. Each
 * call must return an integer errno in [0, 76] and never throw; afterwards
 * the host must still work (a normal fd_write to the captured stdout).
 *
 * The guest is a memory-only wasm module built in the test (see
 * helpers/wasm-module.ts) and bound with wasi.initialize(). The PRNG is
 * seeded, so every run makes the same calls; set KILN_FUZZ_SEED to explore
 * other sequences. poll_oneoff gets subscriptions written by the fuzzer
 * with clock timeouts of at most 20 µs (relative) or in the past
 * (absolute), so it never sleeps for long.
 *
 * A last campaign asserts that EIO never comes back: behind a
 * MemoryFileSystem nothing can fail with a real I/O error, and the errno
 * boundary maps any unexpected JavaScript exception to EIO.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WASI, MemoryFileSystem, CaptureStream, BufferInputStream, PREVIEW1, errnoName } from '../../src/node.js';
import { isI64Kind, type ParamKind, type Preview1Name, type Signature } from '../../src/abi/signatures.js';
import { Prng } from './helpers/prng.js';
import { instantiateMemoryModule } from './helpers/wasm-module.js';

const BASE_SEED = Number(process.env['KILN_FUZZ_SEED'] ?? 0x6b696c6e);
const CALLS_PER_FUNCTION = 3000;
const INTERLEAVED_CALLS = 40000;
const EIO_CALLS = 120000;
const ERRNO_MAX = 76;
const EIO = 29;

type AnyImport = (...args: (number | bigint)[]) => unknown;
const EXCLUDED = new Set<string>(['proc_exit', 'proc_raise']);
const NAMES = (Object.keys(PREVIEW1) as Preview1Name[]).filter((n) => !EXCLUDED.has(n));

// ---------------------------------------------------------------------------
// Guest memory layout the fuzzer seeds (pointers also go anywhere else).

const STR_AREA = 0x1000;
const IOV_AREA = 0x2000;
const BUF_AREA = 0x3000;
const SCRATCH = 0x6000; // out-pointers and poll subscriptions land here often
const POOL_END = 0x4000;

/** The first COMMON_NAMES strings name things that exist or can be created. */
const COMMON_NAMES = 9;
const POOL_STRINGS: (string | number[])[] = [
  'a.txt', 'd', 'd/b.txt', 'd/e', 'new', 'new.txt', 'newdir', 'link', 'link2',
  'd/e/', 'newdir/', 'loop', 'd/../a.txt', '.', './', '..', '../x', '/etc/passwd', '/', '', 'a.txt/',
  'd//b.txt', 'é', 'd/e/f/g', 'x\0y', [0xff, 0xfe], [0xc3], 'n'.repeat(300), 'link/', '../../..',
  'd/e/../../a.txt',
];

interface Pools {
  strings: [number, number][];
  iovecs: [number, number][];
  image: Uint8Array;
}

function buildPools(rng: Prng): Pools {
  const image = new Uint8Array(POOL_END - STR_AREA);
  const dv = new DataView(image.buffer);
  const strings: [number, number][] = [];
  let at = STR_AREA;
  for (const s of POOL_STRINGS) {
    const b = typeof s === 'string' ? new TextEncoder().encode(s) : new Uint8Array(s);
    image.set(b, at - STR_AREA);
    strings.push([at, b.byteLength]);
    at += b.byteLength + 1;
  }
  assert.ok(at < IOV_AREA);
  // iovec arrays: [ptr, count] of arrays whose entries point into BUF_AREA (mostly valid).
  const iovecs: [number, number][] = [];
  let iat = IOV_AREA;
  for (let k = 0; k < 12; k++) {
    const count = k === 0 ? 0 : rng.range(1, 6);
    iovecs.push([iat, count]);
    for (let i = 0; i < count; i++) {
      const kind = rng.below(10);
      const p = kind === 0 ? 0xfff0 + rng.below(32) : BUF_AREA + rng.below(0x2f00);
      const l = kind === 1 ? 0 : kind === 2 ? 0xffffffff : rng.below(200);
      dv.setUint32(iat - STR_AREA, p, true);
      dv.setUint32(iat - STR_AREA + 4, l, true);
      iat += 8;
    }
  }
  assert.ok(iat < BUF_AREA);
  for (let i = BUF_AREA - STR_AREA; i < image.length; i++) image[i] = rng.u32() & 0xff;
  return { strings, iovecs, image };
}

// ---------------------------------------------------------------------------
// Argument generators by kind.

function i32Special(rng: Prng, memSize: number): number {
  return rng.pick([0, 1, -1, 0x7fffffff, 0xffffffff, 0x80000000, -0x80000000, memSize, memSize - rng.range(1, 16),
    0x20000000, 0x20000001, 0x10000000]);
}

function randomI32(rng: Prng): number {
  return rng.u32() | 0;
}

function genFd(rng: Prng, memSize: number, openFds: readonly number[]): number {
  const r = rng.below(20);
  if (r < 9 && openFds.length > 0) return rng.pick(openFds); // mostly descriptors that exist
  if (r < 14) return rng.range(0, 10);
  if (r < 16) return i32Special(rng, memSize);
  if (r < 18) return rng.range(0, 1100);
  return randomI32(rng);
}

function genPtr(rng: Prng, memSize: number): number {
  const r = rng.below(20);
  if (r < 5) return i32Special(rng, memSize);
  if (r < 10) return rng.below(memSize);
  if (r < 14) return SCRATCH + rng.below(0x1000);
  if (r < 16) return memSize - rng.range(0, 80);
  if (r < 18) return randomI32(rng);
  return 0;
}

function genLen(rng: Prng, memSize: number): number {
  const r = rng.below(20);
  if (r < 7) return rng.range(0, 8);
  if (r < 11) return i32Special(rng, memSize);
  if (r < 15) return rng.below(memSize);
  if (r < 17) return rng.range(0, 300);
  return randomI32(rng);
}

function genFlags(rng: Prng, bits: number): number {
  const r = rng.below(20);
  if (r < 14) return rng.below(1 << bits); // defined bits only
  if (r < 17) return 0;
  if (r < 19) return rng.below(1 << (bits + 2)); // some undefined bits
  return randomI32(rng);
}

const FLAG_BITS: Partial<Record<ParamKind, number>> = {
  fdflags: 5, oflags: 4, lookupflags: 1, fstflags: 4, riflags: 2, siflags: 1, sdflags: 2,
};

function genI32(kind: ParamKind, rng: Prng, memSize: number, openFds: readonly number[]): number {
  const bits = FLAG_BITS[kind];
  if (bits !== undefined) return genFlags(rng, bits);
  switch (kind) {
    case 'fd': return genFd(rng, memSize, openFds);
    case 'ptr': case 'strptr': return genPtr(rng, memSize);
    case 'len': case 'strlen': return genLen(rng, memSize);
    case 'clockid': return rng.chance(0.8) ? rng.range(0, 5) : i32Special(rng, memSize);
    case 'whence': return rng.chance(0.8) ? rng.range(0, 3) : i32Special(rng, memSize);
    case 'advice': return rng.chance(0.8) ? rng.range(0, 6) : i32Special(rng, memSize);
    default: return rng.chance(0.5) ? rng.range(0, 64) : i32Special(rng, memSize);
  }
}

/**
 * File sizes and offsets: small, above 4 GiB, around the largest safe
 * integer, negative and huge. Values in [2^22, 2^32) are left out on
 * purpose: MemoryFileSystem would really allocate them (files of up to
 * 4 GiB), which is legitimate but slow; beyond 4 GiB it must refuse.
 */
function genFileOffset(rng: Prng): bigint {
  switch (rng.below(9)) {
    case 0: return 0n;
    case 1: return BigInt(rng.range(0, 64));
    case 2: return BigInt(rng.below(1 << 16));
    case 3: return BigInt(rng.below(1 << 22));
    case 4: return -BigInt(rng.range(1, 1 << 16));
    case 5: return (1n << 32n) + BigInt(rng.u32()) * BigInt(rng.below(1 << 21));
    case 6: return rng.pick([(1n << 53n) - 1n, 1n << 53n, (1n << 63n) - 1n, -(1n << 63n), -1n, (1n << 64n) - 1n]);
    case 7: return rng.i64();
    default: return rng.u64();
  }
}

function genI64(kind: ParamKind, rng: Prng): bigint {
  switch (kind) {
    case 'filesize': case 'filedelta': return genFileOffset(rng);
    case 'rights':
      return rng.pick([0n, -1n, (1n << 30n) - 1n, rng.u64(), BigInt(rng.u32() & 0x3fffffff), BigInt(1 << rng.below(30)), 0x42n]);
    case 'timestamp':
      return rng.pick([0n, 1n, -1n, 1000n, rng.u64(), rng.i64(), 1_700_000_000_000_000_000n + BigInt(rng.u32())]);
    case 'dircookie':
      return rng.pick([0n, 1n, 2n, 3n, BigInt(rng.below(64)), -1n, rng.u64(), 1n << 53n]);
    default:
      return rng.pick([0n, 1n, -1n, rng.u64(), rng.i64()]);
  }
}

// ---------------------------------------------------------------------------
// A fuzzing session: one WASI, one guest memory.

interface Finding { name: string; call: number; args: string; outcome: string }

function fmt(args: readonly (number | bigint)[]): string {
  return args.map((a) => (typeof a === 'bigint' ? `${a}n` : String(a))).join(', ');
}

class Session {
  readonly wasi: WASI;
  readonly imports: Record<string, AnyImport>;
  readonly memory: WebAssembly.Memory;
  readonly stdout = new CaptureStream();
  readonly rng: Prng;
  readonly pools: Pools;
  readonly findings: Finding[] = [];
  readonly eio: Finding[] = [];
  calls = 0;

  readonly #protected: readonly number[];

  /**
   * @param options.protectPreopens keep fds 3 and 4 (the preopened
   *   directories) open too, so a long interleaved run keeps reaching the
   *   filesystem instead of answering EBADF once a random fd_close hit them.
   */
  constructor(seed: number, options: { maxPages?: number; protectPreopens?: boolean } = {}) {
    this.#protected = options.protectPreopens === true ? [1, 3, 4] : [1];
    this.rng = new Prng(seed);
    const randomBytes = new Prng(seed ^ 0x5a5a5a5a);
    const sandbox = new MemoryFileSystem({ 'a.txt': 'hello', d: { 'b.txt': 'bee', e: {} } });
    sandbox.root.symlink('link', 'a.txt');
    sandbox.root.symlink('loop', 'loop');
    sandbox.root.symlink('up', '../..');
    this.wasi = new WASI({
      args: ['fuzz', 'arg one', 'ünïcödé'],
      env: { A: '1', PATH: '/bin:/usr/bin', EMPTY: '' },
      preopens: { '/sandbox': sandbox, '/other': new MemoryFileSystem({ 'c.txt': 'sea' }) },
      stdin: new BufferInputStream('standard input for the fuzzer\n'.repeat(20)),
      stdout: this.stdout,
      stderr: new CaptureStream(),
      random: (dst) => {
        const word = randomBytes.u32();
        for (let i = 0; i < dst.length; i++) dst[i] = (word >>> ((i & 3) * 8)) + i;
      },
    });
    const instance = instantiateMemoryModule({ pages: 1, ...(options.maxPages !== undefined ? { maxPages: options.maxPages } : {}) });
    this.memory = instance.exports['memory'] as WebAssembly.Memory;
    this.wasi.initialize(instance);
    this.imports = this.wasi.wasiImport as unknown as Record<string, AnyImport>;
    this.pools = buildPools(this.rng);
    const bytes = new Uint8Array(this.memory.buffer);
    for (let i = SCRATCH; i < bytes.length; i++) bytes[i] = this.rng.u32() & 0xff;
    this.reseed();
  }

  get memSize(): number { return this.memory.buffer.byteLength; }

  reseed(): void {
    new Uint8Array(this.memory.buffer).set(this.pools.image, STR_AREA);
  }

  args(name: Preview1Name): (number | bigint)[] {
    if (name === 'poll_oneoff') return this.pollArgs();
    const sig: Signature = PREVIEW1[name];
    const rng = this.rng;
    const mem = this.memSize;
    const table = this.wasi.process.fds;
    const openFds = table.numbers();
    // path_* calls act on directories: offer those most of the time.
    const dirFds = name.startsWith('path_') ? openFds.filter((fd) => table.get(fd).resource.filetype === 3) : [];
    const out: (number | bigint)[] = [];
    for (let i = 0; i < sig.length; i++) {
      const [pname, kind] = sig[i]!;
      const next = sig[i + 1];
      if (kind === 'fd' && dirFds.length > 0 && rng.chance(0.6)) {
        out.push(rng.pick(dirFds));
        continue;
      }
      if (kind === 'strptr' && next?.[1] === 'strlen' && rng.chance(0.7)) {
        // Half the time one of the names that exist or can be created, so calls get past lookup.
        const [p, l] = rng.pick(rng.chance(0.5) ? this.pools.strings.slice(0, COMMON_NAMES) : this.pools.strings);
        out.push(p, rng.chance(0.95) ? l : genLen(rng, mem));
        i++;
        continue;
      }
      if ((pname === 'iovs' || pname === 'ri_data' || pname === 'si_data') && next?.[1] === 'len' && rng.chance(0.6)) {
        const [p, n] = rng.pick(this.pools.iovecs);
        out.push(p, rng.chance(0.9) ? n : genLen(rng, mem));
        i++;
        continue;
      }
      out.push(isI64Kind(kind) ? genI64(kind, rng) : genI32(kind, rng, mem, openFds));
    }
    return this.protectStdout(name, out);
  }

  /** Keeps fd 1 open and writable, so the final fd_write check means something (and fds 3, 4 when asked). */
  protectStdout(name: Preview1Name, args: (number | bigint)[]): (number | bigint)[] {
    const other = (v: number | bigint): number | bigint =>
      (typeof v === 'number' && this.#protected.includes(v) ? this.rng.pick([0, 2, 5, 6, 7]) : v);
    if (name === 'fd_close' || name === 'fd_fdstat_set_rights') args[0] = other(args[0]!);
    if (name === 'fd_renumber') { args[0] = other(args[0]!); args[1] = other(args[1]!); }
    return args;
  }

  /** poll_oneoff with subscriptions the fuzzer writes itself (bounded clock timeouts). */
  pollArgs(): (number | bigint)[] {
    const rng = this.rng;
    const mem = this.memSize;
    const r = rng.below(10);
    const n = r < 6 ? rng.range(1, 8) : r === 6 ? 0 : r === 7 ? rng.range(1, 64)
      : rng.pick([0xffffffff, 0x7fffffff, 1366, 1365, 89478486, 0x10000000, 0x08000000, 0x20000000]);
    const inPtr = rng.chance(0.6) ? SCRATCH + rng.below(0x800) : genPtr(rng, mem);
    const outPtr = rng.chance(0.6) ? SCRATCH + 0x2000 + rng.below(0x800) : genPtr(rng, mem);
    const neventsOut = genPtr(rng, mem);
    const start = inPtr >>> 0;
    if (start + n * 48 <= mem) {
      const dv = new DataView(this.memory.buffer);
      for (let i = 0; i < n; i++) {
        const b = start + i * 48;
        for (let k = 0; k < 48; k += 4) dv.setUint32(b + k, rng.u32(), true);
        const tag = rng.chance(0.85) ? rng.range(0, 2) : rng.u32() & 0xff;
        dv.setUint8(b + 8, tag);
        // Whatever the tag, the clock fields must never ask for a long sleep:
        // a random tag byte could still be read as CLOCK by a buggy decoder.
        const clockId = rng.chance(0.9) ? rng.range(0, 4) : rng.u32();
        dv.setUint32(b + 16, tag === 0 ? clockId : genFd(rng, mem, this.wasi.process.fds.numbers()), true);
        dv.setBigUint64(b + 24, BigInt(rng.range(0, 20000)), true);
        dv.setUint16(b + 40, rng.below(4), true);
      }
    }
    return [inPtr, outPtr, n, neventsOut];
  }

  call(name: Preview1Name): number | undefined {
    if (this.calls % 16 === 0) this.reseed();
    this.calls++;
    const args = this.args(name);
    const fn = this.imports[name]!;
    let result: unknown;
    try {
      result = fn(...args);
    } catch (e) {
      this.findings.push({ name, call: this.calls, args: fmt(args), outcome: `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` });
      return undefined;
    }
    if (typeof result !== 'number' || !Number.isInteger(result) || result < 0 || result > ERRNO_MAX) {
      this.findings.push({ name, call: this.calls, args: fmt(args), outcome: `returned ${String(result)}` });
      return undefined;
    }
    if (result === EIO) this.eio.push({ name, call: this.calls, args: fmt(args), outcome: 'EIO' });
    return result;
  }

  /** A normal fd_write of known bytes to stdout; returns [errno, nwritten, stdout ends with them]. */
  writeStdout(text: string): [number, number, boolean] {
    const data = new TextEncoder().encode(text);
    const dv = new DataView(this.memory.buffer);
    const bytes = new Uint8Array(this.memory.buffer);
    bytes.set(data, 0x100);
    dv.setUint32(0x80, 0x100, true);
    dv.setUint32(0x84, data.byteLength, true);
    const errno = this.imports['fd_write']!(1, 0x80, 1, 0x90) as number;
    const nwritten = dv.getUint32(0x90, true);
    const all = this.stdout.bytes();
    const tail = all.subarray(all.byteLength - data.byteLength);
    return [errno, nwritten, Buffer.from(tail).equals(Buffer.from(data))];
  }
}

function seedFor(name: string): number {
  let h = BASE_SEED >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function report(findings: readonly Finding[], seed: number): string {
  const shown = findings.slice(0, 8).map((f) => `  call #${f.call}: ${f.name}(${f.args}) ${f.outcome}`);
  return `${findings.length} bad call(s) (seed ${seed}):\n${shown.join('\n')}`;
}

function assertHostUsable(s: Session): void {
  const [errno, nwritten, landed] = s.writeStdout('still alive\n');
  assert.equal(errnoName(errno), 'SUCCESS', 'fd_write to stdout after fuzzing');
  assert.equal(nwritten, 12);
  assert.ok(landed, 'the bytes reached the captured stdout');
}

// ---------------------------------------------------------------------------

describe('every function alone', () => {
  for (const name of NAMES) {
    test(`${name}: ${CALLS_PER_FUNCTION} random calls return an errno in [0, 76] and never throw`, () => {
      const seed = seedFor(name);
      const s = new Session(seed);
      for (let i = 0; i < CALLS_PER_FUNCTION; i++) s.call(name);
      assert.equal(s.findings.length, 0, report(s.findings, seed));
      assertHostUsable(s);
    });
  }
});

describe('all functions interleaved', () => {
  test(`${INTERLEAVED_CALLS} calls across all functions on one WASI return errnos and leave the host usable`, () => {
    const seed = seedFor('interleaved');
    const s = new Session(seed);
    for (let i = 0; i < INTERLEAVED_CALLS; i++) s.call(s.rng.pick(NAMES));
    assert.equal(s.findings.length, 0, report(s.findings, seed));
    assertHostUsable(s);
  });

});

describe('fuzzer power', () => {
  test('the fuzzer reaches past argument checks: most functions succeed sometimes, many errnos come back', () => {
    const succeeded: string[] = [];
    const errnos = new Set<number>();
    for (const name of NAMES) {
      const s = new Session(seedFor(`coverage:${name}`));
      let ok = false;
      for (let i = 0; i < CALLS_PER_FUNCTION; i++) {
        const r = s.call(name);
        if (r === undefined) continue;
        errnos.add(r);
        if (r === 0) ok = true;
      }
      if (ok) succeeded.push(name);
    }
    const mustSucceed = [
      'args_get', 'environ_get', 'clock_time_get', 'random_get', 'fd_prestat_get', 'fd_prestat_dir_name',
      'fd_fdstat_get', 'fd_filestat_get', 'fd_write', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_close',
      'path_open', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times', 'path_symlink',
      'path_readlink', 'path_link', 'path_rename', 'path_unlink_file', 'path_remove_directory', 'poll_oneoff',
    ];
    const missing = mustSucceed.filter((n) => !succeeded.includes(n));
    assert.deepEqual(missing, [], `functions that never succeeded: ${missing.join(', ')}`);
    const expected = [8, 20, 21, 25, 28, 31, 32, 37, 44, 54, 55, 57, 63, 76];
    const absent = expected.filter((e) => !errnos.has(e)).map((e) => `E${errnoName(e)}`);
    assert.deepEqual(absent, [], `errnos never seen: ${absent.join(', ')}`);
  });
});

describe('poll_oneoff', () => {
  test('random subscriptions with tiny clock timeouts: errnos only, and no long sleeps', () => {
    const seed = seedFor('poll-timing');
    const s = new Session(seed);
    let slowest = 0;
    for (let i = 0; i < 3000; i++) {
      const t0 = performance.now();
      s.call('poll_oneoff');
      slowest = Math.max(slowest, performance.now() - t0);
    }
    assert.equal(s.findings.length, 0, report(s.findings, seed));
    assert.ok(slowest < 250, `slowest poll_oneoff took ${slowest.toFixed(1)} ms`);
    assertHostUsable(s);
  });
});

describe('no hidden exceptions', () => {
  // The errno boundary maps any exception it does not know (a TypeError, a
  // RangeError: a bug) to EIO. Behind a MemoryFileSystem there is no real
  // I/O that could fail, so an EIO means a JavaScript exception was
  // swallowed. Memory grows now and then, as a guest's allocator makes it.
  test('EIO never comes back from a guest backed by MemoryFileSystem, even as memory grows', () => {
    const seed = seedFor('eio');
    const findings: Finding[] = [];
    const eio: Finding[] = [];
    // Fresh guests of one page, each growing by a page every 100 calls.
    for (let round = 0; round < EIO_CALLS / 2400; round++) {
      const s = new Session(seed + round, { maxPages: 32, protectPreopens: true });
      for (let i = 0; i < 2400; i++) {
        if (i % 100 === 99) s.memory.grow(1);
        s.call(s.rng.pick(NAMES));
      }
      findings.push(...s.findings);
      eio.push(...s.eio);
    }
    const s = { findings, eio };
    assert.equal(s.findings.length, 0, report(s.findings, seed));
    const byFunction = new Map<string, Finding[]>();
    for (const f of s.eio) byFunction.set(f.name, [...(byFunction.get(f.name) ?? []), f]);
    const summary = [...byFunction].map(([n, fs]) =>
      `  ${n}: ${fs.length}x, e.g. call #${fs[0]!.call}: ${n}(${fs[0]!.args})`);
    assert.equal(s.eio.length, 0, `EIO came back ${s.eio.length} time(s) (seed ${seed}):\n${summary.join('\n')}`);
  });
});
