/**
 * One wasm thread in a thread worker, to its end (layer: execution,
 * platform-neutral): what Node's and the browser's worker entries report
 * for each thread they run.
 */
import type { GuestThreadStart, ThreadEvent } from '../../host/threads.js';
import { runGuestThread, type HostWrite } from './channel.js';

/** Runs the thread; `returned`, or `failed` with the error (a trap says so); a Promise of that for a thread with contexts. */
export function runThreadToEvent(start: GuestThreadStart, hostWrite: HostWrite | undefined): ThreadEvent | Promise<ThreadEvent> {
  try {
    const running = runGuestThread(start, hostWrite);
    return running === undefined ? RETURNED : running.then(() => RETURNED, failed);
  } catch (e) {
    return failed(e);
  }
}

const RETURNED: ThreadEvent = { type: 'returned' };

function failed(e: unknown): ThreadEvent {
  const err = e instanceof Error ? e : new Error(String(e));
  return { type: 'failed', message: err.message, stack: err.stack ?? err.message, trap: e instanceof WebAssembly.RuntimeError };
}
