/**
 * `kiln demo` (layer: front doors / CLI): serves Kiln's browser demo
 * (examples/browser/) over HTTP with the cross-origin isolation headers it
 * needs, until interrupted. A plain static server over a fixed set of
 * routes: the page, the prebuilt bundle and its workers from dist/,
 * xterm.js from node_modules/, and the programs it runs from Kiln's test
 * builds (build/programs/). Nothing else of the machine is reachable.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { closeOnInterrupt } from './interrupt.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The programs the demo page runs, built by `npm run build:programs`. */
export const DEMO_PROGRAMS = ['demo_shell', 'threads_basic', 'wasix_pipeline', 'wasix_child', 'wasix_wc'];

/** URL path → file under the package root. */
function routes(): Map<string, string> {
  const r = new Map<string, string>([
    ['/', 'examples/browser/index.html'],
    ['/index.html', 'examples/browser/index.html'],
    ['/demo.js', 'examples/browser/demo.js'],
    ['/demo.css', 'examples/browser/demo.css'],
    ['/kiln/kiln.browser.js', 'dist/kiln.browser.js'],
    ['/kiln/kiln.browser-process.js', 'dist/kiln.browser-process.js'],
    ['/kiln/kiln.browser-thread.js', 'dist/kiln.browser-thread.js'],
    ['/xterm/xterm.js', 'node_modules/@xterm/xterm/lib/xterm.js'],
    ['/xterm/xterm.css', 'node_modules/@xterm/xterm/css/xterm.css'],
  ]);
  for (const name of DEMO_PROGRAMS) r.set(`/programs/${name}.wasm`, `build/programs/${name}.wasm`);
  return r;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** What is missing for the demo to run, as sentences; empty when nothing is. */
export function demoMissing(): string[] {
  const missing: string[] = [];
  const absent = (file: string): boolean => !existsSync(join(ROOT, file));
  if (absent('dist/kiln.browser.js')) missing.push('the browser bundle (dist/kiln.browser.js): run `npm run build`');
  if (absent('node_modules/@xterm/xterm/lib/xterm.js')) missing.push('xterm.js, a development dependency of the demo: run `npm install` in Kiln\'s checkout');
  const programs = DEMO_PROGRAMS.filter((p) => absent(`build/programs/${p}.wasm`));
  if (programs.length > 0) missing.push(`the programs it runs (${programs.join(', ')}): run \`npm run build:programs\` in Kiln's checkout`);
  return missing;
}

/** Starts the demo's server on `host:port` (0: a free port); resolves once it listens. */
export function startDemoServer(host: string, port: number): Promise<Server> {
  const table = routes();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://demo').pathname;
    const file = table.get(path);
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-cache',
    };
    if (path === '/favicon.ico') {
      res.writeHead(204, headers).end();
      return;
    }
    if (file === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(join(ROOT, file));
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end(`${file} is missing\n`);
      return;
    }
    const type = TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': body.byteLength });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

export const DEMO_HELP = `Usage: kiln demo [--host HOST] [--port PORT]

Serves Kiln's browser demo: a page with a terminal running WebAssembly
programs in the browser (a shell on an in-memory filesystem, a pthreads
program, a two-process pipeline), served with the cross-origin isolation
headers threads need. Open the address it prints; Ctrl-C stops it.

Options:
  --host HOST    the address to listen on (default 127.0.0.1)
  --port PORT    the port (default 8080; 0 for a free one)
  -h, --help     show this help
`;

/** `kiln demo [OPTIONS]`: serves until the process is interrupted. */
export async function demoCommand(argv: readonly string[]): Promise<number> {
  let values: { host?: string; port?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { host: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    // node:util's first sentence ("Unknown option '--x'"); the rest of its advice is about positionals, which demo has none of.
    throw new UsageError(`demo: ${(e as Error).message.split('. ')[0]!} (try \`kiln demo --help\`)`);
  }
  if (values.help === true) {
    process.stdout.write(DEMO_HELP);
    return 0;
  }
  const port = Number(values.port ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`demo: --port takes a port number, not '${values.port}'`);
  const missing = demoMissing();
  if (missing.length > 0) {
    process.stderr.write(`kiln: the demo needs ${missing.join('; and ')}\n`);
    return 1;
  }
  const server = await startDemoServer(values.host ?? '127.0.0.1', port);
  const address = server.address();
  const where = typeof address === 'object' && address !== null
    ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/` : String(address);
  process.stdout.write(`kiln demo: serving on ${where} (Ctrl-C stops it)\n`);
  await closeOnInterrupt(server);
  return 0;
}
