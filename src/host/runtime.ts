/**
 * The Runtime (layer: host): everything the kernel needs from the platform,
 * as one interface that an embedder can replace member by member. It
 * follows wasmer-wasi's `WasiRuntimeImplementation` (bus, networking,
 * thread ids, tty, thread spawning, parallelism, yielding, the pid) and
 * adds what Kiln already made pluggable: host directories and descriptors,
 * clocks, random, and how the host process exits.
 *
 * `unsupportedRuntime` answers every member cleanly with "not supported"
 * (as the seeds: by default everything is unimplemented); the platforms'
 * runtimes (host/node/node-runtime.ts, host/browser-runtime.ts) implement
 * what they can; `withRuntime(base, overrides)` replaces single members.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { systemClocks, type Clocks } from './clocks.js';
import { ProcessExit } from '../abi/process-exit.js';
import { cryptoRandom, type RandomSource } from './random.js';
import { noNetworking, type VirtualNetworking } from './net/networking.js';
import { NullStream, type InputStream, type OutputStream } from './stdio.js';
import type { FileSystem } from './fs/types.js';
import type { ThreadSpawner } from './threads.js';

/** A terminal's size and modes, as WASIX's `tty_get` / `tty_set` carry them. */
export interface TtyState {
  /** Columns and rows of the terminal. */
  cols: number;
  /** Rows of the terminal. */
  rows: number;
  /** Width in pixels (0 when unknown). */
  width: number;
  /** Height in pixels (0 when unknown). */
  height: number;
  /** Standard input is a terminal. */
  stdinTty: boolean;
  /** Standard output is a terminal. */
  stdoutTty: boolean;
  /** Standard error is a terminal. */
  stderrTty: boolean;
  /** The terminal echoes what is typed. */
  echo: boolean;
  /** Input is delivered a line at a time (canonical mode); false is raw mode. */
  lineBuffered: boolean;
  /** Output turns `\n` into `\r\n`. */
  lineFeeds: boolean;
}

/** What `ttyGet` answers when there is no terminal. */
export const NO_TTY: Readonly<TtyState> = Object.freeze({
  cols: 80, rows: 25, width: 0, height: 0, stdinTty: false, stdoutTty: false, stderrTty: false,
  echo: false, lineBuffered: true, lineFeeds: false,
});

/** A process started on the bus (the legacy WASIX `bus_*` calls). */
export interface BusProcess {
  /** Calls `topic` with `data` in `format`; the reply. */
  call(topic: string, format: number, data: Uint8Array): Uint8Array;
  /** Ends the process. */
  close(): void;
}

/** The bus: named processes a guest can start and call (the legacy WASIX `bus_*` calls). */
export interface VirtualBus {
  /** Starts the bus process `name` with `args`. */
  spawn(name: string, args: readonly string[]): BusProcess;
}

/** No bus: every call answers ENOTSUP. The default runtime's `bus`. */
export const noBus: VirtualBus = {
  spawn(): BusProcess {
    throw new WasiError(Errno.NOTSUP, 'this runtime has no bus');
  },
};

/**
 * Everything the kernel needs from the platform. Replace single members
 * with `withRuntime` (or the `runtime` option of WASI): the rest stays the
 * platform's.
 */
export interface Runtime {
  /** A host directory by path: the string form of the `preopens` option. */
  hostDirectory(path: string): FileSystem;
  /** Host descriptor `fd` as a guest's input (stdin given as a number, and the default 0). */
  hostInput(fd: number): InputStream;
  /** Host descriptor `fd` as a guest's output (stdout/stderr given as numbers, and the defaults 1 and 2). */
  hostOutput(fd: number): OutputStream;
  /** The clocks guests read, unless the `clocks` option gives others. */
  clocks: Clocks;
  /** The randomness guests read, unless the `random` option gives another. */
  random: RandomSource;
  /** The network a guest may reach (listening sockets; WASIX sockets). */
  networking: VirtualNetworking;
  /** The bus of the legacy WASIX ABI. */
  bus: VirtualBus;
  /** JavaScript threads for wasm threads; undefined where the platform has none. */
  threadSpawn: ThreadSpawner | undefined;
  /** A new thread id: unique, positive, below 2^29 (wasi-threads' range). */
  threadGenerateId(): number;
  /** How many threads can run at once (WASIX `thread_parallelism`). */
  threadParallelism(): number;
  /** Lets other work run (`sched_yield`). */
  yieldNow(): void;
  /** The pid the first process reports (WASIX `proc_id`); undefined: the kernel's own numbering. */
  getpid(): number | undefined;
  /** Whether standard streams are terminals, the terminal's size and modes. */
  ttyGet(): TtyState;
  /** Changes the terminal's modes (WASIX `tty_set`); throws ENOTSUP where there is no terminal to change. */
  ttySet(state: TtyState): void;
  /** Ends the host process with `code` (node:wasi's `returnOnExit: false`). */
  exit(code: number): never;
}

/** Thread ids 1, 2, 3, ... wrapping below 2^29 (each runtime made by `withRuntime` gets its own counter). */
export function threadIdCounter(): () => number {
  let next = 1;
  return () => {
    const id = next;
    next = next >= 0x1fffffff ? 1 : next + 1;
    return id;
  };
}

/** The runtime where nothing is supported: every member answers cleanly, nothing reaches the host. */
export const unsupportedRuntime: Runtime = {
  hostDirectory(path: string): FileSystem {
    throw new WasiError(Errno.NOTSUP, `host directories are not available here (${path}); mount a FileSystem instead`);
  },
  hostInput: () => new NullStream(),
  hostOutput: () => new NullStream(),
  clocks: systemClocks,
  random: cryptoRandom,
  networking: noNetworking,
  bus: noBus,
  threadSpawn: undefined,
  threadGenerateId: threadIdCounter(),
  threadParallelism: () => 1,
  yieldNow: () => {},
  getpid: () => undefined,
  ttyGet: () => NO_TTY,
  ttySet: () => { throw new WasiError(Errno.NOTSUP, 'this runtime has no terminal'); },
  exit: (code: number): never => { throw new ProcessExit(code); },
};

/** `base` with the members `overrides` gives replaced; the others stay `base`'s. */
export function withRuntime(base: Runtime, overrides: Partial<Runtime> | undefined): Runtime {
  if (overrides === undefined) return base;
  const out: Runtime = { ...base };
  for (const [key, value] of Object.entries(overrides) as [keyof Runtime, Runtime[keyof Runtime]][]) {
    if (value !== undefined || key === 'threadSpawn') (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}
