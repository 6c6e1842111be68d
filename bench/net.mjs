// Networking benchmarks: one TCP echo server (bench/programs/net/net_echo.c)
// built for WASIX and run by Kiln with --net host, and the same source built
// natively with gcc; a Node client measures request/response round trips
// (64 bytes each way) and bulk throughput (bytes sent and echoed back) against
// each, in one run, and prints Kiln's figure next to native's as a ratio.
// Part of `node bench/run.mjs` (`--only net`), or on its own:
// node bench/net.mjs [--quick] [--runs N] [--kiln-module PATH] [--verbose].
// See bench/README.md.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { exitWhenDone, parseBenchArgs } from './standalone.mjs';
import { fmtRatio, median, printTable } from './table.mjs';
import { findWasixSysroot, wasixCompileCommand } from '../scripts/wasix-toolchain.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const SOURCE = path.join(here, 'programs', 'net', 'net_echo.c');
const OUT_DIR = path.join(repoRoot, 'build', 'bench-programs');

/** The echo server as a Node program (node:net), started with `node -e`: prints "listening PORT". */
const NODE_ECHO = `
const net = require('node:net');
const srv = net.createServer((c) => { c.setNoDelay(true); c.pipe(c); });
srv.listen(0, '127.0.0.1', () => console.log('listening ' + srv.address().port));
`;

/** Builds the WASIX and the native server; throws with the compiler's message. */
function build() {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const wasm = path.join(OUT_DIR, 'net_echo.wasm');
  const native = path.join(OUT_DIR, 'net_echo.native');
  const sysroot = findWasixSysroot();
  if (sysroot === undefined || sysroot === null) throw new Error('no wasix-libc sysroot (see test/programs/wasix/README.md)');
  const steps = [
    wasixCompileCommand(sysroot).map((a) => a.replace('{src}', SOURCE).replace('{out}', wasm)),
    [process.env.CC || 'gcc', '-O2', '-o', native, SOURCE],
  ];
  for (const [cmd, ...args] of steps) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${(r.stderr || r.error?.message || '').trim()}`);
  }
  return { wasm, native };
}

/** Starts a server command; resolves with its port and a stop function. */
function startServer(argv) {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGKILL'); }) });
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${err.trim()}`)));
  });
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Microseconds per 64-byte round trip, over `n` of them on one connection. */
async function roundTrips(port, n) {
  const s = await connect(port);
  const msg = Buffer.alloc(64, 7);
  let pending = 0;
  let done;
  s.on('data', (d) => {
    pending -= d.length;
    if (pending <= 0 && done) done();
  });
  const one = () => new Promise((r) => { done = r; pending = 64; s.write(msg); });
  for (let i = 0; i < 50; i++) await one(); // warm up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await one();
  const us = ((performance.now() - t0) * 1000) / n;
  s.destroy();
  return us;
}

/** MiB/s of `mib` MiB sent and echoed back on one connection. */
async function bulk(port, mib) {
  const s = await connect(port);
  const total = mib * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 1);
  let received = 0;
  const t0 = performance.now();
  const finished = new Promise((resolve) => s.on('data', (d) => { received += d.length; if (received >= total) resolve(); }));
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
  }
  await finished;
  const mibs = mib / ((performance.now() - t0) / 1000);
  s.destroy();
  return mibs;
}

export async function runNetBench({ quick = false, runs = null, kilnModule = null, verbose = false } = {}) {
  const failures = [];
  console.log('');
  if (kilnModule === 'node:wasi') {
    console.log('net: skipped (node:wasi has no sockets a guest can open)');
    return failures;
  }
  let built;
  try {
    built = build();
  } catch (e) {
    failures.push(`net: ${e.message}`);
    console.log('net: not run (see failures)');
    return failures;
  }
  const nRuns = runs ?? (quick ? 2 : 5);
  const trips = quick ? 500 : 3000;
  const mib = quick ? 16 : 64;
  const servers = {
    kiln: [process.execPath, path.join(repoRoot, 'bin', 'kiln.js'), 'run', '--net', 'host', built.wasm],
    native: [built.native],
    // For scale: the same echo written for Node itself (node:net), what a JavaScript server does.
    node: [process.execPath, '-e', NODE_ECHO],
  };
  const results = { kiln: { rr: [], bulk: [] }, native: { rr: [], bulk: [] }, node: { rr: [], bulk: [] } };
  for (const [name, argv] of Object.entries(servers)) {
    let server;
    try {
      server = await startServer(argv);
      for (let i = 0; i < nRuns; i++) {
        results[name].rr.push(await roundTrips(server.port, trips));
        results[name].bulk.push(await bulk(server.port, mib));
        if (verbose) console.log(`  ${name}: ${results[name].rr.at(-1).toFixed(1)} µs, ${results[name].bulk.at(-1).toFixed(0)} MiB/s`);
      }
    } catch (e) {
      failures.push(`net (${name}): ${e.message}`);
    } finally {
      await server?.stop();
    }
  }
  if (failures.length) {
    console.log('net: not complete (see failures)');
    return failures;
  }
  const rr = (k) => median(results[k].rr);
  const bw = (k) => median(results[k].bulk);
  console.log(`net: a TCP echo server (bench/programs/net/net_echo.c) under kiln run --net host vs the same C built with gcc, and the same echo written for node:net; a Node client on 127.0.0.1, median of ${nRuns}; each ratio is Kiln's speed as a fraction of the peer's`);
  printTable(['benchmark', 'kiln', 'native', 'native/kiln', 'node:net', 'node/kiln'], [
    [`round trip (64 B, ${trips} on one connection)`, `${rr('kiln').toFixed(1)} µs`, `${rr('native').toFixed(1)} µs`, fmtRatio(rr('native') / rr('kiln')),
      `${rr('node').toFixed(1)} µs`, fmtRatio(rr('node') / rr('kiln'))],
    [`bulk echo (${mib} MiB)`, `${bw('kiln').toFixed(0)} MiB/s`, `${bw('native').toFixed(0)} MiB/s`, fmtRatio(bw('kiln') / bw('native')),
      `${bw('node').toFixed(0)} MiB/s`, fmtRatio(bw('kiln') / bw('node'))],
  ]);
  return failures;
}

// ----------------------------------------------------------- standalone --

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  exitWhenDone(runNetBench(parseBenchArgs(process.argv.slice(2), 'net.mjs')));
}
