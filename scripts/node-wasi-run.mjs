#!/usr/bin/env node
// Reference runner: runs a WASI preview 1 module under Node's built-in
// node:wasi, with the same command line as Kiln's CLI:
//
//   node scripts/node-wasi-run.mjs [--dir HOST[::GUEST]]... [--env NAME=VALUE]... app.wasm [-- ARGS...]
//
// argv[0] seen by the guest is app.wasm as given; the guest's stdio is this
// process's stdio; the exit status is the guest's exit code. A trap prints a
// message on stderr and exits 134 (128 + SIGABRT, like wasmtime on Unix).
// The guest sees only the --env variables, nothing from this process.
import { readFile } from 'node:fs/promises';

// node:wasi prints an ExperimentalWarning on first use; it would end up in
// the guest's stderr, so drop warnings before loading it.
process.removeAllListeners('warning');
process.on('warning', () => {});
const { WASI } = await import('node:wasi');

function usage(message) {
  if (message) process.stderr.write(`node-wasi-run: ${message}\n`);
  process.stderr.write(
    'usage: node scripts/node-wasi-run.mjs [--dir HOST[::GUEST]]... [--env NAME=VALUE]... app.wasm [-- ARGS...]\n',
  );
  process.exit(2);
}

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
let modulePath;
let guestArgs = [];

for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  const value = () => {
    if (i + 1 >= argv.length) usage(`${arg} needs a value`);
    return argv[++i];
  };
  if (arg === '--dir' || arg.startsWith('--dir=')) {
    const spec = arg === '--dir' ? value() : arg.slice('--dir='.length);
    const sep = spec.indexOf('::');
    const host = sep === -1 ? spec : spec.slice(0, sep);
    const guest = sep === -1 ? spec : spec.slice(sep + 2);
    if (!host || !guest) usage(`bad --dir ${spec}`);
    preopens[guest] = host;
  } else if (arg === '--env' || arg.startsWith('--env=')) {
    const spec = arg === '--env' ? value() : arg.slice('--env='.length);
    const eq = spec.indexOf('=');
    if (eq <= 0) usage(`bad --env ${spec} (want NAME=VALUE)`);
    env[spec.slice(0, eq)] = spec.slice(eq + 1);
  } else if (arg === '--') {
    usage('-- before the module path');
  } else if (arg.startsWith('--')) {
    usage(`unknown option ${arg}`);
  } else {
    modulePath = arg;
    let rest = argv.slice(i + 1);
    if (rest[0] === '--') rest = rest.slice(1);
    guestArgs = rest;
    break;
  }
}
if (!modulePath) usage('no module given');

let bytes;
try {
  bytes = await readFile(modulePath);
} catch (err) {
  process.stderr.write(`node-wasi-run: cannot read ${modulePath}: ${err.message}\n`);
  process.exit(2);
}

const wasi = new WASI({
  version: 'preview1',
  args: [modulePath, ...guestArgs],
  env,
  preopens,
  returnOnExit: true,
});

let code;
try {
  const module = await WebAssembly.compile(bytes);
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  code = wasi.start(instance);
} catch (err) {
  const kind = err instanceof WebAssembly.RuntimeError ? 'wasm trap' : 'error';
  process.stderr.write(`node-wasi-run: ${kind}: ${err && err.message ? err.message : err}\n`);
  process.exit(134);
}
process.exitCode = code;
