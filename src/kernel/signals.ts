/**
 * Signals of a process (layer: kernel): dispositions and pending signals.
 * Preview 1's `proc_raise` consults the default actions of POSIX here;
 * WASIX adds handlers (`sigaction` through the guest's `__wasm_signal`) and
 * signals sent to other processes and threads, on the same table.
 */
import { SIGNAL_MAX } from '../abi/constants.js';

/** What a process does with a signal: the default action, nothing, or the guest's handler. */
export type Disposition = 'default' | 'ignore' | 'handler';

/** What raising a signal does now. */
export type SignalAction = 'ignore' | 'terminate' | 'handle';

/**
 * Signals whose default action does nothing here: CHLD, CONT, URG, WINCH
 * are ignored by default, and the job-control stops (STOP, TSTP, TTIN,
 * TTOU) do nothing because Kiln has no job control.
 */
const DEFAULT_IGNORED = new Set([16 /* CHLD */, 17 /* CONT */, 18 /* STOP */, 19 /* TSTP */, 20 /* TTIN */, 21 /* TTOU */, 22 /* URG */, 27 /* WINCH */]);

/**
 * True when `sig`, handed to a thread's handler, also ends a call the
 * thread is blocked in (EINTR). Not for the signals ignored by default
 * (CHLD, CONT, URG, WINCH, the stops): the guest's library decides their
 * disposition where the kernel cannot see it, and with the default one a
 * blocked call must not fail (a child's end would break a read in its
 * parent). Their handlers run when the call returns.
 */
export function interruptsCalls(sig: number): boolean {
  return !DEFAULT_IGNORED.has(sig);
}

/** True for a WASI signal number (0 to 30; 0 is the null signal). */
export function isSignal(sig: number): boolean {
  return Number.isInteger(sig) && sig >= 0 && sig <= SIGNAL_MAX;
}

export class Signals {
  readonly #dispositions = new Map<number, Disposition>();
  readonly #pending: number[] = [];

  /** The disposition of `sig` (default unless set). */
  disposition(sig: number): Disposition {
    return this.#dispositions.get(sig) ?? 'default';
  }

  /** Sets how `sig` is handled (KILL and STOP keep their default, as POSIX says). */
  setDisposition(sig: number, disposition: Disposition): void {
    if (sig === 9 /* KILL */ || sig === 18 /* STOP */) return;
    if (disposition === 'default') this.#dispositions.delete(sig);
    else this.#dispositions.set(sig, disposition);
  }

  /** What raising `sig` does now (the null signal 0 does nothing). */
  action(sig: number): SignalAction {
    if (sig === 0) return 'ignore';
    switch (this.disposition(sig)) {
      case 'ignore': return 'ignore';
      case 'handler': return 'handle';
      default: return DEFAULT_IGNORED.has(sig) ? 'ignore' : 'terminate';
    }
  }

  /** Queues `sig` for the guest's handler (once: a signal already pending is not queued twice). */
  queue(sig: number): void {
    if (!this.#pending.includes(sig)) this.#pending.push(sig);
  }

  /** The oldest pending signal, taken off the queue; undefined when none is pending. */
  takePending(): number | undefined {
    return this.#pending.shift();
  }

  /** Signals waiting for the guest's handler, oldest first. */
  get pending(): readonly number[] {
    return this.#pending;
  }
}
