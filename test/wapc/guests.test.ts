/**
 * The waPC guest programs (test/programs/wapc/, described in its README.md),
 * checked on their own: each built guest runs under a tiny waPC host written
 * here (the `wapc` imports over the instance's memory, wapc-rs semantics),
 * not under Kiln's host, so that a failure here is the guest's.
 *
 * The mini host: per call it resets response / error / host response / host
 * error, and reports the return value, the response and the guest error; a
 * trap (any exception out of __guest_call, e.g. from an import) is reported
 * as `trap`. Host imports throw (trap the guest) where wasmtime-provider
 * traps: out-of-bounds memory, non-UTF-8 strings. It runs `_start`,
 * `_initialize`, `wapc_init` (each if exported) after instantiation, with a
 * WASI `proc_exit` stub (exit 0 tolerated). A wasm start section is turned
 * into an export run before them: a JavaScript host cannot reach the
 * instance's exported memory while the start section runs (the instance does
 * not exist yet), so an AssemblyScript guest calling the host from top-level
 * code (wapc_as_init) needs that. wapc_rust_wasi runs with node:wasi.
 *
 * Build the guests first: node scripts/build-programs.mjs
 */
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { WASI } from 'node:wasi';
import { Worker } from 'node:worker_threads';
import { decode as msgpackDecode, encode as msgpackEncode } from '@msgpack/msgpack';
import { programPath } from '../helpers/programs.js';

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const bytes = (s: string | number[]): Uint8Array => (typeof s === 'string' ? utf8.encode(s) : Uint8Array.from(s));
const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

/** The host side of `__host_call`: return the response, or throw (the message becomes the host error). */
type HostCallback = (binding: string, namespace: string, operation: string, payload: Uint8Array) => Uint8Array;

/** What one __guest_call ended with. */
interface CallResult {
  /** The i32 returned, or 'trap' when __guest_call threw. */
  ret: number | 'trap';
  response?: Uint8Array;
  error?: string;
  trap?: unknown;
}

/** WASI proc_exit, as an exception. */
class Exit {
  constructor(readonly code: number) {}
}

// --- Start section -> export ------------------------------------------------

const START_EXPORT = '__smoke_start';

