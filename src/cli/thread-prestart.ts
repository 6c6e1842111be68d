/**
 * Starting a threaded module's first worker early (layer: front doors /
 * CLI). Every thread of a module that imports a shared memory (WASIX,
 * wasi-threads) runs in a worker, and a worker takes tens of milliseconds
 * to start: `kiln run` starts one, from the file's first bytes, while it
 * loads the runner and compiles the module, and the process's main thread
 * finds it ready.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { memoryDeclaration } from '../exec/module-binary.js';
import { nodeThreadSpawner } from '../host/node/node-thread-spawner.js';

/** How much of the file is read: a module's imports come before its code. */
const HEAD_BYTES = 64 * 1024;

/** The first `HEAD_BYTES` of `file`, or undefined when it cannot be read (the runner reports that). */
function headOf(file: string): Uint8Array | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = new Uint8Array(HEAD_BYTES);
    return head.subarray(0, readSync(fd, head, 0, HEAD_BYTES, 0));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether the binary that starts with `head` imports a shared memory (false when its imports go past `head`). */
export function importsSharedMemory(head: Uint8Array): boolean {
  try {
    const decl = memoryDeclaration(head);
    return decl?.import !== undefined && decl.shared;
  } catch {
    return false; // not a module, or its imports go past the head: nothing is started early
  }
}

/** Starts a thread worker now when `file` is a module that imports a shared memory. */
export function prestartThreadsFor(file: string): void {
  const head = headOf(file);
  if (head !== undefined && importsSharedMemory(head)) nodeThreadSpawner.prestart(1);
}
