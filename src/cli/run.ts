/**
 * `kiln run` (layer: CLI): runs a WASI command module the way `wasmtime
 * run` does; the exit status is the guest's exit code. A module that
 * imports only `wasi_unstable` (preview 0) is linked with that namespace.
 * The module is checked before anything runs (module-checks.ts,
 * host-checks.ts), then run in one of the three modes
 * (docs/architecture.md): threaded for wasi-threads modules, the worker
 * mode under a time limit, else the direct mode, which also serves
 * `--invoke` and stand-ins for unknown imports.
 */
import { readFileSync } from 'node:fs';
import { moduleFunctionTypes, type FuncType } from '../front/function-types.js';
import { MissingImportsError, requireImports, type ImportObject } from '../exec/imports-check.js';
import { limitMemory, MemoryLimitError } from '../exec/module-binary.js';
import { isThreadedModule, ThreadedModuleError } from '../exec/threaded-module.js';
import { UnknownImportError, withUnknownImports, type UnknownImportPolicy } from '../front/unknown-imports.js';
import { wasiVersionOf, type WASIOptions } from '../front/wasi.js';
import { WASI } from '../front/node/node-wasi.js';
import { ListenError } from '../host/node/node-networking.js';
import { CannotRunError, UsageError } from './errors.js';
import { checkDescriptorLimit, checkDirs } from './host-checks.js';
import { formatResults, invokeArgs, type WasmArg } from './invoke.js';
import { listenAddressesOf, listenSockets } from './listen.js';
import { nodeNetworking } from '../host/node/node-networking.js';
import { readRunModule } from './module-file.js';
import { abnormalEnd } from './run-endings.js';
import { isComponent } from '../exec/component/component-binary.js';
import { runComponentFile } from './run-component.js';
import { exportsMemory, importsWasi, refuseWasix, requireFunctionExport, requireMemory, requireStart } from './module-checks.js';
import { networkOptionsOf, type RunArgs } from './run-args.js';

/** A `--invoke` call, its arguments parsed before anything runs. */
interface Invocation {
  name: string;
  type: FuncType;
  args: WasmArg[];
}

const POLICY_FLAG: Readonly<Record<UnknownImportPolicy, string>> = {
  trap: '--trap-unknown-imports',
  default: '--default-values-unknown-imports',
};

function fail(message: string): number {
  process.stderr.write(`kiln: ${message}\n`);
  return 1;
}

async function compile(args: RunArgs, file: Uint8Array<ArrayBuffer>): Promise<{ module: WebAssembly.Module; bytes: Uint8Array<ArrayBuffer> }> {
  let bytes = file;
  const pages = args.limits.memoryPages;
  if (pages !== undefined) {
    try {
      bytes = limitMemory(bytes, pages) as Uint8Array<ArrayBuffer>;
    } catch (e) {
      if (e instanceof MemoryLimitError) throw new CannotRunError(`cannot run ${args.module}: ${e.message}`);
      throw new UsageError(`${args.module} is not a valid WebAssembly module: ${(e as Error).message}`);
    }
  }
  try {
    return { module: await WebAssembly.compile(bytes), bytes };
  } catch (e) {
    throw new UsageError(`${args.module} is not a valid WebAssembly module: ${(e as Error).message}`);
  }
}

/** What the direct mode alone can do (--invoke, unknown imports) is refused in the other modes, up front. */
function checkMode(args: RunArgs, threaded: boolean): void {
  const wanted = [args.invoke !== undefined ? '--invoke' : undefined, args.unknownImports && POLICY_FLAG[args.unknownImports]]
    .filter((f): f is string => f !== undefined);
  if (wanted.length === 0) return;
  if (threaded) throw new CannotRunError(`cannot run ${args.module}: ${wanted.join(' and ')} cannot be used with a wasi-threads module yet`);
  if (args.limits.timeoutMs !== undefined) {
    throw new UsageError(`${wanted.join(' and ')} cannot be combined with --timeout yet (the worker that can be stopped runs _start only)`);
  }
}

