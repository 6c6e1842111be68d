/**
 * A worker that dies without Kiln stopping it (here: out of memory, the
 * JavaScript heap capped far below what loading Kiln needs) ends its run
 * with an error that says so, in each placement that has workers, and
 * leaves nothing behind. From dist/ (the workers are compiled).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CaptureStream, closeIdleWorkers, createNodeThreadSpawner, WASI } from '../dist/node.js';
import { programPath } from './helpers/programs.js';
import { newResources } from './helpers/resources.js';

const wasm = (name: string): Uint8Array<ArrayBuffer> => readFileSync(programPath(name)) as Uint8Array<ArrayBuffer>;
/** Far too little heap for a worker to load Kiln. */
const STARVED = { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 };

test('a process worker that runs out of memory: run() rejects saying so, nothing is left', async () => {
  await closeIdleWorkers();
  const before = process.getActiveResourcesInfo();
  await assert.rejects(new WASI({ stdout: new CaptureStream(), workerResourceLimits: STARVED }).run(wasm('hello')), (e: unknown) => {
    assert.match((e as Error).message, /^the process worker ran out of memory \(/);
    return true;
  });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(newResources(before), []);
  // The next run, without the cap, is served as usual.
  const out = new CaptureStream();
  assert.equal(await new WASI({ stdout: out }).run(wasm('hello')), 0);
  assert.equal(out.text(), 'hello from wat\n');
});

test("a thread's worker that runs out of memory ends the process with that error, nothing is left", async () => {
  const before = process.getActiveResourcesInfo();
  const wasi = new WASI({ stdout: new CaptureStream(), runtime: { threadSpawn: createNodeThreadSpawner({ resourceLimits: STARVED }) } });
  await assert.rejects(wasi.run(wasm('thread_hello')), (e: unknown) => {
    assert.equal((e as Error).name, 'ThreadError');
    assert.match((e as Error).message, /^a thread's worker ran out of memory \(/);
    return true;
  });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(newResources(before), []);
});
