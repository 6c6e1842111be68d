/**
 * The channel port, kernel side (layer: execution, platform-neutral): the
 * dispatcher that serves guest threads' system calls from the syscall
 * channel on the kernel's thread, driven by its event loop.
 *
 * It sleeps in Atomics.waitAsync on the kernel's readiness cell, which
 * guest threads bump with each request and I/O threads bump when a
 * resource becomes ready. Each slot belongs to a thread of a process,
 * which says how to run a function by its number. A call that would block
 * (`Parked`) stays parked and is tried again whenever the signal changes
 * or its wake-up time passes; a call that met an unsettled backend Promise
 * (`Pending`) stays parked until the Promise settles and then runs again
 * from the start, the process's async-backend session answering the
 * replayed backend calls from that slot's record. The server never blocks.
 */
import { CallReplaced, Parked, type Attempt, type WakeIn } from '../kernel/blocking.js';
import { CallRecord, type AsyncBackendSession } from '../host/async-backend.js';
import { Pending } from '../host/pending.js';
import type { ReadinessSignal } from '../host/readiness-signal.js';
import { errnoOrRethrow } from '../syscalls/context.js';
import type { SyscallChannel } from './channel.js';

/** A system call by number, with its decoded arguments. */
export type SyscallByNumber = (number: number, args: (number | bigint)[]) => number;

/** Who a slot belongs to: how its calls run, and what to do when one ends the process. */
export interface SlotOwner {
  /** Runs function `number`; throws what the syscall throws (Parked, Pending, ProcessExit, a host fault). */
  call: SyscallByNumber;
  /** Backend calls of this owner's filesystems that may answer with Promises (replayed per slot). */
  session?: AsyncBackendSession;
  /** A call ended the process (proc_exit, a fatal signal) or failed in the host: the thrown value. */
  fatal(thrown: unknown): void;
  /** After each completed call, e.g. to keep the direct-write map current. */
  completed?(number: number): void;
}

interface ParkedCall { attempt: Attempt; wakeIn: WakeIn }

/** A slot whose call waits for a backend Promise; `settled` once it did. */
interface PendingCall { record: CallRecord; settled: boolean }

export class ChannelServer {
  readonly #owners = new Map<number, SlotOwner>();
  readonly #parked = new Map<number, ParkedCall>();
  readonly #pending = new Map<number, PendingCall>();
  #stopped = false;

  constructor(readonly channel: SyscallChannel, readonly readiness: ReadinessSignal) {}

  /** Serves `slot` for `owner` from now on. */
  attach(slot: number, owner: SlotOwner): void {
    this.#owners.set(slot, owner);
  }

  /** Stops serving `slot` (its thread ended); a call it had parked is dropped. */
  detach(slot: number): void {
    this.#owners.delete(slot);
    this.#parked.delete(slot);
    this.#pending.delete(slot);
  }

  /** Serves until `stop()`. */
  async serve(): Promise<void> {
    const cell = this.readiness.cell;
    while (!this.#stopped) {
      const seen = Atomics.load(cell, 0);
      this.#drain();
      if (this.#stopped) break;
      let wait = Infinity;
      for (const p of this.#parked.values()) wait = Math.min(wait, p.wakeIn());
      const w = waitAsync(cell, 0, seen, wait === Infinity ? undefined : Math.max(0, wait));
      if (w.async) await w.value;
    }
  }

  /** Ends `serve()` (the process ended); parked calls are dropped. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#parked.clear();
    this.#pending.clear();
    this.readiness.notify(); // lets serve()'s waitAsync return
  }

  /** Runs every waiting request and every parked call that may finish now. */
  #drain(): void {
    for (const [slot, p] of this.#parked) {
      const owner = this.#owners.get(slot);
      if (owner === undefined) continue;
      let result: number | undefined;
      try {
        result = p.attempt();
      } catch (e) {
        if (e instanceof CallReplaced) {
          this.#parked.delete(slot);
          continue;
        }
        try {
          result = errnoOrRethrow(e);
        } catch (fatal) {
          owner.fatal(fatal);
          return;
        }
      }
      if (this.#stopped) return;
      if (result !== undefined) {
        this.#parked.delete(slot);
        this.channel.reply(slot, result);
      }
    }
    for (const [slot, pending] of this.#pending) {
      if (!pending.settled) continue;
      this.#pending.delete(slot);
      this.#call(slot, pending.record);
      if (this.#stopped) return;
    }
    for (const slot of this.#owners.keys()) {
      if (this.channel.hasRequest(slot) && !this.#parked.has(slot) && !this.#pending.has(slot)) {
        this.#call(slot, undefined);
        if (this.#stopped) return;
      }
    }
  }

  /** Runs the call in `slot` (again, from `record`, after a Pending settled). */
  #call(slot: number, record: CallRecord | undefined): void {
    const owner = this.#owners.get(slot)!;
    const number = this.channel.func(slot);
    const session = owner.session;
    let current: CallRecord | undefined;
    if (session !== undefined) {
      if (record === undefined) current = session.begin();
      else { session.resume(record); current = record; }
    }
    let result: number;
    try {
      result = owner.call(number, this.channel.args(slot));
    } catch (e) {
      if (e instanceof Parked) {
        this.#parked.set(slot, { attempt: e.attempt, wakeIn: e.wakeIn });
        return;
      }
      if (e instanceof CallReplaced) return; // exec in place: the slot's thread is gone, nothing to answer
      if (e instanceof Pending && current !== undefined) {
        const pending: PendingCall = { record: current, settled: false };
        this.#pending.set(slot, pending);
        const settled = (): void => {
          pending.settled = true;
          this.readiness.notify();
        };
        e.promise.then(settled, settled);
        return;
      }
      owner.fatal(e);
      return;
    } finally {
      session?.end();
    }
    owner.completed?.(number);
    this.channel.reply(slot, result);
  }
}

/** Atomics.waitAsync (ES2024; in Node 20 and current browsers), typed here for the ES2022 library. */
const waitAsync = (Atomics as unknown as {
  waitAsync(cell: Int32Array, index: number, value: number, timeoutMs?: number):
    { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;
