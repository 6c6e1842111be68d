/**
 * What Kiln changes in jco's glue before it is kept (layer: execution,
 * platform-neutral). Each rewrite matches text the pinned transpiler
 * writes and leaves glue without that text as it is, so a transpiler that
 * writes it differently costs speed or a fix, never a wrong run.
 * `GLUE_REVISION` names the set: glue kept on disk by an older set is
 * transpiled again (exec/node/component-disk-cache.ts).
 */

import { hoistGlueClasses, type ParseModule } from './glue-class-hoisting.js';

/** The revision of these rewrites and of the transpiler's options (bumped whenever one changes). */
export const GLUE_REVISION = 12;

/**
 * `glue` as Kiln runs it; `suspending`: the glue was written for JSPI;
 * `parse`: a JavaScript parser, for the rewrite that needs one (without
 * it, that one is left out).
 */
export function rewriteGlue(glue: string, suspending: boolean, parse?: ParseModule): string {
  const rewritten = variantCasesBuiltWhenUsed(listsCopiedFromViews(promisingOnlyWhereItExists(debugSwitchReadOnce(lowerEmptyStringsThroughRealloc(glue)))));
  const direct = suspending ? rewritten : directSyncHostCalls(rewritten);
  return parse === undefined ? direct : hoistGlueClasses(direct, parse);
}

/**
 * jco's glue lowers an empty string without calling the guest's `realloc`
 * (it hands over pointer 1), where the canonical ABI calls `realloc` for
 * every string, empty ones too. The preview 1 adapter lays strings out
 * through `realloc` (each followed by the NUL it adds), so an empty
 * environment value ran into the next variable (`EMPTY=` read as
 * `EMPTY=NEXT=...`). This makes the glue call `realloc` for them as the
 * ABI says; glue of a transpiler without the shortcut is left as it is.
 */
function lowerEmptyStringsThroughRealloc(glue: string): string {
  return glue.replace(
    'if (s.length === 0) { return { ptr: 1, len: 0 }; }',
    'if (s.length === 0) { return { ptr: realloc(0, 0, 1, 0), len: 0, codepoints: 0 }; }',
  );
}

/**
 * jco's glue logs through `_debugLog`, called on every import call (over a
 * hundred call sites), which reads `process.env.JCO_DEBUG` each time: a
 * slow getter on Node, about a sixth of the time of a small write. This
 * reads the switch once, when the glue is evaluated; glue without that
 * line is left as it is.
 */
function debugSwitchReadOnce(glue: string): string {
  const check = 'const _debugLog = (...args) => {\n    if (!globalThis?.process?.env?.JCO_DEBUG) { return; }';
  if (!glue.includes(check)) return glue;
  return glue.replace(check, 'const _jcoDebug = !!globalThis?.process?.env?.JCO_DEBUG;\n  const _debugLog = (...args) => {\n    if (!_jcoDebug) { return; }');
}


/** A host import's task set-up in a trampoline, up to its entry (jco writes one per imported function). */
const TASK_SETUP = /const hostProvided = true;[\s\S]*?const started = task\.enterSync\(\);/g;
/** A host call run with its task as the current one. */
const CALL_IN_TASK = /_withGlobalCurrentTaskMeta\(\{\s*componentIdx: task\.componentIdx\(\),\s*taskID: task\.id\(\),\s*fn: \(\) => (_trackHostOperation\(\(\) => .*\)),\s*\}\)/g;
/** The start of the wrapper every imported function is lowered through (bound to each import's description). */
const LOWER_IMPORT = '  function _lowerImportBackwardsCompat(args) {\n    const params = [...arguments].slice(1);';

/**
 * jco's glue (since 0.3.9) runs every host call as a task of the
 * component-model's async machinery, even a synchronous call of a
 * synchronous import: the wrapper it is lowered through makes a subtask,
 * the trampoline a task linked to it, and both are entered, resolved and
 * exited around the call, about 7 µs of a 16-byte write's 8. For a WASI
 * 0.2 component, which has no async functions, none of that can be
 * observed: the task only carries the call's result back, which the
 * trampoline returns anyway. So, in glue where no import is async and for
 * the synchronous glue only (JSPI's suspended imports resolve through
 * their subtask), the wrapper calls the trampoline directly after its
 * may-leave check, and the trampoline uses one inert task. Glue where any
 * of the three patterns is not found for every import is left whole.
 */
