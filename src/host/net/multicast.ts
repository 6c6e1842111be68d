/**
 * A socket's multicast memberships (layer: host, platform-neutral): the
 * groups it joined, on which interface, and the errnos Linux gives for
 * joining and leaving (networking.ts, `VirtualSocket.joinMulticast`). The
 * loopback network keeps its members' groups here and delivers by them;
 * the shared-memory socket keeps them here to answer at once, before the
 * I/O thread applies them on the host.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import type { MulticastInterface, SocketKind } from './networking.js';
import { canonicalIp, ipFamily, isMulticastAddress, type IpFamily } from './socket-address.js';

/** A membership as its key: the group and the interface (`*`: the network's choice). */
function key(group: string, iface: MulticastInterface): string {
  return `${group}%${iface ?? '*'}`;
}

/** One membership: a group (canonical text) on an interface. */
export interface Membership {
  group: string;
  iface: MulticastInterface;
}

export class MulticastMemberships {
  /** By key (`key()`): the group and the interface as joined. */
  readonly #joined = new Map<string, Membership>();

  /**
   * `oneInterface`: the network has a single interface (loopback), so
   * every `iface` names it and a group is joined at most once, whichever
   * interface is given.
   */
  constructor(readonly family: IpFamily, readonly kind: SocketKind, readonly oneInterface: boolean) {}

  /** The socket is a member of `group` (on any interface). */
  has(group: string): boolean {
    for (const m of this.#joined.values()) if (m.group === group) return true;
    return false;
  }

  /** No memberships. */
  get empty(): boolean { return this.#joined.size === 0; }

  /** Records a join; EPROTO, EINVAL, EADDRINUSE as Linux. Returns the canonical group. */
  join(group: string, iface: MulticastInterface): string {
    const g = this.#group(group, true);
    const k = this.#key(g, iface);
    if (this.#joined.has(k)) throw new WasiError(Errno.ADDRINUSE, `already a member of ${g}`);
    this.#joined.set(k, { group: g, iface });
    return g;
  }

  /** Records a leave; EPROTO, EINVAL (IPv6), EADDRNOTAVAIL as Linux. Returns the canonical group. */
  leave(group: string, iface: MulticastInterface): string {
    const g = this.#group(group, false);
    if (!this.#joined.delete(this.#key(g, iface))) throw new WasiError(Errno.ADDRNOTAVAIL, `not a member of ${g}`);
    return g;
  }

  /** Every membership, as joined (canonical group, interface as given). */
  entries(): Membership[] {
    return [...this.#joined.values()];
  }

  /** Forgets everything (the socket closed). */
  clear(): void { this.#joined.clear(); }

  #key(group: string, iface: MulticastInterface): string {
    return key(group, this.oneInterface ? undefined : iface);
  }

  /** `group` checked for a join or a leave, in canonical form. */
  #group(group: string, joining: boolean): string {
    // Linux: IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP on a TCP socket is EPROTO.
    if (this.kind !== 'datagram') throw new WasiError(Errno.PROTO, 'multicast needs a datagram socket');
    const g = canonicalIp(group);
    if (g === undefined || ipFamily(g) !== this.family) throw new WasiError(Errno.INVAL, `not an ${this.family} address: ${group}`);
    if (!isMulticastAddress(g)) {
      // Linux checks the group when joining, and when an IPv6 socket leaves; an IPv4 leave just finds no such membership.
      if (joining || this.family === 'ipv6') throw new WasiError(Errno.INVAL, `not a multicast address: ${g}`);
      throw new WasiError(Errno.ADDRNOTAVAIL, `not a member of ${g}`);
    }
    return g;
  }
}
