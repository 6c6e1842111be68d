/**
 * i64 at the boundary: the i64 adapter (src/exec/i64-adapter.ts) that
 * hands wasm i64 arguments to the syscall bodies as two i32 halves, the
 * helpers that read a split value (abi/signatures.ts), the syscalls that
 * take them (exact values across the whole i64 range), the import objects
 * a guest links (node:wasi's signatures kept), the tracer's whole values,
 * the clocks' fast path and poll_oneoff's 64-bit timeouts and userdata.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WASI as NodeWASI } from 'node:wasi';
import { Rights } from '../../src/abi/constants.js';
import { Errno } from '../../src/abi/errno.js';
import { EVENT, FDSTAT, FILESTAT, SUBSCRIPTION } from '../../src/abi/layouts.js';
import {
  i64Big, i64Number, i64Safe, PREVIEW1, splitI64, splitLength, u64Number, u64Safe, UNSTABLE, type Signature,
} from '../../src/abi/signatures.js';
import { adapt, adapterBytes, i64AdapterModule, linkThroughAdapter, type SplitFunction } from '../../src/exec/i64-adapter.js';
import { systemClocks, type Clocks } from '../../src/host/clocks.js';
import { joinSplitArgs, traceImports } from '../../src/syscalls/trace.js';
import { CaptureStream, MemoryFileSystem, WASI } from '../../src/node.js';
import { instantiateMemoryModule, uleb } from './helpers/wasm-module.js';

const TWO_32 = 2n ** 32n;

/** The values the brief of this file names, and the ends of both ranges. */
const EDGES: readonly bigint[] = [
  0n, 1n, TWO_32 - 1n, TWO_32, TWO_32 + 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n,
  2n ** 63n - 1n, -(2n ** 63n), -1n, -5n, -(2n ** 53n) + 1n, -(2n ** 53n), 2n ** 64n - 1n, 2n ** 64n - 2n,
];

/** What a guest passes as an i64 for `v`, as V8 hands it to JavaScript (signed). */
const asI64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** The halves the adapter must hand over for `v`: wasm i32 values, signed. */
function halves(v: bigint): [number, number] {
  return [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];
}

// ---------------------------------------------------------------------------
// A guest module that imports `w.f` with the given parameters and exports
// `call` with the same ones, forwarding them: wasm calling the adapter's
// export, as a guest does (a wasm-to-wasm call whose types must match).

const I32 = 0x7f;
const I64 = 0x7e;

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
}

function forwarderBytes(params: readonly boolean[]): Uint8Array<ArrayBuffer> {
  const types = params.map((wide) => (wide ? I64 : I32));
  const type = [0x60, ...uleb(types.length), ...types, 1, I32];
  const body = [0, ...params.flatMap((_, i) => [0x20, ...uleb(i)]), 0x10, 0, 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, ...type]),
    ...section(2, [1, ...name('w'), ...name('f'), 0x00, 0]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('call'), 0x00, 1]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

/** A guest's `call`, linked to `imported` (which must have the guest's signature). */
function guest(params: readonly boolean[], imported: unknown): (...args: (number | bigint)[]) => number {
  const module = new WebAssembly.Module(forwarderBytes(params));
  const instance = new WebAssembly.Instance(module, { w: { f: imported as () => number } });
  return instance.exports['call'] as (...args: (number | bigint)[]) => number;
}

function i64Of(sig: Signature): boolean[] {
  return sig.map(([, kind]) => kind === 'u64' || kind === 'rights' || kind === 'timestamp' || kind === 'filesize' ||
    kind === 'filedelta' || kind === 'dircookie');
}

