/**
 * A note a syscall leaves for its `--trace` line (layer: syscalls), such
 * as "denied by the network policy": a call's errno alone cannot tell a
 * refused connection from a denied one. Calls run one at a time on a
 * kernel thread, so one slot suffices; the tracer takes it after each
 * call (and it is dropped when nothing traces).
 */
let note: string | undefined;

/** Leaves `text` for the trace line of the call in progress. */
export function noteForTrace(text: string): void {
  note = text;
}

/** The note the last call left (cleared). */
export function takeTraceNote(): string | undefined {
  const n = note;
  note = undefined;
  return n;
}
