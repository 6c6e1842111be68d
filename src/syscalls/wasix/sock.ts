/**
 * WASIX sockets and name lookups (layer: syscalls): `sock_open`,
 * `sock_bind`, `sock_listen`, `sock_accept_v2`, `sock_connect`,
 * `sock_recv_from`, `sock_send_to`, `sock_send_file`, `sock_status`,
 * `sock_addr_local`/`_peer`, the options, the multicast memberships,
 * `sock_pair` and `resolve`, over
 * the kernel's network (`Kernel.network`: a VirtualNetworking and the
 * policy checked here, before the network sees a connect, bind, send_to
 * or lookup). Preview 1's `sock_accept`, `sock_recv`, `sock_send` and
 * `sock_shutdown` act on these sockets too (../preview1/sock.ts).
 *
 * Blocking follows the descriptor's NONBLOCK flag and the socket's
 * timeouts; a denied destination fails as a refused connection
 * (ECONNREFUSED), a denied bind with EACCES, a denied lookup as an unknown
 * name (ENOENT). Joining a multicast group counts as binding the group's
 * address at the socket's port (0 before it is bound), since the socket
 * then receives what is sent there: a denied join is EACCES. Sending to a
 * group is a `sock_send_to`, checked as any destination; leaving is not
 * checked.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import { FdFlags, RIGHTS_SOCKET, Rights } from '../../abi/constants.js';
import type { Descriptor } from '../../kernel/fd-table.js';
import { NO_NETWORK } from '../../kernel/network.js';
import { NetSocketResource, type SocketTimes } from '../../kernel/net-socket-resource.js';
import { errnoOf } from '../../abi/host-errors.js';
import type { MulticastInterface, SocketKind, SocketOption, VirtualSocket } from '../../host/net/networking.js';
import { loopbackNetworking } from '../../host/net/loopback.js';
import type { ReadinessSignal } from '../../host/readiness-signal.js';
import { anyAddress, formatIp, ipFamily, isAnyAddress, loopbackAddress, type IpFamily, type SocketAddress } from '../../host/net/socket-address.js';
import { blockingIo, isNonblocking, waitFor, writeAll } from '../blocking-io.js';
import { errnoOrRethrow, syscall, type SyscallContext } from '../context.js';
import { noteForTrace } from '../trace-note.js';
import { ADDR_IP_SIZE, ADDR_PORT_SIZE, AddressFamily, ipFamilyOf, readAddrPort, writeAddrIp, writeAddrPort } from './sock-address.js';

/** `sock_type`. */
const enum SockType { STREAM = 1, DGRAM = 2 }
/** `sock_proto` values a socket may be opened with. */
const enum SockProto { DEFAULT = 0, TCP = 6, UDP = 17 }
/** `sock_status`. */
const enum SockStatus { OPENING = 0, OPENED = 1, CLOSED = 2, FAILED = 3 }
/** `option` tags. */
const enum Option { NONE = 0, SOME = 1 }

/** Rights of a socket a guest opened: a connection's, and accept (it may listen). */
const RIGHTS_GUEST_SOCKET = RIGHTS_SOCKET | Rights.SOCK_ACCEPT;

/** `sock_option` numbers, and what each is. */
const FLAG_OPTIONS: ReadonlyMap<number, SocketOption | 'kept'> = new Map([
  [1, 'reusePort'], [2, 'reuseAddress'], [3, 'noDelay'], [4, 'kept'], [5, 'onlyV6'], [6, 'broadcast'],
  [7, 'multicastLoop'], [8, 'multicastLoop'], [9, 'kept'], [12, 'keepAlive'], [14, 'kept'],
] as const);
const LISTENING = 10;
const TIME_OPTIONS: ReadonlyMap<number, keyof SocketTimes> = new Map([
  [13, 'linger'], [19, 'receive'], [20, 'send'], [21, 'connect'], [22, 'accept'],
] as const);
const SIZE_OPTIONS: ReadonlyMap<number, SocketOption | 'kept'> = new Map([
  [15, 'receiveBufferSize'], [16, 'sendBufferSize'], [17, 'kept'], [18, 'kept'], [23, 'ttl'], [24, 'multicastTtl'],
] as const);
const TYPE = 25;
const PROTO = 26;

