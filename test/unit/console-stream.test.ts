/**
 * ConsoleStream, a browser's default stdout and stderr: one console call
 * per complete line, and the unfinished last line is printed when the guest
 * ends (nothing the guest wrote is lost on exit), whether it returns from
 * `_start` or calls `proc_exit`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WASI } from '../../src/browser.js';
import { watData, watModule } from '../helpers/wat.js';

/** A command that writes `text` to `fd` in one fd_write, then returns or calls proc_exit(3). */
async function writer(fd: number, text: string, exit: boolean): Promise<WebAssembly.Module> {
  const bytes = new TextEncoder().encode(text);
  const data = watData(bytes);
  const source = `(module
    (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (data (i32.const 64) "${data}")
    (func (export "_start")
      (i32.store (i32.const 0) (i32.const 64))
      (i32.store (i32.const 4) (i32.const ${bytes.length}))
      (drop (call $w (i32.const ${fd}) (i32.const 0) (i32.const 1) (i32.const 8)))
      ${exit ? '(call $exit (i32.const 3))' : ''}))`;
  return watModule(source);
}

/** Runs `module` with the browser host's default stdio, recording console.log/console.error calls. */
function runWithConsole(module: WebAssembly.Module): { code: number; calls: string[] } {
  const calls: string[] = [];
  const saved = { log: console.log, error: console.error };
  console.log = (line: string) => { calls.push(`log ${line}`); };
  console.error = (line: string) => { calls.push(`error ${line}`); };
  try {
    const wasi = new WASI();
    const instance = new WebAssembly.Instance(module, wasi.getImportObject() as unknown as WebAssembly.Imports);
    return { code: wasi.start(instance), calls };
  } finally {
    Object.assign(console, saved);
  }
}

test('stdout: complete lines as they come, the unfinished last line when _start returns', async () => {
  const r = runWithConsole(await writer(1, 'one\ntwo\npartial', false));
  assert.deepEqual(r, { code: 0, calls: ['log one', 'log two', 'log partial'] });
});

test('stderr: the unfinished last line is printed on proc_exit too', async () => {
  const r = runWithConsole(await writer(2, 'wärning: partial ✓', true));
  assert.deepEqual(r, { code: 3, calls: ['error wärning: partial ✓'] });
});