describe('the adapter module', () => {
  test('its binary: one import of the split form, one export of the whole form, per function', () => {
    const module = new WebAssembly.Module(adapterBytes([['clock_time_get', [false, true, false]], ['path_open', i64Of(PREVIEW1.path_open)]]));
    assert.deepEqual(WebAssembly.Module.imports(module), [
      { module: 'k', name: 'clock_time_get', kind: 'function' },
      { module: 'k', name: 'path_open', kind: 'function' },
    ]);
    assert.deepEqual(WebAssembly.Module.exports(module), [
      { name: 'clock_time_get', kind: 'function' },
      { name: 'path_open', kind: 'function' },
    ]);
  });

  test('compiled once per list of parameter types, shared by functions of the same types', () => {
    const pread = i64AdapterModule(i64Of(PREVIEW1.fd_pread));
    assert.equal(i64AdapterModule(i64Of(PREVIEW1.fd_pwrite)), pread);
    assert.equal(i64AdapterModule(i64Of(PREVIEW1.fd_readdir)), pread);
    assert.notEqual(i64AdapterModule(i64Of(PREVIEW1.fd_seek)), pread);
  });

  test('exact halves across the i64 range, from a guest (wasm to wasm) and from JavaScript (bigints)', () => {
    let seen: number[] = [];
    const split: SplitFunction = (...args) => { seen = args; return 0; };
    const exported = adapt([false, true, false], split);
    const call = guest([false, true, false], exported);
    for (const v of EDGES) {
      for (const via of [call, exported as (...args: (number | bigint)[]) => number]) {
        seen = [];
        assert.equal(via(7, v, -9), 0);
        assert.deepEqual(seen, [7, ...halves(v), -9], `${v}`);
        assert.equal(i64Big(seen[1]!, seen[2]!), asI64(v), `${v} whole again`);
      }
    }
  });

  test('several i64 parameters keep their places (path_open: rights at 5 and 6)', () => {
    const sig = PREVIEW1.path_open;
    let seen: number[] = [];
    const call = guest(i64Of(sig), adapt(i64Of(sig), (...args) => { seen = args; return 44; }));
    assert.equal(call(3, 1, 0x40, 5, 9, 2n ** 64n - 1n, 0x42n, 1, 0x100), 44);
    assert.deepEqual(seen, [3, 1, 0x40, 5, 9, -1, -1, 0x42, 0, 1, 0x100]);
    assert.equal(seen.length, splitLength(sig));
  });

  test('the result is the split function\'s, and what it throws passes through', () => {
    const exported = adapt([true], () => { throw new RangeError('from the body'); }) as (v: bigint) => number;
    assert.throws(() => exported(1n), RangeError);
    assert.equal((adapt([true], () => 76) as (v: bigint) => number)(0n), 76);
  });
});

describe('reading a split value (abi/signatures.ts)', () => {
  test('u64Number and u64Safe: exact up to 2^53 - 1, refused above', () => {
    for (const v of EDGES) {
      const [lo, hi] = splitI64(v);
      const u = BigInt.asUintN(64, v);
      assert.equal(u64Safe(hi), u <= 2n ** 53n - 1n, `${v}`);
      if (u64Safe(hi)) assert.equal(u64Number(lo, hi), Number(u), `${v}`);
    }
  });

  test('i64Number and i64Safe: signed (filedelta), exact within ±(2^53 - 1)', () => {
    for (const v of EDGES) {
      const [lo, hi] = splitI64(v);
      const s = BigInt.asIntN(64, v);
      const safe = s >= -(2n ** 53n - 1n) && s <= 2n ** 53n - 1n;
      assert.equal(i64Safe(lo, hi), safe, `${v}`);
      if (safe) assert.equal(i64Number(lo, hi), Number(s), `${v}`);
    }
    assert.equal(i64Number(...splitI64(-1n)), -1);
  });

  test('splitI64 and i64Big invert each other (signed, as V8 gives an i64)', () => {
    for (const v of EDGES) {
      const [lo, hi] = splitI64(v);
      assert.deepEqual([lo, hi], halves(v));
      assert.equal(i64Big(lo, hi), asI64(v));
    }
  });
});

