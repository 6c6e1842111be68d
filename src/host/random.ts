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

/** Fills `dst` from `random`; `dst` may view shared memory, which a source may refuse (it fills a private copy then). */
export function fillRandom(random: RandomSource, dst: Uint8Array): void {
  if (dst.buffer instanceof ArrayBuffer) {
    random(dst);
    return;
  }
  const tmp = new Uint8Array(dst.byteLength);
  random(tmp);
  dst.set(tmp);
}
