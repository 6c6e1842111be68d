/**
 * The channel port, guest side (layer: execution, platform-neutral; runs
 * inside a thread worker): one wasm thread whose kernel is on another
 * thread. Instantiates the module on the shared memory with imports that
 * hand every system call to the kernel through the syscall channel (each
 * import the module makes from a namespace of the syscall numbering sends
 * that function's number), except `fd_write` to a descriptor the
 * direct-write map names: that one is written from this thread (no
 * cross-thread round trip for the hot call). Functions with an i64
 * parameter are linked through the i64 adapter (../i64-adapter.ts), so
 * their arguments reach the channel as i32 halves, without a BigInt.
 */
import { PREVIEW1, THREADS, UNSTABLE, type Signature } from '../../abi/signatures.js';
import { isSyscallModule, syscallEntry, type SyscallModule } from '../../abi/syscall-table.js';
import type { GuestThreadStart } from '../../host/threads.js';
import { SyscallChannel } from '../channel.js';
import { linkThroughAdapter, type SplitFunction } from '../i64-adapter.js';

const TABLES: Readonly<Record<SyscallModule, Readonly<Record<string, Signature>>>> = {
  wasi_snapshot_preview1: PREVIEW1,
  wasi_unstable: UNSTABLE,
  wasi: THREADS,
};

/** Writes all of `data` to a host descriptor, synchronously; throws on failure. */
export type HostWrite = (hostFd: number, data: Uint8Array) => void;

type ImportFn = SplitFunction;

/** Runs the thread's entry to completion; a trap propagates. */
export function runGuestThread(start: GuestThreadStart, hostWrite: HostWrite | undefined): void {
  const channel = new SyscallChannel(start.channel, new Int32Array(start.doorbell, 0, 1));
  const slot = start.slot;
  const memory = start.memory;
  const split: Partial<Record<SyscallModule, Record<string, ImportFn>>> = {};
  for (const { module, name, kind } of WebAssembly.Module.imports(start.module)) {
    if (kind !== 'function' || !isSyscallModule(module)) continue;
    const entry = syscallEntry(module, name);
    if (entry === undefined) continue; // reported before the process started (missing imports)
    const number = entry.number;
    const call: ImportFn = name === 'fd_write' && hostWrite !== undefined && start.directWrites
      ? directFdWrite(channel, slot, number, memory, hostWrite)
      : (...args) => channel.call(slot, number, args);
    (split[module] ??= {})[name] = call;
  }
  const namespaces: Record<string, Record<string, unknown>> = {};
  for (const [module, functions] of Object.entries(split) as [SyscallModule, Record<string, ImportFn>][]) {
    namespaces[module] = linkThroughAdapter<Record<string, unknown>>(TABLES[module], functions);
  }
  (namespaces[start.memoryImport.module] ??= {})[start.memoryImport.name] = memory;
  const instance = new WebAssembly.Instance(start.module, namespaces as WebAssembly.Imports);
  if (start.entry.kind === 'main') {
    (instance.exports['_start'] as () => void)();
  } else {
    (instance.exports['wasi_thread_start'] as (tid: number, arg: number) => void)(start.entry.tid, start.entry.arg);
  }
}

/**
 * fd_write that writes straight to the host descriptor the map names; any
 * case it does not handle (no mapping, a bad pointer, a host error before
 * anything was written) goes to the kernel, which answers with the errno.
 */
function directFdWrite(channel: SyscallChannel, slot: number, fdWrite: number, memory: WebAssembly.Memory, hostWrite: HostWrite): ImportFn {
  let buffer: ArrayBufferLike = memory.buffer;
  let view = new DataView(buffer);
  return (fd: number, iovs: number, iovsLen: number, out: number): number => {
    const host = channel.directWriteFd(fd);
    if (host >= 0) {
      if (memory.buffer.byteLength !== buffer.byteLength) {
        buffer = memory.buffer;
        view = new DataView(buffer);
      }
      const size = buffer.byteLength;
      const at = iovs >>> 0;
      const n = iovsLen >>> 0;
      const outAt = out >>> 0;
      if (at + n * 8 <= size && outAt + 4 <= size) {
        let total = 0;
        let ok = true;
        for (let i = 0; i < n && ok; i++) {
          const ptr = view.getUint32(at + i * 8, true);
          const len = view.getUint32(at + i * 8 + 4, true);
          if (ptr + len > size) ok = false;
          else if (len > 0) {
            try {
              hostWrite(host, new Uint8Array(buffer, ptr, len));
              total += len;
            } catch {
              ok = false;
            }
          }
        }
        if (ok || total > 0) {
          view.setUint32(outAt, total, true);
          return 0;
        }
      }
    }
    return channel.call(slot, fdWrite, [fd, iovs, iovsLen, out]);
  };
}
