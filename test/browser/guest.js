// Runs test/programs/c/browser_fs.c with the browser bundle, in a page or in a
// worker, and reports what the guest printed and what it left in the
// MemoryFileSystem. Plain JavaScript: the browser loads it as is.
import { FileType, MemoryFileSystem, WasiBuilder } from './kiln.js';

export const ARGS = ['browser_fs', 'one', 'two words', 'héllo wörld'];
export const STDIN = 'some input';

/**
 * @param {{ sleepMs?: number, inherit?: boolean }} options sleepMs: make the guest
 *   nanosleep that long (workers only: a page's main thread cannot block).
 *   inherit: leave stdout/stderr to the browser default (the console).
 */
export async function runGuest({ sleepMs = 0, inherit = false } = {}) {
  const wasm = await (await fetch(new URL('./browser_fs.wasm', import.meta.url))).arrayBuffer();
  const fs = new MemoryFileSystem({
    'input.txt': 'hello from memory\n',
    dir: { 'b.txt': 'bee', 'a.txt': 'ay', sub: { 'deep.txt': 'deep' } },
  });
  const builder = new WasiBuilder()
    .args(ARGS)
    .env('GREETING', 'hello, browser')
    .preopen('/data', fs)
    .stdin(STDIN);
  if (!inherit) builder.stdout('capture').stderr('capture');
  if (sleepMs > 0) builder.env('SLEEP_MS', String(sleepMs));

  const t0 = performance.now();
  const result = await builder.run(wasm);
  const elapsedMs = performance.now() - t0;

  const node = fs.root.lookup('renamed.txt');
  let renamed = null;
  if (node !== null) {
    const stat = node.stat();
    const handle = fs.root.open('renamed.txt', { read: true, write: false, create: false, exclusive: false, truncate: false });
    const bytes = new Uint8Array(Number(stat.size));
    const n = handle.read(bytes, 0);
    handle.close();
    renamed = {
      regularFile: node.filetype === FileType.REGULAR_FILE,
      size: Number(stat.size),
      text: new TextDecoder().decode(bytes.subarray(0, n)),
    };
  }
  return {
    exitCode: result.exitCode,
    stdout: result.stdoutText,
    stderr: result.stderrText,
    elapsedMs,
    renamed,
    outTxtExists: fs.root.lookup('out.txt') !== null,
    rootEntries: fs.root.list().map((e) => e.name).sort(),
    where: {
      worker: typeof WorkerGlobalScope !== 'undefined',
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      sharedArrayBuffer: typeof SharedArrayBuffer,
    },
  };
}