function readLeb(buf: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  let b: number;
  do {
    b = buf[pos++]!;
    result |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return [result >>> 0, pos];
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** The module with its start section (if any) replaced by an export named START_EXPORT. */
function hoistStart(wasm: Uint8Array): Uint8Array<ArrayBuffer> {
  const sections: { id: number; body: Uint8Array }[] = [];
  let pos = 8;
  while (pos < wasm.length) {
    const id = wasm[pos++]!;
    let size: number;
    [size, pos] = readLeb(wasm, pos);
    sections.push({ id, body: wasm.subarray(pos, pos + size) });
    pos += size;
  }
  const startAt = sections.findIndex((s) => s.id === 8);
  if (startAt < 0) return new Uint8Array(wasm);
  const [func] = readLeb(sections[startAt]!.body, 0);
  const name = utf8.encode(START_EXPORT);
  const entry = [...leb(name.length), ...name, 0x00, ...leb(func)];
  const exports = sections.find((s) => s.id === 7);
  if (exports) {
    const [count, rest] = readLeb(exports.body, 0);
    exports.body = Uint8Array.from([...leb(count + 1), ...exports.body.subarray(rest), ...entry]);
    sections.splice(startAt, 1);
  } else {
    // The export section comes right before the start section.
    sections[startAt] = { id: 7, body: Uint8Array.from([1, ...entry]) };
  }
  const parts: number[] = [...wasm.subarray(0, 8)];
  for (const s of sections) parts.push(s.id, ...leb(s.body.length), ...s.body);
  return Uint8Array.from(parts);
}

// --- The mini host ------------------------------------------------------------

interface MiniHostOptions {
  hostCallback?: HostCallback;
  /** Non-UTF-8 binding/namespace/operation in __host_call: trap (wasmtime) or fail the host call (returns 0). */
  invalidUtf8?: 'trap' | 'error';
  /** Extra imports (e.g. WASI). */
  imports?: WebAssembly.Imports;
}

class MiniHost {
  instance!: WebAssembly.Instance;
  memory!: WebAssembly.Memory;
  logs: string[] = [];
  hostCalls: [string, string, string, string][] = [];
  /** Output of the WASI fd_write stub, per fd. */
  written = new Map<number, string>();
  private request?: { op: Uint8Array; payload: Uint8Array };
  private response?: Uint8Array;
  private error?: string;
  private hostResponse?: Uint8Array;
  private hostError?: Uint8Array;

  constructor(private readonly options: MiniHostOptions = {}) {}

  private mem(): Uint8Array {
    // Re-read every time: the guest may have grown its memory.
    if (!this.memory) throw new Error('the guest has no memory export');
    return new Uint8Array(this.memory.buffer);
  }

  private read(ptr: number, len: number): Uint8Array {
    const m = this.mem();
    if (ptr + len > m.length) throw new RangeError(`out of bounds: ${ptr}+${len} > ${m.length}`);
    return m.slice(ptr, ptr + len);
  }

  private write(ptr: number, data: Uint8Array): void {
    const m = this.mem();
    if (ptr + data.length > m.length) throw new RangeError(`out of bounds: ${ptr}+${data.length} > ${m.length}`);
    m.set(data, ptr);
  }

  wapcImports(): WebAssembly.ModuleImports {
    return {
      __guest_request: (opPtr: number, ptr: number) => {
        if (!this.request) return;
        this.write(ptr, this.request.payload);
        this.write(opPtr, this.request.op);
      },
      __guest_response: (ptr: number, len: number) => {
        this.response = this.read(ptr >>> 0, len >>> 0);
      },
      __guest_error: (ptr: number, len: number) => {
        this.error = strictUtf8.decode(this.read(ptr >>> 0, len >>> 0));
      },
      __host_call: (bdPtr: number, bdLen: number, nsPtr: number, nsLen: number, opPtr: number, opLen: number, ptr: number, len: number) => {
        this.hostResponse = undefined;
        this.hostError = undefined;
        let names: [string, string, string];
        try {
          names = [strictUtf8.decode(this.read(bdPtr, bdLen)), strictUtf8.decode(this.read(nsPtr, nsLen)), strictUtf8.decode(this.read(opPtr, opLen))];
        } catch (e) {
          if (this.options.invalidUtf8 !== 'error' || !(e instanceof TypeError)) throw e;
          this.hostError = utf8.encode('invalid UTF-8');
          return 0;
        }
        const payload = this.read(ptr, len);
        this.hostCalls.push([...names, text(payload)!]);
        const callback = this.options.hostCallback;
        try {
          if (!callback) throw new Error('Missing host callback function!');
          this.hostResponse = callback(...names, payload);
          return 1;
        } catch (e) {
          this.hostError = utf8.encode(e instanceof Error ? e.message : String(e));
          return 0;
        }
      },
      __host_response_len: () => this.hostResponse?.length ?? 0,
      __host_response: (ptr: number) => {
        if (this.hostResponse) this.write(ptr, this.hostResponse);
      },
      __host_error_len: () => this.hostError?.length ?? 0,
      __host_error: (ptr: number) => {
        if (this.hostError) this.write(ptr, this.hostError);
      },
      __console_log: (ptr: number, len: number) => {
        this.logs.push(strictUtf8.decode(this.read(ptr, len)));
      },
    };
  }

  /** Minimal WASI stubs for the WAT guests: proc_exit and fd_write (both namespaces). */
  wasiStubs(): WebAssembly.ModuleImports {
    return {
      proc_exit: (code: number) => {
        throw new Exit(code);
      },
      fd_write: (fd: number, iovs: number, iovsLen: number, nwrittenPtr: number) => {
        const view = new DataView(this.memory.buffer);
        let out = '';
        let n = 0;
        for (let i = 0; i < iovsLen; i++) {
          const ptr = view.getUint32(iovs + 8 * i, true);
          const len = view.getUint32(iovs + 8 * i + 4, true);
          out += new TextDecoder().decode(this.read(ptr, len));
          n += len;
        }
        this.written.set(fd, (this.written.get(fd) ?? '') + out);
        view.setUint32(nwrittenPtr, n, true);
        return 0;
      },
    };
  }

  /** Instantiates the module (see compiled()); runs the (hoisted) start function, then the given start exports. */
  init(module: WebAssembly.Module, starters: string[] = ['_start', '_initialize', 'wapc_init']): void {
    const names = WebAssembly.Module.exports(module).map((e) => e.name);
    if (!names.includes('memory')) throw new Error('init: no memory export');
    if (!names.includes('__guest_call')) throw new Error('init: no __guest_call export');
    this.instance = new WebAssembly.Instance(module, {
      wapc: this.wapcImports(),
      wasi_snapshot_preview1: this.wasiStubs(),
      wasi_unstable: this.wasiStubs(),
      ...this.options.imports,
    });
    this.memory = this.instance.exports.memory as WebAssembly.Memory;
    for (const name of [START_EXPORT, ...starters]) {
      const fn = this.instance.exports[name];
      if (typeof fn !== 'function') continue;
      try {
        fn();
      } catch (e) {
        if (e instanceof Exit && e.code === 0) continue;
        throw e instanceof Exit ? new Error(`init: ${name} exited with ${e.code}`) : e;
      }
    }
  }

  call(op: string, payload: Uint8Array | string = new Uint8Array(0)): CallResult {
    const opBytes = utf8.encode(op);
    const payloadBytes = typeof payload === 'string' ? utf8.encode(payload) : payload;
    this.request = { op: opBytes, payload: payloadBytes };
    this.response = this.error = this.hostResponse = this.hostError = undefined;
    const guestCall = this.instance.exports.__guest_call as (opLen: number, msgLen: number) => number;
    let result: CallResult;
    try {
      result = { ret: guestCall(opBytes.length, payloadBytes.length) };
    } catch (e) {
      result = { ret: 'trap', trap: e };
    }
    if (this.response !== undefined) result.response = this.response;
    if (this.error !== undefined) result.error = this.error;
    this.request = undefined;
    return result;
  }
}

function load(name: string): Uint8Array {
  return readFileSync(programPath(name));
}

const modules = new Map<string, WebAssembly.Module>();

/** build/programs/<name>.wasm compiled, its start section hoisted into an export (compiled once). */
function compiled(name: string): WebAssembly.Module {
  let module = modules.get(name);
  if (!module) {
    module = new WebAssembly.Module(hoistStart(load(name)));
    modules.set(name, module);
  }
  return module;
}

function host(name: string, options: MiniHostOptions = {}, starters?: string[]): MiniHost {
  const h = new MiniHost(options);
  h.init(compiled(name), starters);
  return h;
}

/** n bytes, byte i = (i * mul) & 0xff. */
function pattern(n: number, mul = 1): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * mul) & 0xff;
  return out;
}

