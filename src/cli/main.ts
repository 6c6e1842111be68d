/**
 * The `kiln` command line (layer: front doors). `kiln run` runs a WASI
 * command module the way `wasmtime run` does; the exit status is the
 * guest's exit code. A module that imports only `wasi_unstable` (preview 0)
 * is linked with that namespace. `kiln wapc` calls a waPC guest once (wapc.ts).
 */
import { MissingImportsError, requireImports, type ImportObject } from '../front/imports-check.js';
import { limitMemory, MemoryLimitError } from '../front/module-binary.js';
import { isThreadedModule, runThreaded, ThreadedModuleError, ThreadTrapError } from '../front/threads/index.js';
import { UNSTABLE_THREADS, wasiVersionOf, type WASIOptions } from '../front/wasi.js';
import { TimeoutError } from '../front/worker-mode/types.js';
import { nodeHost, WASI } from '../node.js';
import { parseRunArgs, UsageError, type RunArgs } from './run-args.js';
import { describeTrap } from './wasm-errors.js';
import { listenSockets } from './listen.js';
import { readModuleFile } from './module-file.js';
import { wapcCommand } from './wapc.js';
import { WAPC_OPTIONS_HELP, WAPC_SYNOPSIS } from './wapc-args.js';

const VERSION = '0.1.0';

const USAGE = `kiln ${VERSION} — a WebAssembly system runtime

Usage:
  kiln run [OPTIONS] MODULE.wasm [--] [ARGS...]
  ${WAPC_SYNOPSIS}

Options for run:
  --dir HOST[::GUEST]    preopen host directory HOST at guest path GUEST (default: HOST)
  --env NAME=VALUE       set an environment variable (NAME alone inherits the host's value)
  --listen HOST:PORT     preopen a listening TCP socket after the directories (fd 3 when
                         there is no --dir); [IPv6]:PORT for IPv6; alias --tcplisten
  --trace                print every syscall with its arguments and errno to stderr
  --max-memory SIZE      cap the guest's linear memory (e.g. 256M, 1G)
  --max-fds N            cap the open descriptors (more is EMFILE; default 1024)
  --max-threads N        cap the threads a wasi-threads guest may spawn (default 1024)
  --timeout DURATION     stop the guest after DURATION (e.g. 500ms, 10s, 2m); exit status 124

${WAPC_OPTIONS_HELP}
Modules that import a shared memory or wasi thread-spawn run with every wasm
thread in a worker (wasi-threads); others run on the main thread.
  -h, --help             show this help
  -V, --version          show the version
`;

/** Exit status for a trap, as wasmtime uses on Unix (128 + SIGABRT). */
const TRAP_STATUS = 134;
/** Exit status when the time limit stops the guest (as timeout(1)). */
const TIMEOUT_STATUS = 124;

function fail(message: string, status = 1): number {
  process.stderr.write(`kiln: ${message}\n`);
  return status;
}

async function runCommand(args: RunArgs): Promise<number> {
  let bytes = readModuleFile(args.module);
  const limits = args.limits;
  if (limits.memoryPages !== undefined) {
    try {
      bytes = limitMemory(bytes, limits.memoryPages) as Uint8Array<ArrayBuffer>;
    } catch (e) {
      if (e instanceof MemoryLimitError) return fail(`cannot run ${args.module}: ${e.message}`);
      throw new UsageError(`${args.module} is not a valid WebAssembly module: ${(e as Error).message}`);
    }
  }
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes);
  } catch (e) {
    throw new UsageError(`${args.module} is not a valid WebAssembly module: ${(e as Error).message}`);
  }
  const sockets = await listenSockets(args.listen);
  try {
    const options: WASIOptions = {
      // A module that imports only wasi_unstable (old TinyGo and Rust) gets that namespace.
      version: wasiVersionOf(module),
      args: [args.module, ...args.guestArgs],
      env: Object.fromEntries(args.env),
      preopens: Object.fromEntries(args.dirs.map((d) => [d.guest, d.host])),
      trace: args.trace,
      extraResources: sockets.resources,
      readiness: sockets.readiness,
      maxDescriptors: limits.descriptors,
    };
    try {
      if (isThreadedModule(module)) {
        if (options.version === 'unstable') return fail(`cannot run ${args.module}: ${UNSTABLE_THREADS}`);
        return await runThreaded(module, bytes, options, nodeHost, { maxThreads: limits.threads, timeoutMs: limits.timeoutMs });
      }
      if (limits.timeoutMs !== undefined) {
        // Only a worker can be stopped mid-loop: the worker mode, kernel beside the guest.
        if (args.listen.length > 0) throw new UsageError('--timeout cannot be combined with --listen yet (sockets stay on the main thread)');
        return await new WASI({ ...options, timeoutMs: limits.timeoutMs }).run(module);
      }
      return runDirect(module, options);
    } catch (e) {
      if (e instanceof MissingImportsError || e instanceof ThreadedModuleError) return fail(`cannot run ${args.module}: ${e.message}`);
      if (e instanceof WebAssembly.RuntimeError || (e instanceof ThreadTrapError && e.trap)) {
        process.stderr.write(`${describeTrap(e)}\n`);
        return TRAP_STATUS;
      }
      if (e instanceof TimeoutError) {
        process.stderr.write(`kiln: ${e.message}\n`);
        return TIMEOUT_STATUS;
      }
      if (e instanceof WebAssembly.LinkError) return fail(`cannot link ${args.module}: ${e.message}`);
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        process.stderr.write(`${describeTrap(e)}\n`);
        return TRAP_STATUS;
      }
      throw e;
    }
  } finally {
    await sockets.close();
  }
}

/** The direct mode: the guest runs on this thread with the kernel beside it. */
function runDirect(module: WebAssembly.Module, options: WASIOptions): number {
  const wasi = new WASI(options);
  const imports = wasi.getImportObject() as unknown as ImportObject;
  requireImports(module, imports);
  return wasi.start(new WebAssembly.Instance(module, imports as WebAssembly.Imports));
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '-V' || command === '--version') {
    process.stdout.write(`kiln ${VERSION}\n`);
    return 0;
  }
  try {
    if (command === 'run') {
      if (rest.includes('-h') || rest.includes('--help')) {
        process.stdout.write(USAGE);
        return 0;
      }
      return await runCommand(parseRunArgs(rest));
    }
    if (command === 'wapc') return await wapcCommand(rest);
    if (command.endsWith('.wasm')) return await runCommand(parseRunArgs(argv));
    throw new UsageError(`unknown command '${command}' (try 'kiln --help')`);
  } catch (e) {
    if (e instanceof UsageError) return fail(e.message, 2);
    if (e instanceof Error) return fail(e.message);
    throw e;
  }
}
