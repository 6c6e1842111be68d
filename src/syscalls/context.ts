/**
 * What every syscall family shares (layer: syscalls): the process it acts
 * for, the guest memory once bound, the errno boundary, and typed lookups
 * of descriptors.
 */
import { Errno, WasiError } from '../abi/errno.js';
import { GuestMemory } from '../abi/memory.js';
import { errnoOf } from '../host/host-errors.js';
import { DirectoryResource } from '../kernel/directory-resource.js';
import { ProcessExit } from '../kernel/exit.js';
import type { Process } from '../kernel/process.js';

export class SyscallContext {
  #memory: GuestMemory | undefined;

  constructor(readonly process: Process) {}

  /** Binds the guest's exported memory; syscalls cannot run before this. */
  bind(memory: WebAssembly.Memory): void {
    this.#memory = new GuestMemory(memory);
  }

  get bound(): boolean { return this.#memory !== undefined; }

  get memory(): GuestMemory {
    const m = this.#memory;
    if (m === undefined) throw new WasiError(Errno.FAULT, 'no guest memory bound yet');
    return m;
  }

  /**
   * The directory behind `fd`, for a `path_*` call: EBADF if closed, ENOTDIR
   * if it is not a directory, ENOTCAPABLE if `rights` are not all held.
   */
  dir(fd: number, rights: number): DirectoryResource {
    const d = this.process.fds.get(fd);
    if (!(d.resource instanceof DirectoryResource)) throw new WasiError(Errno.NOTDIR);
    if ((d.rightsBase & rights) !== rights) throw new WasiError(Errno.NOTCAPABLE);
    return d.resource;
  }
}

/**
 * The errno boundary: runs a syscall body and turns what it throws into the
 * return value. ProcessExit passes through: it ends the guest.
 */
export function syscall<A extends unknown[]>(body: (...args: A) => number): (...args: A) => number {
  return (...args: A): number => {
    try {
      return body(...args);
    } catch (e) {
      if (e instanceof ProcessExit) throw e;
      return errnoOf(e);
    }
  };
}

/** Converts an ABI rights value (u64) to Kiln's 30-bit number, or null if it has undefined bits. */
export function rightsFromAbi(v: bigint): number | null {
  const r = BigInt.asUintN(64, v);
  if (r >> 30n !== 0n) return null;
  return Number(r);
}
