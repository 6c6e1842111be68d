/**
 * clock_res_get, clock_time_get and random_get (layer: syscalls; preview 1
 * "Clocks" and "Random").
 */
import { Errno } from '../../abi/errno.js';
import { isClockId } from '../../host/clocks.js';
import { fillRandom } from '../../host/random.js';
import { flushPendingWrites, writesPending } from '../../kernel/write-buffer.js';
import { errnoOrRethrow, syscall, type SyscallContext } from '../context.js';

export function clockRandomSyscalls(ctx: SyscallContext) {
  const { clocks, random } = ctx.process;
  const fast = typeof clocks.writeNow === 'function';
  return {
    clock_res_get: syscall((id: number, out: number): number => {
      if (!isClockId(id)) return Errno.INVAL;
      ctx.memory.setU64(out, clocks.resolution(id));
      return Errno.SUCCESS;
    }),
    // The errno boundary of syscall(), written out: a wrapper of its own
    // keeps this hot call's call site to its body monomorphic (syscall()'s
    // wrappers are shared by every body of the same arity).
    clock_time_get: (id: number, _precisionLo: number, _precisionHi: number, out: number): number => {
      if (writesPending) flushPendingWrites();
      try {
        if (!isClockId(id)) return Errno.INVAL;
        const m = ctx.memory;
        if (fast) {
          const p = m.check(out, 8); // first: it may replace the view after memory growth
          clocks.writeNow!(id, m.view, p);
        } else {
          m.setU64(out, clocks.now(id));
        }
        return Errno.SUCCESS;
      } catch (e) {
        return errnoOrRethrow(e);
      }
    },
    random_get: syscall((buf: number, len: number): number => {
      fillRandom(random, ctx.memory.slice(buf, len));
      return Errno.SUCCESS;
    }),
  };
}

