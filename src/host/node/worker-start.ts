/**
 * Starting Kiln's own workers on Node (layer: host, Node only). A worker
 * runs the compiled `.js` module next to its launcher (from dist/); from
 * TypeScript sources (tests, development) it runs the `.ts` module through
 * tsx, which must then be installed: the worker registers tsx's loader
 * itself, as a loader given with --import is not active yet when a
 * worker's main module loads.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Flags that load code into every thread (a TypeScript loader): not needed by the compiled worker, and slow to start. */
const LOADER_FLAG = /^(--import|--loader|--experimental-loader|--require|-r)(=.*)?$/;

/** The worker's execArgv: the caller's flags, less module loaders when the worker is compiled JavaScript. */
function workerExecArgv(fromSources: boolean): string[] | undefined {
  if (fromSources) return undefined;
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const m = LOADER_FLAG.exec(argv[i]!);
    if (m === null) out.push(argv[i]!);
    else if (m[2] === undefined) i++;
  }
  return out;
}

/**
 * Starts the worker module `name` (without extension) that sits next to
 * the module whose `import.meta.url` is `base`.
 */
export function startKilnWorker(base: string, name: string, options: Omit<WorkerOptions, 'eval' | 'execArgv'>): Worker {
  const fromSources = base.endsWith('.ts');
  const url = new URL(`./${name}${fromSources ? '.ts' : '.js'}`, base);
  const execArgv = workerExecArgv(fromSources);
  if (!fromSources) return new Worker(url, { ...options, execArgv });
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true, execArgv });
}
