/**
 * The FileSystem contract (src/testing/filesystem-contract.ts) run against
 * every implementation Kiln has: MemoryFileSystem; NodeFileSystem on a
 * fresh temporary directory per test; the adapter for asynchronous
 * backends (AsyncBackendSession) over a filesystem whose every call
 * answers with a Promise on a later timer (test/helpers/delayed-fs.js),
 * each test body run as one replayable call; and the host bridge, with a
 * worker owning MemoryFileSystems and this thread calling them through
 * BridgeClient, over both of its transports.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { once } from 'node:events';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { AsyncBackendSession, runReplayable, type AsyncFileSystem } from '../../src/host/async-backend.js';
import { BridgeClient } from '../../src/host/bridge/client.js';
import type { CallMessage, HandleId } from '../../src/host/bridge/protocol.js';
import { createMailbox, mailboxChannel } from '../../src/host/bridge/shared-mailbox.js';
import { MemoryFileSystem } from '../../src/host/fs/memory-fs.js';
import { isDirectory, type FileSystem, type FsDirectory } from '../../src/host/fs/types.js';
import { NodeFileSystem } from '../../src/host/node/node-fs.js';
import { startKilnWorker } from '../../src/host/node/worker-start.js';
import { fileSystemContract } from '../../src/testing/index.js';

fileSystemContract('MemoryFileSystem', () => ({ fs: new MemoryFileSystem() }));

// One directory per test, all removed at the end: no host inode is reused
// while the suite runs (NodeFileSystem remembers exact times by inode).
const parent = mkdtempSync(join(tmpdir(), 'kiln-contract-'));
after(() => rmSync(parent, { recursive: true, force: true }));

fileSystemContract('NodeFileSystem', () => ({ fs: new NodeFileSystem(mkdtempSync(join(parent, 't-'))) }), {
  // Two temporary directories are on one host filesystem: the host links and renames between them.
  separateDevices: false,
});

/** test/helpers/delayed-fs.js: plain JavaScript, shared with the browser tests. */
interface DelayedModule {
  delayedFileSystem(fs: FileSystem): AsyncFileSystem;
}
const delayed = await import(new URL('../helpers/delayed-fs.js', import.meta.url).href) as DelayedModule;
// One session for every filesystem of the suite, as one kernel has: a test
// that needs two filesystems runs both in one replayed body.
const session = new AsyncBackendSession();

let suspended = 0;

fileSystemContract('AsyncBackendSession over a delayed filesystem', () => ({
  fs: session.adapt(delayed.delayedFileSystem(new MemoryFileSystem())),
  cleanup: () => session.settled(),
}), {
  run: (body) => {
    const result = runReplayable(session, body);
    if (result instanceof Promise) suspended++;
    return result;
  },
});
after(() => assert.ok(suspended > 0, 'the delayed filesystem suspended the test bodies (they were replayed)'));

// The host bridge: MemoryFileSystems owned by a worker, called from this
// thread, with either transport: replies on a MessagePort taken with
// receiveMessageOnPort (Node), or in a shared mailbox (browsers).
for (const transport of ['port', 'mailbox'] as const) {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const mailbox = transport === 'mailbox' ? createMailbox() : undefined;
  const { port1, port2 } = new MessageChannel();
  const owner = startKilnWorker(import.meta.url, 'bridge-owner', {
    workerData: { port: port2, cell: cell.buffer, mailbox }, transferList: [port2],
  });
  let factory: FsDirectory | undefined;

  before(async () => {
    const [handle] = await once(owner, 'message') as [HandleId];
    const post = (m: CallMessage): void => port1.postMessage(m);
    const channel = mailbox === undefined ? { post, receive: () => receiveMessageOnPort(port1)?.message } : mailboxChannel(post, mailbox);
    const client = new BridgeClient(channel, cell);
    factory = client.fileSystem(handle).root;
  });
  after(async () => {
    port1.close();
    await owner.terminate();
  });

  fileSystemContract(`BridgeClient to a MemoryFileSystem in a worker (${transport})`, () => {
    assert.ok(factory !== undefined, 'the worker is ready');
    const root = factory.lookup('new');
    assert.ok(root !== null && isDirectory(root));
    return { fs: { root, synchronous: true } };
  });
}
