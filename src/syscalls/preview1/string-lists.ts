/**
 * The arguments and the environment as a guest reads them (layer:
 * syscalls; preview 1 `args_*` and `environ_*`): the sizes, and the list of
 * pointers with the strings they point at. Bodies over a guest memory
 * only, so that a guest thread can answer them itself from the copy it is
 * handed (exec/ports/channel.ts); args-env.ts serves them for a process.
 * A pointer out of the memory throws a `WasiError` (EFAULT).
 */
import { Errno } from '../../abi/errno.js';
import type { GuestMemory } from '../../abi/memory.js';

/** `*_sizes_get`: how many strings `list` holds, and their bytes, NULs included. */
export function listSizesGet(m: GuestMemory, list: readonly Uint8Array[], countPtr: number, sizePtr: number): number {
  let size = 0;
  for (const s of list) size += s.byteLength;
  m.check(countPtr, m.sizeBytes);
  m.check(sizePtr, m.sizeBytes);
  m.setSize(countPtr, list.length);
  m.setSize(sizePtr, size);
  return Errno.SUCCESS;
}

/** `*_get`: the strings of `list` one after another at `buf`, a pointer to each at `ptrs`. */
export function listGet(m: GuestMemory, list: readonly Uint8Array[], ptrs: number, buf: number): number {
  let size = 0;
  for (const s of list) size += s.byteLength;
  const width = m.sizeBytes;
  m.check(ptrs, list.length * width);
  m.check(buf, size);
  let at = buf >>> 0;
  list.forEach((s, i) => {
    m.setSize(ptrs + i * width, at);
    m.write(at, s);
    at += s.byteLength;
  });
  return Errno.SUCCESS;
}
