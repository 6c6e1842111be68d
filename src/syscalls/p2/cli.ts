/**
 * `wasi:cli` (layer: syscalls): the environment, exit, the standard streams
 * and the terminal interfaces of a component, from its kernel process:
 * the arguments and environment it was given (never the host's), exit as
 * `proc_exit` ends a process (the host goes on), stdio through the
 * process's descriptors 0, 1 and 2 (so capture, coalescing and the
 * embedder's streams work as for preview 1), and a terminal only where
 * the descriptor is one.
 */
import { FileType } from '../../abi/constants.js';
import { ProcessExit } from '../../abi/process-exit.js';
import { HeldResource, type HostContext } from './host-context.js';
import { InputStream, OutputStream, resourceSink, resourceSource } from './io.js';

const decoder = new TextDecoder();

/** `wasi:cli/terminal-input.terminal-input`: stdin is a terminal. */
export class TerminalInput {}
/** `wasi:cli/terminal-output.terminal-output`: stdout or stderr is a terminal. */
export class TerminalOutput {}

/** The `wasi:cli/*` interfaces of one component's process. */
export function cliInterfaces(ctx: HostContext) {
  const p = ctx.process;
  const text = (nulTerminated: Uint8Array): string => decoder.decode(nulTerminated.subarray(0, nulTerminated.length - 1));
  const stdio = (fd: number): HeldResource => HeldResource.borrowed(p.fds.get(fd).resource);
  const isTerminal = (fd: number): boolean => p.fds.has(fd) && p.fds.get(fd).resource.filetype === FileType.CHARACTER_DEVICE;
  return {
    'wasi:cli/environment': {
      getArguments: (): string[] => p.argBytes.map(text),
      getEnvironment: (): [string, string][] => p.envBytes.map((b) => {
        const entry = text(b);
        const eq = entry.indexOf('=');
        return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
      // The host's directory is none of the guest's business.
      initialCwd: (): string | undefined => undefined,
    },
    'wasi:cli/exit': {
      exit(status: { tag: 'ok' | 'err' }): never {
        throw new ProcessExit(status.tag === 'ok' ? 0 : 1);
      },
      exitWithCode(code: number): never {
        throw new ProcessExit(code & 0xff);
      },
    },
    'wasi:cli/stdin': { getStdin: (): InputStream => new InputStream(ctx, resourceSource(stdio(0))) },
    'wasi:cli/stdout': { getStdout: (): OutputStream => new OutputStream(ctx, resourceSink(stdio(1))) },
    'wasi:cli/stderr': { getStderr: (): OutputStream => new OutputStream(ctx, resourceSink(stdio(2))) },
    'wasi:cli/terminal-input': { TerminalInput },
    'wasi:cli/terminal-output': { TerminalOutput },
    'wasi:cli/terminal-stdin': { getTerminalStdin: (): TerminalInput | undefined => (isTerminal(0) ? new TerminalInput() : undefined) },
    'wasi:cli/terminal-stdout': { getTerminalStdout: (): TerminalOutput | undefined => (isTerminal(1) ? new TerminalOutput() : undefined) },
    'wasi:cli/terminal-stderr': { getTerminalStderr: (): TerminalOutput | undefined => (isTerminal(2) ? new TerminalOutput() : undefined) },
  };
}