const reverse: HostCallback = (_b, _n, _o, payload) => Uint8Array.from(payload).reverse();

/** Asserts a successful call with exactly this response. */
function ok(r: CallResult, expected: Uint8Array | string): void {
  assert.deepEqual({ ret: r.ret, error: r.error, trap: r.trap }, { ret: 1, error: undefined, trap: undefined });
  const want = typeof expected === 'string' ? utf8.encode(expected) : expected;
  assert.ok(r.response, 'no response');
  if (want.length > 4096) {
    assert.equal(r.response.length, want.length);
    assert.ok(Buffer.from(r.response).equals(want), 'response differs');
  } else {
    assert.deepEqual(r.response, want);
  }
}

/** Asserts a failed call (returned 0) with exactly this guest error and no response. */
function failed(r: CallResult, error: string | undefined): void {
  assert.deepEqual(r, error === undefined ? { ret: 0 } : { ret: 0, error });
}

function trapped(r: CallResult, error: string | undefined, trap: RegExp | (new (...args: never[]) => unknown) = WebAssembly.RuntimeError): void {
  assert.equal(r.ret, 'trap');
  assert.equal(r.error, error);
  assert.equal(r.response, undefined);
  if (trap instanceof RegExp) assert.match(String(r.trap), trap);
  else assert.ok(r.trap instanceof trap, `trap ${String(r.trap)} is not a ${trap.name}`);
}

// --- AssemblyScript -------------------------------------------------------------

