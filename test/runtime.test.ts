/**
 * The Runtime (src/host/runtime.ts): every member can be replaced through
 * the `runtime` option while the others stay the platform's, and each
 * replacement is what the kernel uses — seen by a guest wherever a system
 * call reaches the member, and on the kernel's process for the members no
 * preview 1 call reaches (the bus, parallelism, the terminal: WASIX's).
 * Also the defaults of `unsupportedRuntime`, and Node's `ttySet` on a real
 * terminal (a pseudo-terminal from script(1)).
 *
 * Guests: build/programs/{cat,thread_hello,sock_echo}.wasm, and small WAT
 * modules written here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Errno, WasiError } from '../src/abi/errno.js';
import { ProcessExit } from '../src/abi/process-exit.js';
import {
  BufferInputStream, CaptureStream, MemoryFileSystem, NO_TTY, noBus, noNetworking, threadIdCounter, unsupportedRuntime, WASI,
  type BusProcess, type ChannelStatus, type ListenerChannel, type Runtime, type SocketChannel, type ThreadSpawner, type VirtualNetworking,
} from '../src/node.js';
import { nodeThreadSpawner } from '../src/host/node/node-thread-spawner.js';
import { programPath, repoRoot } from './helpers/programs.js';
import { watModule } from './helpers/wat.js';

const wasm = (name: string): Uint8Array<ArrayBuffer> => readFileSync(programPath(name)) as Uint8Array<ArrayBuffer>;
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A command that writes 8 bytes of clock_time_get(REALTIME), then 8 of random_get, to stdout, and yields `yields` times. */
async function clockRandomYield(yields: number): Promise<WebAssembly.Module> {
  return watModule(`(module
    (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
    (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
    (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (func (export "_start") (local $i i32)
      (drop (call $clock (i32.const 0) (i64.const 1) (i32.const 64)))
      (drop (call $random (i32.const 72) (i32.const 8)))
      (block $done (loop $again
        (br_if $done (i32.ge_u (local.get $i) (i32.const ${yields})))
        (drop (call $yield))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $again)))
      (i32.store (i32.const 0) (i32.const 64))
      (i32.store (i32.const 4) (i32.const 16))
      (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);
}

describe('each member, replaced, is what the kernel uses', () => {
  test('hostDirectory: a preopen given as a path, in start() and in a process worker', async () => {
    const runtime: Partial<Runtime> = { hostDirectory: (path) => new MemoryFileSystem({ 'input.txt': `the runtime's ${path}\n` }) };
    const out = new CaptureStream();
    const direct = new WASI({ args: ['cat', '/data/input.txt'], preopens: { '/data': './anywhere' }, stdout: out, runtime });
    assert.equal(direct.start(new WebAssembly.Instance(new WebAssembly.Module(wasm('cat')), direct.getImportObject() as WebAssembly.Imports)), 0);
    const worker = new CaptureStream();
    assert.equal(await new WASI({ args: ['cat', '/data/input.txt'], preopens: { '/data': './elsewhere' }, stdout: worker, runtime }).run(wasm('cat')), 0);
    assert.deepEqual([out.text(), worker.text()], ["the runtime's ./anywhere\n", "the runtime's ./elsewhere\n"]);
  });

  test('hostInput and hostOutput: stdio as descriptor numbers (and the defaults)', async () => {
    const out = new CaptureStream();
    const seen: number[] = [];
    const runtime: Partial<Runtime> = {
      hostInput: (fd) => { seen.push(fd); return new BufferInputStream(`input of host fd ${fd}\n`); },
      hostOutput: (fd) => { seen.push(fd); return fd === 1 ? out : new CaptureStream(); },
    };
    assert.equal(await new WASI({ args: ['cat'], stdin: 7, runtime }).run(wasm('cat')), 0);
    assert.equal(out.text(), 'input of host fd 7\n');
    assert.deepEqual(seen, [7, 1, 2]);
  });

  test('clocks, random and yieldNow: clock_time_get, random_get, sched_yield', async () => {
    let yields = 0;
    const out = new CaptureStream();
    const wasi = new WASI({
      stdout: out,
      runtime: {
        clocks: { now: () => 0x0102030405060708n, resolution: () => 1n },
        random: (dst) => dst.fill(0xab),
        yieldNow: () => { yields++; },
      },
    });
    const module = await clockRandomYield(3);
    assert.equal(wasi.start(new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports)), 0);
    const bytes = out.bytes();
    assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true), 0x0102030405060708n);
    assert.deepEqual([...bytes.subarray(8)], Array(8).fill(0xab));
    assert.equal(yields, 3);
  });

  test('networking: the listen option opens sockets through it (an in-memory network here)', async () => {
    const connection = new MemoryConnection('hi\nthere\n');
    const opened: string[] = [];
    const networking: VirtualNetworking = {
      ...noNetworking,
      name: 'memory',
      async listenTcp(addresses) {
        opened.push(...addresses.map((a) => `${a.host}:${a.port}`));
        return { channels: [new MemoryListener([connection])], addresses: [...addresses], close: async () => { opened.push('closed'); } };
      },
    };
    const out = new CaptureStream();
    const code = await new WASI({ args: ['sock_echo'], listen: ['10.0.0.1:80'], stdout: out, runtime: { networking } }).run(wasm('sock_echo'));
    assert.equal(code, 0);
    assert.equal(text(connection.sent()), 'HI\nTHERE\n');
    assert.deepEqual(opened, ['10.0.0.1:80', 'closed']);
  });

  test('threadSpawn and threadGenerateId: a wasi-threads guest\'s workers and thread ids', async () => {
    let spawned = 0;
    const threadSpawn: ThreadSpawner = { spawn: (onEvent) => { spawned++; return nodeThreadSpawner.spawn(onEvent); } };
    const ids = [7, 8];
    const out = new CaptureStream();
    const code = await new WASI({ stdout: out, runtime: { threadSpawn, threadGenerateId: () => ids.shift()! } }).run(wasm('thread_hello'));
    assert.equal(code, 0);
    assert.equal(out.text(), 'hello from thread\njoined tid=7\n');
    assert.equal(spawned, 2); // the main thread's worker and the spawned thread's
  });

  test('exit: returnOnExit false ends through the runtime', () => {
    const codes: number[] = [];
    const exit = (code: number): never => { codes.push(code); throw new ProcessExit(code); };
    const wasi = new WASI({ returnOnExit: false, runtime: { exit } });
    const module = new WebAssembly.Module(wasm('exit42'));
    assert.throws(() => wasi.start(new WebAssembly.Instance(module, wasi.getImportObject() as WebAssembly.Imports)), ProcessExit);
    assert.deepEqual(codes, [42]);
  });

  test('getpid, bus, threadParallelism, ttyGet, ttySet: on the process the kernel runs (WASIX reaches them)', () => {
    const bus = { spawn: (): BusProcess => { throw new WasiError(Errno.NOTSUP); } };
    const tty = { ...NO_TTY, cols: 132, stdoutTty: true };
    const sets: boolean[] = [];
    const wasi = new WASI({
      runtime: { getpid: () => 4242, bus, threadParallelism: () => 64, ttyGet: () => tty, ttySet: (s) => { sets.push(s.echo); } },
    });
    const p = wasi.process;
    assert.equal(p.pid, 4242);
    assert.equal(p.runtime.bus, bus);
    assert.equal(p.runtime.threadParallelism(), 64);
    assert.equal(p.runtime.ttyGet(), tty);
    p.runtime.ttySet({ ...tty, echo: false });
    assert.deepEqual(sets, [false]);
    // The members not replaced stay the platform's.
    assert.equal(p.runtime.networking, new WASI({}).runtime.networking);
  });
});

