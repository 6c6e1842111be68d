/**
 * HostBindings (layer: front doors): the earlier name of part of the
 * Runtime (host/runtime.ts). Kept so that code written against it goes on
 * working: `runtimeOf(bindings)` gives the runtime members it stands for,
 * to pass as the `runtime` option.
 */
import type { FileSystem } from '../host/fs/types.js';
import type { Runtime } from '../host/runtime.js';
import type { InputStream, OutputStream } from '../host/stdio.js';
import type { ThreadSpawner } from '../host/threads.js';

/**
 * How a platform realises the options that name host things.
 *
 * @deprecated Use the `Runtime` members it maps to (`runtimeOf`):
 *   `directory` → `hostDirectory`, `input` → `hostInput`, `output` →
 *   `hostOutput`, `exit` → `exit`, `threads` → `threadSpawn`; pass them as
 *   the `runtime` option.
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

/** The runtime members that `bindings` stand for, to pass as the `runtime` option. */
export function runtimeOf(bindings: HostBindings): Partial<Runtime> {
  const out: Partial<Runtime> = {
    hostDirectory: (path) => bindings.directory(path),
    hostInput: (fd) => bindings.input(fd),
    hostOutput: (fd) => bindings.output(fd),
    exit: (code) => bindings.exit(code),
  };
  if (bindings.threads !== undefined) out.threadSpawn = bindings.threads;
  return out;
}
