#!/usr/bin/env node
// Runs a module through Kiln's API with the same command line as `kiln
// run` (parsed by Kiln's own CLI parser, from dist/), in the placement the
// first argument names, so that the guest tests can run each case in every
// way a guest runs:
//
//   node scripts/kiln-api-run.mjs worker [kiln run options] app.wasm [-- ARGS...]
//   node scripts/kiln-api-run.mjs jspi   [kiln run options] app.wasm [-- ARGS...]
//
// `worker` is `WASI.run()` (a process worker, the kernel beside the guest,
// stdio the host's descriptors); `jspi` is `WASI.runHere()` (the caller's
// thread, suspending port; needs a Node with JSPI). The exit status is the
// guest's exit code; a trap prints what `kiln run` prints and exits 134.
import { readFileSync } from 'node:fs';

const [placement, ...rest] = process.argv.slice(2);
if (placement !== 'worker' && placement !== 'jspi') {
  process.stderr.write('usage: node scripts/kiln-api-run.mjs worker|jspi [kiln run options] app.wasm [-- ARGS...]\n');
  process.exit(2);
}
const dist = new URL('../dist/', import.meta.url);
const { parseRunArgs } = await import(new URL('cli/run-args.js', dist).href);
const { describeTrap } = await import(new URL('cli/wasm-errors.js', dist).href);
const { WASI, componentDiskCache } = await import(new URL('node.js', dist).href);

const args = parseRunArgs(rest);
const wasi = new WASI({
  args: [args.argv0 ?? args.module, ...args.guestArgs],
  env: Object.fromEntries(args.env),
  preopens: Object.fromEntries(args.dirs.map((d) => [d.guest, d.host])),
  commands: Object.fromEntries(args.commands.map((c) => [c.guest, readFileSync(c.host)])),
  trace: args.trace,
  maxDescriptors: args.limits.descriptors,
  maxSockets: args.limits.sockets,
  network: args.net ?? (args.allowConnect !== undefined || args.allowBind !== undefined ? 'host' : undefined),
  allowConnect: args.allowConnect,
  allowBind: args.allowBind,
  // Components: transpiled once, kept where `kiln run` keeps them.
  componentCache: componentDiskCache(),
});
const bytes = readFileSync(args.module);
try {
  process.exitCode = placement === 'worker' ? await wasi.run(bytes) : await wasi.runHere(bytes);
} catch (e) {
  if (e instanceof WebAssembly.RuntimeError || e?.name === 'RuntimeError') {
    process.stderr.write(`${describeTrap(e)}\n`);
    process.exitCode = 134;
  } else {
    throw e;
  }
}