describe('unsupportedRuntime: every member answers cleanly', () => {
  test('no host directories, networking, bus, threads or terminal; stdio empty and discarded', async () => {
    const u = unsupportedRuntime;
    assert.throws(() => u.hostDirectory('/etc'), { name: 'WasiError', message: 'ENOTSUP: host directories are not available here (/etc); mount a FileSystem instead' });
    await assert.rejects(u.networking.listenTcp([{ host: '127.0.0.1', port: 0 }], new (await import('../src/host/readiness-signal.js')).ReadinessSignal()),
      { name: 'WasiError', message: 'ENOTSUP: this runtime has no networking (give the runtime a networking member)' });
    assert.equal(u.bus, noBus);
    assert.throws(() => u.bus.spawn('x', []), { name: 'WasiError', message: 'ENOTSUP: this runtime has no bus' });
    assert.equal(u.threadSpawn, undefined);
    assert.throws(() => u.ttySet(NO_TTY), { name: 'WasiError', message: 'ENOTSUP: this runtime has no terminal' });
    assert.deepEqual([u.ttyGet(), u.threadParallelism(), u.getpid(), u.hostInput(0).read(new Uint8Array(4)), u.hostOutput(1).write(new Uint8Array(3))],
      [NO_TTY, 1, undefined, 0, 3]);
    assert.throws(() => u.exit(3), (e: unknown) => e instanceof ProcessExit && e.code === 3);
    const ids = threadIdCounter();
    assert.deepEqual([ids(), ids(), ids()], [1, 2, 3]);
  });
});

