// The page's side of bench/browser.mjs: starts programs with Kiln's bundle
// and with @wasmer/sdk's browser build in this page, and times each start
// from the bytes in memory to the exit, output captured.
import { WasiBuilder } from './kiln/kiln.browser.js';

async function bytesOf(name) {
  return new Uint8Array(await (await fetch(`./programs/${name}`)).arrayBuffer());
}

/** Times `runs` starts of `program` under Kiln; the first (a cold start) apart. */
export async function kiln(program, args, runs) {
  const bytes = await bytesOf(program);
  const times = [];
  let out;
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    const r = await new WasiBuilder().args(args).env('KILN_TEST', 'kiln').stdout('capture').stderr('capture').run(bytes);
    times.push(performance.now() - t0);
    out = { exitCode: r.exitCode, stdout: r.stdoutText, stderr: r.stderrText };
  }
  return { first: times[0], rest: times.slice(1), out };
}

let wasmer;

/** @wasmer/sdk's one-time set-up: loading its module and `new Wasmer()`, timed. */
export async function wasmerInit() {
  const t0 = performance.now();
  const sdk = await import('./wasmer/dist/index.js');
  if (typeof sdk.init === 'function') await sdk.init();
  const client = new sdk.Wasmer({ cache: false });
  if (typeof client.ready === 'function') await client.ready();
  wasmer = client;
  return performance.now() - t0;
}

/** Times `runs` starts of `program` under @wasmer/sdk (package loaded once, untimed; one sandbox); the first apart. */
export async function wasmerStarts(program, args, runs) {
  const pkg = await wasmer.packages.load(await bytesOf(program));
  const sandbox = await wasmer.sandboxes.create({ packages: [pkg] });
  const times = [];
  let out;
  try {
    for (let i = 0; i <= runs; i++) {
      const t0 = performance.now();
      const r = await sandbox.command(pkg, args.slice(1), { env: { KILN_TEST: 'kiln' } }).run({ check: false });
      times.push(performance.now() - t0);
      // Its output: a string, bytes (perhaps on a SharedArrayBuffer), or an object with text().
      const text = (x) => (typeof x === 'string' ? x : typeof x?.text === 'function' ? x.text() : new TextDecoder().decode(new Uint8Array(x).slice()));
      out = { exitCode: r.code ?? r.exitCode, stdout: text(r.stdout), stderr: text(r.stderr) };
    }
  } finally {
    await sandbox.close();
  }
  return { first: times[0], rest: times.slice(1), out };
}
