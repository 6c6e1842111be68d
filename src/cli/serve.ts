/**
 * `kiln serve` (layer: front doors / CLI): serves HTTP with a
 * `wasi:http/proxy` component, as `wasmtime serve` does: every request
 * goes to the component's `wasi:http/incoming-handler`, on a fresh
 * instance (or, with `--reuse-instance`, on one kept for all of them).
 * The component's options are `kiln run`'s (`--dir`, `--env`, `--net` and
 * the allow rules for its own requests, the limits, `--trace`). It serves
 * until interrupted. Where the engine has JSPI (Node 24), a request whose
 * component waits is suspended and other requests are served meanwhile;
 * otherwise each fresh instance handles its request in a process worker,
 * side by side (a reused instance takes them in turn).
 */
import { transpileComponent } from '../exec/component/transpile.js';
import { isComponent } from '../exec/component/component-binary.js';
import { jspiAvailable } from '../exec/ports/suspending.js';
import { WASI } from '../front/node/node-wasi.js';
import { portOf, serveHttp } from '../front/node/http-serve.js';
import { formatListenAddress, parseListenAddress, type ListenAddress } from '../host/net/address.js';
import { CannotRunError, UsageError } from './errors.js';
import { closeOnInterrupt } from './interrupt.js';
import { readInputFile } from './module-file.js';
import { parseRunArgs } from './run-args.js';
import { cannotRunMessage, componentOptionsOf } from './run-component.js';

export const SERVE_HELP = `Usage: kiln serve [OPTIONS] COMPONENT.wasm

Serves HTTP with a wasi:http/proxy component (WASI preview 2): each request
goes to its wasi:http/incoming-handler export, and its response is sent back.
Ctrl-C stops it.

Options:
  --addr HOST:PORT     where to listen (default 127.0.0.1:8080; port 0: a free one)
  --reuse-instance     one instance serves every request (default: a fresh
                       instance per request, so no request sees another's state)
  -h, --help           show this help
  --timeout DURATION   a time limit for each request (fresh instances: the
                       instance is stopped and the request gets a 500)
  and kiln run's options for the component: --dir, --env, --env-inherit,
  --net, --allow-connect, --allow-bind, --max-fds, --max-sockets,
  --max-memory, --trace (see kiln run --help)
`;

/** `HOST:PORT` (an IPv6 host in brackets), as `--listen` takes it. */
function parseAddr(value: string): ListenAddress {
  const a = parseListenAddress(value);
  if (a === undefined) throw new UsageError(`serve: --addr takes HOST:PORT, not '${value}'`);
  return a;
}

/** `kiln serve [OPTIONS] COMPONENT.wasm`: serves until the process is interrupted. */
export async function serveCommand(argv: readonly string[]): Promise<number> {
  let addr: ListenAddress = { host: '127.0.0.1', port: 8080 };
  let reuse = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      process.stdout.write(SERVE_HELP);
      return 0;
    }
    if (a === '--reuse-instance') reuse = true;
    else if (a === '--addr') {
      if (i + 1 >= argv.length) throw new UsageError('serve: --addr needs HOST:PORT');
      addr = parseAddr(argv[++i]!);
    } else if (a.startsWith('--addr=')) addr = parseAddr(a.slice('--addr='.length));
    else rest.push(a);
  }
  const args = parseRunArgs(rest);
  if (args.guestArgs.length > 0) throw new UsageError('serve: a component that serves HTTP takes no arguments');
  const bytes = readInputFile(args.module, 'a component');
  if (!isComponent(bytes)) throw new CannotRunError(`cannot serve ${args.module}: it is not a component (WASI preview 2)`);
  const options = componentOptionsOf(args);
  if (reuse && options.timeoutMs !== undefined) throw new UsageError('serve: --timeout stops a fresh instance (in a process worker); a reused instance cannot be stopped');
  let server;
  let handler;
  try {
    // Where the engine has JSPI, a request that waits is suspended and others are served meanwhile;
    // under a time limit each fresh instance runs in a process worker, which can be stopped.
    const suspending = jspiAvailable() && options.timeoutMs === undefined;
    const component = await transpileComponent(bytes, options.componentCache, suspending);
    handler = new WASI(options).httpHandler(component, { reuseInstance: reuse });
    server = await serveHttp(handler, addr);
  } catch (e) {
    const cannot = cannotRunMessage(args.module, e);
    if (cannot !== undefined) throw new CannotRunError(cannot.replace(/^cannot run/, 'cannot serve'));
    throw e;
  }
  const where = formatListenAddress({ host: addr.host, port: portOf(server) });
  process.stderr.write(`kiln serve: serving HTTP on http://${where}/ (Ctrl-C stops it)\n`);
  await closeOnInterrupt(server);
  handler.close();
  return 0;
}