/** A stream or datagram socket for `sock_type` and `sock_proto`; undefined for other kinds (raw, seqpacket) and mismatches. */
function socketKind(socktype: number, proto: number): SocketKind | undefined {
  const type = socktype & 0xff;
  if (type === SockType.STREAM && (proto === SockProto.DEFAULT || proto === SockProto.TCP)) return 'stream';
  if (type === SockType.DGRAM && (proto === SockProto.DEFAULT || proto === SockProto.UDP)) return 'datagram';
  return undefined;
}

/** Two sockets connected to each other on a private loopback network (`sock_pair`). */
function connectedPair(family: IpFamily, kind: SocketKind, readiness: ReadinessSignal): [VirtualSocket, VirtualSocket] {
  const net = loopbackNetworking();
  const here: SocketAddress = { family, ip: loopbackAddress(family), port: 0 };
  const a = net.socket(family, kind, readiness);
  if (kind === 'datagram') {
    const b = net.socket(family, kind, readiness);
    a.bind(here);
    b.bind(here);
    a.connect(b.localAddress());
    b.connect(a.localAddress());
    return [a, b];
  }
  const listener = net.socket(family, kind, readiness);
  listener.bind(here);
  listener.listen(1);
  a.connect(listener.localAddress());
  const b = listener.accept().socket;
  listener.close();
  return [a, b];
}

/** An IPv4 interface address as a membership's interface: 0.0.0.0 leaves the choice to the network. */
function ipv4Interface(ip: string): MulticastInterface {
  return isAnyAddress(ip) ? undefined : ip;
}

