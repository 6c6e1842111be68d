/**
 * Kiln's platform-neutral surface: everything that runs in a browser as
 * well as on Node. The platform entry points (`node.ts`, `browser.ts`) add
 * host bindings on top.
 */
export { Errno, WasiError, errnoName } from './abi/errno.js';
export { FileType, ClockId, Rights } from './abi/constants.js';
export {
  PREVIEW1, UNSTABLE, type Preview1Imports, type Preview1Name, type UnstableImports, type UnstableName,
  type SyscallFunction, type ArgsOf, type WasmValue, type Signature, type Param, type ParamKind, type I32Kind, type I64Kind,
} from './abi/signatures.js';
export { MemoryFileSystem, type MemoryTree, type MemoryFileSystemOptions, type NanoClock } from './host/fs/memory-fs.js';
/**
 * Path-based helpers over any `FileSystem` (`readFile`, `writeFile`,
 * `readdir`, `stat`, `lstat`, `exists`, `mkdir`, `symlink`, `readlink`,
 * `unlink`, `rmdir`, `rm`): `fsPaths.readFile(fs, 'out/result.txt', 'utf8')`.
 * `MemoryFileSystem` has them as methods. Paths are '/'-separated and
 * relative to the filesystem's root ('' and '/' are the root); `..` stops
 * at the root; symlinks inside the filesystem are followed (at most 40,
 * then ELOOP). Failures are `WasiError`s with the errno and a message
 * naming the path, e.g. `ENOENT: no such file or directory, readFile 'out/result.txt'`.
 */
export * as fsPaths from './host/fs/fs-paths.js';
export type { MkdirOptions, RmOptions, TextEncodingName } from './host/fs/fs-paths.js';
export type {
  FileSystem, FsDirectory, FsNode, FsSymlink, FileHandle, FileStat, DirEntry, OpenOptions, TimeSpec,
} from './host/fs/types.js';
export {
  CaptureStream, CallbackStream, NullStream, BufferInputStream, type InputStream, type OutputStream,
  type StreamReadiness, type ReadinessNotifier, type TraceSink,
} from './host/stdio.js';
export { ReadableStreamInput, WritableStreamOutput } from './host/web-streams.js';
export type { OutputOption } from './host/stream-options.js';
export { systemClocks, type Clocks } from './host/clocks.js';
export { cryptoRandom, type RandomSource } from './host/random.js';
export { runtimeOf, type HostBindings } from './front/host-bindings.js';
export type { Platform } from './front/platform.js';
export {
  unsupportedRuntime, withRuntime, threadIdCounter, noBus, NO_TTY,
  type Runtime, type TtyState, type VirtualBus, type BusProcess,
} from './host/runtime.js';
export { noNetworking, type VirtualNetworking, type TcpListeners } from './host/net/networking.js';
export { loopbackNetworking } from './host/net/loopback.js';
export type { ListenerChannel, SocketChannel, ChannelStatus } from './host/net/channel.js';
export type { SharedListenerOptions } from './host/net/shared-layout.js';
export { ReadinessSignal } from './host/readiness-signal.js';
export type { ThreadSpawner, ThreadWorker, ThreadEvent, GuestThreadStart, FirstGenerationThread } from './host/threads.js';
export type { ListenAddress } from './host/net/address.js';
export type {
  VirtualSocket, HostLookup, SocketKind, SocketOption, SocketState, AcceptedSocket, ReceivedDatagram, MulticastInterface,
} from './host/net/networking.js';
export type { IpFamily, SocketAddress } from './host/net/socket-address.js';
export { MissingImportsError, missingImports, type ImportObject } from './exec/imports-check.js';
export type { WASIOptions, CheckedWASIOptions, WasiVersion, WasiImportObject, InvokeResult, NetworkMode } from './front/wasi.js';
export type { WorkerResourceLimits } from './exec/options.js';
export { TimeoutError } from './exec/timeout.js';
export type { WorkerRunner, WorkerRunRequest } from './exec/worker-runner.js';
export { ThreadTrapError } from './exec/threaded-run.js';
export { ThreadedModuleError } from './exec/threaded-module.js';
export { jspiAvailable, JspiUnavailableError } from './exec/ports/suspending.js';
export type { ExitStatus, Exited, Signalled, Faulted } from './kernel/exit-status.js';
export { limitMemory, MemoryLimitError } from './exec/module-binary.js';
export {
  AsyncBackendSession, CallRecord, runReplayable,
  type AsyncFileSystem, type AsyncFsDirectory, type AsyncFsNode, type AsyncFsSymlink, type AsyncFileHandle, type MaybePromise,
} from './host/async-backend.js';
export { Pending } from './host/pending.js';
export type { RunResult, RunThread, CapturedOutput, OutputTarget, InputSource } from './front/builder.js';
export { ProcessExit } from './abi/process-exit.js';
export { isComponent } from './exec/component/component-binary.js';
export {
  transpileComponent, TranspilerMissingError, ComponentTranspileError, type TranspileCache, type TranspiledComponent,
} from './exec/component/transpile.js';
export { packComponent, unpackComponent, componentsCache, NotAPackedComponentError } from './exec/component/packed.js';
export { UnsupportedImportsError, NotACommandError, NotAnHttpHandlerError } from './exec/component/component-instance.js';
export { ComponentHttpHandler, type ServedResponse, type HandlerProcesses, type ElsewhereHandling } from './exec/component/http-handler.js';
export type { ReceivedRequest } from './syscalls/p2/http-types.js';
export type { FieldEntry } from './syscalls/p2/http-fields.js';
export type { InterfaceOverrides } from './exec/component/component-run.js';
export type { ComponentImports, InterfaceImports } from './syscalls/p2/imports.js';
export { HostContext } from './syscalls/p2/host-context.js';
export { ResultError } from './syscalls/p2/values.js';
export * from './wapc/index.js';
