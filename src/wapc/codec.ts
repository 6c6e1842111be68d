/**
 * MessagePack for waPC payloads (layer: waPC host), compatible with the
 * Rust crate `wapc-codec` (`messagepack::serialize`/`deserialize`, i.e.
 * rmp-serde with structs as maps keyed by field name), on @msgpack/msgpack.
 *
 * - Objects are maps with string keys: a Rust struct's fields by name.
 * - Integers take the smallest encoding (as rmp-serde writes them);
 *   numbers with a fraction are float 64. 64-bit integers beyond what a
 *   number holds exactly decode as `bigint` (only values written in 64-bit
 *   form do; smaller ones stay numbers), and a `bigint` encodes as a 64-bit
 *   integer, so u64/i64 fields round-trip without loss.
 * - Uint8Array is MessagePack bin, which Rust reads into `serde_bytes`
 *   fields (a plain `Vec<u8>` field is an array of integers in rmp-serde).
 * - `undefined` and `null` are nil (a Rust `Option::None`).
 */
import { decode, Encoder } from '@msgpack/msgpack';

/**
 * The encoder. With bigint support on, @msgpack/msgpack writes numbers
 * beyond 32 bits as float 64 (to tell them from bigints on the way back);
 * rmp-serde writes them as 64-bit integers, and a Rust integer field
 * refuses a float, so such numbers are written as 64-bit integers here
 * (the codec test pins the bytes).
 */
function wapcEncoder(): Encoder {
  const encoder = new Encoder({ useBigInt64: true });
  const inner = encoder as unknown as { encodeNumber(n: number): void; encodeBigInt64(n: bigint): void };
  const encodeNumber = inner.encodeNumber.bind(inner);
  inner.encodeNumber = (n) => {
    if (Number.isSafeInteger(n) && (n >= 0x1_0000_0000 || n < -0x8000_0000)) inner.encodeBigInt64(BigInt(n));
    else encodeNumber(n);
  };
  return encoder;
}

const encoder = wapcEncoder();

/**
 * MessagePack payloads compatible with the Rust crate `wapc-codec`
 * (rmp-serde, structs as maps keyed by field name): objects are maps,
 * integers take their smallest encoding, `Uint8Array` is bin, 64-bit
 * integers decode as `bigint` and a `bigint` encodes as one.
 */
export const messagepack = {
  /** Encodes `value` as wapc-codec would encode the equivalent Rust value. */
  serialize(value: unknown): Uint8Array {
    return encoder.encode(value);
  },
  /** Decodes a MessagePack payload (maps become plain objects). */
  deserialize<T = unknown>(bytes: Uint8Array): T {
    return decode(bytes, { useBigInt64: true }) as T;
  },
};
