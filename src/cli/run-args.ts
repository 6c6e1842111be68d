/**
 * Parsing of `kiln run` arguments (layer: front doors / CLI). Flags follow
 * wasmtime's names. Everything after the module path (or after `--`) is
 * passed to the guest untouched.
 */
export interface RunArgs {
  module: string;
  guestArgs: string[];
  dirs: { host: string; guest: string }[];
  env: [string, string][];
  listen: string[];
  trace: boolean;
  limits: RunLimits;
}

/** Limits set with --max-memory, --max-fds, --max-threads, --timeout. */
export interface RunLimits {
  /** Linear memory, in 64 KiB pages. */
  memoryPages?: number;
  descriptors?: number;
  threads?: number;
  timeoutMs?: number;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const VALUE_FLAGS = new Set(['--dir', '--env', '--listen', '--tcplisten', '--max-memory', '--max-fds', '--max-threads', '--timeout']);

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A byte size such as 65536, 64K, 64KiB, 256M, 1G, in 64 KiB pages (rounded up). */
function parsePages(flag: string, value: string): number {
  const m = /^(\d+)\s*([kmg]?)(?:i?b)?$/i.exec(value.trim());
  if (m === null) throw new UsageError(`${flag} needs a size such as 256M or 1G, got '${value}'`);
  const bytes = Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!;
  const pages = Math.ceil(bytes / 65536);
  if (pages < 1 || pages > 65536) throw new UsageError(`${flag} must be between 64K and 4G, got '${value}'`);
  return pages;
}

/** A positive whole number. */
function parseCount(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new UsageError(`${flag} needs a positive whole number, got '${value}'`);
  return Number(value);
}

/** A duration such as 500ms, 10s, 2m or a number of seconds (as `kiln run --timeout`). */
export function parseDuration(flag: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (m === null || Number(m[1]) <= 0) throw new UsageError(`${flag} needs a duration such as 500ms, 10s or 2m, got '${value}'`);
  const scale = m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000;
  return Number(m[1]) * scale;
}

/** `--dir HOST[::GUEST]`: only the first `::` separates. */
export function parseDir(value: string): { host: string; guest: string } {
  const sep = value.indexOf('::');
  const host = sep >= 0 ? value.slice(0, sep) : value;
  const guest = sep >= 0 ? value.slice(sep + 2) : value;
  if (host === '' || guest === '') throw new UsageError(`--dir needs HOST[::GUEST], got '${value}'`);
  return { host, guest };
}

/** `--env NAME=VALUE`, or `--env NAME` for the host's value (as wasmtime). */
export function parseEnv(value: string, environment: NodeJS.ProcessEnv = process.env): [string, string] {
  const e = value.indexOf('=');
  if (e > 0) return [value.slice(0, e), value.slice(e + 1)];
  const inherited = e < 0 && value !== '' ? environment[value] : undefined;
  if (inherited === undefined) throw new UsageError(`--env needs NAME=VALUE, got '${value}'`);
  return [value, inherited];
}

export function parseRunArgs(argv: readonly string[]): RunArgs {
  const out: RunArgs = { module: '', guestArgs: [], dirs: [], env: [], listen: [], trace: false, limits: {} };
  let i = 0;
  for (; i < argv.length; i++) {
    let arg = argv[i]!;
    if (arg === '--') { i++; break; }
    if (!arg.startsWith('-') || arg === '-') break;
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--trace') {
      if (value !== undefined) throw new UsageError('--trace takes no value');
      out.trace = true;
      continue;
    }
    if (!VALUE_FLAGS.has(arg)) throw new UsageError(`unknown option '${arg}'`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`option '${arg}' needs a value`);
    }
    switch (arg) {
      case '--dir': out.dirs.push(parseDir(value)); break;
      case '--env': out.env.push(parseEnv(value)); break;
      case '--max-memory': out.limits.memoryPages = parsePages(arg, value); break;
      case '--max-fds': out.limits.descriptors = parseCount(arg, value); break;
      case '--max-threads': out.limits.threads = parseCount(arg, value); break;
      case '--timeout': out.limits.timeoutMs = parseDuration(arg, value); break;
      default:
        out.listen.push(value);
    }
  }
  const module = argv[i];
  if (module === undefined) throw new UsageError('missing the module to run: kiln run [OPTIONS] MODULE.wasm [ARGS...]');
  out.module = module;
  let rest = argv.slice(i + 1);
  if (rest[0] === '--') rest = rest.slice(1);
  out.guestArgs = rest;
  return out;
}
