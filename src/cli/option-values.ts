/**
 * Values of command-line options (layer: CLI): sizes, counts, durations
 * and yes/no switches, each parsed the same way wherever a flag or a
 * wasmtime-style `-S`/`-W` key takes one, with a usage error naming the
 * option when the value does not parse.
 */
import { UsageError } from './errors.js';

const PAGE = 65536;
const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * A byte size such as 65536, 0x10000, 64K, 64KiB, 256M or 1G (digits may
 * be grouped with `_`, as wasmtime allows), as a number of bytes.
 */
export function parseBytes(option: string, value: string): number {
  const v = value.trim().replace(/_/g, '');
  const hex = /^0x([0-9a-f]+)$/i.exec(v);
  if (hex !== null) return parseInt(hex[1]!, 16);
  const m = /^(\d+)\s*([kmg]?)(?:i?b)?$/i.exec(v);
  if (m === null) throw new UsageError(`${option} needs a size such as 256M or 1G, got '${value}'`);
  return Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!;
}

/**
 * A memory size in 64 KiB pages, between 1 and 65536 (4 GiB). `round`:
 * 'up' (a cap of 100000 bytes allows 2 pages, Kiln's --max-memory) or
 * 'down' (memory may never pass the cap, wasmtime's max-memory-size).
 */
export function parsePages(option: string, value: string, round: 'up' | 'down' = 'up'): number {
  const bytes = parseBytes(option, value);
  const pages = round === 'up' ? Math.ceil(bytes / PAGE) : Math.floor(bytes / PAGE);
  if (pages < 1 || pages > 65536) throw new UsageError(`${option} must be between 64K and 4G, got '${value}'`);
  return pages;
}

/** A positive whole number. */
export function parseCount(option: string, value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new UsageError(`${option} needs a positive whole number, got '${value}'`);
  return Number(value);
}

const DURATION_SCALE: Record<string, number> = { ms: 1, s: 1000, m: 60_000, us: 0.001, 'μs': 0.001, ns: 0.000_001 };

/**
 * A duration in ms: 500ms, 10s, 2m, a number of seconds (3, 1.5), or
 * wasmtime's 100us and 5000000ns.
 */
export function parseDuration(option: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|us|μs|ns)?$/.exec(value.trim());
  if (m === null || Number(m[1]) <= 0) throw new UsageError(`${option} needs a duration such as 500ms, 10s or 2m, got '${value}'`);
  return Number(m[1]) * DURATION_SCALE[m[2] ?? 's']!;
}

/** A switch's value as wasmtime spells it: nothing, y, yes, true (on) or n, no, false (off). */
export function parseSwitch(option: string, value: string | undefined): boolean {
  switch (value) {
    case undefined: case 'y': case 'yes': case 'true': return true;
    case 'n': case 'no': case 'false': return false;
    default: throw new UsageError(`${option} takes y or n (or nothing, for y), got '${value}'`);
  }
}