/** A WASI bound to a one-page memory, with a sandbox holding f.txt (10 bytes). */
function bound(options: ConstructorParameters<typeof WASI>[0] = {}) {
  const wasi = new WASI({
    preopens: { '/sandbox': new MemoryFileSystem({ 'f.txt': '0123456789', d: { a: '', b: '' } }) },
    stdout: new CaptureStream(),
    stderr: new CaptureStream(),
    ...options,
  });
  const instance = instantiateMemoryModule();
  wasi.initialize(instance);
  const memory = instance.exports['memory'] as WebAssembly.Memory;
  const view = (): DataView => new DataView(memory.buffer);
  const put = (at: number, s: string): number => {
    const b = new TextEncoder().encode(s);
    new Uint8Array(memory.buffer).set(b, at);
    return b.byteLength;
  };
  const w = wasi.wasiImport;
  const open = (path: string, rights: bigint = 2n ** 64n - 1n, inheriting = 0n): number => {
    const len = put(0x100, path);
    assert.equal(w.path_open(3, 0, 0x100, len, 0, rights, inheriting, 0, 0x180), Errno.SUCCESS);
    return view().getUint32(0x180, true);
  };
  return { wasi, w, view, put, open, memory };
}

describe('syscalls with i64 arguments, through the linked import object', () => {
  test('fd_seek: signed offsets (filedelta), -1 and -5 from the end, 2^32 and 2^53 + 1 from the start', () => {
    const { w, view, open } = bound();
    const fd = open('f.txt');
    assert.equal(w.fd_seek(fd, -5n, 2, 0x200), Errno.SUCCESS); // END
    assert.equal(view().getBigUint64(0x200, true), 5n);
    assert.equal(w.fd_seek(fd, -1n, 1, 0x200), Errno.SUCCESS); // CUR
    assert.equal(view().getBigUint64(0x200, true), 4n);
    assert.equal(w.fd_seek(fd, -1n, 0, 0x200), Errno.INVAL); // SET: before the start
    assert.equal(w.fd_seek(fd, TWO_32, 0, 0x200), Errno.SUCCESS);
    assert.equal(view().getBigUint64(0x200, true), TWO_32);
    assert.equal(w.fd_tell(fd, 0x200), Errno.SUCCESS);
    assert.equal(view().getBigUint64(0x200, true), TWO_32);
    assert.equal(w.fd_seek(fd, 2n ** 53n - 1n, 0, 0x200), Errno.SUCCESS);
    assert.equal(view().getBigUint64(0x200, true), 2n ** 53n - 1n);
    assert.equal(w.fd_seek(fd, 2n ** 53n + 1n, 0, 0x200), Errno.OVERFLOW);
    assert.equal(w.fd_seek(fd, 2n ** 63n - 1n, 0, 0x200), Errno.OVERFLOW);
    assert.equal(w.fd_seek(fd, 0n, 1, 0x200), Errno.SUCCESS);
    assert.equal(view().getBigUint64(0x200, true), 2n ** 53n - 1n);
  });

  test('fd_pread and fd_pwrite: offsets 0, 2^32 - 1, 2^32 and 2^53 - 1 are read as such; 2^53 + 1 and -1 are EFBIG', () => {
    const { w, view, open, put } = bound();
    const fd = open('f.txt');
    const iov = (at: number, len: number): void => { view().setUint32(0x300, at, true); view().setUint32(0x304, len, true); };
    iov(0x400, 4);
    assert.equal(w.fd_pread(fd, 0x300, 1, 3n, 0x310), Errno.SUCCESS);
    assert.equal(view().getUint32(0x310, true), 4);
    assert.equal(new TextDecoder().decode(new Uint8Array(view().buffer, 0x400, 4)), '3456');
    for (const off of [TWO_32 - 1n, TWO_32, 2n ** 53n - 1n]) {
      assert.equal(w.fd_pread(fd, 0x300, 1, off, 0x310), Errno.SUCCESS, `${off}`);
      assert.equal(view().getUint32(0x310, true), 0, `${off}: past the end`);
    }
    for (const off of [2n ** 53n, 2n ** 53n + 1n, -1n, 2n ** 64n - 1n]) {
      assert.equal(w.fd_pread(fd, 0x300, 1, off, 0x310), Errno.FBIG, `${off}`);
      assert.equal(w.fd_pwrite(fd, 0x300, 1, off, 0x310), Errno.FBIG, `${off}`);
    }
    put(0x400, 'ab');
    iov(0x400, 2);
    assert.equal(w.fd_pwrite(fd, 0x300, 1, 8n, 0x310), Errno.SUCCESS);
    assert.equal(w.fd_pread(fd, 0x300, 1, 6n, 0x310), Errno.SUCCESS);
    assert.equal(new TextDecoder().decode(new Uint8Array(view().buffer, 0x400, 2)), '67');
    assert.equal(w.fd_filestat_get(fd, 0x500), Errno.SUCCESS);
    assert.equal(view().getBigUint64(0x500 + FILESTAT.fileSize, true), 10n);
  });

  test('path_open rights: 2^64 - 1 grants what applies (the undefined bits ignored); fd_fdstat_set_rights refuses any undefined bit', () => {
    const { w, view, open, wasi } = bound();
    const all = open('f.txt', 2n ** 64n - 1n, 2n ** 64n - 1n);
    const granted = wasi.process.fds.get(all);
    assert.equal(w.fd_fdstat_get(all, 0x200), Errno.SUCCESS);
    assert.equal(view().getBigUint64(0x200 + FDSTAT.rightsBase, true), BigInt(granted.rightsBase));
    const readOnly = open('f.txt', BigInt(Rights.FD_READ) | (1n << 40n), 0n);
    assert.equal(wasi.process.fds.get(readOnly).rightsBase, Rights.FD_READ);
    for (const bad of [1n << 30n, 1n << 31n, TWO_32, 2n ** 64n - 1n]) {
      assert.equal(w.fd_fdstat_set_rights(all, bad, 0n), Errno.NOTCAPABLE, `${bad}`);
      assert.equal(w.fd_fdstat_set_rights(all, 0n, bad), Errno.NOTCAPABLE, `${bad}`);
    }
    assert.equal(w.fd_fdstat_set_rights(all, BigInt(Rights.FD_READ | Rights.FD_SEEK), 0n), Errno.SUCCESS);
    assert.equal(wasi.process.fds.get(all).rightsBase, Rights.FD_READ | Rights.FD_SEEK);
  });

  test('fd_filestat_set_times: a timestamp of 2^64 - 1 and of 2^53 + 1 kept exactly; fd_filestat_set_size above 2^53 - 1 is EFBIG', () => {
    const { w, view, open } = bound();
    const fd = open('f.txt');
    const ATIM = 1;
    const MTIM = 4;
    assert.equal(w.fd_filestat_set_times(fd, 2n ** 64n - 1n, 2n ** 53n + 1n, ATIM | MTIM), Errno.SUCCESS);
    assert.equal(w.fd_filestat_get(fd, 0x200), Errno.SUCCESS);
    assert.equal(view().getBigUint64(0x200 + FILESTAT.atim, true), 2n ** 64n - 1n);
    assert.equal(view().getBigUint64(0x200 + FILESTAT.mtim, true), 2n ** 53n + 1n);
    assert.equal(w.fd_filestat_set_size(fd, 2n ** 53n + 1n), Errno.FBIG);
    assert.equal(w.fd_filestat_set_size(fd, 3n), Errno.SUCCESS);
    assert.equal(w.fd_filestat_get(fd, 0x200), Errno.SUCCESS);
    assert.equal(view().getBigUint64(0x200 + FILESTAT.fileSize, true), 3n);
  });

  test('fd_readdir: cookies 0 and 2^32 (and 2^64 - 1) as numbers of entries read', () => {
    const { w, view, open } = bound();
    const dir = open('d', BigInt(Rights.FD_READDIR));
    assert.equal(w.fd_readdir(dir, 0x400, 0x200, 0n, 0x300), Errno.SUCCESS);
    const all = view().getUint32(0x300, true);
    assert.ok(all > 0);
    for (const cookie of [TWO_32, 2n ** 64n - 1n]) {
      assert.equal(w.fd_readdir(dir, 0x400, 0x200, cookie, 0x300), Errno.SUCCESS);
      assert.equal(view().getUint32(0x300, true), 0, `${cookie}`);
    }
  });

  test('clock_time_get: any precision, 0 to 2^64 - 1', () => {
    const { w, view } = bound();
    for (const precision of [0n, 1n, TWO_32, 2n ** 64n - 1n, -1n]) {
      assert.equal(w.clock_time_get(1, precision, 0x200), Errno.SUCCESS);
      assert.ok(view().getBigUint64(0x200, true) > 0n);
    }
    assert.equal(w.clock_time_get(4, 0n, 0x200), Errno.INVAL);
    assert.equal(w.clock_time_get(1, 0n, 0xfffc), Errno.FAULT);
  });

  test('wasi_unstable: fd_seek and fd_fdstat_set_rights take the same split values', () => {
    const { wasi, view, open } = bound();
    const p0 = wasi.unstableImport;
    const fd = open('f.txt');
    assert.equal(p0.fd_seek(fd, -3n, 1, 0x200), Errno.SUCCESS); // preview 0: END
    assert.equal(view().getBigUint64(0x200, true), 7n);
    assert.equal(p0.fd_fdstat_set_rights(fd, TWO_32, 0n), Errno.NOTCAPABLE);
    assert.equal(p0.fd_fdstat_set_rights(fd, BigInt(Rights.FD_READ), 2n ** 64n - 1n), Errno.NOTCAPABLE);
    assert.equal(p0.fd_fdstat_set_rights(fd, BigInt(Rights.FD_READ), 0n), Errno.SUCCESS);
    assert.equal(wasi.process.fds.get(fd).rightsBase, Rights.FD_READ);
  });
});

