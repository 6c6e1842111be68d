/**
 * Reading and lowering a module's memory limits in the binary
 * (src/front/module-binary.ts), checked against what the engine itself
 * reports for the rewritten modules.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { exportStartFunction, importingSharedMemory, limitMemory, mayWaitAtomically, memoryDeclaration, MemoryLimitError, ModuleFormatError } from '../../src/exec/module-binary.js';

function wat(source: string): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-wat-'));
  try {
    writeFileSync(path.join(dir, 'm.wat'), source);
    execFileSync('wat2wasm', ['--enable-threads', path.join(dir, 'm.wat'), '-o', path.join(dir, 'm.wasm')]);
    return readFileSync(path.join(dir, 'm.wasm'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const DEFINED = wat(`(module
  (import "env" "f" (func (param i32)))
  (import "env" "t" (table 1 funcref))
  (import "env" "g" (global i32))
  (memory (export "memory") 2)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`);
const IMPORTED = wat(`(module
  (import "wasi" "thread-spawn" (func (param i32) (result i32)))
  (import "env" "memory" (memory 3 300 shared))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`);

test('memoryDeclaration reads a defined memory after other imports', () => {
  const d = memoryDeclaration(DEFINED)!;
  assert.deepEqual({ initial: d.initial, maximum: d.maximum, shared: d.shared, import: d.import }, { initial: 2, maximum: undefined, shared: false, import: undefined });
});

test('memoryDeclaration reads an imported shared memory', () => {
  const d = memoryDeclaration(IMPORTED)!;
  assert.deepEqual({ initial: d.initial, maximum: d.maximum, shared: d.shared, import: d.import }, { initial: 3, maximum: 300, shared: true, import: { module: 'env', name: 'memory' } });
});

test('memoryDeclaration: a module without memory has none; non-wasm bytes are refused', () => {
  assert.equal(memoryDeclaration(wat('(module (func))')), undefined);
  assert.throws(() => memoryDeclaration(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), ModuleFormatError);
});

test('limitMemory caps growth of a defined memory: memory.grow fails at the cap', async () => {
  const limited = limitMemory(DEFINED, 5);
  assert.equal(memoryDeclaration(limited)!.maximum, 5);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(limited as Uint8Array<ArrayBuffer>), {
    env: { f: () => {}, t: new WebAssembly.Table({ initial: 1, element: 'anyfunc' }), g: new WebAssembly.Global({ value: 'i32' }, 0) },
  });
  const grow = instance.exports['grow'] as (n: number) => number;
  assert.equal(grow(3), 2); // 2 → 5 pages
  assert.equal(grow(1), -1); // beyond the cap
  assert.equal((instance.exports['memory'] as WebAssembly.Memory).buffer.byteLength, 5 * 65536);
});

test('limitMemory lowers an imported memory\'s maximum (the host creates it from the declaration)', () => {
  const d = memoryDeclaration(limitMemory(IMPORTED, 10))!;
  assert.deepEqual([d.initial, d.maximum, d.shared], [3, 10, true]);
  assert.ok(WebAssembly.validate(limitMemory(IMPORTED, 10) as Uint8Array<ArrayBuffer>));
});

test('limitMemory leaves a module whose maximum is already lower unchanged', () => {
  assert.equal(limitMemory(IMPORTED, 1000), IMPORTED);
});

test('limitMemory refuses a module that needs more at start than the limit', () => {
  assert.throws(() => limitMemory(IMPORTED, 2), (e: unknown) => e instanceof MemoryLimitError && e.neededPages === 3 && e.limitPages === 2);
});

describe('exportStartFunction', () => {
  // (module (memory (export "memory") 1) (global $g (mut i32) (i32.const 0))
  //   (func $s (global.set $g (i32.const 7))) (func (export "g") (result i32) (global.get $g)) (start $s))
  const withStart = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x08, 0x02, 0x60, 0x00, 0x00, 0x60, 0x00, 0x01, 0x7f, // types: () -> (), () -> i32
    0x03, 0x03, 0x02, 0x00, 0x01, // funcs
    0x05, 0x03, 0x01, 0x00, 0x01, // memory 1
    0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x00, 0x0b, // global mut i32 = 0
    0x07, 0x0e, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x01, 0x67, 0x00, 0x01, // exports memory, g
    0x08, 0x01, 0x00, // start 0
    0x0a, 0x0d, 0x02, 0x06, 0x00, 0x41, 0x07, 0x24, 0x00, 0x0b, 0x04, 0x00, 0x23, 0x00, 0x0b, // code
  ]);

  test('the start section becomes an export that does what it did', () => {
    assert.equal((new WebAssembly.Instance(new WebAssembly.Module(withStart)).exports['g'] as () => number)(), 7);
    const out = exportStartFunction(withStart, '__start');
    const exports = new WebAssembly.Instance(new WebAssembly.Module(out as Uint8Array<ArrayBuffer>)).exports;
    assert.equal((exports['g'] as () => number)(), 0, 'not run at instantiation');
    (exports['__start'] as () => void)();
    assert.equal((exports['g'] as () => number)(), 7);
    assert.ok(exports['memory'] instanceof WebAssembly.Memory);
  });

  test('without an export section one is created; without a start section the bytes are returned as they are', () => {
    // Same module without its export section.
    const noExports = new Uint8Array([...withStart.subarray(0, 36), ...withStart.subarray(52)]);
    const exports = new WebAssembly.Instance(new WebAssembly.Module(exportStartFunction(noExports, "s") as Uint8Array<ArrayBuffer>)).exports;
    assert.deepEqual(Object.keys(exports), ['s']);
    const noStart = new Uint8Array([...withStart.subarray(0, 52), ...withStart.subarray(55)]);
    assert.equal(exportStartFunction(noStart, 's'), noStart);
  });
});

describe('importingSharedMemory', () => {
  test('a defined memory becomes an imported shared env.memory with the same limits; the module still runs on it', () => {
    const out = importingSharedMemory(wat(`(module
  (import "k" "f" (func (param i32)))
  (memory (export "memory") 2 5)
  (data (i32.const 16) "hi")
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`))!;
    const decl = memoryDeclaration(out)!;
    assert.deepEqual({ initial: decl.initial, maximum: decl.maximum, shared: decl.shared, import: decl.import }, { initial: 2, maximum: 5, shared: true, import: { module: 'env', name: 'memory' } });
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 5, shared: true });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(out), { k: { f: () => undefined }, env: { memory } });
    assert.equal(instance.exports['memory'], memory);
    assert.equal(new TextDecoder().decode(new Uint8Array(memory.buffer, 16, 2).slice()), 'hi');
    assert.equal((instance.exports['grow'] as (n: number) => number)(3), 2);
    assert.equal((instance.exports['grow'] as (n: number) => number)(1), -1);
  });

  test('without an import section one is made; without a maximum the shared memory may grow to 1 GiB', () => {
    const out = importingSharedMemory(wat(`(module (memory 1) (func (export "_start")))`))!;
    const decl = memoryDeclaration(out)!;
    assert.deepEqual({ initial: decl.initial, maximum: decl.maximum, shared: decl.shared }, { initial: 1, maximum: 16384, shared: true });
    assert.deepEqual(WebAssembly.Module.imports(new WebAssembly.Module(out)), [{ module: 'env', name: 'memory', kind: 'memory' }]);
  });

  test('a module that imports its memory, or has none, is left alone (undefined)', () => {
    assert.equal(importingSharedMemory(wat(`(module (import "env" "memory" (memory 1 2 shared)))`)), undefined);
    assert.equal(importingSharedMemory(wat(`(module (func (export "_start")))`)), undefined);
  });
});

describe('mayWaitAtomically', () => {
  const module = (body: string): Uint8Array => wat(`(module
    (import "env" "f" (func))
    (import "env" "memory" (memory 1 1 shared))
    ${body})`);

  test('a function that waits, with a local: may', () => {
    assert.equal(mayWaitAtomically(module(`(func (export "w") (local i32)
      (local.set 0 (i32.const 5))
      (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0)))
      (drop (local.get 0)))`)), true);
  });

  test('memory.atomic.wait64 and a parameter: may', () => {
    assert.equal(mayWaitAtomically(module(`(func (export "w") (param i32)
      (drop (memory.atomic.wait64 (local.get 0) (i64.const 0) (i64.const 0))))`)), true);
  });

  test('only the start function waits, with no locals (as wasm-ld\'s __wasm_init_memory): not', () => {
    assert.equal(mayWaitAtomically(module(`
      (func $init (drop (memory.atomic.wait32 (i32.const 0) (i32.const 1) (i64.const 0))))
      (start $init)
      (func (export "n") (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))`)), false);
  });

  test('a start function with a local that waits: may', () => {
    assert.equal(mayWaitAtomically(module(`
      (func $init (local i64) (drop (memory.atomic.wait32 (i32.const 0) (i32.const 1) (local.get 0))))
      (start $init)`)), true);
  });

  test('other atomics (notify, rmw, store) only: not', () => {
    assert.equal(mayWaitAtomically(module(`(func (export "a") (local i32)
      (i32.atomic.store (i32.const 0) (i32.const 1))
      (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
      (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))`)), false);
  });
});
