/**
 * Starting programs (layer: syscalls): `proc_spawn2` (posix_spawn),
 * `proc_spawn` (the older interface), `proc_exec3`, `proc_exec2` and
 * `proc_exec`.
 *
 * A program is found as POSIX finds one: a name with a `/` is a path in
 * the guest's own filesystem (relative to its current directory); a bare
 * name is searched in `PATH` when asked. A command the embedder registered
 * at that path (the `commands` option) comes before the filesystem. Whatever file is there and holds
 * a WebAssembly module is the program (`/bin/echo`). The child gets a
 * copy of the descriptor table (close-on-exec descriptors left out, the
 * spawn's descriptor actions applied), the current directory, and the
 * arguments and environment given as newline-separated lists; the
 * kernel's launcher (set by the execution layer) runs it.
 *
 * `proc_exec*` replaces the program of the calling process: in place
 * where the runner can (the channel placement: same pid, descriptors and
 * directory, every thread stopped, the new module on a new memory);
 * elsewhere as a spawn followed by a wait.
 */
import { Errno, errnoName, WasiError } from '../../abi/errno.js';
import { ProcessExit } from '../../abi/process-exit.js';
import { RIGHTS_DIRECTORY, RIGHTS_DIRECTORY_INHERITING, RIGHTS_STREAM } from '../../abi/constants.js';
import { NullStream } from '../../host/stdio.js';
import { createPipe, PIPE_CAPACITY } from '../../kernel/pipe-resource.js';
import { InputStreamResource, OutputStreamResource } from '../../kernel/stream-resource.js';
import { exitCodeOf, linuxSignalNumber } from '../../kernel/exit-status.js';
import type { FdTable } from '../../kernel/fd-table.js';
import { absolutePath, locate, readGuestFile } from '../../kernel/guest-paths.js';
import type { LaunchRequest, Process } from '../../kernel/process.js';
import { openAt } from '../../kernel/fs-ops.js';
import { DirectoryResource } from '../../kernel/directory-resource.js';
import { syscall, type SyscallContext } from '../context.js';
import { endVforkChild, inVforkChild, leaveVforkChild } from '../vfork-child.js';
import { kernelSignal } from './proc.js';

/** proc_spawn's `stdio_mode`. */
const enum StdioMode { PIPED = 0, INHERIT = 1, NULL = 2, LOG = 3 }
/** Size of `process_handles_t`: pid, then an `option_fd_t` (tag, fd) for stdin, stdout and stderr (no pointers: the same for wasix_64v1). */
const PROCESS_HANDLES_SIZE = 28;
/** `proc_spawn_fd_op_name`. */
const enum FdOp { CLOSE = 0, DUP2 = 1, OPEN = 2, CHDIR = 3, FCHDIR = 4 }
/**
 * `proc_spawn_fd_op_t`'s layout: cmd u8@0, fd u32@4, src_fd u32@8, then
 * the path pointer and length (4 bytes each, or 8 each at 16 for a
 * `wasix_64v1` guest, which moves every later field), dirflags u32,
 * oflags u16, the two rights u64, fdflags u16; 56 bytes (64).
 */
interface FdOpLayout { size: number; path: number; pathLen: number; dirflags: number; oflags: number; rightsBase: number; fdflags: number }
const FD_OP_32: FdOpLayout = { size: 56, path: 12, pathLen: 16, dirflags: 20, oflags: 24, rightsBase: 32, fdflags: 48 };
const FD_OP_64: FdOpLayout = { size: 64, path: 16, pathLen: 24, dirflags: 32, oflags: 36, rightsBase: 40, fdflags: 56 };
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
/** `PATH` when the environment has none (as musl's execvp). */
const DEFAULT_PATH = '/usr/local/bin:/bin:/usr/bin';

/** A newline-separated list as its items (wasix-libc ends each item with a newline; an empty string: none). */
function lines(s: string): string[] {
  if (s === '') return [];
  const items = s.split('\n');
  if (items[items.length - 1] === '') items.pop();
  return items;
}