describe('wapc_as_echo (AssemblyScript, @wapc/as-guest)', () => {
  test('echo, héllo (6-byte operation name), unknown operations', () => {
    const h = host('wapc_as_echo');
    ok(h.call('echo', bytes([0, 1, 2, 0xff, 0xc3])), bytes([0, 1, 2, 0xff, 0xc3]));
    ok(h.call('echo'), new Uint8Array(0));
    assert.equal(utf8.encode('héllo').length, 6);
    ok(h.call('héllo', 'wörld'), 'héllo wörld');
    failed(h.call('nope'), 'Could not find function "nope"');
    failed(h.call('hello'), 'Could not find function "hello"');
  });

  test('reverse_via_host: host response, host error', () => {
    const h = host('wapc_as_echo', { hostCallback: reverse });
    ok(h.call('reverse_via_host', 'abc✓'), bytes([...utf8.encode('host said: '), ...Uint8Array.from(utf8.encode('abc✓')).reverse()]));
    assert.deepEqual(h.hostCalls, [['default', 'kiln:test', 'reverse', 'abc✓']]);
    const h2 = host('wapc_as_echo', {
      hostCallback: () => {
        throw new Error('nope: ünïcode ✓');
      },
    });
    failed(h2.call('reverse_via_host', 'x'), 'host error: nope: ünïcode ✓');
    const h3 = host('wapc_as_echo');
    failed(h3.call('reverse_via_host', 'x'), 'host error: Missing host callback function!');
  });

  test('fail, abort (error then trap), trap (no error); the instance answers afterwards', () => {
    const h = host('wapc_as_echo');
    failed(h.call('fail'), 'guest failure: ünïcode ✓');
    trapped(h.call('abort'), 'boom ✗', /unreachable/);
    trapped(h.call('trap'), undefined, /unreachable/);
    ok(h.call('echo', 'still here'), 'still here');
  });

  test('grow: memory grows during the call; big: n bytes i & 0xff', () => {
    const h = host('wapc_as_echo');
    const before = h.memory.buffer.byteLength;
    ok(h.call('grow', '8'), '8');
    assert.ok(h.memory.buffer.byteLength >= before + (8 << 20), `${before} -> ${h.memory.buffer.byteLength}`);
    ok(h.call('grow', '0'), '0');
    failed(h.call('grow', 'x'), 'not a decimal number: x');
    ok(h.call('big', '0'), new Uint8Array(0));
    const n = 300_000;
    ok(h.call('big', String(n)), pattern(n));
  });

  test('log and count', () => {
    const h = host('wapc_as_echo');
    ok(h.call('log', 'hi ✓'), 'logged');
    assert.deepEqual(h.logs, ['log: hi ✓']);
    ok(h.call('count'), '1');
    ok(h.call('count'), '2');
    trapped(h.call('trap'), undefined);
    ok(h.call('count'), '3');
    ok(host('wapc_as_echo').call('count'), '1');
  });
});

describe('wapc_as_init (host calls from the start section)', () => {
  test('init host call and log happen at instantiation; init_result returns the answer', () => {
    const h = host('wapc_as_init', { hostCallback: (_b, _n, _o, p) => bytes(`welcome, ${text(p)}`) });
    assert.deepEqual(h.hostCalls, [['default', 'kiln:test', 'init', 'hello from init']]);
    assert.deepEqual(h.logs, ['init log']);
    ok(h.call('init_result'), 'welcome, hello from init');
    ok(h.call('echo', 'e'), 'e');
    assert.equal(h.hostCalls.length, 1);
  });

  test('a failing init host call is recorded as "error: <host error>"', () => {
    const h = host('wapc_as_init', {
      hostCallback: () => {
        throw new Error('not now ✗');
      },
    });
    ok(h.call('init_result'), 'error: not now ✗');
  });
});

describe('wapc_as_swap_v1 / wapc_as_swap_v2', () => {
  test('version, count from 1 in each module, only_v2 only in v2', () => {
    const v1 = host('wapc_as_swap_v1');
    ok(v1.call('version'), 'v1');
    ok(v1.call('count'), '1');
    ok(v1.call('count'), '2');
    failed(v1.call('only_v2'), 'Could not find function "only_v2"');
    const v2 = host('wapc_as_swap_v2');
    ok(v2.call('version'), 'v2');
    ok(v2.call('count'), '1');
    ok(v2.call('only_v2'), 'new');
  });
});

