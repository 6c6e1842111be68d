/**
 * clock_res_get, clock_time_get and random_get (layer: syscalls; preview 1
 * "Clocks" and "Random").
 */
import { Errno } from '../../abi/errno.js';
import { ClockId } from '../../abi/constants.js';
import { isClockId } from '../../host/clocks.js';
import { syscall, type SyscallContext } from '../context.js';

export function clockRandomSyscalls(ctx: SyscallContext) {
  const { clocks, random } = ctx.process;
  return {
    clock_res_get: syscall((id: number, out: number): number => {
      if (!isClockId(id)) return Errno.INVAL;
      ctx.memory.setU64(out, clocks.resolution(id));
      return Errno.SUCCESS;
    }),
    clock_time_get: syscall((id: number, _precision: bigint, out: number): number => {
      if (!isClockId(id)) return Errno.INVAL;
      ctx.memory.setU64(out, clocks.now(id as ClockId));
      return Errno.SUCCESS;
    }),
    random_get: syscall((buf: number, len: number): number => {
      const dst = ctx.memory.slice(buf, len);
      if (dst.buffer instanceof ArrayBuffer) {
        random(dst);
      } else {
        // Shared memory: fill a private buffer, then copy.
        const tmp = new Uint8Array(dst.byteLength);
        random(tmp);
        dst.set(tmp);
      }
      return Errno.SUCCESS;
    }),
  };
}

