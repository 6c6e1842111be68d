/**
 * The network policy (layer: kernel): which addresses a guest may connect
 * to (and send datagrams to), which it may bind, and which names it may
 * look up. The kernel checks it on every `connect`, `bind`, `send_to` and
 * name lookup, whatever the network behind (loopback, the host's, an
 * embedder's): a denied connect fails as a refused connection does
 * (ECONNREFUSED, and nothing reaches the network), a denied bind with
 * EACCES, a denied lookup as an unknown name (ENOENT).
 *
 * Rules are `HOST:PORT`: HOST an IPv4 address, a bracketed IPv6 address,
 * either with a `/prefix` (CIDR), or `*` for any; PORT a number, a range
 * `LO-HI`, or `*`. A host name in a connect rule is resolved by the
 * network's own resolver when the guest looks it up (`resolve`): the
 * addresses that lookup answers become allowed on the rule's ports
 * (`learn`), so the kernel still matches addresses only. `localhost`
 * stands for the loopback addresses.
 */
import { formatIp, ipBytes, type SocketAddress } from '../host/net/socket-address.js';

/** One allow rule: an address block and a port range. */
export interface NetRule {
  /** Network-order bytes of the block's address (4 or 16); undefined: any address. */
  bytes: Uint8Array | undefined;
  /** Prefix length in bits (32 or 128 for a single address). */
  prefix: number;
  portLo: number;
  portHi: number;
}

/** A rule naming a host, allowed once a lookup of it answers. */
export interface NetRuleName {
  host: string;
  portLo: number;
  portHi: number;
}

/** A parsed rule: by address, or by a host name to resolve. */
export type ParsedNetRule = { rule: NetRule } | { name: NetRuleName };

/** Parses `HOST:PORT` (see the module comment); throws a TypeError saying what is wrong. */
export function parseNetRule(text: string): ParsedNetRule {
  const bad = (why: string) => new TypeError(`network rule ${JSON.stringify(text)}: ${why} (expected HOST:PORT, e.g. 127.0.0.1:8080, 10.0.0.0/8:*, [::1]:80-90, example.com:443)`);
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') throw bad('a bracketed IPv6 address must be followed by :PORT');
    host = text.slice(1, close);
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon <= 0) throw bad('no port');
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) throw bad('an IPv6 address needs brackets');
  }
  const ports = parsePorts(portText);
  if (ports === undefined) throw bad('the port must be a number 0-65535, a range LO-HI or *');
  const [portLo, portHi] = ports;
  if (host === '*') return { rule: { bytes: undefined, prefix: 0, portLo, portHi } };
  const slash = host.indexOf('/');
  const addr = slash < 0 ? host : host.slice(0, slash);
  const bytes = ipBytes(addr);
  if (bytes === undefined) {
    if (slash >= 0) throw bad('a CIDR block needs an IP address');
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) throw bad('not an IP address or host name');
    return { name: { host: host.toLowerCase(), portLo, portHi } };
  }
  const max = bytes.length * 8;
  const prefixText = slash < 0 ? undefined : host.slice(slash + 1);
  const prefix = prefixText === undefined ? max : /^[0-9]{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix <= max)) throw bad(`the prefix must be 0-${max}`);
  return { rule: { bytes, prefix, portLo, portHi } };
}

/** The rule for one resolved address of a named rule. */
export function ruleForAddress(name: NetRuleName, ip: string): NetRule {
  const bytes = ipBytes(ip);
  if (bytes === undefined) throw new TypeError(`${ip} is not an IP address`);
  return { bytes, prefix: bytes.length * 8, portLo: name.portLo, portHi: name.portHi };
}

/** `HOST:PORT` text of a rule, for messages. */
export function formatNetRule(rule: NetRule): string {
  const ports = rule.portLo === 0 && rule.portHi === 65535 ? '*' : rule.portLo === rule.portHi ? `${rule.portLo}` : `${rule.portLo}-${rule.portHi}`;
  if (rule.bytes === undefined) return `*:${ports}`;
  const ip = formatIp(rule.bytes);
  const block = rule.prefix === rule.bytes.length * 8 ? ip : `${ip}/${rule.prefix}`;
  return rule.bytes.length === 16 ? `[${block}]:${ports}` : `${block}:${ports}`;
}

/** What a guest may reach. `undefined` rule lists allow everything of that kind. */
export class NetworkPolicy {
  /** No restriction: whatever the network reaches. */
  static readonly open = new NetworkPolicy(undefined, undefined);

  readonly #connect: NetRule[] | undefined;
  readonly #bind: readonly NetRule[] | undefined;
  readonly #names: readonly NetRuleName[];