export async function runCommand(args: RunArgs): Promise<number> {
  checkDirs(args.dirs);
  checkDescriptorLimit(args);
  const file = await readRunModule(args.module);
  if (isComponent(file)) return runComponentFile(args, file);
  const { module, bytes } = await compile(args, file);
  const threaded = isThreadedModule(module);
  checkMode(args, threaded);
  if (args.unknownImports === undefined) refuseWasix(args.module, module);
  let invocation: Invocation | undefined;
  if (args.invoke === undefined) {
    requireStart(args.module, module);
  } else {
    requireFunctionExport(module, args.invoke);
    const type = moduleFunctionTypes(bytes).exports.get(args.invoke)!;
    invocation = { name: args.invoke, type, args: invokeArgs(args.invoke, type, args.guestArgs) };
  }
  // A threaded module's memory is imported and made by Kiln; any other module hands WASI its exported one.
  if (!threaded && (importsWasi(module) || args.limits.timeoutMs !== undefined)) {
    requireMemory(args.module, module, 'WASI needs to reach the guest\'s data (link with --export-memory)');
  }
  const limits = args.limits;
  const options: WASIOptions = {
    // A module that imports only wasi_unstable (old TinyGo and Rust) gets that namespace.
    version: wasiVersionOf(module),
    args: [args.argv0 ?? args.module, ...args.guestArgs],
    env: args.inheritEnv ? { ...process.env, ...Object.fromEntries(args.env) } : Object.fromEntries(args.env),
    preopens: Object.fromEntries(args.dirs.map((d) => [d.guest, d.host])),
    commands: Object.fromEntries(args.commands.map((c) => [c.guest, commandFile(c.host)])),
    trace: args.trace,
    maxDescriptors: limits.descriptors,
    maxThreads: limits.threads,
    maxSockets: limits.sockets,
    timeoutMs: limits.timeoutMs,
    ...networkOptionsOf(args),
  };
  // Threads, or a time limit (only a worker can be stopped mid-loop): WASI.run() places the process;
  // the listening sockets are opened by whichever thread runs its kernel.
  const placed = threaded || limits.timeoutMs !== undefined;
  const listen = listenAddressesOf(args.listen);
  const sockets = await listenSockets(placed ? [] : listen);
  try {
    try {
      if (placed) return await runPlaced(new WASI({ ...options, listen }), bytes);
      const code = runDirect(module, bytes, { ...options, extraResources: sockets.resources, readiness: sockets.readiness }, args.unknownImports, invocation);
      await nodeNetworking.flush(); // what the guest sent on sockets it closed leaves before Kiln exits
      return code;
    } catch (e) {
      if (e instanceof MissingImportsError) {
        // Functions (only they) can be stood in for: say how, as wasmtime users know it.
        const hint = e.missing.some((m) => m.endsWith('(function)'))
          ? '\n(--trap-unknown-imports or --default-values-unknown-imports stand in for missing functions)'
          : '';
        return fail(`cannot run ${args.module}: ${e.message}${hint}`);
      }
      if (e instanceof ThreadedModuleError || e instanceof UnknownImportError || e instanceof ListenError) {
        return fail(`cannot run ${args.module}: ${e.message}`);
      }
      const status = abnormalEnd(e);
      if (status !== undefined) return status;
      if (e instanceof WebAssembly.LinkError) return fail(`cannot link ${args.module}: ${e.message}`);
      throw e;
    }
  } finally {
    await sockets.close();
  }
}

/**
 * The direct mode: the guest runs on this thread with the kernel beside it.
 * A command runs `_start` through WASI; `--invoke` calls `_initialize` (if
 * exported) and then the function, and prints its results. A module that
 * exports no memory imports no WASI function (checked before), so it runs
 * without binding one.
 */
/** The bytes of a `--command` module (a missing file is a usage error, status 2). */
function commandFile(host: string): Uint8Array {
  try {
    return readFileSync(host);
  } catch (e) {
    throw new UsageError(`--command: cannot read ${host}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/**
 * Runs a placed guest (threads, or a time limit), passing the host's
 * SIGINT, SIGTERM and SIGHUP on to it (Ctrl-C reaches the guest as a
 * terminal's would: its handler, or the end of the process, status 130);
 * a guest that cannot take signals (the kernel not on this thread) ends
 * the host as the signal would.
 */
async function runPlaced(wasi: WASI, bytes: Uint8Array): Promise<number> {
  const forward = (signal: NodeJS.Signals): void => {
    if (!wasi.kill(signal)) process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15));
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, forward);
  try {
    return await wasi.run(bytes);
  } finally {
    for (const s of signals) process.off(s, forward);
  }
}

function runDirect(
  module: WebAssembly.Module, bytes: Uint8Array, options: WASIOptions,
  policy: UnknownImportPolicy | undefined, invocation: Invocation | undefined,
): number {
  const wasi = new WASI(options);
  let imports = wasi.getImportObject() as unknown as ImportObject;
  const namespaces = new Set(WebAssembly.Module.imports(module).map((i) => i.module));
  if (namespaces.has('wasix_32v1')) imports = { ...imports, wasix_32v1: wasi.wasixImport };
  if (namespaces.has('wasix_64v1')) imports = { ...imports, wasix_64v1: wasi.wasix64Import };
  if (policy !== undefined) imports = withUnknownImports(module, bytes, imports, policy);
  requireImports(module, imports);
  const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
  if (invocation === undefined) {
    return exportsMemory(module) ? wasi.start(instance) : wasi.invoke(instance, '_start').exitCode;
  }
  const { exitCode, returned, value } = wasi.invoke(instance, invocation.name, invocation.args);
  if (returned) process.stdout.write(formatResults(invocation.type, value));
  return exitCode;
}
