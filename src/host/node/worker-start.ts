/**
 * Starting Kiln's own workers on Node (layer: host, Node only). A worker
 * runs the compiled `.js` module next to its launcher (from dist/); from
 * TypeScript sources (tests, development) it runs the `.ts` module through
 * tsx, which must then be installed: the worker registers tsx's loader
 * itself, as a loader given with --import is not active yet when a
 * worker's main module loads.
 *
 * Workers get none of the host process's Node flags (`execArgv: []`):
 * Node refuses per-process flags in a worker (`--expose-gc`,
 * `--max-old-space-size`, ...: "invalid execArgv flags"), module loaders
 * would load the embedder's code into every thread, and what Kiln's
 * workers need from V8 (e.g. its WebAssembly flags) is process-wide
 * already.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker module `name` (without extension) that sits next to
 * the module whose `import.meta.url` is `base`.
 */
export function startKilnWorker(base: string, name: string, options: Omit<WorkerOptions, 'eval' | 'execArgv'>): Worker {
  const fromSources = base.endsWith('.ts');
  const url = new URL(`./${name}${fromSources ? '.ts' : '.js'}`, base);
  const execArgv: string[] = [];
  if (!fromSources) return new Worker(url, { ...options, execArgv });
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true, execArgv });
}