export function wasixSockSyscalls(ctx: SyscallContext) {
  const process = ctx.process;
  const fds = process.fds;
  const network = () => process.kernel.network ?? NO_NETWORK;

  /** The guest socket behind `fd`: EBADF, ENOTSOCK for other descriptors, ENOTSUP for a socket the embedder handed in. */
  const socketOf = (fd: number, rights = 0): { d: Descriptor; s: NetSocketResource } => {
    const d = fds.get(fd);
    if (!d.resource.isSocket) throw new WasiError(Errno.NOTSOCK);
    if (!(d.resource instanceof NetSocketResource)) throw new WasiError(Errno.NOTSUP);
    if (rights !== 0) fds.get(fd, rights);
    return { d, s: d.resource };
  };

  /**
   * Runs `op` until it stops answering EAGAIN (operations the guest always
   * waits for: a bind, listen, a lookup). On a threaded kernel the wait is
   * parked and `op` finishes later on another stack, so `op` does all the
   * work, writing its results too.
   */
  const untilDone = (op: () => void): number => waitFor(ctx, () => {
    try {
      op();
      return Errno.SUCCESS;
    } catch (e) {
      const errno = errnoOrRethrow(e);
      return errno === Errno.AGAIN ? undefined : errno;
    }
  });

  const checkFamily = (s: NetSocketResource, a: SocketAddress): void => {
    if (a.family !== s.socket.family) throw new WasiError(Errno.AFNOSUPPORT);
  };

  return {
    sock_open: syscall((af: number, socktype: number, proto: number, fdOut: number): number => {
      ctx.memory.check(fdOut, 4);
      const family = ipFamilyOf(af & 0xff);
      const kind = socketKind(socktype, proto);
      if (kind === undefined) return Errno.PROTONOSUPPORT;
      process.checkSocketRoom(1);
      const socket = network().networking.socket(family, kind, process.readiness);
      const resource = new NetSocketResource(socket, kind === 'stream' ? SockProto.TCP : SockProto.UDP);
      const fd = fds.add({ resource, rightsBase: RIGHTS_GUEST_SOCKET, rightsInheriting: 0 });
      ctx.memory.setU32(fdOut, fd);
      return Errno.SUCCESS;
    }),

    sock_pair: syscall((af: number, socktype: number, proto: number, fd1Out: number, fd2Out: number): number => {
      const m = ctx.memory;
      m.check(fd1Out, 4);
      m.check(fd2Out, 4);
      // socketpair reaches no network: the pair is connected on a private in-memory one, whatever the run's.
      const family = (af & 0xff) === AddressFamily.UNIX ? 'ipv4' : ipFamilyOf(af & 0xff);
      const kind = socketKind(socktype, proto);
      if (kind === undefined) return Errno.PROTONOSUPPORT;
      process.checkSocketRoom(2);
      const [a, b] = connectedPair(family, kind, process.readiness);
      const protocol = kind === 'stream' ? SockProto.TCP : SockProto.UDP;
      const fd1 = fds.add({ resource: new NetSocketResource(a, protocol), rightsBase: RIGHTS_SOCKET, rightsInheriting: 0 });
      const fd2 = fds.add({ resource: new NetSocketResource(b, protocol), rightsBase: RIGHTS_SOCKET, rightsInheriting: 0 });
      m.setU32(fd1Out, fd1);
      m.setU32(fd2Out, fd2);
      return Errno.SUCCESS;
    }),

    sock_bind: syscall((fd: number, addrPtr: number): number => {
      const { s } = socketOf(fd);
      const a = readAddrPort(ctx.memory, addrPtr);
      checkFamily(s, a);
      if (!network().policy.allowsBind(a)) return denied(Errno.ACCES);
      // A datagram socket binds on the host at once, which may take a moment (EAGAIN until done).
      return untilDone(() => {
        s.socket.bind(a);
        s.bound = true;
      });
    }),

    sock_listen: syscall((fd: number, backlog: number): number => {
      const { s } = socketOf(fd);
      if (s.kind !== 'stream') return Errno.NOTSUP;
      if (!s.bound) {
        const any: SocketAddress = { family: s.socket.family, ip: anyAddress(s.socket.family), port: 0 };
        if (!network().policy.allowsBind(any)) return denied(Errno.ACCES);
      }
      const n = backlog <= 0 ? 1 : Math.min(backlog, 4096);
      return untilDone(() => s.socket.listen(n));
    }),

    sock_accept_v2: syscall((fd: number, flags: number, fdOut: number, addrOut: number): number =>
      acceptConnection(ctx, fd, flags, fdOut, addrOut, ADDR_PORT_SIZE)),

    sock_connect: syscall((fd: number, addrPtr: number): number => {
      const { s } = socketOf(fd);
      const a = readAddrPort(ctx.memory, addrPtr);
      checkFamily(s, a);
      if (!network().policy.allowsConnect(a)) return denied(Errno.CONNREFUSED);
      if (s.kind === 'datagram') {
        s.connect(a);
        return Errno.SUCCESS;
      }
      if (s.connectStarted) {
        const st = s.state();
        if (st.connected) return Errno.ISCONN;
        if (st.connecting) return Errno.ALREADY;
      }
      if (a.port === 0 || isAnyAddress(a.ip)) return Errno.CONNREFUSED;
      s.connect(a);
      const outcome = (): number | undefined => {
        const st = s.state();
        if (st.error !== 0) return st.error;
        if (st.connected) return Errno.SUCCESS;
        return undefined;
      };
      if (isNonblocking(s)) return outcome() ?? Errno.INPROGRESS;
      return waitFor(ctx, outcome, s.times.connect, Errno.TIMEDOUT);
    }),

    sock_recv_from: syscall((fd: number, riData: number, riDataLen: number, riFlags: number, roDatalenOut: number, roFlagsOut: number, addrOut: number): number => {
      const { s } = socketOf(fd, Rights.FD_READ);
      const m = ctx.memory;
      m.check(roDatalenOut, m.sizeBytes);
      m.check(roFlagsOut, 2);
      m.check(addrOut, 110);
      if ((riFlags & ~3) !== 0) return Errno.INVAL;
      return blockingIo(ctx, s, () => {
        const mem = ctx.memory;
        const dst = mem.iovecs(riData, riDataLen);
        const r = s.receiveFrom(dst, riFlags);
        mem.setSize(roDatalenOut, r.size);
        mem.setU16(roFlagsOut, r.roflags);
        let from = r.from;
        if (from === undefined) {
          try { from = s.socket.peerAddress(); } catch { from = undefined; }
        }
        writeAddrPort(mem, addrOut, from);
        return Errno.SUCCESS;
      }, false, s.times.receive);
    }),

    sock_send_to: syscall((fd: number, siData: number, siDataLen: number, _siFlags: number, addrPtr: number, soDatalenOut: number): number => {
      const { s } = socketOf(fd, Rights.FD_WRITE);
      const m = ctx.memory;
      m.check(soDatalenOut, m.sizeBytes);
      const to = readAddrPort(m, addrPtr);
      checkFamily(s, to);
      if (!network().policy.allowsConnect(to)) return denied(Errno.CONNREFUSED);
      if (s.kind === 'stream') return writeAll(ctx, s, siData, siDataLen, soDatalenOut, (src) => s.send(src), s.times.send);
      return blockingIo(ctx, s, () => {
        const mem = ctx.memory;
        mem.setSize(soDatalenOut, s.sendTo(mem.iovecs(siData, siDataLen), to));
        return Errno.SUCCESS;
      }, false, s.times.send);
    }),

    sock_send_file: syscall((outFd: number, inFd: number, offLo: number, offHi: number, cntLo: number, cntHi: number, sentOut: number): number => {
      const { s } = socketOf(outFd, Rights.FD_WRITE);
      const input = fds.get(inFd, Rights.FD_READ).resource;
      ctx.memory.check(sentOut, 8);
      const offset = offLo + offHi * 0x1_0000_0000;
      const count = cntLo + cntHi * 0x1_0000_0000;
      const chunk = new Uint8Array(Math.min(65536, Math.max(1, count)));
      let sent = 0;
      let queued: Uint8Array | undefined; // read from the file, not yet all sent
      // The count is written inside the attempt: a parked one finishes later, on another stack.
      const finish = (): number => {
        ctx.memory.setU64Number(sentOut, sent);
        return Errno.SUCCESS;
      };
      return blockingIo(ctx, s, () => {
        for (;;) {
          if (queued === undefined || queued.byteLength === 0) {
            if (sent >= count) return finish();
            const want = Math.min(chunk.byteLength, count - sent);
            const n = input.pread([chunk.subarray(0, want)], offset + sent);
            if (n === 0) return finish();
            queued = chunk.subarray(0, n);
          }
          let n: number;
          try {
            n = s.send([queued]);
          } catch (e) {
            // Part of it went: report that; an error shows on the next call.
            if (sent > 0 && (isNonblocking(s) || errnoOf(e) !== Errno.AGAIN)) return finish();
            throw e;
          }
          queued = queued.subarray(n);
          sent += n;
        }
      }, false, s.times.send);
    }),

    sock_status: syscall((fd: number, statusOut: number): number => {
      const { s } = socketOf(fd);
      const st = s.state();
      const status = st.error !== 0 ? SockStatus.FAILED
        : st.connecting ? SockStatus.OPENING
          : s.shutDown ? SockStatus.CLOSED : SockStatus.OPENED;
      ctx.memory.setU8(statusOut, status);
      return Errno.SUCCESS;
    }),

    sock_addr_local: syscall((fd: number, addrOut: number): number => {
      const { s } = socketOf(fd);
      writeAddrPort(ctx.memory, addrOut, s.socket.localAddress());
      return Errno.SUCCESS;
    }),

    sock_addr_peer: syscall((fd: number, addrOut: number): number => {
      const { s } = socketOf(fd);
      ctx.memory.check(addrOut, 110);
      writeAddrPort(ctx.memory, addrOut, s.socket.peerAddress());
      return Errno.SUCCESS;
    }),

    sock_set_opt_flag: syscall((fd: number, option: number, flag: number): number => {
      const { s } = socketOf(fd);
      const what = FLAG_OPTIONS.get(option);
      if (what === undefined) return option === LISTENING ? Errno.NOPROTOOPT : Errno.INVAL;
      if (flag !== 0 && flag !== 1) return Errno.INVAL;
      if (what === 'kept') s.kept.set(option, flag);
      else s.socket.setOption(what, flag === 1);
      return Errno.SUCCESS;
    }),

    sock_get_opt_flag: syscall((fd: number, option: number, flagOut: number): number => {
      const { s } = socketOf(fd);
      ctx.memory.check(flagOut, 1);
      let on: boolean;
      if (option === LISTENING) on = s.state().listening;
      else {
        const what = FLAG_OPTIONS.get(option);
        if (what === undefined) return Errno.INVAL;
        on = what === 'kept' ? (s.kept.get(option) ?? 0) !== 0 : Boolean(s.socket.getOption(what));
      }
      ctx.memory.setU8(flagOut, on ? 1 : 0);
      return Errno.SUCCESS;
    }),

    sock_set_opt_time: syscall((fd: number, option: number, timePtr: number): number => {
      const { s } = socketOf(fd);
      const what = TIME_OPTIONS.get(option);
      if (what === undefined) return Errno.INVAL;
      const m = ctx.memory;
      m.check(timePtr, 16);
      const tag = m.u8(timePtr);
      if (tag === Option.NONE) s.times[what] = undefined;
      else if (tag === Option.SOME) s.times[what] = m.u64(timePtr + 8);
      else return Errno.INVAL;
      return Errno.SUCCESS;
    }),

    sock_get_opt_time: syscall((fd: number, option: number, timeOut: number): number => {
      const { s } = socketOf(fd);
      const what = TIME_OPTIONS.get(option);
      if (what === undefined) return Errno.INVAL;
      const m = ctx.memory;
      m.check(timeOut, 16);
      m.bytes.fill(0, timeOut, timeOut + 16);
      const t = s.times[what];
      if (t !== undefined) {
        m.setU8(timeOut, Option.SOME);
        m.setU64(timeOut + 8, t);
      }
      return Errno.SUCCESS;
    }),

    sock_set_opt_size: syscall((fd: number, option: number, lo: number, hi: number): number => {
      const { s } = socketOf(fd);
      const what = SIZE_OPTIONS.get(option);
      if (what === undefined) return option === TYPE || option === PROTO ? Errno.NOPROTOOPT : Errno.INVAL;
      if (hi !== 0 || lo > 0x7fffffff) return Errno.INVAL;
      if (what === 'kept') s.kept.set(option, lo);
      else s.socket.setOption(what, lo);
      return Errno.SUCCESS;
    }),

    sock_get_opt_size: syscall((fd: number, option: number, sizeOut: number): number => {
      const { s } = socketOf(fd);
      ctx.memory.check(sizeOut, 8);
      let value: number;
      if (option === TYPE) value = s.kind === 'stream' ? SockType.STREAM : SockType.DGRAM;
      else if (option === PROTO) value = s.protocol;
      else {
        const what = SIZE_OPTIONS.get(option);
        if (what === undefined) return Errno.INVAL;
        value = what === 'kept' ? s.kept.get(option) ?? 0 : Number(s.socket.getOption(what));
      }
      ctx.memory.setU64Number(sizeOut, value);
      return Errno.SUCCESS;
    }),

    // `addr_ip4_t` is the 4 address bytes in network order, for the group and the interface (0.0.0.0: the network's choice).
    sock_join_multicast_v4: syscall((fd: number, multiaddr: number, iface: number): number =>
      membership(fd, true, ipAt(multiaddr, 4), ipv4Interface(ipAt(iface, 4)))),
    sock_leave_multicast_v4: syscall((fd: number, multiaddr: number, iface: number): number =>
      membership(fd, false, ipAt(multiaddr, 4), ipv4Interface(ipAt(iface, 4)))),
    // `addr_ip6_t` starts with the 16 address bytes in network order (flow info and scope follow, unused); the interface is an index (0: the network's choice).
    sock_join_multicast_v6: syscall((fd: number, multiaddr: number, iface: number): number =>
      membership(fd, true, ipAt(multiaddr, 16), iface === 0 ? undefined : iface >>> 0)),
    sock_leave_multicast_v6: syscall((fd: number, multiaddr: number, iface: number): number =>
      membership(fd, false, ipAt(multiaddr, 16), iface === 0 ? undefined : iface >>> 0)),

    resolve: syscall((hostPtr: number, hostLen: number, _port: number, addrs: number, naddrs: number, countOut: number): number => {
      const m = ctx.memory;
      const host = m.string(hostPtr, hostLen);
      m.check(countOut, m.sizeBytes);
      m.check(addrs, naddrs * ADDR_IP_SIZE);
      if (!network().policy.allowsLookup(host)) return denied(Errno.NOENT);
      const lookup = network().networking.lookup(host, process.readiness);
      // Everything happens inside the attempt: on a threaded kernel it finishes later, on another stack.
      const done = untilDone(() => {
        const found = lookup.result();
        network().policy.learn(host, found);
        const n = Math.min(found.length, naddrs);
        const mem = ctx.memory;
        for (let i = 0; i < n; i++) writeAddrIp(mem, addrs + i * ADDR_IP_SIZE, found[i]!);
        mem.setSize(countOut, n);
      });
      if (done !== Errno.SUCCESS) lookup.cancel();
      return done;
    }),
  };

  /** A policy denial: its errno, and a note on the call's --trace line. */
  function denied(errno: number): number {
    noteForTrace('denied by the network policy');
    return errno;
  }

  /** The IP address of `size` (4 or 16) network-order bytes at `ptr`, as canonical text. */
  function ipAt(ptr: number, size: number): string {
    ctx.memory.check(ptr, size);
    return formatIp(ctx.memory.slice(ptr, size).slice());
  }

  /**
   * Joins or leaves a multicast group (`group` of the call's family: a
   * socket of the other family answers EINVAL, as there are no dual-stack
   * sockets). The network answers with Linux's errnos (EPROTO on a stream
   * socket, EINVAL, EADDRINUSE, EADDRNOTAVAIL: networking.ts).
   */
  function membership(fd: number, join: boolean, group: string, iface: MulticastInterface): number {
    const { s } = socketOf(fd);
    // Only a join the network would take is checked (a stream socket's, or another family's group, fails there).
    if (join && s.kind === 'datagram' && ipFamily(group) === s.socket.family) {
      const at: SocketAddress = { family: s.socket.family, ip: group, port: s.socket.localAddress().port };
      if (!network().policy.allowsBind(at)) return denied(Errno.ACCES);
    }
    return untilDone(() => {
      if (join) s.socket.joinMulticast(group, iface);
      else s.socket.leaveMulticast(group, iface);
    });
  }
}