function directSyncHostCalls(glue: string): string {
  if (/\b(isAsync|funcTypeIsAsync): true\b/.test(glue) || !glue.includes(LOWER_IMPORT)) return glue;
  // The may-leave check reads the instance's flags as jco's own does.
  if (!glue.includes('const INSTANCE_FLAGS = new Map()') || !glue.includes('const WebAssemblyRuntimeError = WebAssembly.RuntimeError;')) return glue;
  const trampolines = glue.split('const hostProvided = true;').length - 1;
  let setups = 0;
  let calls = 0;
  let lowered = 0;
  const out = glue
    .replace(TASK_SETUP, (setup) => {
      if (!setup.includes('taskCreation:')) return setup;
      setups++;
      return 'const task = _syncHostTask;';
    })
    .replace(CALL_IN_TASK, (_, call: string) => {
      calls++;
      return call;
    })
    // Before the definition below, which binds the wrapper itself for async imports.
    .replace(/_lowerImportBackwardsCompat\.bind\(/g, () => {
      lowered++;
      return '_kilnLowerImport(';
    })
    .replace(LOWER_IMPORT, `  const _syncHostTask = { componentIdx: () => 0, id: () => 0, resolve() {}, exit() {}, setErrored() {}, reject() {}, getParentSubtask() { return undefined; } };
  function _kilnLowerImport(thisArg, args) {
    if (args.isAsync || args.isManualAsync || args.funcTypeIsAsync) return _lowerImportBackwardsCompat.bind(thisArg, args);
    const importFn = args.importFn;
    const componentIdx = args.componentIdx;
    const flags = INSTANCE_FLAGS.get(componentIdx);
    if (flags === undefined) return function () { _checkMayLeave(componentIdx); return importFn.apply(undefined, arguments); };
    const cannotLeave = () => { throw new WebAssemblyRuntimeError('cannot leave component instance'); };
    // The trampoline's own arity (each names its parameters), so that no call gathers its arguments.
    switch (importFn.length) {
      case 0: return function () { if (flags.value !== 1) cannotLeave(); return importFn(); };
      case 1: return function (a) { if (flags.value !== 1) cannotLeave(); return importFn(a); };
      case 2: return function (a, b) { if (flags.value !== 1) cannotLeave(); return importFn(a, b); };
      case 3: return function (a, b, c) { if (flags.value !== 1) cannotLeave(); return importFn(a, b, c); };
      case 4: return function (a, b, c, d) { if (flags.value !== 1) cannotLeave(); return importFn(a, b, c, d); };
      default: return function () { if (flags.value !== 1) cannotLeave(); return importFn.apply(undefined, arguments); };
    }
  }
${LOWER_IMPORT}`);
  return setups === trampolines && calls === trampolines && lowered >= trampolines ? out : glue;
}

/**
 * jco's `instantiate` wraps the guest's `realloc` with
 * `WebAssembly.promising` in a try, falling back to the plain export where
 * JSPI is absent (Node 20). There the call throws a TypeError, and V8
 * words "is not a function" by parsing the enclosing function again: the
 * whole of `instantiate`, some thousands of lines, about 1.4 ms of every
 * start. This asks first, with the same outcome.
 */
function promisingOnlyWhereItExists(glue: string): string {
  return glue.replace(
    /^(\s*)(\w+) = WebAssembly\.promising\(([\w.$]+)\);$/gm,
    '$1$2 = typeof WebAssembly.promising === \'function\' ? WebAssembly.promising($3) : $3;',
  );
}

/** Lifts a `list<u8>` argument (pointer and length unsigned, as the ABI has them), or traps when it lies outside the memory. */
const LIST_BYTES = `let _kilnListBuffer;
let _kilnListView;
function _kilnListBytes(memory, ptr, len) {
  const start = ptr >>> 0;
  const end = start + (len >>> 0);
  const buffer = memory.buffer;
  if (buffer !== _kilnListBuffer) {
    _kilnListBuffer = buffer;
    _kilnListView = new Uint8Array(buffer);
  }
  if (end > _kilnListView.length) throw new WebAssembly.RuntimeError(\`a list of \${end - start} bytes at \${start} lies outside the guest's memory (\${_kilnListView.length} bytes)\`);
  return _kilnListView.slice(start, end);
}
`;

/**
 * jco lifts a `list<u8>` argument as
 * `new Uint8Array(memory.buffer.slice(ptr, ptr + len * 1))`, with the
 * pointer as a signed number. `ArrayBuffer.prototype.slice` gives each
 * copy a backing store of its own outside the JavaScript heap (about
 * 500 ns for 16 bytes, most of what a small write cost), and it clamps:
 * a list past the end of the memory came out short, and one above 2 GiB
 * (a negative pointer) was read from the wrong place. `_kilnListBytes`
 * copies the same bytes from a view of the memory (a small copy lives on
 * the heap), reads pointers as unsigned, and traps (a
 * `WebAssembly.RuntimeError`) where the list lies outside the memory, as
 * the canonical ABI's bounds check asks.
 */
function listsCopiedFromViews(glue: string): string {
  const lifted = glue.replace(/new Uint8Array\((memory\d+)\.buffer\.slice\((\w+), \2 \+ (\w+) \* 1\)\)/g, '_kilnListBytes($1, $2, $3)');
  return lifted === glue ? glue : LIST_BYTES + lifted;
}

/** How jco's variant lowering builds its table of cases: when the lowering function is made. */
const VARIANT_CASES_BUILT = `  let caseLookup = {};
  for (const [idx, meta] of caseMetas.entries()) {
    let tag = meta[0];
    caseLookup[tag] = { discriminant: idx, meta };
  }
  
  return function _lowerFlatVariantInner(ctx) {
`;
/** The same table built on the lowering function's first call. */
const VARIANT_CASES_WHEN_USED = `  let caseLookup;
  return function _lowerFlatVariantInner(ctx) {
    if (caseLookup === undefined) {
      caseLookup = {};
      for (const [idx, meta] of caseMetas.entries()) {
        let tag = meta[0];
        caseLookup[tag] = { discriminant: idx, meta };
      }
    }
`;

/**
 * jco's glue makes a lowering function for each variant and enum of each
 * imported function's signature when the component is instantiated, and
 * each builds its table of cases then: an object of up to 40 properties
 * (error-code has 37) built property by property, about a twentieth of a
 * small command's start and a fifth of what it allocates, for tables most
 * runs never read (a synchronous import lowers its own results, see
 * directSyncHostCalls). This builds each table on its first use instead.
 */
function variantCasesBuiltWhenUsed(glue: string): string {
  return glue.replace(VARIANT_CASES_BUILT, VARIANT_CASES_WHEN_USED);
}
