/**
 * Datagrams in a byte ring (layer: host, platform-neutral): each datagram
 * of a datagram socket's rings is one frame, a 24-byte header followed by
 * the payload. The header holds the payload's length, then the other end's
 * address: the sender for received datagrams, the destination for those
 * to send.
 *
 *   0  u32 length   4  u8 family (4 or 6)   5  u8 0   6  u16 port   8  16 address bytes
 *
 * A frame is written with one ring write (all or nothing: the producer
 * checks the room first), so the consumer never sees half of one.
 */
import type { SharedRing } from './ring-buffer.js';
import { formatIp, ipBytes, type SocketAddress } from './socket-address.js';

/** Bytes of a frame's header. */
export const FRAME_HEADER = 24;

/** The largest UDP payload: 65535 minus the IPv4 and UDP headers (IPv6 allows a little more; this bound serves both). */
export const MAX_DATAGRAM = 65507;

/** Writes one datagram; false (nothing written) when the ring has no room for all of it. */
export function writeFrame(ring: SharedRing, address: SocketAddress, payload: readonly Uint8Array[]): boolean {
  let size = 0;
  for (const p of payload) size += p.byteLength;
  if (ring.free() < FRAME_HEADER + size) return false;
  const header = new Uint8Array(FRAME_HEADER);
  const view = new DataView(header.buffer);
  const bytes = ipBytes(address.ip);
  if (bytes === undefined) throw new TypeError(`not an IP address: ${address.ip}`);
  view.setUint32(0, size, true);
  header[4] = bytes.length === 4 ? 4 : 6;
  view.setUint16(6, address.port, true);
  header.set(bytes, 8);
  ring.write([header, ...payload]);
  return true;
}

/** The next frame's header, left in the ring; undefined when the ring is empty. */
export function peekFrame(ring: SharedRing): { size: number; address: SocketAddress } | undefined {
  if (ring.used() < FRAME_HEADER) return undefined;
  const header = new Uint8Array(FRAME_HEADER);
  ring.read([header], true);
  const view = new DataView(header.buffer);
  const v4 = header[4] === 4;
  return {
    size: view.getUint32(0, true),
    address: { family: v4 ? 'ipv4' : 'ipv6', ip: formatIp(header.slice(8, v4 ? 12 : 24)), port: view.getUint16(6, true) },
  };
}

/**
 * Takes the next frame, copying its payload into `dst` as far as it fits
 * (the rest is dropped, unless `peek` leaves the frame in the ring).
 */
export function readFrame(ring: SharedRing, dst: readonly Uint8Array[], peek: boolean):
  { size: number; copied: number; address: SocketAddress } | undefined {
  const head = peekFrame(ring);
  if (head === undefined) return undefined;
  const header = new Uint8Array(FRAME_HEADER);
  const limited: Uint8Array[] = [header];
  let left = head.size;
  for (const d of dst) {
    if (left === 0) break;
    const n = Math.min(left, d.byteLength);
    limited.push(d.subarray(0, n));
    left -= n;
  }
  const copied = ring.read(limited, peek) - FRAME_HEADER;
  if (!peek) ring.skip(head.size - copied);
  return { size: head.size, copied, address: head.address };
}
