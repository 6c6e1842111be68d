/**
 * What `kiln run` checks in a compiled module before it links or runs
 * anything (layer: CLI), so that a module Kiln cannot run as asked is
 * refused with a message that says why (status 1), instead of the
 * engine's or the WASI class's error about an export: a 64-bit WASIX module, a
 * module without `_start` (a library or reactor), a module that uses WASI
 * without exporting its memory, a `--invoke` of something that is not an
 * exported function.
 */
import { CannotRunError, UsageError } from './errors.js';

/** The WASIX namespace some 2022 tools used, which Kiln does not serve. */
const WASIX_NAMESPACES = new Set(['wasix_snapshot_preview1']);
/** Namespaces whose functions reach the guest's memory through the exported `memory`. */
const WASI_NAMESPACES = new Set(['wasi_snapshot_preview1', 'wasi_unstable']);

/** Refuses a module that imports from a WASIX namespace Kiln does not serve (unless unknown imports are stood in for). */
export function refuseWasix(file: string, module: WebAssembly.Module): void {
  const imports = WebAssembly.Module.imports(module).filter((i) => WASIX_NAMESPACES.has(i.module));
  if (imports.length === 0) return;
  const namespaces = [...new Set(imports.map((i) => i.module))].join(' and ');
  throw new CannotRunError(`cannot run ${file}: it imports ${imports.length} function${imports.length === 1 ? '' : 's'} from ${namespaces}, which Kiln does not serve; it runs wasix_32v1 and wasix_64v1 (WASIX) and WASI preview 1 modules`);
}

function exportKind(module: WebAssembly.Module, name: string): WebAssembly.ImportExportKind | undefined {
  return WebAssembly.Module.exports(module).find((e) => e.name === name)?.kind;
}

/** Whether the module exports its memory as `memory`, where WASI looks for it. */
export function exportsMemory(module: WebAssembly.Module): boolean {
  return exportKind(module, 'memory') === 'memory';
}

/** Whether the module imports any WASI function (which then needs the guest's memory). */
export function importsWasi(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.kind === 'function' && WASI_NAMESPACES.has(i.module));
}

/** A command needs `_start`: without it, say what the module probably is and what to do. */
export function requireStart(file: string, module: WebAssembly.Module): void {
  const kind = exportKind(module, '_start');
  if (kind === 'function') return;
  if (kind !== undefined) throw new CannotRunError(`cannot run ${file}: its export _start is a ${kind}, not a function`);
  throw new CannotRunError(`cannot run ${file}: no _start: use --invoke NAME to call one of its functions (exported functions: ${functionList(module)}), or this is a library/reactor, meant to be loaded by a host`);
}

/** Refuses a module whose WASI calls would find no memory to work on. */
export function requireMemory(file: string, module: WebAssembly.Module, why: string): void {
  if (exportsMemory(module)) return;
  throw new CannotRunError(`cannot run ${file}: it exports no memory named "memory", which ${why}`);
}

/** The exported functions, for messages ("add, sub", or "none"). */
function functionList(module: WebAssembly.Module): string {
  const names = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
  if (names.length === 0) return 'none';
  const shown = names.slice(0, 10).join(', ');
  return `${shown}${names.length > 10 ? `, and ${names.length - 10} more` : ''}`;
}

/** `--invoke NAME` must name an exported function. */
export function requireFunctionExport(module: WebAssembly.Module, name: string): void {
  const kind = exportKind(module, name);
  if (kind === 'function') return;
  if (kind === undefined) throw new UsageError(`--invoke ${name}: the module exports no function named '${name}' (exported functions: ${functionList(module)})`);
  throw new UsageError(`--invoke ${name}: the export '${name}' is a ${kind}, not a function`);
}
