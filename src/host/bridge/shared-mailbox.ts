/**
 * A host bridge transport for threads that cannot receive a message
 * synchronously (layer: host): browsers, where a worker has no
 * `receiveMessageOnPort`. Calls still travel as messages to the owning
 * side, whose event loop is free; each reply is encoded (value-codec.ts)
 * into a growable SharedArrayBuffer, the mailbox, before the bridge's cell
 * wakes the caller, which decodes it from there. One call is in flight at a
 * time, so one mailbox serves a bridge.
 *
 * Layout: a 4-byte little-endian length, then that many bytes of the
 * encoded reply. The mailbox grows (up to `MAILBOX_MAX` bytes) when a reply
 * does not fit, and both sides see the new length.
 */
import type { SyncChannel } from './client.js';
import type { CallMessage, ReplyMessage } from './protocol.js';
import { decodeValue, encodeValue } from './value-codec.js';

/** The mailbox's first size, enough for every reply but large reads. */
const MAILBOX_INITIAL = 64 * 1024;
/** The most a mailbox may grow to (reserved, not allocated). */
const MAILBOX_MAX = 1024 * 1024 * 1024;

/** A SharedArrayBuffer that can grow (ES2024; Kiln's types target ES2022). */
interface GrowableShared extends SharedArrayBuffer {
  grow(newLength: number): void;
}

type GrowableConstructor = new (length: number, options: { maxByteLength: number }) => GrowableShared;

/** A new, empty mailbox. */
export function createMailbox(): SharedArrayBuffer {
  return new (SharedArrayBuffer as unknown as GrowableConstructor)(MAILBOX_INITIAL, { maxByteLength: MAILBOX_MAX });
}

/** The owning side: puts each reply into the mailbox (the bridge then wakes the caller). */
export function mailboxPoster(mailbox: SharedArrayBuffer): (reply: ReplyMessage) => void {
  const box = mailbox as GrowableShared;
  return (reply) => {
    const bytes = encodeValue(reply);
    const needed = 4 + bytes.byteLength;
    if (box.byteLength < needed) {
      if (needed > MAILBOX_MAX) throw new RangeError(`a reply of ${bytes.byteLength} bytes does not fit the bridge's mailbox`);
      box.grow(Math.min(MAILBOX_MAX, Math.max(needed, box.byteLength * 2)));
    }
    new DataView(box).setUint32(0, bytes.byteLength, true);
    new Uint8Array(box, 4, bytes.byteLength).set(bytes);
  };
}

/** The calling side: calls posted by `post`, each reply read from the mailbox once the cell says it is there. */
export function mailboxChannel(post: (message: CallMessage) => void, mailbox: SharedArrayBuffer): SyncChannel {
  return {
    post,
    receive() {
      const length = new DataView(mailbox).getUint32(0, true);
      return decodeValue(new Uint8Array(mailbox, 4, length));
    },
  };
}
