/**
 * The futex table of a process (layer: kernel): waits on guest addresses
 * that go through the kernel (WASIX `futex_wait`, `futex_wake`,
 * `futex_wake_all`). A wait is a blocking attempt (kernel/blocking.ts) on a
 * waiter: the syscall checks the guest's value, enqueues a waiter and
 * blocks until a wake marks it (or its timeout passes, or the process
 * ends). Waking bumps the process's readiness signal, so a waiter sleeping
 * in Atomics.wait, suspended, or parked on the channel tries again.
 * wasi-threads guests use `memory.atomic.wait` instead, without the kernel;
 * the table exists so that a signal or the end of the process can wake a
 * waiting thread, which a wait inside wasm cannot offer.
 */

/** One thread waiting on an address. */
export interface FutexWaiter {
  /** The guest address waited on. */
  readonly address: number;
  /** True once a wake (or the end of the process) released it. */
  readonly woken: boolean;
}

interface Waiter { address: number; woken: boolean }

export class FutexTable {
  readonly #waiters = new Map<number, Waiter[]>();

  /** `notify` is called after every wake (the process's readiness signal). */
  constructor(readonly notify: () => void) {}

  /** Registers a waiter on `address` (after the caller saw the expected value there). */
  enqueue(address: number): FutexWaiter {
    const waiter: Waiter = { address, woken: false };
    const list = this.#waiters.get(address);
    if (list === undefined) this.#waiters.set(address, [waiter]);
    else list.push(waiter);
    return waiter;
  }

  /** Wakes up to `count` waiters on `address`, oldest first; the number woken. */
  wake(address: number, count = Infinity): number {
    const list = this.#waiters.get(address);
    if (list === undefined) return 0;
    const woken = list.splice(0, Math.min(count, list.length));
    for (const w of woken) w.woken = true;
    if (list.length === 0) this.#waiters.delete(address);
    if (woken.length > 0) this.notify();
    return woken.length;
  }

  /** Takes a waiter off its queue without waking it (its wait timed out or was interrupted). */
  cancel(waiter: FutexWaiter): void {
    const list = this.#waiters.get(waiter.address);
    if (list === undefined) return;
    const i = list.indexOf(waiter as Waiter);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#waiters.delete(waiter.address);
  }

  /** Waiters on `address`. */
  waiting(address: number): number {
    return this.#waiters.get(address)?.length ?? 0;
  }

  /** Wakes every waiter (the process ends). */
  wakeAll(): void {
    const any = this.#waiters.size > 0;
    for (const list of this.#waiters.values()) for (const w of list) w.woken = true;
    this.#waiters.clear();
    if (any) this.notify();
  }
}
