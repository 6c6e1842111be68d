/**
 * The inline port's runner (layer: execution): a guest thread on the
 * kernel's own thread, whose imports are the system call functions
 * themselves (`start()`, `kiln run`, the inside of a process worker). The
 * guest's entry runs synchronously, with small writes coalesced
 * (kernel/write-buffer.ts); however it ends — returning, `proc_exit`, a
 * fatal signal, a trap — the process ends through `Process.end`, which
 * here completes before this returns: nothing of the process is left
 * running, its output is flushed and its descriptors are closed.
 */
import { statusOfThrown, type ExitStatus } from '../kernel/exit-status.js';
import type { Process } from '../kernel/process.js';
import { withCoalescedWrites } from '../kernel/write-buffer.js';

/** Runs `body` (the guest's entry) as the life of `process`, and ends the process with how it ended. */
export function runInline(process: Process, body: () => void): ExitStatus {
  let status: ExitStatus;
  try {
    withCoalescedWrites(body);
    status = { kind: 'exit', code: 0 };
  } catch (e) {
    status = statusOfThrown(e);
  }
  void process.end(status);
  return process.status!;
}