describe('the import objects', () => {
  test('wasiImport keeps node:wasi\'s signatures: the same functions, the same parameter counts, i64 as bigint', () => {
    const node = new NodeWASI({ version: 'preview1' }).wasiImport as Record<string, (...a: unknown[]) => unknown>;
    const kiln = new WASI({}).wasiImport as unknown as Record<string, (...a: unknown[]) => unknown>;
    assert.deepEqual(Object.keys(kiln).sort(), Object.keys(node).sort());
    for (const [n, fn] of Object.entries(node)) {
      assert.equal(typeof kiln[n], 'function', n);
      assert.equal(kiln[n]!.length, fn.length, `${n}: parameter count`);
      assert.equal(kiln[n]!.length, (PREVIEW1 as Record<string, Signature>)[n]!.length, `${n}: the table`);
    }
    const p0 = new WASI({}).unstableImport as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const [n, sig] of Object.entries(UNSTABLE)) assert.equal(p0[n]!.length, sig.length, `wasi_unstable.${n}`);
  });

  test('a host may link wasiImport into its own import object: a guest gets the adapters (wasm functions of its types)', () => {
    const { w } = bound();
    const sig = PREVIEW1.fd_seek;
    const imports = { wasi_snapshot_preview1: w };
    const call = guest(i64Of(sig), imports.wasi_snapshot_preview1.fd_seek);
    assert.equal(call(99, -1n, 0, 0x200), Errno.BADF);
    // A JavaScript function with i64 parameters would link too; the adapter is a wasm function.
    assert.match(String(w.fd_seek), /native code/);
    assert.equal(w.fd_seek, w.fd_seek, 'made once, then kept');
  });

  test('getImportObject() gives the same functions as wasiImport; functions without i64 parameters are the syscalls themselves', () => {
    const wasi = new WASI({});
    const p1 = (wasi.getImportObject() as { wasi_snapshot_preview1: WASI['wasiImport'] }).wasi_snapshot_preview1;
    assert.equal(p1, wasi.wasiImport);
    assert.doesNotMatch(String(p1.fd_write), /native code/);
  });

  test('linkThroughAdapter: names and order kept, an assignment replaces a function', () => {
    const split = Object.fromEntries(Object.keys(PREVIEW1).map((n) => [n, () => 0])) as Record<string, SplitFunction>;
    const linked = linkThroughAdapter<Record<string, unknown>>(PREVIEW1, split);
    assert.deepEqual(Object.keys(linked), Object.keys(PREVIEW1));
    assert.equal(linked['fd_write'], split['fd_write']);
    const mine = (): number => 5;
    linked['fd_seek'] = mine;
    assert.equal(linked['fd_seek'], mine);
    assert.equal(Object.create(linked).clock_time_get, linked['clock_time_get'], 'inherited reads see the same adapter');
  });
});

