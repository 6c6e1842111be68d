/**
 * What `kiln run` was asked to do (layer: CLI): the parsed command line,
 * filled by run-args.ts and its option groups (option-groups.ts), read by
 * run.ts.
 */
import type { UnknownImportPolicy } from '../front/unknown-imports.js';

export interface RunArgs {
  module: string;
  guestArgs: string[];
  /** --argv0 NAME: what the guest sees as argv[0] (default: the module path as given). */
  argv0?: string;
  dirs: { host: string; guest: string }[];
  env: [string, string][];
  /** -S inherit-env: the guest starts from Kiln's whole environment; `env` is applied over it. */
  inheritEnv: boolean;
  listen: string[];
  /** --net none|loopback|host: the network the guest's own sockets reach. */
  net?: 'none' | 'loopback' | 'host';
  /** --allow-connect HOST:PORT rules (repeatable); undefined: anywhere the network reaches. */
  allowConnect?: string[];
  /** --allow-bind HOST:PORT rules (repeatable); undefined: anything. */
  allowBind?: string[];
  /** --command GUEST_PATH=HOST_FILE: programs a WASIX guest starts by that path. */
  commands: { guest: string; host: string }[];
  trace: boolean;
  /** --invoke NAME: call this export (after `_initialize`) instead of `_start`, and print its results. */
  invoke?: string;
  /** What stands in for function imports Kiln does not provide. */
  unknownImports?: UnknownImportPolicy;
  limits: RunLimits;
  /** -h / --help before the module: show the help and run nothing. */
  help: boolean;
}

/** Limits set with --max-memory, --max-fds, --max-threads, --max-sockets, --timeout (or -W). */
export interface RunLimits {
  /** Linear memory, in 64 KiB pages. */
  memoryPages?: number;
  descriptors?: number;
  threads?: number;
  sockets?: number;
  timeoutMs?: number;
}
