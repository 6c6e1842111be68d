/**
 * WapcHostPool (layer: waPC host): a pool of hosts whose guests run on
 * their own threads, after wapc-rs's `wapc-pool`: it starts `minWorkers`,
 * grows by one (up to `maxWorkers`) whenever the oldest waiting call has
 * waited `maxWaitMs`, and stops a worker idle for `maxIdleMs` while more
 * than `minWorkers` remain. Calls wait in one FIFO queue; host callbacks
 * run on the caller's thread (and may return Promises).
 *
 * Beyond wapc-pool: `replaceModule` swaps the module of every worker with
 * no failed call. The new module is compiled once and first swapped into
 * one worker (if that fails, nothing changed and the error is thrown);
 * from then on calls are only given to workers already on the new module,
 * while each other worker finishes its call in flight on the old one and
 * then swaps. A worker whose swap fails anyway is replaced by a new one.
 * A worker that dies is removed (its call fails) and, below `minWorkers`,
 * replaced.
 *
 * The pool is platform-neutral; an engine factory makes each worker's
 * engine (Node's is the worker engine, remote/).
 */
import { errorText, InitFailedError, ReplacementFailedError, WapcClosedError } from './errors.js';
import { WapcHostAsync } from './host.js';
import type { WebAssemblyEngineProviderAsync } from './provider.js';
import type { HostCallbackAsync } from './state.js';
import { compileGuestAsync } from './guest-instance.js';
import { checkEngineOptions, type WebAssemblyEngineOptions } from './engine-options.js';

/** Options of `WapcHostPool.create`. */
export interface WapcHostPoolOptions {
  /** Workers kept running (default 1). */
  minWorkers?: number;
  /** Most workers (default 2, as wapc-pool). */
  maxWorkers?: number;
  /** How long a call may wait for a free worker before the pool grows, in ms (default 100). */
  maxWaitMs?: number;
  /** How long a worker beyond `minWorkers` may stay idle before it is stopped, in ms (default 300000). */
  maxIdleMs?: number;
  /** Answers the guests' host calls, on the caller's thread; may return a Promise. */
  hostCallback?: HostCallbackAsync;
  /** Options of each worker's engine (WASI, console log, time limit). */
  engine?: WebAssemblyEngineOptions;
  /** Makes each worker's engine; the platform's entry point supplies one (Node: a WorkerEngine per worker). */
  engineFactory?: PoolEngineFactory;
}

/** Makes the engine of one pool worker from the compiled module. */
export type PoolEngineFactory = (module: WebAssembly.Module) => WebAssemblyEngineProviderAsync;

interface Job {
  operation: string;
  payload: Uint8Array;
  enqueuedAt: number;
  resolve: (reply: Uint8Array) => void;
  reject: (error: unknown) => void;
}

interface Member {
  host: WapcHostAsync;
  /** The module generation this worker runs. */
  generation: number;
  busy: boolean;
  reaper: ReturnType<typeof setTimeout> | undefined;
}

