/**
 * Blocking, built once (layer: kernel).
 *
 * Resources only offer non-blocking operations plus readiness. A call that
 * may block (poll_oneoff, a read from stdin or a socket, sock_accept, a
 * sleep; futex and join waits in WASIX) is written as an `Attempt`: it
 * tries once and answers an errno when it is done, or `undefined` while it
 * would still block. `Process.block` runs it:
 *
 * - on a guest's own thread (the direct mode), it sleeps in Atomics.wait on
 *   the process's ReadinessSignal between attempts: no spinning;
 * - on the kernel thread of a threaded process (which must keep serving the
 *   other guest threads), it throws `Parked`: the dispatcher keeps the
 *   attempt and runs it again whenever the readiness signal changes or the
 *   wake-up time passes, and answers the waiting guest thread then.
 *
 * `Pending` is thrown by an adapter over an asynchronous backend (a
 * filesystem whose reads return Promises): whoever runs the syscall awaits
 * the promise and runs the whole syscall again, and the adapter answers the
 * replayed backend calls from what settled (see host/async-backend.ts).
 */

import { Pending } from '../host/pending.js';

/** One try of a blocking call: an errno when done, `undefined` while it would block. */
export type Attempt = () => number | undefined;

/** Milliseconds until the call must be tried again even if nothing became ready (Infinity: only on readiness). */
export type WakeIn = () => number;

/** A blocked call handed to the kernel thread's dispatcher (threaded mode). */
export class Parked {
  constructor(readonly attempt: Attempt, readonly wakeIn: WakeIn) {}
}


/**
 * The call's thread is gone and its process runs another program (WASIX
 * `proc_exec` in place): whoever runs the call answers nothing.
 */
export class CallReplaced {}

/** True for the values the syscall boundary passes through instead of mapping to an errno. */
export function isControlFlow(e: unknown): e is Parked | Pending | CallReplaced {
  return e instanceof Parked || e instanceof Pending || e instanceof CallReplaced;
}
