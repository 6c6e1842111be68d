/**
 * Parsing of `kiln run` arguments (layer: front doors / CLI). Flags follow
 * wasmtime's names, including its `-S`/`-W` option groups
 * (option-groups.ts) and older spellings (`--mapdir`,
 * `--trap-unknown-imports`). Everything after the module path (or after
 * `--`) is passed to the guest untouched. Nothing here reads files: an
 * option that names a directory is checked when the command runs.
 */
import { UsageError } from './errors.js';
import { parseNetRule } from '../kernel/net-policy.js';
import { applyGroup, setPolicy } from './option-groups.js';
import { parseCount, parseDuration, parsePages } from './option-values.js';
import type { RunArgs } from './run-options.js';

export { UsageError } from './errors.js';
export { parseDuration } from './option-values.js';

export type { RunArgs, RunLimits } from './run-options.js';

const VALUE_FLAGS = new Set([
  '--dir', '--mapdir', '--env', '--argv0', '--command', '--listen', '--tcplisten', '--invoke', '--net', '--allow-connect', '--allow-bind',
  '--max-memory', '--max-fds', '--max-threads', '--max-sockets', '--timeout', '--wasi', '--wasm',
]);
const SWITCHES = new Set(['--trace', '--trap-unknown-imports', '--default-values-unknown-imports', '--help']);
/** Short options that take a value: `-S VALUE`, `-SVALUE` or `-S=VALUE`, as clap reads them. */
const SHORT_VALUE: Readonly<Record<string, string>> = { '-S': '--wasi', '-W': '--wasm' };

/** `--dir HOST[::GUEST]`: only the first `::` separates. */
/** The network options `kiln run`'s flags ask for: allow rules alone mean the host's network, narrowed. */
export function networkOptionsOf(args: RunArgs): { network: 'none' | 'loopback' | 'host'; allowConnect?: string[]; allowBind?: string[] } {
  return {
    network: args.net ?? (args.allowConnect !== undefined || args.allowBind !== undefined ? 'host' : 'none'),
    allowConnect: args.allowConnect,
    allowBind: args.allowBind,
  };
}

export function parseDir(value: string): { host: string; guest: string } {
  const sep = value.indexOf('::');
  const host = sep >= 0 ? value.slice(0, sep) : value;
  const guest = sep >= 0 ? value.slice(sep + 2) : value;
  if (host === '' || guest === '') throw new UsageError(`--dir needs HOST[::GUEST], got '${value}'`);
  return { host, guest };
}

/** `--command GUEST_PATH=HOST_FILE`: an absolute guest path, then the module's file on the host. */
export function parseCommand(value: string): { guest: string; host: string } {
  const e = value.indexOf('=');
  const guest = value.slice(0, Math.max(e, 0));
  const host = e >= 0 ? value.slice(e + 1) : '';
  if (!guest.startsWith('/') || host === '') throw new UsageError(`--command needs GUEST_PATH=HOST_FILE with an absolute guest path (e.g. /bin/sh=dash.wasm), got '${value}'`);
  return { guest, host };
}

/** `--mapdir GUEST::HOST`, wasmtime's older spelling, guest path first. */
export function parseMapdir(value: string): { host: string; guest: string } {
  const sep = value.indexOf('::');
  const guest = value.slice(0, Math.max(sep, 0));
  const host = sep >= 0 ? value.slice(sep + 2) : '';
  if (host === '' || guest === '') throw new UsageError(`--mapdir needs GUEST::HOST (guest path first), got '${value}'`);
  return { host, guest };
}

/** `--env NAME=VALUE`, or `--env NAME` for the host's value (as wasmtime). */
export function parseEnv(value: string, environment: NodeJS.ProcessEnv = process.env): [string, string] {
  const e = value.indexOf('=');
  if (e > 0) return [value.slice(0, e), value.slice(e + 1)];
  if (e === 0 || value === '') throw new UsageError(`--env needs NAME=VALUE, got '${value}'`);
  const inherited = environment[value];
  if (inherited === undefined) {
    throw new UsageError(`--env ${value}: ${value} is unset in the host environment (give --env ${value}=VALUE to set it)`);
  }
  return [value, inherited];
}