  constructor(
    /** Where connect and send_to may go; undefined: anywhere. */
    connect: readonly ParsedNetRule[] | undefined,
    /** What bind may take; undefined: anything. Names other than `localhost` are refused (bind takes addresses). */
    bind: readonly ParsedNetRule[] | undefined,
  ) {
    this.#connect = connect === undefined ? undefined : connect.flatMap((r) => 'rule' in r ? [r.rule] : localhostRules(r.name));
    this.#names = connect === undefined ? [] : connect.flatMap((r) => 'name' in r ? [r.name] : []);
    this.#bind = bind?.flatMap((r) => {
      if ('rule' in r) return [r.rule];
      if (r.name.host !== 'localhost') throw new TypeError(`allow-bind takes addresses, not host names (${r.name.host})`);
      return localhostRules(r.name);
    });
  }

  /** A policy from rule texts (`HOST:PORT`, see the module comment); undefined lists allow everything. */
  static fromRules(connect: readonly string[] | undefined, bind: readonly string[] | undefined): NetworkPolicy {
    if (connect === undefined && bind === undefined) return NetworkPolicy.open;
    return new NetworkPolicy(connect?.map(parseNetRule), bind?.map(parseNetRule));
  }

  /** True when nothing is restricted. */
  get isOpen(): boolean { return this.#connect === undefined && this.#bind === undefined; }

  /** May a guest connect (or send a datagram) to `a`? */
  allowsConnect(a: SocketAddress): boolean {
    return this.#connect === undefined || matchesAny(this.#connect, a, false);
  }

  /**
   * May a guest bind `a`? Binding the unspecified address (all of them)
   * needs a `*` rule; port 0 (any free port) needs a rule whose range
   * includes 0 (`*` does).
   */
  allowsBind(a: SocketAddress): boolean {
    return this.#bind === undefined || matchesAny(this.#bind, a, true);
  }

  /** May a guest look up `name`? IP literals and `localhost` always; other names when connect is unrestricted or a rule names them. */
  allowsLookup(name: string): boolean {
    const n = normalName(name);
    if (this.#connect === undefined || n === 'localhost' || ipBytes(n) !== undefined) return true;
    return this.#names.some((r) => r.host === n);
  }

  /**
   * Records what a lookup of `name` answered: a rule naming that host
   * now allows those addresses (on its ports). The host's resolver is
   * what turns a named rule into addresses, at the moment the guest asks.
   */
  learn(name: string, ips: readonly string[]): void {
    const n = normalName(name);
    if (this.#connect === undefined) return;
    for (const r of this.#names) {
      if (r.host !== n) continue;
      for (const ip of ips) this.#connect.push(ruleForAddress(r, ip));
    }
  }
}

function normalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** `localhost:PORTS` as the loopback blocks. */
function localhostRules(name: NetRuleName): NetRule[] {
  if (name.host !== 'localhost') return [];
  return [
    { bytes: new Uint8Array([127, 0, 0, 0]), prefix: 8, portLo: name.portLo, portHi: name.portHi },
    { ...ruleForAddress(name, '::1') },
  ];
}

function matchesAny(rules: readonly NetRule[], a: SocketAddress, binding: boolean): boolean {
  let bytes = ipBytes(a.ip);
  if (bytes === undefined) return false;
  bytes = unmapped(bytes);
  const any = bytes.every((b) => b === 0);
  for (const r of rules) {
    const portOk = binding && a.port === 0 ? r.portLo === 0 : a.port >= r.portLo && a.port <= r.portHi;
    if (!portOk) continue;
    if (r.bytes === undefined) return true;
    if (binding && any) continue; // the unspecified address needs `*`
    if (r.bytes.length === bytes.length && inBlock(bytes, r.bytes, r.prefix)) return true;
  }
  return false;
}

/** An IPv4-mapped IPv6 address as its IPv4 bytes (so IPv4 rules apply to it). */
function unmapped(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== 16) return bytes;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return bytes;
  if (bytes[10] !== 0xff || bytes[11] !== 0xff) return bytes;
  return bytes.subarray(12);
}

function inBlock(bytes: Uint8Array, block: Uint8Array, prefix: number): boolean {
  let bits = prefix;
  for (let i = 0; i < bytes.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i]! & mask) !== (block[i]! & mask)) return false;
  }
  return true;
}

function parsePorts(text: string): [number, number] | undefined {
  if (text === '*') return [0, 65535];
  const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(text);
  if (m === null) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535 || hi < lo) return undefined;
  return [lo, hi];
}
