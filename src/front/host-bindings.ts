/**
 * HostBindings (layer: front doors): how the node:wasi-compatible options
 * that name host things — a host directory path, a host file descriptor
 * number, exiting the host process — are realised on a given platform.
 * The Node entry point supplies real ones; the browser's refuse what a
 * browser does not have.
 */
import type { FileSystem } from '../host/fs/types.js';
import type { InputStream, OutputStream } from '../host/stdio.js';
import type { ThreadSpawner } from '../host/threads.js';

/**
 * How a platform realises the options that name host things: a host
 * directory path, a host file descriptor number, exiting the host
 * process, threads. `nodeHost` (Node) and `browserHost` (browsers) are
 * Kiln's; an embedder may pass its own to the core classes.
 */
export interface HostBindings {
  /** A host directory as a filesystem. */
  directory(hostPath: string): FileSystem;
  /** Host file descriptor `fd` as an input stream. */
  input(fd: number): InputStream;
  /** Host file descriptor `fd` as an output stream. */
  output(fd: number): OutputStream;
  /** Ends the host process (node:wasi's `returnOnExit: false`). */
  exit(code: number): never;
  /** Threads for wasi-threads modules; without it, threaded modules are refused. */
  threads?: ThreadSpawner;
}
