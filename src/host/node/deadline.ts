/**
 * A DeadlineRunner for Node (layer: host, Node only): runs the body from a
 * `vm` script with a `timeout`, so V8's watchdog stops it — JavaScript and
 * WebAssembly alike, including a wasm loop that never calls out — when the
 * time passes. The isolate stays usable afterwards. Node starts a watchdog
 * thread for each such run (tens of microseconds), which is why only
 * engines given a time limit pay for it.
 */
import vm from 'node:vm';
import { DeadlineExceeded, type DeadlineRunner } from '../deadline.js';

interface Slot {
  body: (() => unknown) | undefined;
}

let shared: { context: vm.Context; script: vm.Script; slot: Slot } | undefined;

function runner(): NonNullable<typeof shared> {
  if (shared === undefined) {
    const slot: Slot = { body: undefined };
    const context = vm.createContext({ slot });
    shared = { context, script: new vm.Script('slot.body()'), slot };
  }
  return shared;
}

export const nodeDeadline: DeadlineRunner = {
  run<T>(body: () => T, ms: number): T {
    const { context, script, slot } = runner();
    const outer = slot.body;
    slot.body = body;
    try {
      return script.runInContext(context, { timeout: Math.max(1, Math.ceil(ms)) }) as T;
    } catch (e) {
      if ((e as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new DeadlineExceeded(ms);
      throw e;
    } finally {
      slot.body = outer;
    }
  },
};
