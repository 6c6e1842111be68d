/**
 * Parsing of `kiln wapc` arguments (layer: front doors / CLI):
 * `kiln wapc MODULE.wasm OPERATION [PAYLOAD | @FILE | -]` with options
 * anywhere before `--`. The flags shared with `kiln run` (`--dir`,
 * `--env`, `--timeout`) take the same values and give the same usage
 * errors. Nothing here touches files or the guest: wapc.ts does that.
 */
import { parseDir, parseDuration, parseEnv, UsageError } from './run-args.js';

/** Where the call's payload comes from. */
export type PayloadSource =
  /** No payload argument: an empty payload. */
  | { kind: 'empty' }
  /** The argument itself, as UTF-8. */
  | { kind: 'literal'; text: string }
  /** `@FILE`: the file's bytes. */
  | { kind: 'file'; path: string }
  /** `-`: standard input, to its end. */
  | { kind: 'stdin' };

export interface WapcArgs {
  module: string;
  operation: string;
  payload: PayloadSource;
  /** --json: the payload is JSON sent as MessagePack; the reply is printed as JSON. */
  json: boolean;
  /** --dir HOST[::GUEST], in order. */
  dirs: { host: string; guest: string }[];
  /** --env NAME=VALUE, in order. */
  env: [string, string][];
  /** --arg VALUE: the guest's arguments after argv[0]. */
  guestArgs: string[];
  /** --host-callback FILE (as given). */
  hostCallback?: string;
  /** --timeout, in ms. */
  timeoutMs?: number;
  /** -h / --help: show the help, ignore the rest. */
  help: boolean;
}

export const WAPC_SYNOPSIS = 'kiln wapc [OPTIONS] MODULE.wasm OPERATION [PAYLOAD | @FILE | -]';

/** The options of `kiln wapc`, as `kiln --help` and `kiln wapc --help` list them. */
export const WAPC_OPTIONS_HELP = `Options for wapc (anywhere before --; a payload starting with - goes after --):
  --json                 the payload is JSON, sent as MessagePack; the reply is
                         MessagePack, printed as JSON and a newline
  --host-callback FILE   answer the guest's host calls with the function FILE
                         exports (default export or 'hostCallback'; may be async)
  --dir HOST[::GUEST]    WASI: map host directory HOST at guest path GUEST
  --env NAME=VALUE       WASI: set an environment variable (NAME alone inherits it)
  --arg VALUE            WASI: add a guest argument (argv[0] is MODULE.wasm)
  --timeout DURATION     stop the call after DURATION (e.g. 500ms, 10s); exit status 124
`;

export const WAPC_USAGE = `Usage:
  ${WAPC_SYNOPSIS}

Calls OPERATION of the waPC guest MODULE.wasm once and writes the reply's
bytes to stdout. The payload is PAYLOAD as UTF-8, the bytes of FILE (@FILE),
standard input (-), or empty. The guest's own stdout and stderr (WASI) and its
__console_log messages go to stderr.

${WAPC_OPTIONS_HELP}  -h, --help             show this help
`;

const VALUE_FLAGS = new Set(['--dir', '--env', '--arg', '--host-callback', '--timeout']);
const SWITCHES = new Set(['--json', '-h', '--help']);

/** The payload argument: `-` is stdin, `@FILE` a file, anything else the text itself. */
export function payloadSource(arg: string | undefined): PayloadSource {
  if (arg === undefined) return { kind: 'empty' };
  if (arg === '-') return { kind: 'stdin' };
  if (arg.startsWith('@')) {
    if (arg.length === 1) throw new UsageError("'@' needs a file name: @FILE");
    return { kind: 'file', path: arg.slice(1) };
  }
  return { kind: 'literal', text: arg };
}

export function parseWapcArgs(argv: readonly string[]): WapcArgs {
  const out: WapcArgs = { module: '', operation: '', payload: { kind: 'empty' }, json: false, dirs: [], env: [], guestArgs: [], help: false };
  const positional: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    let arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (SWITCHES.has(arg)) {
      if (value !== undefined) throw new UsageError(`${arg} takes no value`);
      if (arg === '--json') {
        out.json = true;
        continue;
      }
      out.help = true;
      return out;
    }
    if (!VALUE_FLAGS.has(arg)) throw new UsageError(`unknown option '${arg}'`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`option '${arg}' needs a value`);
    }
    switch (arg) {
      case '--dir': out.dirs.push(parseDir(value)); break;
      case '--env': out.env.push(parseEnv(value)); break;
      case '--arg': out.guestArgs.push(value); break;
      case '--timeout': out.timeoutMs = parseDuration(arg, value); break;
      default:
        if (value === '') throw new UsageError('--host-callback needs a file name');
        out.hostCallback = value;
    }
  }
  const [module, operation, payload, ...extra] = positional;
  if (module === undefined) throw new UsageError('missing the module and the operation to call');
  if (operation === undefined) throw new UsageError('missing the operation to call');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' (one payload at most)`);
  out.module = module;
  out.operation = operation;
  out.payload = payloadSource(payload);
  return out;
}