/** The WASIX functions that start programs. */
export function wasixSpawnSyscalls(ctx: SyscallContext) {
  const process = ctx.process;

  /** The program `name` names: its absolute path and bytes (ENOENT, ENOEXEC, EACCES as POSIX). */
  const findProgram = (name: string, searchPath: boolean, path: string | undefined, env: readonly string[]): { path: string; bytes: Uint8Array } => {
    if (name === '') throw new WasiError(Errno.NOENT);
    const candidates = name.includes('/') || !searchPath
      ? [absolutePath(process.cwd, name)]
      : (path ?? env.find((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH).split(':').map((dir) => absolutePath(process.cwd, `${dir === '' ? '.' : dir}/${name}`));
    let error: unknown = new WasiError(Errno.NOENT);
    for (const candidate of candidates) {
      let bytes: Uint8Array;
      try {
        const registered = process.kernel.commands?.get(candidate);
        bytes = registered !== undefined ? registered() : readGuestFile(process.fds, candidate, process.devices);
      } catch (e) {
        error = e;
        continue;
      }
      if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) throw new WasiError(Errno.NOEXEC);
      return { path: candidate, bytes };
    }
    throw error;
  };

  const launch = (request: LaunchRequest): Process => {
    const launcher = process.kernel.launcher;
    if (launcher === undefined) throw new WasiError(Errno.NOTSUP);
    return launcher.launch(process, request);
  };

  /** The child's descriptor table: a copy without the close-on-exec descriptors. */
  const childTable = (): FdTable => {
    const fds = process.fds.copy();
    fds.closeOnExec();
    return fds;
  };

  /** Applies posix_spawn's descriptor actions to the child's table and directory. */
  const applyFdOps = (fds: FdTable, ops: number, count: number, cwd: { value: string }): void => {
    const m = ctx.memory;
    const op = m.wide ? FD_OP_64 : FD_OP_32;
    m.check(ops, count * op.size);
    const pathOf = (at: number): string => m.string(m.size(at + op.path), m.size(at + op.pathLen));
    for (let i = 0; i < count; i++) {
      const at = ops + i * op.size;
      const fd = m.u32(at + 4);
      switch (m.u8(at)) {
        case FdOp.CLOSE:
          if (fds.has(fd)) fds.close(fd);
          break;
        case FdOp.DUP2: {
          const src = m.u32(at + 8);
          const d = fds.get(src);
          if (src !== fd) fds.set(fd, { ...d, cloexec: false });
          else d.cloexec = false;
          break;
        }
        case FdOp.OPEN: {
          const path = absolutePath(cwd.value, pathOf(at));
          const { dir, rest } = locate(fds, path, process.devices);
          const oflags = m.u16(at + op.oflags);
          const base = m.u64(at + op.rightsBase);
          const fdflags = m.u16(at + op.fdflags);
          const resource = openAt(dir, rest, {
            follow: (m.u32(at + op.dirflags) & 1) !== 0,
            create: (oflags & 1) !== 0, directory: (oflags & 2) !== 0, exclusive: (oflags & 4) !== 0, truncate: (oflags & 8) !== 0,
            read: (base & 2n) !== 0n, write: (base & 64n) !== 0n || (fdflags & 1) !== 0, fdflags,
          });
          const directory = resource instanceof DirectoryResource;
          fds.set(fd, {
            resource,
            rightsBase: directory ? RIGHTS_DIRECTORY : Number(base & 0x3fffffffn),
            rightsInheriting: directory ? RIGHTS_DIRECTORY_INHERITING : 0,
          });
          break;
        }
        case FdOp.CHDIR:
          cwd.value = absolutePath(cwd.value, pathOf(at));
          break;
        case FdOp.FCHDIR: {
          const r = fds.get(fd).resource;
          if (!(r instanceof DirectoryResource) || r.preopenPath === undefined) throw new WasiError(Errno.NOTSUP);
          cwd.value = absolutePath('/', r.preopenPath);
          break;
        }
        default:
          throw new WasiError(Errno.INVAL);
      }
    }
  };

  /**
   * Sets the child's descriptor `fd` (0, 1, 2) as proc_spawn's `stdio_mode`
   * says: PIPED, a pipe whose other end is a new descriptor of this
   * process (returned); INHERIT and LOG, this process's own; NULL, a null
   * device.
   */
  const setUpStdio = (fds: FdTable, fd: number, mode: number): number | undefined => {
    if (mode === StdioMode.INHERIT || mode === StdioMode.LOG) return undefined;
    if (mode === StdioMode.NULL) {
      const resource = fd === 0 ? new InputStreamResource(new NullStream()) : new OutputStreamResource(new NullStream());
      fds.set(fd, { resource, rightsBase: RIGHTS_STREAM, rightsInheriting: 0 });
      return undefined;
    }
    if (mode !== StdioMode.PIPED) throw new WasiError(Errno.INVAL);
    const [reader, writer] = createPipe(() => process.readiness.notify(), PIPE_CAPACITY, process.kernel.pipes);
    const [mine, theirs] = fd === 0 ? [writer, reader] : [reader, writer];
    let end: number;
    try {
      end = process.fds.add({ resource: mine, rightsBase: RIGHTS_STREAM, rightsInheriting: 0 });
    } catch (e) {
      reader.close();
      writer.close();
      throw e;
    }
    fds.set(fd, { resource: theirs, rightsBase: RIGHTS_STREAM, rightsInheriting: 0 });
    return end;
  };

  const dispositionsOf = (ptr: number, count: number): [number, number][] => {
    const m = ctx.memory;
    m.check(ptr, count * 2);
    const out: [number, number][] = [];
    for (let i = 0; i < count; i++) {
      const sig = kernelSignal(m.u8(ptr + i * 2));
      if (sig !== undefined) out.push([sig, m.u8(ptr + i * 2 + 1)]);
    }
    return out;
  };

  /**
   * exec: in place where the runner can replace the process's program
   * (same pid and descriptors, close-on-exec ones closed); elsewhere as
   * spawn-and-wait: the other threads stop, the program runs as a child,
   * and this process ends with its status.
   */
  const exec = (name: string, args: string[], env: string[], searchPath: boolean, path: string | undefined): number => {
    const program = findProgram(name, searchPath, path, env);
    if (inVforkChild(ctx)) {
      // The child of a proc_fork_env: the program starts in it, and the call returns to the parent's thread.
      process.fds.closeOnExec();
      launch({ program: program.bytes, args, env, fds: process.fds, cwd: process.cwd, dispositions: process.inheritedDispositions, into: process });
      leaveVforkChild(ctx);
      return Errno.SUCCESS;
    }
    if (process.replaceImage !== undefined) {
      process.fds.closeOnExec();
      return process.replaceImage({ program: program.bytes, args, env });
    }
    const fds = childTable();
    for (const thread of [...process.threads.values()]) if (thread !== ctx.thread) void thread.stop();
    const child = launch({ program: program.bytes, args, env, fds, cwd: process.cwd, dispositions: process.inheritedDispositions });
    return process.block(() => {
      if (!child.finished) return undefined;
      const status = child.status!;
      process.reap(child);
      if (status.kind === 'signal') throw new ProcessExit(128 + linuxSignalNumber(status.signal), status.signal);
      throw new ProcessExit(exitCodeOf(status) ?? 134);
    }, () => Infinity);
  };

  const str = (ptr: number, len: number): string => ctx.memory.string(ptr, len);
  const envOf = (ptr: number, len: number): string[] => lines(str(ptr, len));
  const currentEnv = (): string[] => process.envBytes.map((b) => new TextDecoder().decode(b.subarray(0, b.length - 1)));

  return {
    proc_spawn2: syscall((name: number, nameLen: number, args: number, argsLen: number, envs: number, envsLen: number,
      fdOps: number, fdOpsLen: number, sigs: number, sigsLen: number, searchPath: number, path: number, pathLen: number, pidOut: number): number => {
      ctx.memory.check(pidOut, 4);
      const env = envOf(envs, envsLen);
      const cwd = { value: process.cwd };
      const fds = childTable();
      try {
        applyFdOps(fds, fdOps, fdOpsLen, cwd);
        const program = findProgram(str(name, nameLen), searchPath !== 0, pathLen === 0 ? undefined : str(path, pathLen), env);
        const child = launch({ program: program.bytes, args: lines(str(args, argsLen)), env, fds, cwd: cwd.value, dispositions: dispositionsOf(sigs, sigsLen) });
        ctx.memory.setU32(pidOut, child.pid);
        return Errno.SUCCESS;
      } catch (e) {
        fds.release();
        throw e;
      }
    }),

    proc_spawn: syscall((name: number, nameLen: number, chroot: number, args: number, argsLen: number, _preopen: number, _preopenLen: number,
      stdin: number, stdout: number, stderr: number, workingDir: number, workingDirLen: number, handlesOut: number): number => {
      ctx.memory.check(handlesOut, PROCESS_HANDLES_SIZE);
      if ((chroot & 0xff) !== 0) return Errno.NOTSUP; // no chroot in Kiln
      const command = str(name, nameLen);
      const wd = str(workingDir, workingDirLen);
      const fds = childTable();
      const parentEnds: (number | undefined)[] = [undefined, undefined, undefined];
      try {
        [stdin, stdout, stderr].forEach((mode, fd) => { parentEnds[fd] = setUpStdio(fds, fd, mode & 0xff); });
        const program = findProgram(command, true, undefined, currentEnv());
        const argv = [command, ...str(args, argsLen).split(/[\n\r]/).filter((a) => a !== '')];
        const child = launch({
          program: program.bytes, args: argv, env: currentEnv(), fds,
          cwd: wd === '' || wd === '.' ? process.cwd : absolutePath(process.cwd, wd), dispositions: process.inheritedDispositions,
        });
        const m = ctx.memory;
        m.setU32(handlesOut, child.pid);
        parentEnds.forEach((end, i) => {
          m.setU8(handlesOut + 4 + i * 8, end === undefined ? 0 : 1);
          m.setU32(handlesOut + 8 + i * 8, end ?? 0);
        });
        return Errno.SUCCESS;
      } catch (e) {
        fds.release();
        for (const end of parentEnds) if (end !== undefined && process.fds.has(end)) process.fds.close(end);
        throw e;
      }
    }),

    proc_exec3: syscall((name: number, nameLen: number, args: number, argsLen: number, envs: number, envsLen: number,
      searchPath: number, path: number, pathLen: number): number =>
      exec(str(name, nameLen), lines(str(args, argsLen)), envOf(envs, envsLen), searchPath !== 0, pathLen === 0 ? undefined : str(path, pathLen))),

    proc_exec2: syscall((name: number, nameLen: number, args: number, argsLen: number, envs: number, envsLen: number): number =>
      exec(str(name, nameLen), lines(str(args, argsLen)), envOf(envs, envsLen), false, undefined)),

    /**
     * The older exec, which has no result (the first generations'
     * wasix-libc calls it as `_Noreturn`): as Wasmer does, a bare name is
     * a command (searched in `PATH`), and a program that cannot start
     * ends the process (a vfork child: that child) with status 45
     * (ENOEXEC), after a line on its stderr that says why.
     */
    proc_exec: (name: number, nameLen: number, args: number, argsLen: number): number => {
      let command = '';
      let errno: number;
      try {
        command = str(name, nameLen);
        errno = exec(command, lines(str(args, argsLen)), currentEnv(), true, undefined);
      } catch (e) {
        if (!(e instanceof WasiError)) throw e; // the new program runs (or the process ended)
        errno = e.errno;
      }
      if (errno === Errno.SUCCESS) return errno;
      tellStderr(process, `kiln: cannot run '${command}': E${errnoName(errno)}\n`);
      if (endVforkChild(ctx, Errno.NOEXEC)) return Errno.SUCCESS;
      throw new ProcessExit(Errno.NOEXEC);
    },
  };
}

/** Writes `message` to the process's stderr, if it has one that takes it now (never blocks). */
function tellStderr(process: Process, message: string): void {
  try {
    process.fds.get(2).resource.write([new TextEncoder().encode(message)]);
  } catch { /* no stderr, or a full pipe: the exit status says it */ }
}