describe('the tracer shows i64 arguments whole', () => {
  test('joinSplitArgs: halves back to the bigint the guest passed', () => {
    const args = [3, 1, 0x40, 5, 9, ...halves(2n ** 64n - 1n), ...halves(0x42n), 1, 0x100];
    assert.deepEqual(joinSplitArgs(PREVIEW1.path_open, args), [3, 1, 0x40, 5, 9, -1n, 0x42n, 1, 0x100]);
  });

  test('traceImports in split mode: the line shows the whole values, the body gets the halves', () => {
    const lines: string[] = [];
    let got: number[] = [];
    const traced = traceImports(
      { fd_seek: (...a: number[]) => { got = a; return 0; } },
      PREVIEW1, () => undefined, (l) => lines.push(l), true,
    );
    assert.equal(traced.fd_seek(4, ...halves(-5n), 2, 0x300), 0);
    assert.deepEqual(got, [4, -5, -1, 2, 0x300]);
    assert.deepEqual(lines, ['fd_seek(fd=4, offset=-5, whence=END, newoffset_out=0x300) = SUCCESS']);
  });
});

describe('clocks', () => {
  test('Node\'s default clocks have no writeNow (hrtime.bigint() is the fast path there); a spread does not copy one', () => {
    assert.equal(systemClocks.writeNow, undefined);
    const withNow: Clocks = { ...systemClocks, now: () => 5n };
    assert.equal(withNow.writeNow, undefined);
    assert.deepEqual(Object.keys(systemClocks).sort(), ['now', 'resolution']);
  });

  test('a clock with writeNow is written by it; one without by now()', () => {
    const calls: string[] = [];
    const fast: Clocks = {
      now: () => { calls.push('now'); return 1n; },
      resolution: () => 1n,
      writeNow: (id, view, at) => { calls.push(`writeNow ${id}`); view.setUint32(at, 0xdeadbeef, true); view.setUint32(at + 4, 0x01020304, true); },
    };
    const a = bound({ clocks: fast });
    assert.equal(a.w.clock_time_get(0, 0n, 0x200), Errno.SUCCESS);
    assert.equal(a.view().getBigUint64(0x200, true), 0x01020304_deadbeefn);
    assert.equal(a.w.clock_time_get(1, 0n, 0xfffc), Errno.FAULT);
    assert.deepEqual(calls, ['writeNow 0']);
    const b = bound({ clocks: { now: () => 2n ** 64n - 1n, resolution: () => 1n } });
    assert.equal(b.w.clock_time_get(1, 0n, 0x200), Errno.SUCCESS);
    assert.equal(b.view().getBigUint64(0x200, true), 2n ** 64n - 1n);
  });
});