/**
 * Accepts a connection on the listening socket `fd`: its descriptor to
 * `fdOut`, the peer's address to `addrOut` as an `addr_port_t` of
 * `addrSize` bytes (110; the first generation's are 20, the same layout
 * cut short).
 */
export function acceptConnection(ctx: SyscallContext, fd: number, flags: number, fdOut: number, addrOut: number, addrSize: number): number {
  const fds = ctx.process.fds;
  const listener = fds.get(fd).resource;
  if (!listener.isSocket) return Errno.NOTSOCK;
  if (!listener.isListening) return Errno.INVAL;
  fds.get(fd, Rights.SOCK_ACCEPT);
  if ((flags & ~FdFlags.NONBLOCK) !== 0) return Errno.INVAL;
  const m = ctx.memory;
  m.check(fdOut, 4);
  m.check(addrOut, addrSize);
  // A guest's own socket knows its peer; one the embedder handed in (--listen) reports none.
  const own = listener instanceof NetSocketResource ? listener : undefined;
  return blockingIo(ctx, listener, () => {
    ctx.process.checkSocketRoom(1);
    const { resource, peer } = own !== undefined ? own.acceptWithPeer(flags) : { resource: listener.accept(flags), peer: undefined };
    const newFd = fds.add({ resource, rightsBase: RIGHTS_SOCKET, rightsInheriting: 0 });
    ctx.memory.setU32(fdOut, newFd);
    writeAddrPort(ctx.memory, addrOut, peer, addrSize);
    return Errno.SUCCESS;
  }, false, own?.times.accept);
}
