/**
 * What every `wasi:*` interface of the component host shares (layer:
 * syscalls): the kernel process the component runs as, and the one way it
 * waits (`waitUntil`: the process's readiness signal, as every blocking
 * preview 1 call waits, so nothing spins), and kernel resources shared by
 * several component resources (a file and the streams read from it).
 */
import { ClockId } from '../../abi/constants.js';
import { Parked } from '../../kernel/blocking.js';
import { runReplayable, type AsyncBackendSession } from '../../host/async-backend.js';
import type { Process } from '../../kernel/process.js';
import type { Resource } from '../../kernel/resource.js';

const FOREVER = (): number => Infinity;

/**
 * The host side of one component run: its kernel process and the one way
 * its interfaces wait. An embedder's replacement interfaces (the
 * `interfaces` option) are made from it.
 */
export class HostContext {
  /** Kernel resources component resources hold (files, sockets), closed when the process ends if the guest did not drop them. */
  readonly #held = new Set<HeldResource>();

  /**
   * The context of a run of a component as `process`.
   *
   * @param process The kernel process the component runs as.
   */
  constructor(
    /** The kernel process the component runs as (arguments, environment, descriptors, clocks, random). */
    readonly process: Process,
    /**
     * The session of the process's asynchronous filesystems, when the
     * component runs with JSPI: a method run through `blocking` that meets
     * a backend Promise then suspends until it settles and runs again.
     */
    readonly session?: AsyncBackendSession,
  ) {
    process.atEnd(() => {
      for (const h of [...this.#held]) h.close();
    });
  }

  /**
   * A resource the component now owns (one holder: the caller), closed at
   * the latest when the process ends.
   *
   * @internal
   */
  own(resource: Resource): HeldResource {
    const held = HeldResource.owned(resource, (h) => this.#held.delete(h));
    this.#held.add(held);
    return held;
  }

  /**
   * How many of the resources the component holds match `match` (its open
   * sockets, for the socket limit).
   *
   * @internal
   */
  countHeld(match: (r: Resource) => boolean): number {
    let n = 0;
    for (const h of this.#held) if (match(h.resource)) n++;
    return n;
  }

  /**
   * Runs a method that may wait (`waitUntil`). On a thread that may block,
   * that is the method itself. With JSPI (`process.parkBlockedCalls`: the
   * glue suspends the guest when such a method returns a promise), a wait
   * throws `Parked` instead: the answer is then a promise that waits for
   * the process's readiness signal (or the wake-up time) and runs the
   * whole method again. So every method run this way waits before it
   * changes anything, or knows that it is run again (`blocking-write-and-flush`).
   * With a `session`, its backend calls are recorded: one that answers an
   * unsettled Promise makes the answer a promise too, which runs the
   * method again once it settles, the recorded calls answered from the
   * record (host/async-backend.ts).
   */
  blocking<T>(method: () => T): T | Promise<T> {
    const seen = this.process.readiness.generation;
    try {
      return this.#run(method);
    } catch (e) {
      if (!(e instanceof Parked)) throw e;
      return this.#again(method, e, seen);
    }
  }

  /** `method` once, replayable where the process has asynchronous backends. */
  #run<T>(method: () => T): T | Promise<T> {
    return this.session === undefined ? method() : runReplayable(this.session, method);
  }

  async #again<T>(method: () => T, parked: Parked, seen: number): Promise<T> {
    const readiness = this.process.readiness;
    for (let wait = parked, since = seen; ;) {
      await readiness.changeOrTimeout(since, wait.wakeIn());
      since = readiness.generation;
      try {
        return await this.#run(method);
      } catch (e) {
        if (!(e instanceof Parked)) throw e;
        wait = e;
      }
    }
  }

  /**
   * Waits until `check` answers (undefined: not yet), sleeping on the
   * process's readiness signal, or until `wakeIn()` ms passed, between
   * tries; returns the answer.
   */
  waitUntil<T>(check: () => T | undefined, wakeIn: () => number = FOREVER): T {
    let answer: T | undefined;
    this.process.block(() => {
      const r = check();
      if (r === undefined) return undefined;
      answer = r;
      return 0;
    }, wakeIn);
    return answer as T;
  }

  /** The process's monotonic clock, in nanoseconds. */
  monotonicNs(): bigint {
    return this.process.clocks.now(ClockId.MONOTONIC);
  }
}

/**
 * A kernel resource held by component resources: closed when the last
 * holder releases it, unless it belongs to the descriptor table (stdio),
 * which closes it itself.
 */
export class HeldResource {
  #holders = 1;

  private constructor(
    readonly resource: Resource,
    readonly owned: boolean,
    readonly onClose?: (held: HeldResource) => void,
  ) {}

  /** A resource the component owns (one holder: the caller); `onClose` runs once it is closed. Use `HostContext.own`, which also closes it when the process ends. */
  static owned(resource: Resource, onClose?: (held: HeldResource) => void): HeldResource { return new HeldResource(resource, true, onClose); }

  /** A resource the process's descriptor table owns (stdio): never closed here. */
  static borrowed(resource: Resource): HeldResource { return new HeldResource(resource, false); }

  /** One more holder. */
  retain(): this {
    this.#holders++;
    return this;
  }

  /** One holder fewer; the last closes an owned resource. */
  release(): void {
    if (--this.#holders === 0) this.close();
  }

  /** Closes an owned resource now, whoever still holds it (the process ended); once. */
  close(): void {
    this.#holders = 0;
    if (!this.owned || this.#closed) return;
    this.#closed = true;
    this.onClose?.(this);
    this.resource.close();
  }

  #closed = false;
}
