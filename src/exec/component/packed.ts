/**
 * Transpiled components as bytes (layer: execution, platform-neutral), so
 * that a component transpiled where jco is installed (Node, a build step,
 * `kiln transpile`) runs where it is not (a browser): `packComponent`
 * writes one (MessagePack: the glue, the core modules, the imports and
 * exports, the key), `unpackComponent` reads it back, and
 * `componentsCache` serves such components as a `TranspileCache`, found by
 * the hash of the component's bytes as if they had been transpiled there.
 */
import { decode, encode } from '@msgpack/msgpack';
import type { TranspileCache, TranspiledComponent } from './transpile.js';

/** What a packed component holds, and the version of that shape. */
interface Packed {
  kiln: 'transpiled-component';
  version: 1;
  key: string;
  suspending: boolean;
  glue: string;
  cores: [string, Uint8Array][];
  imports: string[];
  exports: string[];
}

/** The bytes are not a component packed by `packComponent`. */
export class NotAPackedComponentError extends Error {
  /**
   * What is wrong with the bytes.
   *
   * @param why The reason, in words.
   */
  constructor(why: string) {
    super(`not a packed component: ${why}`);
    this.name = 'NotAPackedComponentError';
  }
}

/** `component` as bytes (`unpackComponent` reads them). */
export function packComponent(component: TranspiledComponent): Uint8Array {
  const packed: Packed = {
    kiln: 'transpiled-component',
    version: 1,
    key: component.key,
    suspending: component.suspending === true,
    glue: component.glue,
    cores: [...component.cores],
    imports: [...component.imports],
    exports: [...component.exports],
  };
  return encode(packed);
}

/** The component `packComponent` wrote into `bytes` (NotAPackedComponentError when they hold none). */
export function unpackComponent(bytes: Uint8Array): TranspiledComponent {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch (e) {
    throw new NotAPackedComponentError(e instanceof Error ? e.message : String(e));
  }
  const p = value as Partial<Packed> | null;
  if (typeof p !== 'object' || p === null || p.kiln !== 'transpiled-component') throw new NotAPackedComponentError('no transpiled component in these bytes');
  if (p.version !== 1) throw new NotAPackedComponentError(`version ${String(p.version)}; this Kiln reads version 1`);
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  const cores = (v: unknown): v is [string, Uint8Array][] => Array.isArray(v) && v.every((c) => Array.isArray(c) && typeof c[0] === 'string' && c[1] instanceof Uint8Array);
  if (typeof p.key !== 'string' || typeof p.glue !== 'string' || !cores(p.cores) || !strings(p.imports) || !strings(p.exports)) {
    throw new NotAPackedComponentError('a field is missing or of the wrong type');
  }
  return {
    key: p.key,
    ...(p.suspending === true ? { suspending: true } : {}),
    glue: p.glue,
    // Copies: a core decoded is a view into `bytes` (a Node Buffer, when they are one).
    cores: new Map(p.cores.map(([name, core]) => [name, new Uint8Array(core)])),
    imports: p.imports,
    exports: p.exports,
  };
}

/**
 * A `TranspileCache` holding `components` (each found by its key: the hash
 * of the component's bytes, and `-jspi` for the glue `runHere()` needs);
 * it keeps nothing else.
 */
export function componentsCache(components: readonly TranspiledComponent[]): TranspileCache {
  const byKey = new Map(components.map((c) => [c.key, c]));
  return {
    get: (key) => byKey.get(key),
    set: () => {},
  };
}
