/**
 * Standard input and output as WHATWG streams (src/host/web-streams.ts):
 * a ReadableStream fed a line at a time, as a person types, reaches a REPL
 * running in a process worker (`run()`: the host bridge awaits each read)
 * and a threaded WASIX filter (its kernel here, waiting on the readiness
 * signal) and, on Node 24, a REPL on this thread with JSPI (`runHere()`);
 * the guest's output arrives on a WritableStream in order, none of it lost
 * at exit; `start()`, whose guest would hold the stream's thread, refuses
 * one; a stream that fails is the guest's EIO.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ReadableStreamInput, WASI, WasiBuilder } from '../src/node.js';
import { programPath, repoRoot } from './helpers/programs.js';
import { node24 } from './helpers/runners.js';

const encoder = new TextEncoder();

/** A ReadableStream the test feeds, and a WritableStream that collects text and tells when some arrives. */
function pipes(): {
  input: ReadableStream<Uint8Array>; feed(text: string): void; end(): void;
  output: WritableStream<Uint8Array>; text(): string; seen(text: string): Promise<void>;
} {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const input = new ReadableStream<Uint8Array>({ start(c) { controller = c; } });
  let text = '';
  const waiters: (() => void)[] = [];
  const decoder = new TextDecoder();
  const output = new WritableStream<Uint8Array>({
    write(chunk) {
      text += decoder.decode(chunk, { stream: true });
      for (const w of waiters.splice(0)) w();
    },
  });
  const seen = async (want: string): Promise<void> => {
    while (!text.includes(want)) await new Promise<void>((r) => waiters.push(r));
  };
  return { input, feed: (t) => controller.enqueue(encoder.encode(t)), end: () => controller.close(), output, text: () => text, seen };
}

test('run() in a process worker: a REPL answers each line of a ReadableStream as it comes, on a WritableStream', async () => {
  const p = pipes();
  const run = new WasiBuilder().args(['repl']).stdin(p.input).stdout(p.output).run(readFileSync(programPath('repl')));
  await p.seen('> ');
  p.feed('one\n');
  await p.seen('echo: one\n');
  p.feed('two ');
  p.feed('words\n');
  await p.seen('echo: two words\n');
  p.end();
  const result = await run;
  assert.equal(result.exitCode, 0);
  assert.equal(p.text(), '> echo: one\n> echo: two words\n> bye\n');
});

test('a threaded WASIX filter reads a ReadableStream to its end, its kernel on this thread', async () => {
  const p = pipes();
  const run = new WasiBuilder().args(['wc']).stdin(p.input).stdout(p.output).run(readFileSync(programPath('wasix_wc')));
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 5));
    p.feed(`line ${i}\n`);
  }
  p.end();
  assert.equal((await run).exitCode, 0);
  assert.equal(p.text(), 'lines=5\n');
});

test('runHere() (JSPI, Node 24): the REPL on this thread waits for each line of the ReadableStream', { skip: existsSync(node24) ? false : `no Node 24 at ${node24}` }, () => {
  const script = `
    import { WasiBuilder } from ${JSON.stringify(pathToFileURL(`${repoRoot}/dist/node.js`).href)};
    import { readFileSync } from 'node:fs';
    let feed;
    const input = new ReadableStream({ start(c) { feed = c; } });
    let out = '';
    const output = new WritableStream({ write(chunk) { out += new TextDecoder().decode(chunk); } });
    const run = new WasiBuilder().args(['repl']).stdin(input).stdout(output).thread('caller').run(readFileSync(${JSON.stringify(programPath('repl'))}));
    setTimeout(() => feed.enqueue(new TextEncoder().encode('hi\\n')), 20);
    setTimeout(() => feed.close(), 60);
    const r = await run;
    process.stdout.write(JSON.stringify({ out, exitCode: r.exitCode }));
  `;
  const r = JSON.parse(execFileSync(node24, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })) as unknown;
  assert.deepEqual(r, { out: '> echo: hi\n> bye\n', exitCode: 0 });
});

test('start() refuses a ReadableStream standard input, which its guest would wait for on the stream\'s own thread', async () => {
  const wasi = new WASI({ version: 'preview1', stdin: new ReadableStreamInput(new ReadableStream()), returnOnExit: true });
  const module = await WebAssembly.compile(readFileSync(programPath('repl')));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports);
  assert.throws(() => wasi.start(instance), {
    name: 'TypeError',
    message: "a ReadableStream standard input cannot be waited for by a guest started with start(), on the stream's own thread; use run() or runHere()",
  });
});

test('a ReadableStream that fails is an EIO for the guest\'s read', async () => {
  const input = new ReadableStream<Uint8Array>({ pull(c) { c.error(new Error('source gone')); } });
  const result = await new WasiBuilder().args(['repl', 'read']).stdin(input).stdout('capture').run(readFileSync(programPath('repl')));
  assert.match(result.stdoutText, /^> read failed: EIO \(29\)\n$/);
});
