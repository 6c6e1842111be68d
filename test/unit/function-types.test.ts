/**
 * Function signatures read from a module's binary
 * (src/front/function-types.ts): function imports in order, exported
 * functions by name (imported ones re-exported included), multiple
 * results, and the GC proposal's type definitions (recursion groups, sub
 * types, struct types, general reference types).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isNullableRef, moduleFunctionTypes } from '../../src/front/function-types.js';
import { ModuleFormatError } from '../../src/exec/module-binary.js';

function wat(source: string): Uint8Array {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-wat-'));
  try {
    writeFileSync(path.join(dir, 'm.wat'), source);
    execFileSync('wat2wasm', [path.join(dir, 'm.wat'), '-o', path.join(dir, 'm.wasm')]);
    return readFileSync(path.join(dir, 'm.wasm'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('function imports in order, between imports of other kinds; exported functions by name', () => {
  const types = moduleFunctionTypes(wat(`(module
    (import "env" "table" (table 1 funcref))
    (import "env" "f" (func (param i32 i64) (result f32)))
    (import "env" "memory" (memory 1 2))
    (import "env" "g" (global (mut i32)))
    (import "wasi" "h" (func (result i64 f64 externref)))
    (func (export "defined") (param f64 funcref))
    (export "reexported" (func 0))
    (export "mem" (memory 0))
    (func (export "second") (result i32) (i32.const 1)))`));
  assert.deepEqual(types.imports, [
    { module: 'env', name: 'f', type: { params: ['i32', 'i64'], results: ['f32'] } },
    { module: 'wasi', name: 'h', type: { params: [], results: ['i64', 'f64', 'externref'] } },
  ]);
  assert.deepEqual([...types.exports], [
    ['defined', { params: ['f64', 'funcref'], results: [] }],
    ['reexported', { params: ['i32', 'i64'], results: ['f32'] }],
    ['second', { params: [], results: ['i32'] }],
  ]);
});

test('GC type definitions: a recursion group with a struct and a final sub type, general reference types', () => {
  const name = (s: string) => [s.length, ...Buffer.from(s)];
  const section = (id: number, body: number[]) => [id, body.length, ...body];
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [
      0x02, // two entries: a recursion group of two types (0, 1), then type 2
      0x4e, 0x02,
      0x5f, 0x01, 0x7f, 0x01, // 0: (struct (field (mut i32)))
      0x4f, 0x00, 0x60, 0x01, 0x63, 0x00, 0x01, 0x64, 0x70, // 1: (sub final (func (param (ref null 0)) (result (ref func))))
      0x60, 0x00, 0x02, 0x7e, 0x71, // 2: (func (result i64 nullref))
    ]),
    ...section(2, [0x01, ...name('m'), ...name('f'), 0x00, 0x01]),
    ...section(3, [0x01, 0x02]),
    ...section(7, [0x02, ...name('f'), 0x00, 0x00, ...name('g'), 0x00, 0x01]),
  ]);
  const types = moduleFunctionTypes(bytes);
  const f = { params: ['(ref null 0)'], results: ['(ref func)'] };
  assert.deepEqual(types.imports, [{ module: 'm', name: 'f', type: f }]);
  assert.deepEqual([...types.exports], [['f', f], ['g', { params: [], results: ['i64', 'nullref'] }]]);
});

test('a function import whose type is not a function type, and bytes that are not wasm, are refused', () => {
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x5e, 0x7f, 0x00, // type 0: (array i32)
    0x02, 0x07, 0x01, 0x01, 0x6d, 0x01, 0x66, 0x00, 0x00, // import m.f (func (type 0))
  ]);
  assert.throws(() => moduleFunctionTypes(bytes), (e: unknown) => e instanceof ModuleFormatError && /function type 0 is not a function type/.test(e.message));
  assert.throws(() => moduleFunctionTypes(new Uint8Array(8)), ModuleFormatError);
});

test('nullable references have a default value (null); other types do not', () => {
  assert.deepEqual(['funcref', 'externref', 'nullref', '(ref null 3)', '(ref func)', 'i32', 'v128'].map(isNullableRef),
    [true, true, true, true, false, false, false]);
});