describe('poll_oneoff: 64-bit timeouts and userdata as halves', () => {
  /** Writes a clock subscription at `at`. */
  function clockSub(view: DataView, at: number, userdata: bigint, id: number, timeout: bigint, abstime: boolean): void {
    new Uint8Array(view.buffer, at, SUBSCRIPTION.size).fill(0);
    view.setBigUint64(at + SUBSCRIPTION.userdata, userdata, true);
    view.setUint8(at + SUBSCRIPTION.tag, 0);
    view.setUint32(at + SUBSCRIPTION.clockId, id, true);
    view.setBigUint64(at + SUBSCRIPTION.clockTimeout, timeout, true);
    view.setUint16(at + SUBSCRIPTION.clockFlags, abstime ? 1 : 0, true);
  }
  function fdWriteSub(view: DataView, at: number, userdata: bigint, fd: number): void {
    new Uint8Array(view.buffer, at, SUBSCRIPTION.size).fill(0);
    view.setBigUint64(at + SUBSCRIPTION.userdata, userdata, true);
    view.setUint8(at + SUBSCRIPTION.tag, 2);
    view.setUint32(at + SUBSCRIPTION.fd, fd, true);
  }
  function events(view: DataView, at: number, n: number): { userdata: bigint; error: number; type: number }[] {
    return Array.from({ length: n }, (_, i) => ({
      userdata: view.getBigUint64(at + i * EVENT.size + EVENT.userdata, true),
      error: view.getUint16(at + i * EVENT.size + EVENT.error, true),
      type: view.getUint8(at + i * EVENT.size + EVENT.type),
    }));
  }

  test('a relative timeout that carries into the high half fires when the clock gets there, not before', () => {
    let t = 2n ** 32n - 3n;
    const { w, view } = bound({ clocks: { now: () => t++, resolution: () => 1n } });
    clockSub(view(), 0x400, 2n ** 64n - 1n, 1, 2n, false); // deadline 2^32 - 1
    assert.equal(w.poll_oneoff(0x400, 0x800, 1, 0x900), Errno.SUCCESS);
    assert.equal(view().getUint32(0x900, true), 1);
    assert.deepEqual(events(view(), 0x800, 1), [{ userdata: 2n ** 64n - 1n, error: 0, type: 0 }]);
    assert.ok(t >= 2n ** 32n, `the clock was read until the deadline (${t})`);
  });

  test('a deadline past 2^64 - 1 never comes (saturated), an absolute one in the past at once', () => {
    const now = 2n ** 64n - 10n;
    const { w, view } = bound({ clocks: { now: () => now, resolution: () => 1n } });
    clockSub(view(), 0x400, 0x1122334455667788n, 1, 100n, false);
    fdWriteSub(view(), 0x400 + SUBSCRIPTION.size, 7n, 1);
    assert.equal(w.poll_oneoff(0x400, 0x800, 2, 0x900), Errno.SUCCESS);
    assert.deepEqual(events(view(), 0x800, view().getUint32(0x900, true)), [{ userdata: 7n, error: 0, type: 2 }]);
    clockSub(view(), 0x400, 0x8000000000000001n, 1, now - 1n, true);
    assert.equal(w.poll_oneoff(0x400, 0x800, 1, 0x900), Errno.SUCCESS);
    assert.deepEqual(events(view(), 0x800, 1), [{ userdata: 0x8000000000000001n, error: 0, type: 0 }]);
  });

  test('an unknown clock id is an EINVAL event carrying its userdata', () => {
    const { w, view } = bound();
    clockSub(view(), 0x400, 0xfedcba9876543210n, 9, 0n, false);
    assert.equal(w.poll_oneoff(0x400, 0x800, 1, 0x900), Errno.SUCCESS);
    assert.deepEqual(events(view(), 0x800, 1), [{ userdata: 0xfedcba9876543210n, error: Errno.INVAL, type: 0 }]);
  });
});