describe('wapc_as_msgpack (@wapc/as-msgpack)', () => {
  test('greet: struct map in, struct map {message, next_age} out, exact bytes', () => {
    const h = host('wapc_as_msgpack');
    const r = h.call('greet', msgpackEncode({ name: 'Ada', age: 36 }));
    ok(r, bytes([0x82, 0xa7, ...utf8.encode('message'), 0xab, ...utf8.encode('Hello, Ada!'), 0xa8, ...utf8.encode('next_age'), 37]));
    assert.deepEqual(msgpackDecode(r.response!), { message: 'Hello, Ada!', next_age: 37 });
    // keys in another order, an extra key, wider integer encodings
    for (const [input, next] of [
      [{ age: 300, extra: [1, 2], name: 'Zoë' }, 301],
      [{ name: 'Zoë', age: 70000 }, 70001],
      [{ name: 'Zoë', age: 4294967295 }, 4294967296],
    ] as const) {
      assert.deepEqual(msgpackDecode(h.call('greet', msgpackEncode(input)).response!), { message: 'Hello, Zoë!', next_age: next });
    }
    // age as a signed msgpack int (int8 0xd0) is accepted when non-negative
    const signed = bytes([0x82, 0xa4, ...utf8.encode('name'), 0xa1, 0x58, 0xa3, ...utf8.encode('age'), 0xd0, 0x05]);
    assert.deepEqual(msgpackDecode(h.call('greet', signed).response!), { message: 'Hello, X!', next_age: 6 });
    failed(h.call('greet', msgpackEncode({ age: 1 })), 'missing field: name');
    failed(h.call('greet', msgpackEncode({ name: 'a' })), 'missing field: age');
    failed(h.call('greet', msgpackEncode({ name: 'a', age: -1 })), 'decode error: bad prefix for unsigned int');
    failed(h.call('greet', msgpackEncode('not a map')), 'decode error: Invalid length169');
  });
});

// --- WAT ----------------------------------------------------------------------------

describe('wapc_wat_echo / wapc_wat_hostcall', () => {
  test('echo: any operation, 1 MiB without growing, 3 MiB growing', () => {
    const h = host('wapc_wat_echo');
    assert.equal(h.memory.buffer.byteLength, 17 * 65536);
    const mib = pattern(1 << 20, 7);
    ok(h.call('whatever', mib), mib);
    assert.equal(h.memory.buffer.byteLength, 17 * 65536);
    const big = pattern(3 << 20, 13);
    ok(h.call('', big), big);
    assert.ok(h.memory.buffer.byteLength >= 1024 + (3 << 20));
    ok(h.call('echo'), new Uint8Array(0));
  });

  test('hostcall: one host call b/n/op per invocation; response or error', () => {
    const h = host('wapc_wat_hostcall', { hostCallback: reverse });
    ok(h.call('any', 'abc'), 'cba');
    assert.deepEqual(h.hostCalls, [['b', 'n', 'op', 'abc']]);
    const large = pattern(200_000);
    ok(h.call('any', large), Uint8Array.from(large).reverse());
    const h2 = host('wapc_wat_hostcall', {
      hostCallback: () => {
        throw new Error('no ✓');
      },
    });
    failed(h2.call('x', 'p'), 'no ✓');
  });
});

