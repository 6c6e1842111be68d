/**
 * Where the browser's thread worker entry is (layer: host, browser): the
 * compiled `browser-thread-worker.js` at the root of Kiln's modules, two
 * folders up from here. The prebuilt bundle (scripts/bundle-browser.mjs)
 * replaces this module: there the entry is `kiln.browser-thread.js`,
 * beside `kiln.browser.js`.
 */
export const THREAD_WORKER_URL: URL = new URL('../../browser-thread-worker.js', import.meta.url);
