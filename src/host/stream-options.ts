/**
 * Standard streams as an embedder gives them (layer: host): a host file
 * descriptor number, a Kiln stream object, or, for output, a function that
 * receives each write. Checked where options are taken (`WASI`, the waPC
 * engines), so a wrong value is a TypeError naming the option and what it
 * accepts, not a guest whose every write later fails with EIO.
 */
import { CallbackStream, type InputStream, type OutputStream } from './stdio.js';

/** How a wrong value is named in a message: its type, and the value itself when short. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined': return 'undefined';
    case 'string': return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number': return `the number ${String(value)}`;
    case 'bigint': return `the bigint ${String(value)}n`;
    case 'boolean': return String(value);
    case 'symbol': return 'a symbol';
    case 'function': return 'a function';
    default: {
      if (Array.isArray(value)) return 'an array';
      const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
      if (typeof name !== 'string' || name === '' || name === 'Object') return 'an object';
      return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
    }
  }
}

/** Where output goes: a host file descriptor number, a Kiln stream, or a function that receives a copy of each write. */
export type OutputOption = number | OutputStream | ((data: Uint8Array) => void);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

const isFd = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** Throws the TypeError for a stream option that is neither a descriptor nor a stream with `method`. */
function refuse(option: string, accepts: string, value: unknown, method: string): never {
  if (isObject(value) && !Array.isArray(value)) {
    const missing = typeof value[method] !== 'function' ? `${method}()` : 'filetype';
    throw new TypeError(`${option} must be ${accepts}, not ${describeValue(value)} without ${missing}`);
  }
  throw new TypeError(`${option} must be ${accepts}, not ${describeValue(value)}`);
}

/**
 * An output option (`stdout`, `stderr`): a host descriptor number, an
 * OutputStream (an object with `write()` and `filetype`), or a function,
 * which becomes a CallbackStream. Undefined stays undefined.
 */
export function outputOption(option: string, value: unknown): number | OutputStream | undefined {
  if (value === undefined || isFd(value)) return value;
  if (typeof value === 'function') return new CallbackStream(value as (data: Uint8Array) => void);
  if (isObject(value) && typeof value['write'] === 'function' && typeof value['filetype'] === 'number') return value as unknown as OutputStream;
  return refuse(option, 'a host file descriptor number, an OutputStream (an object with write() and filetype) or a function that receives each write', value, 'write');
}

/** An input option (`stdin`): a host descriptor number or an InputStream (an object with `read()` and `filetype`). */
export function inputOption(option: string, value: unknown): number | InputStream | undefined {
  if (value === undefined || isFd(value)) return value;
  if (isObject(value) && typeof value['read'] === 'function' && typeof value['filetype'] === 'number') return value as unknown as InputStream;
  return refuse(option, 'a host file descriptor number or an InputStream (an object with read() and filetype)', value, 'read');
}
