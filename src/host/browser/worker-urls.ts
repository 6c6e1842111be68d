/**
 * Where the browser's worker entries are (layer: host, browser): the
 * compiled `browser-thread-worker.js`, `browser-process-worker.js` and
 * `browser-opfs-worker.js` at the root of Kiln's modules, two folders up
 * from here. The prebuilt bundle (scripts/bundle-browser.mjs) replaces this
 * module: there the entries are `kiln.browser-thread.js`,
 * `kiln.browser-process.js` and `kiln.browser-opfs.js`, beside
 * `kiln.browser.js`.
 */

/** The Web Worker each wasm thread of a threaded process runs in. */
export const THREAD_WORKER_URL: URL = new URL('../../browser-thread-worker.js', import.meta.url);

/** The Web Worker a single-threaded process and its kernel run in (`run()` on a cross-origin isolated page). */
export const PROCESS_WORKER_URL: URL = new URL('../../browser-process-worker.js', import.meta.url);

/** The Web Worker an OpfsFileSystem keeps its files open in. */
export const OPFS_WORKER_URL: URL = new URL('../../browser-opfs-worker.js', import.meta.url);
