/**
 * The end of a guest call (layer: waPC host): wapc-rs's return convention
 * turned into the reply or a GuestCallFailureError, shared by WapcHost and
 * WapcHostAsync.
 *
 * - 0 is failure: the guest's error, or "No error message set for call failure".
 * - non-zero is success: the response (an empty one is a valid reply); with
 *   no response, the guest's error if it set one, else "No error message OR
 *   response set for call success".
 * - a trap fails with `wasm trap: <text>`, plus the guest's own error when
 *   it had set one (wasmtime reports only the trap text).
 */
import { errorText, GuestCallFailureError, GuestCallTimeoutError } from './errors.js';
import type { GuestTrap, ModuleState } from './state.js';

export function trapOf(e: unknown): GuestTrap {
  return { message: errorText(e), cause: e };
}

export function settleCall(state: ModuleState, rc: number, operation: string): Uint8Array {
  const trap = state.trap;
  const guestError = state.guestError;
  if (trap !== undefined) {
    const message = guestError === undefined ? `wasm trap: ${trap.message}` : `wasm trap: ${trap.message}; guest error: ${guestError}`;
    const Kind = trap.timedOut === true ? GuestCallTimeoutError : GuestCallFailureError;
    throw new Kind(message, { guestError, trap: trap.message, operation }, { cause: trap.cause });
  }
  if (rc === 0) {
    throw new GuestCallFailureError(guestError ?? 'No error message set for call failure', { guestError, operation });
  }
  const response = state.guestResponse;
  if (response !== undefined) return response;
  throw new GuestCallFailureError(guestError ?? 'No error message OR response set for call success', { guestError, operation });
}
