/**
 * The Web Worker of an OpfsFileSystem (entry point, browser only; bundled
 * as `dist/kiln.browser-opfs.js`). Its first message names the directory
 * under the origin's OPFS root to serve (made if missing); it answers
 * `{ ready }`, then runs each request (host/browser/opfs-server.ts) one
 * after another, in the order they came, and replies to each.
 */
import type { OpfsCall, OpfsReady, OpfsReply } from './host/browser/opfs-protocol.js';
import { OpfsServer, type OpfsDirectoryHandle } from './host/browser/opfs-server.js';

/** The worker's global scope, as far as this file uses it. */
interface WorkerScope {
  onmessage: ((event: { data: OpfsCall | { directory: string } }) => void) | null;
  postMessage(message: OpfsReady | OpfsReply): void;
  navigator: { storage?: { getDirectory?(): Promise<OpfsDirectoryHandle> } };
}

const scope = globalThis as unknown as WorkerScope;
let server: Promise<OpfsServer> | undefined;
let queue: Promise<unknown> = Promise.resolve();

async function open(directory: string): Promise<OpfsServer> {
  const storage = scope.navigator.storage;
  if (storage?.getDirectory === undefined) throw new Error('navigator.storage.getDirectory is missing');
  let dir = await storage.getDirectory();
  for (const name of directory.split('/').filter((n) => n !== '')) dir = await dir.getDirectoryHandle(name, { create: true });
  return new OpfsServer(dir);
}

scope.onmessage = ({ data }) => {
  if (!('id' in data)) {
    server = open(data.directory);
    server.then(() => scope.postMessage({ ready: true }), (e: unknown) => scope.postMessage({ ready: false, error: String(e) }));
    return;
  }
  const call = data;
  queue = queue.then(async () => {
    try {
      const value = await (await server!).serve(call);
      scope.postMessage({ id: call.id, ok: true, value });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      scope.postMessage({ id: call.id, ok: false, error: { name: err.name, message: err.message } });
    }
  });
};
