/**
 * Socket addresses (layer: host, platform-neutral): an IP address and a
 * port, as the networking interface (networking.ts) and the kernel's
 * policy pass them. An address is kept as canonical text (`127.0.0.1`,
 * `::1`, RFC 5952 form for IPv6) so that two spellings of one address
 * compare equal; `ipBytes` / `ipFromBytes` convert to and from the 4 or
 * 16 network-order bytes the WASIX ABI carries.
 */

/** The IP version of an address or a socket. */
export type IpFamily = 'ipv4' | 'ipv6';

/** An IP address and port. */
export interface SocketAddress {
  /** IPv4 or IPv6. */
  family: IpFamily;
  /** Canonical text: dotted quad for IPv4, RFC 5952 for IPv6 (`formatIp(ipBytes(x))`). */
  ip: string;
  /** 0–65535; 0 asks for any free port (bind) and is never a destination. */
  port: number;
}

/** The unspecified address of a family (`0.0.0.0`, `::`). */
export function anyAddress(family: IpFamily): string {
  return family === 'ipv4' ? '0.0.0.0' : '::';
}

/** The loopback address of a family (`127.0.0.1`, `::1`). */
export function loopbackAddress(family: IpFamily): string {
  return family === 'ipv4' ? '127.0.0.1' : '::1';
}

/** The 4 (IPv4) or 16 (IPv6) network-order bytes of `ip`; undefined if it is not an IP address. */
export function ipBytes(ip: string): Uint8Array | undefined {
  if (ip.includes(':')) return ipv6Bytes(ip);
  return ipv4Bytes(ip);
}

/** The family of `ip`, or undefined if it is not an IP address. */
export function ipFamily(ip: string): IpFamily | undefined {
  const b = ipBytes(ip);
  return b === undefined ? undefined : b.length === 4 ? 'ipv4' : 'ipv6';
}

/** Canonical text for 4 or 16 network-order bytes. */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  if (bytes.length !== 16) throw new RangeError('an IP address is 4 or 16 bytes');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  // IPv4-mapped addresses keep their dotted tail (::ffff:1.2.3.4), as RFC 5952 recommends.
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  // The longest run of two or more zero words becomes `::` (the first, on a tie).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** `ip` in canonical text; undefined if it is not an IP address. */
export function canonicalIp(ip: string): string | undefined {
  const b = ipBytes(ip);
  return b === undefined ? undefined : formatIp(b);
}

/** `IP:PORT`, with brackets around an IPv6 address. */
export function formatSocketAddress(a: SocketAddress): string {
  return a.family === 'ipv6' ? `[${a.ip}]:${a.port}` : `${a.ip}:${a.port}`;
}

/** The address is the unspecified one (`0.0.0.0`, `::`). */
export function isAnyAddress(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

/** The address is a loopback one (`127.0.0.0/8`, `::1`, `::ffff:127.x.x.x`). */
export function isLoopbackAddress(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1' || ip.startsWith('::ffff:127.');
}

/** The address is a multicast group (`224.0.0.0/4`, `ff00::/8`); `ip` is canonical text. */
export function isMulticastAddress(ip: string): boolean {
  const b = ipBytes(ip);
  if (b === undefined) return false;
  return b.length === 4 ? (b[0]! & 0xf0) === 0xe0 : b[0] === 0xff;
}

function ipv4Bytes(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function ipv6Bytes(text: string): Uint8Array | undefined {
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  let tail: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail = ipv4Bytes(text.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const w of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined;
      out.push(parseInt(w, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === undefined || rest === undefined) return undefined;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest];
  const out = new Uint8Array(16);
  words.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff; });
  if (tail !== undefined) out.set(tail, 12);
  return out;
}
