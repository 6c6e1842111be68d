/**
 * `kiln run --invoke NAME` (layer: CLI): the guest arguments become the
 * function's arguments by its parameter types, and each result is printed
 * on its own line, as `wasmtime run --invoke` does: integers in signed
 * decimal, floats as Rust prints them (the shortest digits that read back
 * as the same value, never an exponent; `NaN`, `inf`, `-inf`), references
 * as `<funcref>`, `<null externref>`, ... Extra guest arguments are not an
 * error: they stay in the guest's argv, which the function may read.
 */
import type { FuncType, ValType } from '../front/function-types.js';
import { UsageError } from './errors.js';

/** An argument as JavaScript passes it to a wasm function of that type. */
export type WasmArg = number | bigint;

const I32 = /^[+-]?\d+$/;
const HEX = /^0x([0-9a-f]+)$/i;
const FLOAT = /^[+-]?(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|inf|infinity|nan)$/i;

function parseInteger(text: string, bits: 32 | 64): bigint | undefined {
  const hex = HEX.exec(text);
  let v: bigint;
  if (hex !== null) v = BigInt(`0x${hex[1]!}`);
  else if (I32.test(text)) v = BigInt(text);
  else return undefined;
  // Signed or unsigned spellings of the same bits are both accepted (-1 and 4294967295 for i32).
  const min = -(1n << BigInt(bits - 1));
  const max = (1n << BigInt(bits)) - 1n;
  if (v < min || v > max) return undefined;
  return BigInt.asIntN(bits, v);
}

function parseFloat64(text: string): number | undefined {
  if (!FLOAT.test(text)) return undefined;
  const body = text.replace(/^[+-]/, '').toLowerCase();
  const sign = text.startsWith('-') ? -1 : 1;
  if (body === 'nan') return NaN;
  if (body === 'inf' || body === 'infinity') return sign * Infinity;
  return Number(text);
}

/** One argument of type `type`, or undefined when `text` is not one. */
export function parseArg(type: ValType, text: string): WasmArg | undefined {
  switch (type) {
    case 'i32': { const v = parseInteger(text, 32); return v === undefined ? undefined : Number(v); }
    case 'i64': return parseInteger(text, 64);
    case 'f32': { const v = parseFloat64(text); return v === undefined ? undefined : Math.fround(v); }
    case 'f64': return parseFloat64(text);
    default: return undefined;
  }
}

const PASSABLE = new Set(['i32', 'i64', 'f32', 'f64']);

/**
 * The call's arguments from the guest arguments, checked against the
 * function's type before anything runs: a missing or unparsable argument,
 * or a type the command line cannot give, is a usage error.
 */
export function invokeArgs(name: string, type: FuncType, guestArgs: readonly string[]): WasmArg[] {
  const shown = `(${type.params.join(', ')})`;
  const cannot = type.params.find((t) => !PASSABLE.has(t));
  if (cannot !== undefined) throw new UsageError(`--invoke ${name}: arguments of type ${cannot} cannot be given on the command line; ${name} takes ${shown}`);
  if (type.results.includes('v128')) throw new UsageError(`--invoke ${name}: Kiln cannot call a function that returns v128 (JavaScript cannot receive one)`);
  if (guestArgs.length < type.params.length) {
    throw new UsageError(`--invoke ${name}: not enough arguments: ${name} takes ${type.params.length} ${shown}, got ${guestArgs.length}`);
  }
  return type.params.map((t, i) => {
    const v = parseArg(t, guestArgs[i]!);
    if (v === undefined) throw new UsageError(`--invoke ${name}: argument ${i + 1} ('${guestArgs[i]}') is not a valid ${t}`);
    return v;
  });
}

/** The decimal digits of a finite, non-zero magnitude, without an exponent. */
function plainDecimal(digits: string, exponent: number): string {
  // digits "d1d2d3..." stand for d1.d2d3... × 10^exponent
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (exponent + 1 >= digits.length) return digits + '0'.repeat(exponent + 1 - digits.length);
  return `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

/** The shortest scientific form of `v` that reads back as the same f32 (or f64). */
function shortest(v: number, single: boolean): string {
  if (!single) return v.toExponential();
  for (let p = 0; p < 9; p++) {
    const s = v.toExponential(p);
    if (Math.fround(Number(s)) === v) return s;
  }
  return v.toExponential(8);
}

/** A float as Rust's Display prints it (wasmtime's output). */
export function formatFloat(v: number, single: boolean): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const sign = v < 0 ? '-' : '';
  const [mantissa, exp] = shortest(Math.abs(v), single).split('e');
  return sign + plainDecimal(mantissa!.replace('.', ''), Number(exp));
}

/** One result as wasmtime prints it, by its declared type. */
export function formatResult(type: ValType, value: unknown): string {
  switch (type) {
    case 'i32': return String(value);
    case 'i64': return String(value);
    case 'f32': return formatFloat(value as number, true);
    case 'f64': return formatFloat(value as number, false);
  }
  // A reference: wasmtime names its kind, e.g. <funcref> or <null externref>.
  const kind = /^\(ref (?:null )?(func|extern|exn)\)$/.exec(type)?.[1] ?? (/^(func|extern|exn)ref$/.exec(type)?.[1] ?? 'any');
  return value === null ? `<null ${kind}ref>` : `<${kind}ref>`;
}

/** The results a call returned (undefined, one value, or an array), one line each. */
export function formatResults(type: FuncType, returned: unknown): string {
  const values = type.results.length === 0 ? [] : type.results.length === 1 ? [returned] : [...(returned as Iterable<unknown>)];
  return values.map((v, i) => `${formatResult(type.results[i]!, v)}\n`).join('');
}
