/**
 * Telling a component from a core module (layer: execution,
 * platform-neutral): both start with `\0asm`; the four bytes after it are
 * the version (1 0 0 0 for a core module) or, for a component, the
 * component-model version and layer (0x0d 0 1 0).
 */

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const COMPONENT_LAYER = 1;

/** True when `bytes` start with a component's preamble (any component-model version). */
export function isComponent(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) return false;
  return bytes[6] === COMPONENT_LAYER && bytes[7] === 0 && !(bytes[4] === 1 && bytes[5] === 0);
}
