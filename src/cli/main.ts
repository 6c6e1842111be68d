/**
 * The `kiln` command line (layer: front doors): picks the command and
 * reports what goes wrong with the exit status docs/cli.md lists. `kiln
 * run` runs a WASI command module the way `wasmtime run` does (run.ts);
 * `kiln serve` serves HTTP with a component (serve.ts); `kiln transpile`
 * packs a transpiled component for a browser (transpile.ts); `kiln wapc` calls a
 * waPC guest once (wapc.ts); `kiln demo` serves the
 * browser demo (demo.ts).
 */
import { CannotRunError, UsageError } from './errors.js';
import { OVERVIEW, RUN_HELP, VERSION } from './help.js';
import { parseRunArgs } from './run-args.js';
import { prestartThreadsFor } from './thread-prestart.js';
import { WAPC_USAGE } from './wapc-args.js';

// Each command's module is loaded when that command runs: `kiln run` does
// not load the waPC host, the HTTP server or the transpiler (less to load
// and compile at every start; scripts/bundle-node.mjs splits them).

function fail(message: string, status: number): number {
  process.stderr.write(`kiln: ${message}\n`);
  return status;
}

/** `kiln help [COMMAND]`. */
async function help(command: string | undefined): Promise<number> {
  if (command === undefined) process.stdout.write(OVERVIEW);
  else if (command === 'run') process.stdout.write(RUN_HELP);
  else if (command === 'wapc') process.stdout.write(WAPC_USAGE);
  else if (command === 'demo') process.stdout.write((await import('./demo.js')).DEMO_HELP);
  else if (command === 'serve') process.stdout.write((await import('./serve.js')).SERVE_HELP);
  else if (command === 'transpile') process.stdout.write((await import('./transpile.js')).TRANSPILE_HELP);
  else return fail(`no command '${command}': the commands are run, serve, transpile, wapc and demo (try \`kiln --help\`)`, 2);
  return 0;
}

/** A module given without a command (`kiln prog.wasm ARGS`), as wasmtime allows. */
function isModulePath(arg: string): boolean {
  return /\.(?:wasm|wat)$/i.test(arg);
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stdout.write(OVERVIEW);
    return 2;
  }
  if (command === '-h' || command === '--help') return help(undefined);
  if (command === 'help') return help(rest[0]);
  if (command === '-V' || command === '--version') {
    process.stdout.write(`kiln ${VERSION}\n`);
    return 0;
  }
  try {
    if (command === 'run' || isModulePath(command)) {
      const args = parseRunArgs(command === 'run' ? rest : argv);
      if (args.help) {
        process.stdout.write(RUN_HELP);
        return 0;
      }
      // A threaded module's first worker starts while the runner loads.
      prestartThreadsFor(args.module);
      return await (await import('./run.js')).runCommand(args);
    }
    if (command === 'wapc') return await (await import('./wapc.js')).wapcCommand(rest);
    if (command === 'demo') return await (await import('./demo.js')).demoCommand(rest);
    if (command === 'serve') return await (await import('./serve.js')).serveCommand(rest);
    if (command === 'transpile') return await (await import('./transpile.js')).transpileCommand(rest);
    throw new UsageError(`unknown command '${command}' (try \`kiln --help\`)`);
  } catch (e) {
    if (e instanceof UsageError) return fail(e.message, 2);
    if (e instanceof CannotRunError) return fail(e.message, 1);
    if (e instanceof Error) return fail(e.message, 1);
    throw e;
  }
}