function unknownOption(arg: string): UsageError {
  return new UsageError(`unknown option '${arg}' (try \`kiln run --help\`)`);
}

/** Splits an option into its name and an attached value (`--flag=V`, `-SV`, `-S=V`). */
function splitOption(raw: string): { name: string; value: string | undefined } {
  if (raw.startsWith('--')) {
    const eq = raw.indexOf('=');
    return eq > 0 ? { name: raw.slice(0, eq), value: raw.slice(eq + 1) } : { name: raw, value: undefined };
  }
  const long = SHORT_VALUE[raw.slice(0, 2)];
  if (long !== undefined && raw.length > 2) return { name: long, value: raw.slice(raw[2] === '=' ? 3 : 2) };
  if (raw === '-h') return { name: '--help', value: undefined };
  return { name: SHORT_VALUE[raw] ?? raw, value: undefined };
}

/** `--net`: none, loopback or host. */
function parseNet(value: string): 'none' | 'loopback' | 'host' {
  if (value === 'none' || value === 'loopback' || value === 'host') return value;
  throw new UsageError(`--net takes none, loopback or host, not '${value}'`);
}

/** An `--allow-connect` / `--allow-bind` rule, checked now so a typo is a usage error. */
function parseRule(name: string, value: string): string {
  try {
    parseNetRule(value);
  } catch (e) {
    throw new UsageError(`${name}: ${(e as Error).message}`);
  }
  return value;
}

export function parseRunArgs(argv: readonly string[]): RunArgs {
  const out: RunArgs = {
    module: '', guestArgs: [], dirs: [], env: [], inheritEnv: false, listen: [], commands: [], trace: false, limits: {}, help: false,
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const raw = argv[i]!;
    if (raw === '--') { i++; break; }
    if (!raw.startsWith('-') || raw === '-') break;
    const { name, value: attached } = splitOption(raw);
    if (SWITCHES.has(name)) {
      if (attached !== undefined) throw new UsageError(`${name} takes no value`);
      switch (name) {
        case '--help': out.help = true; return out;
        case '--trace': out.trace = true; break;
        case '--trap-unknown-imports': setPolicy(out, 'trap', true); break;
        default: setPolicy(out, 'default', true);
      }
      continue;
    }
    if (!VALUE_FLAGS.has(name)) throw unknownOption(name.startsWith('--') ? name : raw);
    let value = attached;
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`option '${raw}' needs a value`);
    }
    switch (name) {
      case '--dir': out.dirs.push(parseDir(value)); break;
      case '--mapdir': out.dirs.push(parseMapdir(value)); break;
      case '--env': out.env.push(parseEnv(value)); break;
      case '--argv0': out.argv0 = value; break;
      case '--command': out.commands.push(parseCommand(value)); break;
      case '--invoke': out.invoke = value; break;
      case '--net': out.net = parseNet(value); break;
      case '--allow-connect': (out.allowConnect ??= []).push(parseRule(name, value)); break;
      case '--allow-bind': (out.allowBind ??= []).push(parseRule(name, value)); break;
      case '--max-memory': out.limits.memoryPages = parsePages(name, value); break;
      case '--max-fds': out.limits.descriptors = parseCount(name, value); break;
      case '--max-threads': out.limits.threads = parseCount(name, value); break;
      case '--max-sockets': out.limits.sockets = parseCount(name, value); break;
      case '--timeout': out.limits.timeoutMs = parseDuration(name, value); break;
      case '--wasi': applyGroup(out, '-S', value); break;
      case '--wasm': applyGroup(out, '-W', value); break;
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
