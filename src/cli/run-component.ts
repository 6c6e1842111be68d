/**
 * `kiln run` of a component (layer: CLI): a `wasi:cli` command component
 * (WASI preview 2) runs with the same arguments, environment, directories
 * and descriptor limit as a preview 1 module, transpiled once and kept in
 * Kiln's cache folder (exec/node/component-disk-cache.ts). It runs on this
 * thread, as a single-threaded module does, or in a process worker under
 * `--timeout`. Its sockets use the network `--net` and the allow rules
 * give, as a module's do. What only preview 1 modules can do yet
 * (`--invoke`, `--listen`, the unknown-import options) is refused up
 * front, by flag.
 */
import { ComponentTranspileError, TranspilerMissingError, transpileComponent } from '../exec/component/transpile.js';
import { NotACommandError, NotAnHttpHandlerError, UnsupportedImportsError } from '../exec/component/component-instance.js';
import { MemoryLimitError } from '../exec/module-binary.js';
import { componentDiskCache } from '../exec/node/component-disk-cache.js';
import { WASI } from '../front/node/node-wasi.js';
import type { WASIOptions } from '../exec/options.js';
import { CannotRunError, UsageError } from './errors.js';
import { networkOptionsOf, type RunArgs } from './run-args.js';
import { nodeNetworking } from '../host/node/node-networking.js';
import { abnormalEnd } from './run-endings.js';

/** The flags a component cannot use yet, by name, when given. */
function unsupportedFlags(args: RunArgs): string[] {
  const given: [boolean, string][] = [
    [args.invoke !== undefined, '--invoke'],
    [args.unknownImports !== undefined, 'the unknown-import options'],
    [args.listen.length > 0, '--listen'],
  ];
  return given.filter(([on]) => on).map(([, flag]) => flag);
}

/** The WASI options `kiln run`'s flags give a component (UsageError for a flag it cannot use yet). */
export function componentOptionsOf(args: RunArgs): WASIOptions {
  const refused = unsupportedFlags(args);
  if (refused.length > 0) throw new UsageError(`${refused.join(', ')} cannot be used with a component (WASI preview 2) yet`);
  return {
    args: [args.argv0 ?? args.module, ...args.guestArgs],
    env: args.inheritEnv ? { ...process.env, ...Object.fromEntries(args.env) } : Object.fromEntries(args.env),
    preopens: Object.fromEntries(args.dirs.map((d) => [d.guest, d.host])),
    maxDescriptors: args.limits.descriptors,
    maxSockets: args.limits.sockets,
    ...networkOptionsOf(args),
    maxMemory: args.limits.memoryPages === undefined ? undefined : args.limits.memoryPages * 65536,
    trace: args.trace,
    timeoutMs: args.limits.timeoutMs,
    componentCache: componentDiskCache(),
  };
}

/** The message for a component `kiln` cannot run (transpiling, imports, exports, memory), or undefined for other failures. */
export function cannotRunMessage(module: string, e: unknown): string | undefined {
  if (e instanceof TranspilerMissingError || e instanceof ComponentTranspileError || e instanceof UnsupportedImportsError
    || e instanceof NotACommandError || e instanceof NotAnHttpHandlerError || e instanceof MemoryLimitError) {
    return `cannot run ${module}: ${e.message}`;
  }
  return undefined;
}

/** Runs the component `bytes` as `kiln run` runs a module; resolves to the exit status. */
export async function runComponentFile(args: RunArgs, bytes: Uint8Array): Promise<number> {
  const options = componentOptionsOf(args);
  const cache = options.componentCache!;
  const wasi = new WASI(options);
  try {
    // On this thread, as a single-threaded module runs; under a time limit in a process worker, which can be stopped.
    if (args.limits.timeoutMs !== undefined) return await wasi.run(bytes);
    const code = wasi.startComponent(await transpileComponent(bytes, cache));
    await nodeNetworking.flush(); // what the guest sent on sockets it closed leaves before Kiln exits
    return code;
  } catch (e) {
    const cannot = cannotRunMessage(args.module, e);
    if (cannot !== undefined) throw new CannotRunError(cannot);
    const status = abnormalEnd(e);
    if (status !== undefined) return status;
    if (e instanceof WebAssembly.LinkError || e instanceof WebAssembly.CompileError) {
      throw new CannotRunError(`cannot run ${args.module}: ${e.message}`);
    }
    throw e;
  }
}
