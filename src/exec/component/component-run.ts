/**
 * Running a `wasi:cli` command component (layer: execution,
 * platform-neutral): on the kernel's thread, as the inline port runs a
 * preview 1 command (exec/inline-run.ts), with Kiln's `wasi:*` host over
 * the process (syscalls/p2). However it ends (`run` returns ok or err,
 * `exit`, a trap) the process ends through `Process.end`: output flushed,
 * descriptors closed, nothing left running.
 */
import { ProcessExit } from '../../abi/process-exit.js';
import type { ExitStatus } from '../../kernel/exit-status.js';
import type { Process } from '../../kernel/process.js';
import { HostContext } from '../../syscalls/p2/host-context.js';
import { componentImports, type ComponentImports } from '../../syscalls/p2/imports.js';
import { runInline } from '../inline-run.js';
import { jspi, JspiUnavailableError } from '../ports/suspending.js';
import { statusOfThrown } from '../../kernel/exit-status.js';
import type { TraceSink } from '../../host/stdio.js';
import { tracedImports } from '../../syscalls/p2/trace.js';
import { withWriteBoundary } from '../../syscalls/p2/write-boundary.js';
import { checkImports, commandRun, importedInterfaces, instantiateCommand } from './component-instance.js';
import type { TranspiledComponent } from './transpile.js';

/** Interfaces an embedder supplies in place of Kiln's, by unversioned name, given the host context of the run. */
export type InterfaceOverrides = (ctx: HostContext) => ComponentImports;

/**
 * The import object of one run of `component` (`ctx`: its process's
 * context): Kiln's interfaces it imports, with the embedder's in their
 * place where given, every call flushing coalesced writes first
 * (syscalls/p2/write-boundary.ts), each call traced to `trace` when given.
 */
export function hostImports(ctx: HostContext, component: TranspiledComponent, overrides?: InterfaceOverrides, trace?: TraceSink): ComponentImports {
  const imports = withWriteBoundary({ ...componentImports(ctx, importedInterfaces(component)), ...overrides?.(ctx) });
  return trace === undefined ? imports : tracedImports(imports, trace);
}

/**
 * Checks that `component` is a command Kiln can link (before a process is
 * made): UnsupportedImportsError, NotACommandError.
 */
export function checkCommand(component: TranspiledComponent, imports: ComponentImports | ReadonlySet<string>): void {
  commandRun(component);
  checkImports(component, imports);
}

/**
 * Runs `component` (transpiled `suspending`, for JSPI) as the life of
 * `process` on this thread without blocking it: the process parks its
 * waits, the host's waiting methods answer promises
 * (`HostContext.blocking`), the glue suspends the guest on them, and
 * `run` is a promise. Resolves once the process has ended.
 */
export async function runComponentSuspending(process: Process, component: TranspiledComponent, imports: ComponentImports): Promise<ExitStatus> {
  if (jspi() === undefined) throw new JspiUnavailableError('runHere()');
  if (component.suspending !== true) throw new TypeError('runHere() needs the component transpiled for JSPI (transpileComponent(bytes, cache, true))');
  process.parkBlockedCalls = true;
  let status: ExitStatus;
  try {
    const run = instantiateCommand(component, imports) as () => Promise<void>;
    try {
      await run();
    } catch (e) {
      failedRun(e);
    }
    status = { kind: 'exit', code: 0 };
  } catch (e) {
    status = statusOfThrown(e);
  }
  return process.end(status);
}

/** Runs `component`'s `wasi:cli/run` as the life of `process`; the process has ended when this returns. */
export function runComponentInline(process: Process, component: TranspiledComponent, imports: ComponentImports): ExitStatus {
  return runInline(process, () => {
    const run = instantiateCommand(component, imports);
    try {
      run();
    } catch (e) {
      failedRun(e);
    }
  });
}

/** What `run` threw, as the process's end: `run` returning err(()) reaches here as a thrown undefined, a failed command (status 1). */
function failedRun(e: unknown): never {
  if (e === undefined) throw new ProcessExit(1);
  throw e;
}
