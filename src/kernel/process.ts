/**
 * Process (layer: kernel): what a running guest owns — arguments,
 * environment, descriptor table, clocks, randomness and exit status.
 * Preview 1 is one view of it; WASIX extends it (pid, parent, cwd, threads)
 * rather than adding a second model.
 */
import { RIGHTS_DIRECTORY, RIGHTS_DIRECTORY_INHERITING, RIGHTS_STREAM, Rights } from '../abi/constants.js';
import type { FileSystem } from '../host/fs/types.js';
import type { Clocks } from '../host/clocks.js';
import type { RandomSource } from '../host/random.js';
import type { InputStream, OutputStream } from '../host/stdio.js';
import { DirectoryResource } from './directory-resource.js';
import { FdTable } from './fd-table.js';
import { Parked, type Attempt, type WakeIn } from './blocking.js';
import { ReadinessSignal } from './readiness-signal.js';
import { InputStreamResource, OutputStreamResource } from './stream-resource.js';
import type { Resource } from './resource.js';

export interface Preopen {
  /** The path the guest sees (fd_prestat_dir_name). */
  guestPath: string;
  fs: FileSystem;
}

/** A resource handed in at start-up at the next free descriptor (e.g. a listening socket). */
export interface PreopenedResource {
  resource: Resource;
  rightsBase: number;
  rightsInheriting: number;
}

export interface ProcessOptions {
  args: readonly string[];
  env: readonly string[];
  stdin: InputStream;
  stdout: OutputStream;
  stderr: OutputStream;
  preopens: readonly Preopen[];
  /** Placed after the preopened directories, so libc's preopen scan finds every directory first. */
  extraResources?: readonly PreopenedResource[];
  clocks: Clocks;
  random: RandomSource;
  maxDescriptors?: number;
  /** Shared with I/O threads that make resources ready; a private one by default. */
  readiness?: ReadinessSignal;
}

const encoder = new TextEncoder();

export class Process {
  readonly fds: FdTable;
  /** NUL-terminated UTF-8 arguments and environment strings. */
  readonly argBytes: readonly Uint8Array[];
  readonly envBytes: readonly Uint8Array[];
  readonly clocks: Clocks;
  readonly random: RandomSource;
  readonly readiness: ReadinessSignal;
  exitCode: number | undefined;
  /**
   * True when the kernel runs on a thread that serves several guest threads
   * and must never wait: blocked calls are then parked (see blocking.ts).
   */
  parkBlockedCalls = false;

  constructor(options: ProcessOptions) {
    this.fds = new FdTable(options.maxDescriptors);
    this.argBytes = options.args.map((a) => encoder.encode(`${a}\0`));
    this.envBytes = options.env.map((e) => encoder.encode(`${e}\0`));
    this.clocks = options.clocks;
    this.random = options.random;
    this.readiness = options.readiness ?? new ReadinessSignal();
    // stdin is open for reading only, stdout and stderr for writing only (as wasmtime).
    const input = RIGHTS_STREAM & ~Rights.FD_WRITE;
    const output = RIGHTS_STREAM & ~Rights.FD_READ;
    this.fds.add({ resource: new InputStreamResource(options.stdin, this.readiness), rightsBase: input, rightsInheriting: 0 });
    this.fds.add({ resource: new OutputStreamResource(options.stdout), rightsBase: output, rightsInheriting: 0 });
    this.fds.add({ resource: new OutputStreamResource(options.stderr), rightsBase: output, rightsInheriting: 0 });
    for (const p of options.preopens) {
      this.fds.add({
        resource: new DirectoryResource(p.fs.root, undefined, p.guestPath),
        rightsBase: RIGHTS_DIRECTORY,
        rightsInheriting: RIGHTS_DIRECTORY_INHERITING,
      });
    }
    for (const r of options.extraResources ?? []) this.fds.add(r);
  }

  /**
   * Runs a blocking call: tries it, and while it would block, waits for the
   * readiness signal to change or `wakeIn()` ms to pass (or parks it).
   */
  block(attempt: Attempt, wakeIn: WakeIn): number {
    for (;;) {
      const seen = this.readiness.generation;
      const done = attempt();
      if (done !== undefined) return done;
      if (this.parkBlockedCalls) throw new Parked(attempt, wakeIn);
      this.readiness.wait(seen, wakeIn());
    }
  }

  /** Releases every descriptor; called once when the process ends. */
  shutdown(): void {
    this.fds.closeAll();
  }
}
