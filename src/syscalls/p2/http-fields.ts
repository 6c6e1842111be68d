/**
 * `wasi:http/types.fields` (layer: syscalls): an HTTP header or trailer
 * list, in order, names compared without case. Fields a request or
 * response hands out (`headers()`) are immutable: changing them is
 * `immutable`. A name that is no HTTP token, a value with CR, LF or NUL is
 * `invalid-syntax`; the hop-by-hop fields the host manages itself
 * (`connection`, `keep-alive`, `transfer-encoding`, `upgrade`, ...) are
 * `forbidden`, as in wasmtime.
 */
import { fail } from './values.js';

/** `wasi:http/types.header-error`. */
export type HeaderError = { tag: 'invalid-syntax' } | { tag: 'forbidden' } | { tag: 'immutable' };

/** One field: its name as given, and its value's bytes. */
export type FieldEntry = [string, Uint8Array];

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Fields the host sets from the message itself; a guest may not. */
const FORBIDDEN = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings', 'te']);

function refuse(tag: HeaderError['tag']): never {
  return fail<HeaderError>({ tag });
}

function checkName(name: string): string {
  if (!TOKEN.test(name)) refuse('invalid-syntax');
  const lower = name.toLowerCase();
  if (FORBIDDEN.has(lower)) refuse('forbidden');
  return lower;
}

function checkValue(value: Uint8Array): Uint8Array {
  for (const b of value) if (b === 0 || b === 10 || b === 13) refuse('invalid-syntax');
  return value.slice();
}

/** `wasi:http/types.fields`. */
export class Fields {
  readonly #entries: FieldEntry[] = [];
  #immutable = false;

  static fromList(entries: readonly (readonly [string, Uint8Array])[]): Fields {
    const f = new Fields();
    for (const [name, value] of entries) {
      checkName(name);
      f.#entries.push([name, checkValue(value)]);
    }
    return f;
  }

  /** Fields the host made from a message (any names it received, no checks), immutable. */
  static received(entries: readonly FieldEntry[]): Fields {
    const f = new Fields();
    f.#entries.push(...entries);
    f.#immutable = true;
    return f;
  }

  /** This list, immutable from now on (a message's own headers once handed out). */
  frozen(): this {
    this.#immutable = true;
    return this;
  }

  get(name: string): Uint8Array[] {
    const n = name.toLowerCase();
    return this.#entries.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v.slice());
  }

  has(name: string): boolean {
    const n = name.toLowerCase();
    return this.#entries.some(([k]) => k.toLowerCase() === n);
  }

  set(name: string, values: readonly Uint8Array[]): void {
    this.#mutable();
    const n = checkName(name);
    const checked = values.map(checkValue);
    this.#remove(n);
    for (const v of checked) this.#entries.push([name, v]);
  }

  delete(name: string): void {
    this.#mutable();
    this.#remove(checkName(name));
  }

  append(name: string, value: Uint8Array): void {
    this.#mutable();
    checkName(name);
    this.#entries.push([name, checkValue(value)]);
  }

  entries(): FieldEntry[] {
    return this.#entries.map(([k, v]) => [k, v.slice()]);
  }

  /** A mutable copy. */
  clone(): Fields {
    const f = new Fields();
    f.#entries.push(...this.entries());
    return f;
  }

  #mutable(): void {
    if (this.#immutable) refuse('immutable');
  }

  #remove(lower: string): void {
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      if (this.#entries[i]![0].toLowerCase() === lower) this.#entries.splice(i, 1);
    }
  }
}
