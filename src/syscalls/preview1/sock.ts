/**
 * sock_accept, sock_recv, sock_send, sock_shutdown (layer: syscalls;
 * preview 1 "Sockets"). Preview 1 cannot create sockets; these act on
 * sockets the embedder hands in (e.g. `kiln run --listen`). A descriptor
 * that is not a socket answers ENOTSOCK.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import type { Descriptor } from '../../kernel/fd-table.js';
import { FdFlags, RIGHTS_SOCKET, Rights, SdFlags } from '../../abi/constants.js';
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
      const conn = d.resource.accept(flags);
      const newFd = fds.add({ resource: conn, rightsBase: RIGHTS_SOCKET, rightsInheriting: 0 });
      ctx.memory.setU32(fdOut, newFd);
      return Errno.SUCCESS;
    }),

    sock_recv: syscall((fd: number, riData: number, riDataLen: number, riFlags: number, roDatalenOut: number, roFlagsOut: number): number => {
      const d = socket(fd, Rights.FD_READ);
      const m = ctx.memory;
      m.check(roDatalenOut, 4);
      m.check(roFlagsOut, 2);
      if ((riFlags & ~3) !== 0) return Errno.INVAL;
      const r = d.resource.recv(m.iovecs(riData, riDataLen), riFlags);
      m.setU32(roDatalenOut, r.size);
      m.setU16(roFlagsOut, r.roflags);
      return Errno.SUCCESS;
    }),

    sock_send: syscall((fd: number, siData: number, siDataLen: number, _siFlags: number, soDatalenOut: number): number => {
      const d = socket(fd, Rights.FD_WRITE);
      const m = ctx.memory;
      m.check(soDatalenOut, 4);
      m.setU32(soDatalenOut, d.resource.send(m.iovecs(siData, siDataLen)));
      return Errno.SUCCESS;
    }),

    sock_shutdown: syscall((fd: number, how: number): number => {
      const d = socket(fd, Rights.SOCK_SHUTDOWN);
      if (how === 0 || (how & ~(SdFlags.RD | SdFlags.WR)) !== 0) return Errno.INVAL;
      d.resource.shutdown(how);
      return Errno.SUCCESS;
    }),
  };
}
