/**
 * Random bytes (layer: host): the Web Crypto CSPRNG by default, replaceable
 * by an embedder (e.g. a seeded generator for reproducible runs).
 */
export type RandomSource = (dst: Uint8Array) => void;

/** getRandomValues fills at most 65536 bytes per call, and refuses shared memory. */
export const cryptoRandom: RandomSource = (dst) => {
  const chunk = new Uint8Array(Math.min(dst.byteLength, 65536));
  for (let at = 0; at < dst.byteLength; at += 65536) {
    const n = Math.min(65536, dst.byteLength - at);
    const view = n === chunk.byteLength ? chunk : chunk.subarray(0, n);
    crypto.getRandomValues(view);
    dst.set(view, at);
  }
};
