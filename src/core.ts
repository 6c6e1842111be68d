/**
 * Kiln's platform-neutral surface: everything that runs in a browser as
 * well as on Node. The platform entry points (`node.ts`, `browser.ts`) add
 * host bindings on top.
 */
export { Errno, WasiError, errnoName } from './abi/errno.js';
export { FileType, ClockId, Rights } from './abi/constants.js';
export { PREVIEW1, type Preview1Imports, type Preview1Name } from './abi/signatures.js';
export { MemoryFileSystem, type MemoryTree } from './host/fs/memory-fs.js';
export type {
  FileSystem, FsDirectory, FsNode, FsSymlink, FileHandle, FileStat, DirEntry, OpenOptions, TimeSpec,
} from './host/fs/types.js';
export {
  CaptureStream, CallbackStream, NullStream, BufferInputStream, type InputStream, type OutputStream,
} from './host/stdio.js';
export { systemClocks, type Clocks } from './host/clocks.js';
export { cryptoRandom, type RandomSource } from './host/random.js';
export type { TraceSink } from './syscalls/trace.js';
export type { HostBindings } from './front/host-bindings.js';
export { MissingImportsError, missingImports } from './front/imports-check.js';
export type { WASIOptions } from './front/wasi.js';
export { TimeoutError, type WorkerHostBindings, type WorkerRunner, type WorkerRunRequest } from './front/worker-mode/types.js';
export { jspiAvailable, JspiUnavailableError } from './front/jspi.js';
export { limitMemory, MemoryLimitError } from './front/module-binary.js';
export {
  AsyncBackendSession, CallRecord, runReplayable,
  type AsyncFileSystem, type AsyncFsDirectory, type AsyncFsNode, type AsyncFsSymlink, type AsyncFileHandle, type MaybePromise,
} from './host/async-backend.js';
export type { RunResult, RunThread, CapturedOutput, OutputTarget, InputSource } from './front/builder.js';
export { ProcessExit } from './kernel/exit.js';
export * from './wapc/index.js';
