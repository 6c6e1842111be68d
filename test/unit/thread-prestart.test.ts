/**
 * Which files `kiln run` starts a thread worker for before it loads the
 * runner (src/cli/thread-prestart.ts): modules that import a shared
 * memory, read from the file's first bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importsSharedMemory } from '../../src/cli/thread-prestart.js';
import { watBytes as wat } from '../helpers/wat.js';

const SHARED = await wat(`(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (import "env" "memory" (memory 1 16 shared))
  (func (export "_start")))`);

test('a module that imports a shared memory: yes', () => {
  assert.equal(importsSharedMemory(SHARED), true);
});

test('an imported memory that is not shared, a defined shared one, no memory: no', async () => {
  assert.equal(importsSharedMemory(await wat('(module (import "env" "memory" (memory 1)))')), false);
  assert.equal(importsSharedMemory(await wat('(module (memory (export "memory") 1 1 shared))')), false);
  assert.equal(importsSharedMemory(await wat('(module (func (export "_start")))')), false);
});

test('a head cut before the memory import, and bytes that are not a module: no, without throwing', () => {
  const memoryName = Buffer.from(SHARED).indexOf('memory'); // the memory import's field name
  assert.ok(memoryName > 8);
  assert.equal(importsSharedMemory(SHARED.subarray(0, memoryName)), false);
  assert.equal(importsSharedMemory(new TextEncoder().encode('(module)\n')), false);
  assert.equal(importsSharedMemory(new Uint8Array(0)), false);
});
