/**
 * The `wapc` import functions (layer: waPC host): the only waPC code that
 * reads or writes guest memory. Follows the table in docs/wapc.md
 * (wapc-rs semantics), with these departures, all towards safety:
 *
 * - every pointer and length is checked against the memory's current size;
 *   an out-of-bounds one fails the call with GuestMemoryFault (wasmtime
 *   traps the same way) instead of writing anywhere;
 * - a binding, namespace or operation that is not UTF-8 is answered with a
 *   host error (`__host_call` returns 0) rather than a trap, and the host
 *   callback is not called;
 * - a guest error that is not UTF-8 is decoded with replacement characters
 *   rather than trapping, so its text still reaches the caller.
 *
 * The memory view is cached and re-made when the memory's buffer changes,
 * so a guest that grows its memory mid-call is read correctly.
 */
import type { ModuleState } from './state.js';

/** A guest pointer or length outside its memory. */
export class GuestMemoryFault extends Error {
  /**
   * The fault of import `fn` at `ptr` with `len` bytes in a memory of `size` bytes.
   *
   * @param fn The `wapc` import that was given the pointer.
   * @param ptr The pointer.
   * @param len The length.
   * @param size The memory's size in bytes.
   */
  constructor(fn: string, ptr: number, len: number, size: number) {
    super(`${fn}: out-of-bounds memory access (pointer ${ptr}, length ${len}, memory size ${size})`);
    this.name = 'GuestMemoryFault';
  }
}

/**
 * The memory export of the instance being served, read through one cached
 * view. The view is made again only when an access does not fit it: after
 * the guest grew its memory, the old buffer is detached (length 0) or, for
 * a shared memory, shorter than the memory now is.
 */
export class InstanceMemory {
  #memory: WebAssembly.Memory | undefined;
  #bytes = new Uint8Array(0);

  attach(memory: WebAssembly.Memory): void {
    this.#memory = memory;
    this.#bytes = new Uint8Array(memory.buffer);
  }

  /** A view over `end` bytes at least, or GuestMemoryFault naming `fn`. */
  #fit(fn: string, start: number, len: number): Uint8Array {
    let bytes = this.#bytes;
    if (start + len > bytes.length || bytes.length === 0) {
      const memory = this.#memory;
      if (memory === undefined) {
        // Only a wasm start section of a module given compiled (not as bytes) can get here.
        throw new Error("the guest's memory is not reachable while its wasm start section runs; give the engine the module's bytes (Kiln then runs the start function after instantiation)");
      }
      bytes = this.#bytes = new Uint8Array(memory.buffer);
      if (start + len > bytes.length) throw new GuestMemoryFault(fn, start, len, bytes.length);
    }
    return bytes;
  }

  /** `len` bytes at `ptr` (a view, not a copy); GuestMemoryFault when out of bounds. */
  read(fn: string, ptr: number, len: number): Uint8Array {
    const start = ptr >>> 0;
    const n = len >>> 0;
    return this.#fit(fn, start, n).subarray(start, start + n);
  }

  /** A copy of `len` bytes at `ptr`. */
  copy(fn: string, ptr: number, len: number): Uint8Array {
    const start = ptr >>> 0;
    const n = len >>> 0;
    return this.#fit(fn, start, n).slice(start, start + n);
  }

  /** Writes `data` at `ptr`; GuestMemoryFault when it does not fit. */
  write(fn: string, ptr: number, data: Uint8Array): void {
    const start = ptr >>> 0;
    this.#fit(fn, start, data.length).set(data, start);
  }
}

/** How `__host_call` reaches the host: synchronously, or (async engines) with a Promise the engine can suspend on. */
export type HostCallDispatch = (binding: string, namespace: string, operation: string, payload: Uint8Array) => boolean | Promise<boolean>;

export interface WapcImportOptions {
  state: ModuleState;
  memory: InstanceMemory;
  /** Receives `__console_log` messages. */
  consoleLog: (message: string) => void;
  /** Defaults to `state.doHostCall`. */
  hostCall?: HostCallDispatch;
}

/** The `wapc` functions a guest may import; each returns what the protocol says it returns. */
export interface WapcImports {
  __guest_request(opPtr: number, ptr: number): void;
  __guest_response(ptr: number, len: number): void;
  __guest_error(ptr: number, len: number): void;
  __host_call(
    bdPtr: number, bdLen: number, nsPtr: number, nsLen: number, opPtr: number, opLen: number, ptr: number, len: number,
  ): number | Promise<number>;
  __host_response_len(): number;
  __host_response(ptr: number): void;
  __host_error_len(): number;
  __host_error(ptr: number): void;
  __console_log(ptr: number, len: number): void;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Short ASCII names (the usual binding, namespace and operation) without a TextDecoder call. */
function asciiOrUtf8(bytes: Uint8Array): string {
  if (bytes.length <= 64) {
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) { ascii = false; break; }
    if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }
  return strictUtf8.decode(bytes);
}
const lossyUtf8 = new TextDecoder('utf-8');

export function createWapcImports(options: WapcImportOptions): WapcImports {
  const { state, memory, consoleLog } = options;
  const hostCall: HostCallDispatch = options.hostCall ?? ((b, n, o, p) => state.doHostCall(b, n, o, p));
  const name = (fn: string, what: string, ptr: number, len: number): string | undefined => {
    try {
      return asciiOrUtf8(memory.read(fn, ptr, len));
    } catch (e) {
      if (e instanceof TypeError) {
        state.hostFailed(`${fn}: the ${what} is not valid UTF-8`);
        return undefined;
      }
      throw e;
    }
  };
  return {
    __guest_request(opPtr, ptr) {
      if (!state.hasRequest) return;
      memory.write('__guest_request', opPtr, state.operation);
      memory.write('__guest_request', ptr, state.payload);
    },
    __guest_response(ptr, len) {
      state.guestResponse = memory.copy('__guest_response', ptr, len);
    },
    __guest_error(ptr, len) {
      state.guestError = lossyUtf8.decode(memory.read('__guest_error', ptr, len));
    },
    __host_call(bdPtr, bdLen, nsPtr, nsLen, opPtr, opLen, ptr, len) {
      const binding = name('__host_call', 'binding', bdPtr, bdLen);
      if (binding === undefined) return 0;
      const namespace = name('__host_call', 'namespace', nsPtr, nsLen);
      if (namespace === undefined) return 0;
      const operation = name('__host_call', 'operation', opPtr, opLen);
      if (operation === undefined) return 0;
      const payload = memory.copy('__host_call', ptr, len);
      const ok = hostCall(binding, namespace, operation, payload);
      if (typeof ok === 'boolean') return ok ? 1 : 0;
      return ok.then((answered) => (answered ? 1 : 0));
    },
    __host_response_len() {
      return state.hostResponse?.length ?? 0;
    },
    __host_response(ptr) {
      const response = state.hostResponse;
      if (response !== undefined) memory.write('__host_response', ptr, response);
    },
    __host_error_len() {
      return state.hostError?.length ?? 0;
    },
    __host_error(ptr) {
      const error = state.hostError;
      if (error !== undefined) memory.write('__host_error', ptr, error);
    },
    __console_log(ptr, len) {
      consoleLog(lossyUtf8.decode(memory.read('__console_log', ptr, len)));
    },
  };
}