describe('wapc_wat_edge (case = first payload byte)', () => {
  const edge = (options?: MiniHostOptions) => host('wapc_wat_edge', options);

  test('cases 0-4: return values with and without response / error', () => {
    const h = edge();
    assert.deepEqual(h.call('x', bytes([0])), { ret: 1 });
    assert.deepEqual(h.call('x', bytes([1])), { ret: 1, error: 'only an error' });
    failed(h.call('x', bytes([2])), undefined);
    failed(h.call('x', bytes([3])), 'bad input');
    ok(h.call('x', bytes([4, 9, 9])), new Uint8Array(0));
  });

  test('cases 5-6: error then trap; out-of-bounds response', () => {
    const h = edge();
    trapped(h.call('x', bytes([5])), 'about to trap', /unreachable/);
    trapped(h.call('x', bytes([6])), undefined, RangeError);
    ok(h.call('x', bytes([4])), new Uint8Array(0));
  });

  test('case 7: host call with an invalid UTF-8 binding', () => {
    trapped(edge({ hostCallback: reverse }).call('x', bytes([7])), undefined, TypeError);
    const h = edge({ hostCallback: reverse, invalidUtf8: 'error' });
    ok(h.call('x', bytes([7])), bytes([0, 0, 0, 0]));
    assert.deepEqual(h.hostCalls, []);
  });

  test('case 8: memory.grow(16) and a response from the new pages', () => {
    const h = edge();
    const before = h.memory.buffer.byteLength;
    const payload = bytes([8, 1, 2, 3]);
    ok(h.call('x', payload), payload);
    assert.equal(h.memory.buffer.byteLength, before + 16 * 65536);
  });

  test('case 9: host call b/n/op(rest) -> "R:" + response or "E:" + error', () => {
    const h = edge({ hostCallback: reverse });
    ok(h.call('x', bytes([9, ...utf8.encode('xyz')])), 'R:zyx');
    ok(h.call('x', bytes([9])), 'R:');
    assert.deepEqual(h.hostCalls, [['b', 'n', 'op', 'xyz'], ['b', 'n', 'op', '']]);
    const e = edge({
      hostCallback: () => {
        throw new Error('refusé ✗');
      },
    });
    ok(e.call('x', bytes([9, 1])), 'E:refusé ✗');
  });

  test('case 10: never returns (runs in a worker, terminated after 200 ms)', async () => {
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const module = new WebAssembly.Module(workerData);
       let instance;
       const imports = {};
       for (const imp of WebAssembly.Module.imports(module)) {
         (imports[imp.module] ??= {})[imp.name] = imp.name === '__guest_request'
           ? (op, ptr) => { new Uint8Array(instance.exports.memory.buffer)[ptr] = 10; }
           : () => 0;
       }
       instance = new WebAssembly.Instance(module, imports);
       parentPort.postMessage('calling');
       instance.exports.__guest_call(0, 1);
       parentPort.postMessage('returned');`,
      { eval: true, workerData: load('wapc_wat_edge') },
    );
    const messages: string[] = [];
    worker.on('message', (m: string) => messages.push(m));
    try {
      await new Promise<void>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('message', () => resolve());
      });
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(messages, ['calling']);
    } finally {
      await worker.terminate();
    }
  });

  test('cases 11-12, unknown case, empty payload', () => {
    const h = edge();
    ok(h.call('x', bytes([11, ...utf8.encode('hello log ✓')])), 'ok');
    assert.deepEqual(h.logs, ['hello log ✓']);
    const payload = bytes([12, 5, 6, 7, 0xee, 0]);
    ok(h.call('op', payload), payload);
    failed(h.call('x', bytes([13])), 'unknown case');
    failed(h.call('x', bytes([255])), 'unknown case');
    failed(h.call('x'), 'empty payload');
  });
});

describe('start functions', () => {
  test('wapc_wat_start: _start, _initialize, wapc_init in that order; host call and log from _start', () => {
    const h = host('wapc_wat_start', { hostCallback: reverse });
    ok(h.call('anything'), 'siw');
    assert.deepEqual(h.hostCalls, [['b', 'n', 'started', 's']]);
    assert.deepEqual(h.logs, ['start log']);
    ok(host('wapc_wat_start', {}, ['_start', 'wapc_init']).call('x'), 'sw');
    ok(host('wapc_wat_start', {}, []).call('x'), '');
  });

  test('wapc_wat_start_exit0: proc_exit(0) in _start is tolerated, wapc_init still runs', () => {
    ok(host('wapc_wat_start_exit0').call('x'), 'sw');
  });

  test('wapc_wat_start_exit1: proc_exit(3) in _start fails initialisation', () => {
    assert.throws(() => host('wapc_wat_start_exit1'), /_start exited with 3/);
    ok(host('wapc_wat_start_exit1', {}, []).call('x'), '');
  });

  test('wapc_wat_tinygo: wasi_unstable fd_write + proc_exit(0) in _start, then calls', () => {
    const h = host('wapc_wat_tinygo');
    assert.equal(h.written.get(1), 'tinygo guest started\n');
    ok(h.call('hello', 'pay ✓'), 'hello from tinygo-style guest');
    ok(h.call('other', ''), 'hello from tinygo-style guest');
    assert.equal(h.written.get(1), 'tinygo guest started\npay ✓\n\n');
    const imports = WebAssembly.Module.imports(compiled('wapc_wat_tinygo'));
    assert.deepEqual(imports.filter((i) => i.module !== 'wapc').map((i) => `${i.module}.${i.name}`), ['wasi_unstable.fd_write', 'wasi_unstable.proc_exit']);
    failed(host('wapc_wat_tinygo', {}, []).call('hello', 'x'), 'not registered');
  });

  test('wapc_wat_nomem / wapc_wat_nocall are refused', () => {
    const exportsOf = (name: string) => WebAssembly.Module.exports(compiled(name)).map((e) => e.name);
    assert.deepEqual(exportsOf('wapc_wat_nomem'), ['__guest_call']);
    assert.ok(!exportsOf('wapc_wat_nocall').includes('__guest_call'));
    assert.ok(exportsOf('wapc_wat_nocall').includes('memory'));
    assert.throws(() => host('wapc_wat_nomem'), /no memory export/);
    assert.throws(() => host('wapc_wat_nocall'), /no __guest_call export/);
  });
});

// --- Rust ----------------------------------------------------------------------------

describe('wapc_rust_echo (Rust, no_std)', () => {
  test('imports only wapc functions', () => {
    const imports = WebAssembly.Module.imports(compiled('wapc_rust_echo'));
    assert.deepEqual([...new Set(imports.map((i) => i.module))], ['wapc']);
  });

  test('echo, hello (host call), fail, panic, unknown operation', () => {
    const h = host('wapc_rust_echo', { hostCallback: (_b, _n, _o, p) => bytes(`${text(p)}!`) });
    ok(h.call('echo', bytes([1, 2, 3])), bytes([1, 2, 3]));
    ok(h.call('echo'), new Uint8Array(0));
    ok(h.call('hello', 'Rustacean'), 'Hello, Rustacean!');
    assert.deepEqual(h.hostCalls, [['default', 'kiln:test', 'greet', 'Rustacean']]);
    failed(h.call('fail'), 'rust failure');
    trapped(h.call('panic'), undefined, /unreachable/);
    failed(h.call('nope'), 'No handler registered for function "nope"');
    const big = pattern(3 << 20, 31);
    ok(h.call('echo', big), big);
    ok(h.call('echo', 'after'), 'after');
    const e = host('wapc_rust_echo', {
      hostCallback: () => {
        throw new Error('who? ✗');
      },
    });
    failed(e.call('hello', 'x'), 'host error: who? ✗');
  });
});

describe('wapc_rust_wasi (Rust std, WASI preview 1 through node:wasi)', () => {
  test('read, env, print, args', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kiln-wapc-wasi-'));
    try {
      mkdirSync(path.join(dir, 'data'));
      writeFileSync(path.join(dir, 'data', 'hello.txt'), 'hello from a file ✓\n');
      const stdoutFile = path.join(dir, 'stdout');
      const stderrFile = path.join(dir, 'stderr');
      const stdout = openSync(stdoutFile, 'w');
      const stderr = openSync(stderrFile, 'w');
      try {
        const wasi = new WASI({
          version: 'preview1',
          args: ['wapc_rust_wasi', 'a', 'b c'],
          env: { GREETING: 'hi ✓' },
          preopens: { '/data': path.join(dir, 'data') },
          returnOnExit: true,
          stdout,
          stderr,
        });
        const h = new MiniHost({ imports: wasi.getImportObject() as WebAssembly.Imports });
        // node:wasi's initialize() runs _initialize; wapc_init after it is a no-op.
        h.init(compiled('wapc_rust_wasi'), []);
        wasi.initialize(h.instance);
        (h.instance.exports.wapc_init as () => void)();
        ok(h.call('read', '/data/hello.txt'), 'hello from a file ✓\n');
        failed(h.call('read', '/data/missing.txt'), 'read failed: No such file or directory (os error 44)');
        ok(h.call('env', 'GREETING'), 'hi ✓');
        failed(h.call('env', 'NOPE'), 'unset');
        ok(h.call('print', 'printed ✓'), 'printed');
        ok(h.call('args'), 'wapc_rust_wasi a b c');
        failed(h.call('nope'), 'No handler registered for function "nope"');
      } finally {
        closeSync(stdout);
        closeSync(stderr);
      }
      assert.equal(readFileSync(stdoutFile, 'utf8'), 'printed ✓\n');
      assert.equal(readFileSync(stderrFile, 'utf8'), 'err:printed ✓\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
