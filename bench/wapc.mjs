#!/usr/bin/env node
// waPC benchmarks: Kiln's waPC host (WapcHost, WapcHostAsync, WapcHostPool)
// against the npm package @wapc/host (0.0.3, a devDependency), in one run.
// Run by bench/run.mjs (`npm run bench`, `--only wapc`) or on its own.
// See bench/README.md, "waPC benchmarks".
//
// Usage: node bench/wapc.mjs [--quick] [--runs N] [--kiln-module PATH] [--no-node24] [--verbose]
//
// The guests are test/programs/wapc/{as/wapc_as_echo.ts, wat/wapc_wat_echo.wat,
// wat/wapc_wat_hostcall.wat}, built by scripts/build-programs.mjs (cached).
// Every figure is calls per second (higher is better): each measurement is a
// warm-up, then `runs` samples (default 3) of a fixed time each, the
// variants alternating; the table shows the best sample (interference from
// other work only ever slows a sample down). Replies are checked in every
// sample (and host-call counts), so a broken host fails instead of looking
// fast.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { importKiln } from './kiln-module.mjs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { repoRoot } from './build.mjs';
import { parseBenchArgs, printFailures } from './standalone.mjs';
import { rotate, fmtRatio, printTable } from './table.mjs';

const NODE24 = path.join(repoRoot, 'build', 'node24', 'bin', 'node');
const PEER_PACKAGE = '@wapc/host';
const PROGRAMS = ['wapc_as_echo', 'wapc_wat_echo', 'wapc_wat_hostcall'];
const ECHO_GUESTS = ['wapc_as_echo', 'wapc_wat_echo'];
const SIZES = [16, 1024, 64 * 1024];
/** Product targets for kiln/@wapc/host (echo calls/s), by payload size. Printed, never enforced. */
const TARGETS = new Map([[16, 2.5], [64 * 1024, 3]]);
const POOL_LANES = 64;
/** What the benchmark's host callback answers: 16 fixed bytes. */
const HOST_REPLY = new TextEncoder().encode('0123456789abcdef');
const AS_HOST_PREFIX = new TextEncoder().encode('host said: ');

/** Time per sample and warm-up, in ms. */
function timing(quick) {
  return quick ? { sampleMs: 100, warmupMs: 30 } : { sampleMs: 300, warmupMs: 150 };
}

// ---------------------------------------------------------------- helpers --

let gc = () => {};
try {
  v8.setFlagsFromString('--expose-gc');
  gc = vm.runInNewContext('gc');
} catch {}

function best(xs) {
  return xs.length === 0 ? NaN : Math.max(...xs);
}

function fmtRate(perSecond) {
  if (!Number.isFinite(perSecond)) return '-';
  return Math.round(perSecond).toLocaleString('en-US');
}

function fmtSize(n) {
  return n >= 1024 ? `${n / 1024} KiB` : `${n} B`;
}

function fmtUs(perSecond) {
  return Number.isFinite(perSecond) ? `${(1e6 / perSecond).toFixed(perSecond > 1e5 ? 2 : 1)} us` : '-';
}

/** A payload of `size` pseudo-random bytes (fixed seed). */
function makePayload(size, seed = 1) {
  const out = new Uint8Array(size);
  let x = (0x9e3779b9 ^ seed) >>> 0;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function sameBytes(a, b) {
  return (
    a instanceof Uint8Array &&
    a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))
  );
}

function describeReply(reply, want) {
  if (!(reply instanceof Uint8Array)) return `reply is ${reply === null ? 'null' : typeof reply}, not a Uint8Array`;
  let i = 0;
  while (i < Math.min(reply.length, want.length) && reply[i] === want[i]) i++;
  return `reply differs: ${reply.length} bytes, expected ${want.length}; first difference at byte ${i}`;
}

function expectReply(reply, want) {
  if (!sameBytes(reply, want)) throw new Error(describeReply(reply, want));
}