/** `script` from util-linux runs a command on a new pseudo-terminal. */
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe("Node's ttySet on a real terminal", { skip: hasScript ? false : 'script(1) from util-linux is not installed' }, () => {
  test('echo off through stty, and the terminal restored when the process exits', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-tty-'));
    try {
      const script = path.join(dir, 'tty.mjs');
      writeFileSync(script, [
        `const { nodeRuntime } = await import(${JSON.stringify(path.join(repoRoot, 'src', 'node.ts'))});`,
        "const { execSync } = await import('node:child_process');",
        "const echo = () => (/(^|\\s)-echo(\\s|$)/.test(execSync('stty -a', { stdio: [0, 'pipe', 'pipe'] }).toString()) ? 'off' : 'on');",
        'const before = echo();',
        'nodeRuntime.ttySet({ ...nodeRuntime.ttyGet(), echo: false });',
        'process.stdout.write(`before=${before} during=${echo()} stdinTty=${nodeRuntime.ttyGet().stdinTty}\\n`);',
      ].join('\n'));
      const after = "stty -a | grep -qE '(^|\\s)-echo(\\s|$)' && echo after=off || echo after=on";
      const command = `'${process.execPath}' --import tsx '${script}'; ${after}`;
      const r = spawnSync('script', ['-qfec', command, '/dev/null'], { cwd: repoRoot, encoding: 'utf8' });
      assert.deepEqual(r.stdout.replace(/\r/g, '').trim().split('\n'), ['before=on during=off stdinTty=true', 'after=on'], r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** One accepted connection in memory: what the guest reads, and what it sent. */
class MemoryConnection implements SocketChannel {
  readonly receiveCapacity = 4096;
  #input: Uint8Array;
  #out: number[] = [];
  #shutWrite = false;

  constructor(input: string) { this.#input = new TextEncoder().encode(input); }

  sent(): Uint8Array { return Uint8Array.from(this.#out); }
  readable(): number { return this.#input.byteLength; }
  receive(dst: readonly Uint8Array[], peek: boolean): number {
    let n = 0;
    for (const d of dst) {
      const take = Math.min(d.byteLength, this.#input.byteLength - n);
      d.set(this.#input.subarray(n, n + take));
      n += take;
    }
    if (!peek) this.#input = this.#input.subarray(n);
    return n;
  }
  writable(): number { return this.#shutWrite ? 0 : 4096; }
  send(src: readonly Uint8Array[]): number {
    let n = 0;
    for (const s of src) { this.#out.push(...s); n += s.byteLength; }
    return n;
  }
  status(): ChannelStatus { return { peerClosed: true, error: 0 }; }
  shutdown(_read: boolean, write: boolean): void { if (write) this.#shutWrite = true; }
  close(): void {}
}

/** A listener with its connections already waiting. */
class MemoryListener implements ListenerChannel {
  constructor(readonly waiting: SocketChannel[]) {}
  pending(): number { return this.waiting.length; }
  accept(): SocketChannel | undefined { return this.waiting.shift(); }
  failure(): number { return 0; }
  close(): void {}
}
