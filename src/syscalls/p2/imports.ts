/**
 * The component host's import object (layer: syscalls): every `wasi:*`
 * interface Kiln implements, for one component's kernel process, keyed as
 * jco's glue reads them (the interface name without its version, so a
 * component built against any WASI 0.2.x is served by the same
 * functions), members in camelCase, resources as classes.
 */
import { cliInterfaces } from './cli.js';
import { clockInterfaces, randomInterfaces } from './clocks-random.js';
import { filesystemInterfaces } from './filesystem.js';
import type { HostContext } from './host-context.js';
import { InputStream, IoError, OutputStream, poll, Pollable } from './io.js';
import { socketInterfaces } from './sockets.js';
import { httpInterfaces } from './http.js';

/** One interface's members, by their camelCase names. */
export type InterfaceImports = Readonly<Record<string, unknown>>;

/** Interfaces by unversioned name (`wasi:cli/environment`). */
export type ComponentImports = Record<string, InterfaceImports>;

/** The `wasi:io/*` interfaces. */
function ioInterfaces(ctx: HostContext): ComponentImports {
  return {
    'wasi:io/error': { Error: IoError },
    'wasi:io/poll': { Pollable, poll: (list: Pollable[]): Uint32Array | Promise<Uint32Array> => poll(ctx, list) },
    'wasi:io/streams': { InputStream, OutputStream },
  };
}

/** Interfaces made together (they share state) and the names they have, known before any process exists. */
export const INTERFACE_GROUPS: readonly (readonly [readonly string[], (ctx: HostContext) => ComponentImports])[] = [
  [['wasi:cli/environment', 'wasi:cli/exit', 'wasi:cli/stdin', 'wasi:cli/stdout', 'wasi:cli/stderr',
    'wasi:cli/terminal-input', 'wasi:cli/terminal-output', 'wasi:cli/terminal-stdin', 'wasi:cli/terminal-stdout', 'wasi:cli/terminal-stderr'], cliInterfaces],
  [['wasi:io/error', 'wasi:io/poll', 'wasi:io/streams'], ioInterfaces],
  [['wasi:clocks/monotonic-clock', 'wasi:clocks/wall-clock'], clockInterfaces],
  [['wasi:random/random', 'wasi:random/insecure', 'wasi:random/insecure-seed'], randomInterfaces],
  [['wasi:filesystem/types', 'wasi:filesystem/preopens'], filesystemInterfaces],
  [['wasi:sockets/network', 'wasi:sockets/instance-network', 'wasi:sockets/tcp', 'wasi:sockets/tcp-create-socket',
    'wasi:sockets/udp', 'wasi:sockets/udp-create-socket', 'wasi:sockets/ip-name-lookup'], socketInterfaces],
  [['wasi:http/types', 'wasi:http/outgoing-handler'], httpInterfaces],
];

/** The interfaces `componentImports` serves, by unversioned name (known before any process exists). */
export const KILN_INTERFACES: ReadonlySet<string> = new Set(INTERFACE_GROUPS.flatMap(([names]) => names));

/**
 * Kiln's `wasi:*` interfaces over `ctx`'s process: all of them, or, given
 * `wanted` (the unversioned names a component imports), the groups that
 * have one of those (a command that only prints makes no sockets or
 * filesystem state).
 */
export function componentImports(ctx: HostContext, wanted?: ReadonlySet<string>): ComponentImports {
  const imports: ComponentImports = {};
  for (const [names, make] of INTERFACE_GROUPS) {
    if (wanted === undefined || names.some((name) => wanted.has(name))) Object.assign(imports, make(ctx));
  }
  return imports;
}