function count(name: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be a whole number >= ${min}, not ${String(value)}`);
  return v;
}

function duration(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !(v >= 0)) throw new RangeError(`${name} must be a number of milliseconds >= 0, not ${String(value)}`);
  return v;
}

/**
 * A pool of waPC hosts whose guests run on worker threads, each a host of
 * the same module; calls wait in one queue for a free worker. Create it
 * with `await WapcHostPool.create(module, options)`.
 */
export class WapcHostPool {
  /** Workers kept running. */
  readonly minWorkers: number;
  /** Most workers. */
  readonly maxWorkers: number;
  /** How long a call may wait for a free worker before the pool grows, in ms. */
  readonly maxWaitMs: number;
  /** How long a worker beyond `minWorkers` may stay idle before it is stopped, in ms. */
  readonly maxIdleMs: number;
  readonly #factory: PoolEngineFactory;
  readonly #callback: HostCallbackAsync | undefined;
  #module: WebAssembly.Module;
  #generation = 0;
  /** Replacements whose module is not compiled yet: calls wait for them (see replaceModule). */
  #held = 0;
  readonly #members: Member[] = [];
  #starting = 0;
  readonly #queue: Job[] = [];
  #growTimer: ReturnType<typeof setTimeout> | undefined;
  #swaps: Promise<unknown> = Promise.resolve();
  #closed = false;

  /** A pool without workers yet; `create` makes one and starts its workers. */
  protected constructor(module: WebAssembly.Module, factory: PoolEngineFactory, options: WapcHostPoolOptions) {
    this.minWorkers = count('minWorkers', options.minWorkers, 1, 1);
    this.maxWorkers = count('maxWorkers', options.maxWorkers, Math.max(2, this.minWorkers), 1);
    if (this.maxWorkers < this.minWorkers) throw new RangeError('maxWorkers must not be below minWorkers');
    this.maxWaitMs = duration('maxWaitMs', options.maxWaitMs, 100);
    this.maxIdleMs = duration('maxIdleMs', options.maxIdleMs, 300_000);
    this.#module = module;
    this.#factory = factory;
    this.#callback = options.hostCallback;
  }

  /** Starts a pool of `minWorkers` workers running `module`; rejects with InitFailedError if the first cannot start. */
  static async create(module: Uint8Array | WebAssembly.Module, options: WapcHostPoolOptions = {}): Promise<WapcHostPool> {
    const factory = options.engineFactory;
    if (factory === undefined) throw new TypeError('this platform has no worker engine for a pool; give options.engineFactory');
    if (options.engine !== undefined) checkEngineOptions(options.engine);
    let compiled: WebAssembly.Module;
    try {
      compiled = await compileGuestAsync(module);
    } catch (e) {
      throw new InitFailedError(errorText(e), { cause: e });
    }
    const pool = new this(compiled, factory, options);
    try {
      await Promise.all(Array.from({ length: pool.minWorkers }, () => pool.#addMember()));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /** Running workers (for figures and tests). */
  get size(): number {
    return this.#members.length;
  }

  /** Calls waiting for a worker. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** The ids of the workers' hosts (what the host callback receives). */
  get hostIds(): number[] {
    return this.#members.map((m) => m.host.id);
  }

  /**
   * Calls `operation` with `payload` on the first free worker (calls are
   * queued, first come, first served); resolves to the guest's reply or
   * rejects with GuestCallFailureError.
   */
  call(operation: string, payload: Uint8Array): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(new WapcClosedError('call() on a closed pool'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ operation, payload, enqueuedAt: performance.now(), resolve, reject });
      this.#pump();
    });
  }

  /** Swaps every worker to `module` (see above); rejects with ReplacementFailedError, and changes nothing, if it cannot run. */
  replaceModule(module: Uint8Array | WebAssembly.Module): Promise<void> {
    // Calls made from now on wait until the new module is compiled (then run on it) or failed (then on the old one).
    this.#held++;
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      this.#held--;
      this.#pump();
    };
    const run = this.#swaps.then(() => this.#replace(module, release)).finally(release);
    this.#swaps = run.catch(() => undefined);
    return run;
  }

  /** Fails waiting calls, lets calls in flight finish, stops every worker. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#growTimer);
    for (const job of this.#queue.splice(0)) job.reject(new WapcClosedError('the pool was closed before the call ran'));
    const members = this.#members.splice(0);
    await Promise.all(members.map((m) => this.#retire(m)));
  }

  async #replace(source: Uint8Array | WebAssembly.Module, release: () => void): Promise<void> {
    if (this.#closed) throw new WapcClosedError('replaceModule() on a closed pool');
    let module: WebAssembly.Module;
    try {
      module = await compileGuestAsync(source);
    } catch (e) {
      throw new ReplacementFailedError(errorText(e), { cause: e });
    }
    const previous = { module: this.#module, generation: this.#generation };
    const generation = previous.generation + 1;
    // From here calls go only to workers on the new generation.
    this.#generation = generation;
    this.#module = module;
    release();
    const first = this.#members.find((m) => !m.busy) ?? this.#members[0];
    try {
      if (first === undefined) await this.#addMember();
      else await this.#swap(first, module, generation, false);
    } catch (e) {
      this.#generation = previous.generation;
      this.#module = previous.module;
      this.#pump();
      throw e instanceof ReplacementFailedError ? e : new ReplacementFailedError(errorText(e), { cause: e });
    }
    await Promise.all(this.#members.filter((m) => m.generation !== generation).map((m) => this.#swap(m, module, generation, true)));
  }

  /** Swaps one worker (after its call in flight). With `replaceOnFailure`, a worker that cannot swap is replaced by a new one. */
  async #swap(member: Member, module: WebAssembly.Module, generation: number, replaceOnFailure: boolean): Promise<void> {
    try {
      await member.host.replaceModule(module as unknown as Uint8Array);
      member.generation = generation;
    } catch (e) {
      if (!replaceOnFailure) throw e;
      this.#remove(member);
      await this.#retire(member);
      if (this.#members.length + this.#starting < this.minWorkers) await this.#addMember().catch(() => undefined);
    }
    this.#pump();
  }

  async #addMember(): Promise<void> {
    this.#starting++;
    const generation = this.#generation;
    let host: WapcHostAsync;
    try {
      host = await WapcHostAsync.create(this.#factory(this.#module), this.#callback);
    } finally {
      this.#starting--;
    }
    const member: Member = { host, generation, busy: false, reaper: undefined };
    if (this.#closed) {
      await host.close();
      return;
    }
    this.#members.push(member);
    if (generation !== this.#generation) void this.#swap(member, this.#module, this.#generation, true);
    this.#idle(member);
    this.#pump();
  }

  #pump(): void {
    if (this.#held > 0) return;
    while (this.#queue.length > 0) {
      const member = this.#members.find((m) => !m.busy && m.generation === this.#generation);
      if (member === undefined) break;
      this.#dispatch(member, this.#queue.shift()!);
    }
    if (this.#queue.length > 0) this.#scheduleGrowth();
  }

  #dispatch(member: Member, job: Job): void {
    member.busy = true;
    clearTimeout(member.reaper);
    member.reaper = undefined;
    member.host.call(job.operation, job.payload).then(job.resolve, (e: unknown) => {
      job.reject(e);
      if ((e as Error | null)?.name === 'WorkerStoppedError') this.#lost(member);
    }).finally(() => {
      member.busy = false;
      if (this.#members.includes(member)) this.#idle(member);
      this.#pump();
    });
  }

  /** A worker died: drop it, and keep at least minWorkers. */
  #lost(member: Member): void {
    this.#remove(member);
    void member.host.close();
    if (!this.#closed && this.#members.length + this.#starting < this.minWorkers) this.#addMember().catch(() => undefined);
  }

  #scheduleGrowth(): void {
    if (this.#growTimer !== undefined || this.#closed) return;
    if (this.#members.length + this.#starting >= this.maxWorkers) return;
    const oldest = this.#queue[0]!;
    const wait = Math.max(0, oldest.enqueuedAt + this.maxWaitMs - performance.now());
    this.#growTimer = setTimeout(() => {
      this.#growTimer = undefined;
      if (this.#closed || this.#queue.length === 0) return;
      if (this.#members.length + this.#starting < this.maxWorkers) {
        this.#addMember().catch((e: unknown) => {
          // No worker can start (the module's start failed): fail the calls nobody can take.
          if (this.#members.length === 0) for (const job of this.#queue.splice(0)) job.reject(e);
        });
      }
      this.#pump();
    }, wait);
  }

  /** Arms the idle reaper of a worker beyond minWorkers. */
  #idle(member: Member): void {
    clearTimeout(member.reaper);
    if (this.maxWorkers === this.minWorkers) return; // nothing to reap
    member.reaper = setTimeout(() => {
      member.reaper = undefined;
      if (member.busy || this.#members.length <= this.minWorkers) return;
      this.#remove(member);
      void this.#retire(member);
    }, this.maxIdleMs);
    (member.reaper as { unref?: () => void }).unref?.();
  }

  #remove(member: Member): void {
    const i = this.#members.indexOf(member);
    if (i >= 0) this.#members.splice(i, 1);
  }

  async #retire(member: Member): Promise<void> {
    clearTimeout(member.reaper);
    await member.host.close();
  }
}
