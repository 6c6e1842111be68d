/**
 * How a process or thread ended (layer: kernel). Every way a process ends
 * is one of these, recorded once by `Process.end`: an exit with a code, a
 * fatal signal, or a fault (a trap in a thread, a time limit, a worker
 * that died), which carries the error to report.
 */
import { ProcessExit } from '../abi/process-exit.js';

/** The process exited: `proc_exit(code)`, or `_start` returned (code 0). */
export interface Exited {
  /** An exit. */
  readonly kind: 'exit';
  /** The exit code. */
  readonly code: number;
}

/** A signal ended the process with its default action. */
export interface Signalled {
  /** A signal. */
  readonly kind: 'signal';
  /** The WASI signal number. */
  readonly signal: number;
}

/** A fault ended the process: a trap, a time limit, a thread or worker that failed. */
export interface Faulted {
  /** A fault. */
  readonly kind: 'fault';
  /** What to report: the trap (the engine's error), TimeoutError, ThreadTrapError, ... */
  readonly error: Error;
}

/** How a process ended. */
export type ExitStatus = Exited | Signalled | Faulted;

/** WASI signal numbers match Linux's up to TERM (15); Linux has STKFLT at 16. */
export function linuxSignalNumber(sig: number): number {
  return sig <= 15 ? sig : sig + 1;
}

/**
 * The WASI signal of a Linux signal number (WASIX numbers signals as
 * Linux does, with STKFLT at 16); undefined for STKFLT, which WASI lacks,
 * and for numbers past SYS (31).
 */
export function signalOfLinux(linux: number): number | undefined {
  if (linux >= 0 && linux <= 15) return linux;
  if (linux >= 17 && linux <= 31) return linux - 1;
  return undefined;
}

/**
 * The exit code a status reports: the code, or 128 + the Linux signal
 * number (as a shell shows a process killed by a signal); a fault has none.
 */
export function exitCodeOf(status: ExitStatus): number | undefined {
  switch (status.kind) {
    case 'exit': return status.code;
    case 'signal': return 128 + linuxSignalNumber(status.signal);
    case 'fault': return undefined;
  }
}

/** The exit code a status reports, or its fault thrown. */
export function exitCodeOrThrow(status: ExitStatus): number {
  if (status.kind === 'fault') throw status.error;
  return exitCodeOf(status)!;
}

/**
 * The status a thrown value means when it ends a guest thread: `ProcessExit`
 * (proc_exit, a fatal signal) is an exit or a signal; anything else is a
 * fault carrying the error (a trap: the engine's RuntimeError).
 */
export function statusOfThrown(thrown: unknown): ExitStatus {
  if (thrown instanceof ProcessExit) {
    return thrown.signal === undefined ? { kind: 'exit', code: thrown.code } : { kind: 'signal', signal: thrown.signal };
  }
  return { kind: 'fault', error: thrown instanceof Error ? thrown : new Error(String(thrown)) };
}
