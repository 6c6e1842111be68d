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
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const VALUE_FLAGS = new Set(['--dir', '--env', '--listen', '--tcplisten']);

export function parseRunArgs(argv: readonly string[]): RunArgs {
  const out: RunArgs = { module: '', guestArgs: [], dirs: [], env: [], listen: [], trace: false };
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
      case '--dir': {
        const sep = value.indexOf('::');
        const host = sep >= 0 ? value.slice(0, sep) : value;
        const guest = sep >= 0 ? value.slice(sep + 2) : value;
        if (host === '' || guest === '') throw new UsageError(`--dir needs HOST[::GUEST], got '${value}'`);
        out.dirs.push({ host, guest });
        break;
      }
      case '--env': {
        const e = value.indexOf('=');
        if (e <= 0) {
          // wasmtime: `--env NAME` inherits NAME from the host environment.
          const inherited = process.env[value];
          if (value === '' || inherited === undefined) throw new UsageError(`--env needs NAME=VALUE, got '${value}'`);
          out.env.push([value, inherited]);
        } else {
          out.env.push([value.slice(0, e), value.slice(e + 1)]);
        }
        break;
      }
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
