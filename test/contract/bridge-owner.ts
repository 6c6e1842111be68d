/**
 * The owning side of a host bridge, for the FileSystem contract: a worker
 * that serves bridged calls on MemoryFileSystems it owns. It registers one
 * directory, a factory whose every `lookup` makes a new, empty
 * MemoryFileSystem and answers with its root, and posts that handle to its
 * parent; the calling side (on the test's thread) makes a filesystem per
 * test with one synchronous bridged call. Its replies go back on the port,
 * or, when the test gives it a mailbox, through that shared mailbox.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { FileType } from '../../src/abi/constants.js';
import { Errno, WasiError } from '../../src/abi/errno.js';
import type { AsyncFsDirectory } from '../../src/host/async-backend.js';
import { BridgeHost } from '../../src/host/bridge/host-side.js';
import { mailboxPoster } from '../../src/host/bridge/shared-mailbox.js';
import type { CallMessage } from '../../src/host/bridge/protocol.js';
import { MemoryFileSystem } from '../../src/host/fs/memory-fs.js';

const { port, cell, mailbox } = workerData as { port: MessagePort; cell: SharedArrayBuffer; mailbox?: SharedArrayBuffer };
// Replies on the port (Node's transport) or in the shared mailbox (browsers').
const host = new BridgeHost(mailbox === undefined ? (reply) => port.postMessage(reply) : mailboxPoster(mailbox), new Int32Array(cell));
port.on('message', (msg: CallMessage) => host.serve(msg));

const refuse = (): never => { throw new WasiError(Errno.NOTSUP, 'the factory only makes filesystems'); };
const factory: AsyncFsDirectory = {
  filetype: FileType.DIRECTORY,
  lookup: () => new MemoryFileSystem().root,
  stat: refuse, setTimes: refuse, list: refuse, mkdir: refuse, open: refuse, symlink: refuse,
  link: refuse, unlink: refuse, rmdir: refuse, rename: refuse,
};
parentPort!.postMessage(host.register('dir', factory));