function concatBytes(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

// ------------------------------------------------------------- measuring --

/**
 * A variant is { id, label, sample(ms) => Promise<rate>, check?() } where
 * sample runs calls for about `ms` and returns calls/s (it verifies what it
 * ran). The runners below make `sample` for each calling style.
 */

/** Synchronous calls, `call()` returning the reply; `verify(reply)` on the first and last reply of a sample. */
function syncSampler(call, verify) {
  return async (ms) => {
    verify(call());
    let n = 0;
    let batch = 8;
    let last;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      for (let i = 0; i < batch; i++) last = call();
      n += batch;
      t = performance.now();
      if (t - t0 < ms / 50) batch *= 2;
    }
    verify(last);
    return n / ((t - t0) / 1000);
  };
}

/** Calls awaited one at a time. */
function awaitedSampler(call, verify) {
  return async (ms) => {
    verify(await call());
    let n = 0;
    let last;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      for (let i = 0; i < 8; i++) last = await call();
      n += 8;
      t = performance.now();
    }
    verify(last);
    return n / ((t - t0) / 1000);
  };
}

/** `lanes` calls in flight at all times, until `ms` has passed. */
function concurrentSampler(call, verify, lanes) {
  return async (ms) => {
    verify(await call());
    let n = 0;
    let last;
    const t0 = performance.now();
    const end = t0 + ms;
    const lane = async () => {
      while (performance.now() < end) {
        last = await call();
        n++;
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    const t = performance.now();
    verify(last);
    return n / ((t - t0) / 1000);
  };
}

/**
 * Measures a group of variants: each one warms up, then `runs` rounds of
 * one sample per variant, in an order rotated every round. Returns
 * Map id -> { rate (best sample's calls/s), samples, error }.
 */
async function measure(name, variants, { runs, sampleMs, warmupMs, verbose }) {
  const t0 = performance.now();
  process.stderr.write(`  wapc ${name}: running...`);
  const state = new Map(variants.map((v) => [v.id, { samples: [], error: null }]));
  const attempt = async (v, ms, keep) => {
    const s = state.get(v.id);
    if (s.error) return;
    try {
      gc();
      const rate = await v.sample(ms);
      v.check?.();
      if (keep) s.samples.push(rate);
    } catch (e) {
      s.error = e?.message ?? String(e);
    }
  };
  for (const v of variants) await attempt(v, warmupMs, false);
  for (let i = 0; i < runs; i++) for (const v of rotate(variants, i)) await attempt(v, sampleMs, true);
  process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const out = new Map();
  for (const v of variants) {
    const s = state.get(v.id);
    if (verbose) console.log(`  ${name} ${v.label}: ${s.error ? `FAIL ${s.error}` : s.samples.map(fmtRate).join(' ')}`);
    out.set(v.id, { rate: s.error ? NaN : best(s.samples), samples: s.samples, error: s.error });
  }
  return out;
}

// --------------------------------------------------------------- runtimes --

function buildGuestPrograms() {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-programs.mjs'), ...PROGRAMS], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`scripts/build-programs.mjs failed:\n${(r.stderr || r.stdout || '').trim()}`);
  const out = {};
  for (const name of PROGRAMS) out[name] = fs.readFileSync(path.join(repoRoot, 'build', 'programs', `${name}.wasm`));
  return out;
}

async function loadKiln(spec) {
  const names = ['WapcHost', 'WapcHostAsync', 'WebAssemblyEngine', 'WebAssemblyEngineAsync', 'WapcHostPool'];
  return (await importKiln(spec, names, { missingHint: ' (no waPC host in this build?)' })).exports;
}

async function loadPeer() {
  try {
    const mod = await import(PEER_PACKAGE);
    const instantiate = mod.instantiate ?? mod.default?.instantiate;
    if (typeof instantiate !== 'function') return { error: `${PEER_PACKAGE} has no instantiate()` };
    return { instantiate };
  } catch (e) {
    return { error: `${PEER_PACKAGE} could not be loaded (${e?.code ?? e?.message ?? e}); install the devDependencies (npm ci)` };
  }
}

/** Closes everything registered, last first (hosts, engines, pools). */
class Closer {
  #items = [];
  add(close) {
    this.#items.push(close);
  }
  async closeAll() {
    const errors = [];
    for (const close of this.#items.splice(0).reverse()) {
      try {
        await close();
      } catch (e) {
        errors.push(e?.message ?? String(e));
      }
    }
    return errors;
  }
}

/** A host-call callback that counts its calls and checks the payload the guest sent; `check()` compares counts. */
function countingCallback(expectPayload) {
  const cb = {
    calls: 0,
    bad: null,
    fn(binding, namespace, operation, payload) {
      cb.calls++;
      if (cb.bad === null && payload.length !== expectPayload.length) {
        cb.bad = `host callback got ${payload.length} payload bytes, expected ${expectPayload.length} (${binding}/${namespace}/${operation})`;
      }
      return HOST_REPLY;
    },
    verifyLast(payload) {
      if (!sameBytes(payload, expectPayload)) cb.bad ??= `host callback payload differs: ${describeReply(payload, expectPayload)}`;
    },
  };
  return cb;
}

/**
 * Wraps a call function so that host-callback counts are checked: the
 * callback must have run exactly once per call.
 */
function countedCall(call, cb) {
  let made = 0;
  return {
    call: () => {
      made++;
      return call();
    },
    check: () => {
      if (cb.bad) throw new Error(cb.bad);
      if (cb.calls !== made) throw new Error(`the host callback ran ${cb.calls} time(s) for ${made} call(s)`);
    },
  };
}

// ---------------------------------------------------------------- sections --

/** 1. Echo calls per second, Kiln WapcHost vs @wapc/host, per guest and payload size. */
async function benchEcho(ctx) {
  const { kiln, peer, wasm, closer, opts, fail } = ctx;
  const rows = [];
  const results = [];
  // The floor: what any host that copies the payload into linear memory and
  // returns a fresh copy of the reply must spend, without running a guest.
  const floors = new Map();
  for (const size of SIZES) {
    const payload = makePayload(size, size);
    const mem = new Uint8Array(new WebAssembly.Memory({ initial: 2 }).buffer);
    const copies = () => {
      mem.set(payload, 1024);
      return mem.slice(1024, 1024 + size);
    };
    const m = await measure(`copies only ${fmtSize(size)}`, [{ id: 'floor', label: 'copies only', sample: syncSampler(copies, (r) => expectReply(r, payload)) }], opts);
    floors.set(size, m.get('floor').rate);
  }
  for (const guest of ECHO_GUESTS) {
    for (const size of SIZES) {
      const payload = makePayload(size, size);
      const variants = [];
      let kilnHost;
      try {
        kilnHost = new kiln.WapcHost(new kiln.WebAssemblyEngine(wasm[guest]));
        closer.add(() => kilnHost.close());
        variants.push({ id: 'kiln', label: 'kiln', sample: syncSampler(() => kilnHost.call('echo', payload), (r) => expectReply(r, payload)) });
      } catch (e) {
        fail(`echo ${guest} ${fmtSize(size)}`, 'kiln', e.message);
      }
      if (peer.instantiate) {
        try {
          const h = await peer.instantiate(wasm[guest]);
          variants.push({ id: 'peer', label: PEER_PACKAGE, sample: awaitedSampler(() => h.invoke('echo', payload), (r) => expectReply(r, payload)) });
        } catch (e) {
          fail(`echo ${guest} ${fmtSize(size)}`, PEER_PACKAGE, e.message);
        }
      }
      const m = await measure(`echo ${guest} ${fmtSize(size)}`, variants, opts);
      const k = m.get('kiln') ?? { rate: NaN, error: 'not created' };
      const p = m.get('peer') ?? { rate: NaN, error: peer.error ?? 'not created' };
      if (m.has('kiln') && k.error) fail(`echo ${guest} ${fmtSize(size)}`, 'kiln', k.error);
      if (m.has('peer') && p.error) fail(`echo ${guest} ${fmtSize(size)}`, PEER_PACKAGE, p.error);
      const ratio = k.rate / p.rate;
      const target = TARGETS.get(size);
      const status = target === undefined || !Number.isFinite(ratio) ? '' : ratio >= target ? ' met' : ' BELOW';
      rows.push([
        guest,
        fmtSize(size),
        k.error ? 'FAIL' : fmtRate(k.rate),
        p.error ? (m.has('peer') ? 'FAIL' : 'n/a') : fmtRate(p.rate),
        fmtRatio(ratio),
        target === undefined ? '-' : `>= ${target.toFixed(2)}${status}`,
        fmtRate(floors.get(size)),
        `kiln ${fmtUs(k.rate)}, ${PEER_PACKAGE} ${fmtUs(p.rate)}, copies only ${fmtUs(floors.get(size))}`,
      ]);
      results.push({ guest, size, kiln: k.rate, peer: p.rate });
      kilnHost?.close();
    }
  }
  console.log('');
  console.log(`1. echo: kiln WapcHost.call() vs ${PEER_PACKAGE} await invoke(); calls/s, higher is better; kiln/peer > 1 means Kiln is faster`);
  console.log('   "copies only": payload copied into a wasm memory + reply copied out to a new Uint8Array, no guest (the floor for both hosts)');
  printTable(['guest', 'payload', 'kiln calls/s', `${PEER_PACKAGE} calls/s`, 'kiln/peer', 'target', 'copies only/s', 'time per call'], rows);
  return results;
}

/** 2. One host call per invocation: wapc_wat_hostcall (any op) and wapc_as_echo `reverse_via_host`. */
async function benchHostCall(ctx) {
  const { kiln, peer, wasm, closer, opts, fail } = ctx;
  const payload = makePayload(16, 7);
  const cases = [
    { guest: 'wapc_wat_hostcall', op: 'echo', want: HOST_REPLY },
    { guest: 'wapc_as_echo', op: 'reverse_via_host', want: concatBytes(AS_HOST_PREFIX, HOST_REPLY) },
  ];
  const rows = [];
  const results = [];
  for (const c of cases) {
    const name = `hostcall ${c.guest} ${c.op}`;
    const variants = [];
    const verify = (r) => expectReply(r, c.want);
    try {
      const cb = countingCallback(payload);
      const host = new kiln.WapcHost(new kiln.WebAssemblyEngine(wasm[c.guest]), (_id, b, n, o, p) => {
        cb.verifyLast(p);
        return cb.fn(b, n, o, p);
      });
      closer.add(() => host.close());
      const counted = countedCall(() => host.call(c.op, payload), cb);
      variants.push({ id: 'kiln', label: 'kiln', sample: syncSampler(counted.call, verify), check: counted.check });
    } catch (e) {
      fail(name, 'kiln', e.message);
    }
    if (peer.instantiate) {
      try {
        const cb = countingCallback(payload);
        const h = await peer.instantiate(wasm[c.guest], (b, n, o, p) => {
          cb.verifyLast(p);
          return cb.fn(b, n, o, p);
        });
        const counted = countedCall(() => h.invoke(c.op, payload), cb);
        variants.push({ id: 'peer', label: PEER_PACKAGE, sample: awaitedSampler(counted.call, verify), check: counted.check });
      } catch (e) {
        fail(name, PEER_PACKAGE, e.message);
      }
    }
    const m = await measure(name, variants, opts);
    const k = m.get('kiln') ?? { rate: NaN, error: 'not created' };
    const p = m.get('peer') ?? { rate: NaN, error: peer.error ?? 'not created' };
    if (m.has('kiln') && k.error) fail(name, 'kiln', k.error);
    if (m.has('peer') && p.error) fail(name, PEER_PACKAGE, p.error);
    rows.push([
      `${c.guest} ${c.op}`,
      k.error ? 'FAIL' : fmtRate(k.rate),
      p.error ? (m.has('peer') ? 'FAIL' : 'n/a') : fmtRate(p.rate),
      fmtRatio(k.rate / p.rate),
      `16 B payload, callback answers 16 B; kiln ${fmtUs(k.rate)}/call, ${PEER_PACKAGE} ${fmtUs(p.rate)}/call`,
    ]);
    results.push({ guest: c.guest, op: c.op, kiln: k.rate, peer: p.rate });
  }
  console.log('');
  console.log(`2. one __host_call per invocation: calls/s, higher is better; kiln/peer > 1 means Kiln is faster`);
  printTable(['guest op', 'kiln calls/s', `${PEER_PACKAGE} calls/s`, 'kiln/peer', 'measures'], rows);
  return results;
}

/**
 * The asynchronous host's variants in `mode` ('worker' or 'jspi'), with the
 * synchronous host on the same guests as the reference. Returns variants
 * grouped by case: [{ name, variants }].
 */
async function asyncCases(kiln, wasm, mode, closer) {
  const payload = makePayload(16, 3);
  const cases = [];
  // echo 16 B
  {
    const sync = new kiln.WapcHost(new kiln.WebAssemblyEngine(wasm.wapc_as_echo));
    closer.add(() => sync.close());
    const host = await kiln.WapcHostAsync.create(new kiln.WebAssemblyEngineAsync(wasm.wapc_as_echo, { mode }));
    closer.add(() => host.close());
    const verify = (r) => expectReply(r, payload);
    cases.push({
      key: `${mode} echo`,
      label: `${mode}: echo 16 B (wapc_as_echo)`,
      variants: [
        { id: 'async', label: `async ${mode}`, sample: awaitedSampler(() => host.call('echo', payload), verify) },
        { id: 'sync', label: 'sync', sample: syncSampler(() => sync.call('echo', payload), verify) },
      ],
    });
  }
  // one host call per invocation, the callback answering with a Promise
  {
    const syncCb = countingCallback(payload);
    const sync = new kiln.WapcHost(new kiln.WebAssemblyEngine(wasm.wapc_wat_hostcall), (_id, b, n, o, p) => syncCb.fn(b, n, o, p));
    closer.add(() => sync.close());
    const cb = countingCallback(payload);
    const host = await kiln.WapcHostAsync.create(
      new kiln.WebAssemblyEngineAsync(wasm.wapc_wat_hostcall, { mode }),
      async (_id, b, n, o, p) => {
        cb.verifyLast(p);
        return cb.fn(b, n, o, p);
      },
    );
    closer.add(() => host.close());
    const verify = (r) => expectReply(r, HOST_REPLY);
    const a = countedCall(() => host.call('echo', payload), cb);
    const s = countedCall(() => sync.call('echo', payload), syncCb);
    cases.push({
      key: `${mode} hostcall`,
      label: `${mode}: 1 host call, async callback (wapc_wat_hostcall)`,
      variants: [
        { id: 'async', label: `async ${mode}`, sample: awaitedSampler(a.call, verify), check: a.check },
        { id: 'sync', label: 'sync (sync callback)', sample: syncSampler(s.call, verify), check: s.check },
      ],
    });
  }
  return cases;
}

/** Runs asyncCases for `mode` here; returns rows [{ key, label, async, sync, error }]. */
async function runAsyncMode(kiln, wasm, mode, opts) {
  const closer = new Closer();
  const out = [];
  try {
    let cases;
    try {
      cases = await asyncCases(kiln, wasm, mode, closer);
    } catch (e) {
      return [{ key: `${mode}`, label: `${mode}`, async: NaN, sync: NaN, asyncError: `setup: ${e.message}`, syncError: null }];
    }
    for (const c of cases) {
      const m = await measure(c.key, c.variants, opts);
      const a = m.get('async');
      const s = m.get('sync');
      out.push({ key: c.key, label: c.label, async: a.rate, sync: s.rate, asyncError: a.error, syncError: s.error });
    }
  } finally {
    const errors = await closer.closeAll();
    if (errors.length) out.push({ key: `${mode} close`, label: `${mode}: close`, async: NaN, sync: NaN, asyncError: errors.join('; '), syncError: null });
  }
  return out;
}

/** Runs the JSPI part under build/node24/bin/node (this script with --jspi-child); returns its rows or a reason. */
function runJspiChild(opts) {
  if (!fs.existsSync(NODE24)) {
    return { skipped: `this Node (${process.version}) has no JSPI and ${path.relative(repoRoot, NODE24)} is missing (node scripts/fetch-node24.mjs)` };
  }
  const args = [fileURLToPath(import.meta.url), '--jspi-child', '--runs', String(opts.runs)];
  if (opts.quick) args.push('--quick');
  if (opts.kilnModule) args.push('--kiln-module', opts.kilnModule);
  const r = spawnSync(NODE24, args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 });
  if (r.error) return { error: `${NODE24}: ${r.error.message}` };
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{"jspi"'));
  if (r.status !== 0 || line === undefined) return { error: `the Node 24 child exited with ${r.status ?? r.signal}: ${(r.stdout ?? '').slice(-500)}` };
  return JSON.parse(line).jspi;
}

/** 3. The asynchronous host (worker and JSPI modes) vs the synchronous host. */
async function benchAsync(ctx) {
  const { kiln, wasm, opts, fail } = ctx;
  const rows = [];
  const show = (r, where) => {
    if (r.asyncError) fail(r.key + where, 'kiln async', r.asyncError);
    if (r.syncError) fail(r.key + where, 'kiln sync', r.syncError);
    rows.push([
      r.label + where,
      r.asyncError ? 'FAIL' : fmtRate(r.async),
      r.syncError ? 'FAIL' : fmtRate(r.sync),
      fmtRatio(r.async / r.sync),
      `async ${fmtUs(r.async)}/call, sync ${fmtUs(r.sync)}/call`,
    ]);
  };
  for (const r of await runAsyncMode(kiln, wasm, 'worker', opts)) show(r, '');
  let jspiNote = '';
  if (typeof WebAssembly.Suspending === 'function') {
    for (const r of await runAsyncMode(kiln, wasm, 'jspi', opts)) show(r, '');
  } else if (opts.node24) {
    const child = runJspiChild(opts);
    if (child.skipped) jspiNote = `jspi: skipped: ${child.skipped}`;
    else if (child.error) fail('jspi', 'kiln (node 24)', child.error);
    else for (const r of child.rows) show(r, ` [node ${child.node}]`);
  } else {
    jspiNote = `jspi: skipped (this Node, ${process.version}, has no WebAssembly.Suspending; --no-node24 given)`;
  }
  console.log('');
  console.log('3. WapcHostAsync, awaited one call at a time, vs the synchronous WapcHost in the same process; calls/s, higher is better');
  printTable(['case', 'async calls/s', 'sync calls/s', 'async/sync', 'time per call'], rows);
  if (jspiNote) console.log(jspiNote);
}

/** 4. WapcHostPool throughput with POOL_LANES calls in flight, 1 vs 2 workers. */
async function benchPool(ctx) {
  const { kiln, wasm, opts, fail } = ctx;
  const closer = new Closer();
  const rows = [];
  try {
    const pools = new Map();
    for (const n of [1, 2]) {
      try {
        const pool = await kiln.WapcHostPool.create(wasm.wapc_as_echo, { minWorkers: n, maxWorkers: n });
        closer.add(() => pool.close());
        pools.set(n, pool);
      } catch (e) {
        fail(`pool N=${n}`, 'kiln', e.message);
      }
    }
    for (const size of [16, 1024]) {
      const payload = makePayload(size, 11);
      const verify = (r) => expectReply(r, payload);
      const variants = [...pools].map(([n, pool]) => ({
        id: n,
        label: `N=${n}`,
        sample: concurrentSampler(() => pool.call('echo', payload), verify, POOL_LANES),
        check: () => {
          if (pool.size !== n) throw new Error(`the pool has ${pool.size} worker(s), expected ${n}`);
        },
      }));
      const m = await measure(`pool echo ${fmtSize(size)}`, variants, opts);
      const one = m.get(1) ?? { rate: NaN, error: 'not created' };
      const two = m.get(2) ?? { rate: NaN, error: 'not created' };
      if (m.has(1) && one.error) fail(`pool echo ${fmtSize(size)}`, 'N=1', one.error);
      if (m.has(2) && two.error) fail(`pool echo ${fmtSize(size)}`, 'N=2', two.error);
      rows.push([
        `echo ${fmtSize(size)}`,
        one.error ? 'FAIL' : fmtRate(one.rate),
        two.error ? 'FAIL' : fmtRate(two.rate),
        fmtRatio(two.rate / one.rate),
        `wapc_as_echo, ${POOL_LANES} calls in flight`,
      ]);
    }
  } finally {
    const errors = await closer.closeAll();
    if (errors.length) fail('pool close', 'kiln', errors.join('; '));
  }
  console.log('');
  console.log(`4. WapcHostPool (guests on worker threads), ${POOL_LANES} concurrent calls; calls/s, higher is better; ${os.cpus().length} CPU(s)`);
  printTable(['case', 'N=1 calls/s', 'N=2 calls/s', 'N2/N1', 'measures'], rows);
}

/**
 * Runs the waPC benchmarks and prints their tables. Returns the list of
 * failures (strings); empty when every variant ran and every reply matched.
 */
export async function runWapcBench({ quick = false, runs = null, kilnModule = null, verbose = false, node24 = true } = {}) {
  const failures = [];
  console.log('');
  if (kilnModule === 'node:wasi') {
    console.log('wapc: skipped (node:wasi has no waPC host; --kiln-module node:wasi only checks the harness)');
    return failures;
  }
  let kiln;
  let wasm;
  try {
    kiln = await loadKiln(kilnModule);
    wasm = buildGuestPrograms();
  } catch (e) {
    failures.push(`wapc: ${e.message}`);
    console.log('wapc: not run (see failures)');
    return failures;
  }
  const peer = await loadPeer();
  const nRuns = runs ?? 3;
  const opts = { ...timing(quick), runs: nRuns, verbose, quick, kilnModule, node24 };
  console.log(
    `wapc: Kiln waPC host vs ${PEER_PACKAGE}${peer.error ? ` (${peer.error}: no peer column)` : ''}; node ${process.version}; ` +
      `best of ${nRuns} sample(s) of ${opts.sampleMs} ms after a ${opts.warmupMs} ms warm-up${quick ? ', --quick' : ''}`,
  );
  if (peer.error) failures.push(`wapc: ${peer.error}`);
  const fail = (bench, label, msg) => failures.push(`wapc ${bench} [${label}]: ${msg}`);
  const closer = new Closer();
  const ctx = { kiln, peer, wasm, closer, opts, fail };
  const t0 = performance.now();
  let echo = [];
  try {
    echo = await benchEcho(ctx);
    await benchHostCall(ctx);
  } finally {
    for (const e of await closer.closeAll()) fail('close', 'kiln', e);
  }
  await benchAsync(ctx);
  await benchPool(ctx);

  console.log('');
  const ratios = echo.map((r) => ({ ...r, ratio: r.kiln / r.peer })).filter((r) => Number.isFinite(r.ratio));
  const targetText = [...TARGETS]
    .map(([size, target]) => {
      const rs = ratios.filter((r) => r.size === size);
      if (rs.length === 0) return `${fmtSize(size)} -`;
      const worst = Math.min(...rs.map((r) => r.ratio));
      return `${fmtSize(size)} worst ${worst.toFixed(2)} (target >= ${target}: ${worst >= target ? 'met' : 'BELOW'})`;
    })
    .join(', ');
  console.log(
    `wapc summary: echo kiln/${PEER_PACKAGE} (calls/s, higher is better): ${targetText}; ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      `${failures.length ? `${failures.length} FAILURE(S)` : 'all replies matched'}`,
  );
  return failures;
}

// ----------------------------------------------------------- standalone --

/** The --jspi-child mode: the JSPI rows as one JSON line on stdout (progress on stderr). */
async function jspiChild(opts) {
  if (typeof WebAssembly.Suspending !== 'function') throw new Error(`node ${process.version} has no JSPI`);
  const kiln = await loadKiln(opts.kilnModule);
  const wasm = {};
  for (const name of PROGRAMS) wasm[name] = fs.readFileSync(path.join(repoRoot, 'build', 'programs', `${name}.wasm`));
  const rows = await runAsyncMode(kiln, wasm, 'jspi', { ...timing(opts.quick), runs: opts.runs ?? 3, verbose: false });
  const json = JSON.stringify({ jspi: { node: process.version, rows } }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
  process.stdout.write(`${json}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const opts = parseBenchArgs(process.argv.slice(2), 'wapc.mjs', {
    defaults: { node24: true, jspiChild: false },
    extra: { '--no-node24': (o) => { o.node24 = false; }, '--jspi-child': (o) => { o.jspiChild = true; } },
    usage: ' [--no-node24]',
  });
  const run = opts.jspiChild ? jspiChild(opts).then(() => []) : runWapcBench(opts);
  run.then(
    (failures) => {
      printFailures(failures);
      // No process.exit(): every host, worker and pool has been closed, so
      // the process ends by itself. If something was left running, say so.
      process.exitCode = failures.length ? 1 : 0;
      setTimeout(() => {
        console.error('wapc: the process did not exit 5 s after the benchmarks ended (a host, worker or pool left open?)');
        process.exit(1);
      }, 5000).unref();
    },
    (err) => {
      console.error(err?.stack ?? err);
      process.exit(1);
    },
  );
}
