/**
 * The Kernel (layer: kernel): the processes of one Kiln run, by pid, on
 * one Runtime. `spawn` creates a process (and records it as a child of
 * its parent); a process ends through `Process.end`, and leaves the table
 * when it is released: reaped by its parent, or, for a process without a
 * parent, once its runner has reported its status.
 */
import type { ReadinessSignal } from '../host/readiness-signal.js';
import { ReadinessSignal as Signal } from '../host/readiness-signal.js';
import type { Runtime } from '../host/runtime.js';
import { PipeArena } from '../host/pipe-arena.js';
import { NO_NETWORK, type KernelNetwork } from './network.js';
import { Process, type ProcessLauncher, type ProcessSpec } from './process.js';

export interface KernelOptions {
  /** The signal blocked calls wait on, shared with I/O threads (default: a new one). */
  readiness?: ReadinessSignal;
  /** The network guests' sockets use, and what they may reach on it (default: none). */
  network?: KernelNetwork;
}

/** Pipe directions whose bytes can live in shared memory at once (more live in the kernel alone). */
const PIPE_RINGS = 64;
/** Each one's capacity: four times Linux's default (a writer runs further ahead of its reader between wake-ups). */
const PIPE_RING_BYTES = 262144;

export class Kernel {
  /** Bumped by anything that may make a blocked call able to go on. */
  readonly readiness: ReadinessSignal;
  /** The network guests' sockets use (`kiln run --net`), with its policy. */
  readonly network: KernelNetwork;
  readonly #processes = new Map<number, Process>();
  /** Starts programs as child processes (set by the runner of a process that may spawn). */
  launcher: ProcessLauncher | undefined;
  /** Programs by absolute guest path that the embedder registered (found before the filesystem). */
  commands: ReadonlyMap<string, () => Uint8Array> = new Map();
  #nextPid: number;
  #pipes: PipeArena | null | undefined;

  constructor(
    /** The platform services every process of this kernel uses. */
    readonly runtime: Runtime,
    options: KernelOptions = {},
  ) {
    this.readiness = options.readiness ?? new Signal();
    this.network = options.network ?? NO_NETWORK;
    this.#nextPid = runtime.getpid() ?? 1;
  }

  /**
   * The rings the bytes of this kernel's pipes live in, which guest
   * threads in workers move themselves (host/pipe-arena.ts), made on first
   * use; undefined where there is no SharedArrayBuffer (pipes then live in
   * the kernel alone).
   */
  get pipes(): PipeArena | undefined {
    if (this.#pipes === undefined) {
      this.#pipes = typeof SharedArrayBuffer === 'function' ? new PipeArena(PipeArena.create(PIPE_RINGS, PIPE_RING_BYTES)) : null;
    }
    return this.#pipes ?? undefined;
  }

  /** Creates a process from `spec`, a child of `parent` when given. */
  spawn(spec: ProcessSpec, parent?: Process): Process {
    const pid = this.#allocatePid();
    const process = new Process(this, pid, spec, parent);
    this.#processes.set(pid, process);
    parent?.children.set(pid, process);
    return process;
  }

  /** The process `pid`, while it is in the table. */
  process(pid: number): Process | undefined {
    return this.#processes.get(pid);
  }

  /** The processes in the table (running, or ended and not yet released). */
  processes(): IterableIterator<Process> {
    return this.#processes.values();
  }

  /** Forgets an ended process: its parent reaped it, or its status has been reported. */
  release(process: Process): void {
    if (process.status === undefined) throw new Error(`process ${process.pid} is still running`);
    this.#processes.delete(process.pid);
    process.parent?.children.delete(process.pid);
    // Children it never reaped go with it (they ended with it).
    for (const child of [...process.children.values()]) if (child.status !== undefined) this.release(child);
  }

  #allocatePid(): number {
    let pid = this.#nextPid;
    while (this.#processes.has(pid)) pid = pid >= 0x7fffffff ? 1 : pid + 1;
    this.#nextPid = pid >= 0x7fffffff ? 1 : pid + 1;
    return pid;
  }
}
