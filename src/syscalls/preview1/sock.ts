/**
 * sock_accept, sock_recv, sock_send, sock_shutdown (layer: syscalls;
 * preview 1 "Sockets"). Preview 1 cannot create sockets; these act on
 * sockets the embedder hands in (e.g. `kiln run --listen`). A descriptor
 * that is not a socket answers ENOTSOCK. Socket resources never wait:
 * blocking (and NONBLOCK) is built in ../blocking-io.ts.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import type { Descriptor } from '../../kernel/fd-table.js';
import { FdFlags, RIGHTS_SOCKET, RiFlags, Rights, SdFlags } from '../../abi/constants.js';
import { blockingIo, isAgain, isNonblocking, skipBytes, totalBytes, writeAll } from '../blocking-io.js';
import { syscall, type SyscallContext } from '../context.js';

export function sockSyscalls(ctx: SyscallContext) {
  const fds = ctx.process.fds;
  /** The socket behind `fd`: EBADF if closed, ENOTSOCK if not a socket, then rights. */
  const socket = (fd: number, rights: number): Descriptor => {
    const d = fds.get(fd);
    if (!d.resource.isSocket) throw new WasiError(Errno.NOTSOCK);
    return fds.get(fd, rights);
  };
  return {
    sock_accept: syscall((fd: number, flags: number, fdOut: number): number => {
      if (!socket(fd, 0).resource.isListening) return Errno.INVAL;
      const d = socket(fd, Rights.SOCK_ACCEPT);
      if ((flags & ~FdFlags.NONBLOCK) !== 0) return Errno.INVAL;
      ctx.memory.check(fdOut, 4);
      const listener = d.resource;
      return blockingIo(ctx, listener, () => {
        ctx.process.checkSocketRoom(1);
        const conn = listener.accept(flags);
        const newFd = fds.add({ resource: conn, rightsBase: RIGHTS_SOCKET, rightsInheriting: 0 });
        ctx.memory.setU32(fdOut, newFd);
        return Errno.SUCCESS;
      }, (flags & FdFlags.NONBLOCK) !== 0);
    }),

    sock_recv: syscall((fd: number, riData: number, riDataLen: number, riFlags: number, roDatalenOut: number, roFlagsOut: number): number => {
      const d = socket(fd, Rights.FD_READ);
      const m = ctx.memory;
      m.check(roDatalenOut, m.sizeBytes);
      m.check(roFlagsOut, 2);
      if ((riFlags & ~3) !== 0) return Errno.INVAL;
      const conn = d.resource;
      let got = 0; // bytes received by earlier tries (RECV_WAITALL)
      return blockingIo(ctx, conn, () => {
        const mem = ctx.memory;
        const dst = mem.iovecs(riData, riDataLen);
        // Without blocking, WAITALL cannot wait: take what is there.
        const nonblocking = isNonblocking(conn);
        const flags = nonblocking ? riFlags & ~RiFlags.RECV_WAITALL : riFlags;
        const waitAll = (flags & (RiFlags.RECV_WAITALL | RiFlags.RECV_PEEK)) === RiFlags.RECV_WAITALL;
        const want = totalBytes(dst);
        let roflags = 0;
        for (;;) {
          let r: { size: number; roflags: number };
          try {
            r = conn.recv(skipBytes(dst, got), flags);
          } catch (e) {
            // Part of it arrived: report that; an error shows on the next call.
            if (got > 0 && (nonblocking || !isAgain(e))) break;
            throw e;
          }
          roflags = r.roflags;
          got += r.size;
          if (r.size === 0 || !waitAll || got >= want) break;
        }
        mem.setSize(roDatalenOut, got);
        mem.setU16(roFlagsOut, roflags);
        return Errno.SUCCESS;
      });
    }),

    sock_send: syscall((fd: number, siData: number, siDataLen: number, _siFlags: number, soDatalenOut: number): number => {
      const d = socket(fd, Rights.FD_WRITE);
      const m = ctx.memory;
      m.check(soDatalenOut, m.sizeBytes);
      return writeAll(ctx, d.resource, siData, siDataLen, soDatalenOut, (src) => d.resource.send(src));
    }),

    sock_shutdown: syscall((fd: number, how: number): number => {
      const d = socket(fd, Rights.SOCK_SHUTDOWN);
      if (how === 0 || (how & ~(SdFlags.RD | SdFlags.WR)) !== 0) return Errno.INVAL;
      d.resource.shutdown(how);
      return Errno.SUCCESS;
    }),
  };
}
