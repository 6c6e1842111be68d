/**
 * The browser demo (examples/browser/, served by `kiln demo`) in headless
 * Chromium: the test starts the CLI's server, opens the page, types into
 * its terminal and reads the screen. The shell (demo_shell.c) runs in a
 * process worker on a MemoryFileSystem of the page, which the file tree
 * shows; the pthreads program and the two-process pipeline give the output
 * they give under `kiln run`; the page's timers keep running while the
 * threads compute; no worker is left after a program; the trace panel
 * shows the shell's system calls. A screenshot of the page is left in
 * build/test-artifacts/demo.png.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium, nothingLeftRunning, underKilnRun } from './chromium.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const PROGRAMS = join(ROOT, 'build/programs');
const ARTIFACTS = join(ROOT, 'build/test-artifacts');

interface DemoApi {
  run(name: string): Promise<string>;
  running: boolean;
  screen(): string[];
  files(): string;
  trace(): string[];
  idleWorkers(): number;
  closeIdleWorkers(): void;
}
type DemoWindow = { demo?: DemoApi };

/** Starts `kiln demo --port 0`; resolves to the process and the address it printed. */
async function startDemo(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/kiln.js'), 'demo', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`kiln demo exited with ${code}: ${err}`)));
  });
  return { child, url };
}

/** The screen from the line that announces `name` on. */
async function screenOf(page: Page, name: string): Promise<string[]> {
  const lines = await page.evaluate(() => (window as unknown as DemoWindow).demo!.screen());
  const start = lines.map((l, i) => (l.startsWith(`# ${name}: `) && !l.includes('exit code') ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
  return lines.slice(start);
}

/** Runs `name` by its button and waits for it to end; resolves to the page's longest stretch without a timer meanwhile. */
async function runByButton(page: Page, name: string, during?: () => Promise<void>): Promise<number> {
  await page.evaluate(() => {
    const w = window as unknown as { gap: { last: number; longest: number; timer: number } };
    w.gap = { last: performance.now(), longest: 0, timer: 0 };
    w.gap.timer = setInterval(() => {
      const now = performance.now();
      w.gap.longest = Math.max(w.gap.longest, now - w.gap.last);
      w.gap.last = now;
    }, 5) as unknown as number;
  });
  await page.click(`#run-${name}`);
  await page.waitForFunction(() => (window as unknown as DemoWindow).demo!.running);
  await during?.();
  await page.waitForFunction(() => !(window as unknown as DemoWindow).demo!.running, undefined, { timeout: 60_000 });
  return page.evaluate(() => {
    const w = window as unknown as { gap: { longest: number; timer: number } };
    clearInterval(w.gap.timer);
    return w.gap.longest;
  });
}

test('the browser demo (kiln demo) in headless Chromium: a shell, threads and a pipeline in a terminal', { timeout: 180_000 }, async (t: TestContext) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing (install Debian's chromium package to run the browser test)`);
    return;
  }
  for (const p of ['demo_shell', 'threads_basic', 'wasix_pipeline', 'wasix_child', 'wasix_wc']) {
    assert.ok(existsSync(join(PROGRAMS, `${p}.wasm`)), `build/programs/${p}.wasm is missing: build the test programs first (npm run build:programs)`);
  }
  const { child, url } = await startDemo();
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 760 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => { errors.push(String(e.stack ?? e)); });
    assert.equal((await page.goto(url))?.status(), 200);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    assert.equal(await page.textContent('#status'), 'ready');

    await t.test('the shell: typed commands run on the page\'s files, which the file tree shows', async () => {
      // Each command is typed at the shell's next prompt, as a person would.
      const prompted = (): Promise<void> => page.waitForFunction(() => (window as unknown as DemoWindow).demo!.screen().at(-1) === 'kiln$').then(() => {});
      await runByButton(page, 'shell', async () => {
        for (const command of ['echo hello, browser', 'write notes.txt typed in the page', 'cat notes.txt', 'ls', 'cat nope.txt', 'exit 3']) {
          await prompted();
          await page.keyboard.type(command);
          await page.keyboard.press('Enter');
        }
      });
      assert.deepEqual(await screenOf(page, 'shell'), [
        '# shell: a shell-like REPL in C (demo_shell.c): type help',
        'kiln$ echo hello, browser',
        'hello, browser',
        'kiln$ write notes.txt typed in the page',
        'wrote 18 bytes to notes.txt',
        'kiln$ cat notes.txt',
        'typed in the page',
        'kiln$ ls',
        'README.txt  docs/  notes.txt',
        'kiln$ cat nope.txt',
        'nope.txt: No such file or directory',
        'kiln$ exit 3',
        '# shell: exit code 3',
      ]);
      assert.equal(await page.textContent('#status'), 'shell: exit code 3');
      assert.equal(await page.evaluate(() => (window as unknown as DemoWindow).demo!.files()), [
        '/data/', '  README.txt (82 bytes)', '  docs/', '    hello.txt (17 bytes)', '  notes.txt (18 bytes)',
      ].join('\n'));
      const trace = await page.evaluate(() => (window as unknown as DemoWindow).demo!.trace());
      assert.ok(trace.some((l) => l.startsWith('path_open(') && l.includes('"notes.txt"')), `a path_open of notes.txt is traced:\n${trace.slice(-20).join('\n')}`);
      await nothingLeftRunning(page, 'demo', 'the shell\'s process worker to end');
    });

    await t.test('threads: four pthreads compute in Web Workers while the page\'s timers keep running', async (st) => {
      const gap = await runByButton(page, 'threads');
      const expected = underKilnRun(join(PROGRAMS, 'threads_basic.wasm'), [], {});
      assert.equal(expected.status, 0, expected.stderr);
      const screen = await screenOf(page, 'threads');
      // The guest's stdout and stderr share the terminal: compare each stream's lines in order.
      const body = screen.slice(1, -1);
      const stderrLines = expected.stderr.trimEnd().split('\n');
      assert.deepEqual(body.filter((l) => !stderrLines.includes(l)), expected.stdout.trimEnd().split('\n'));
      assert.deepEqual(body.filter((l) => stderrLines.includes(l)), stderrLines);
      assert.equal(screen.at(-1), '# threads: exit code 0');
      st.diagnostic(`the page's timers stopped for at most ${gap.toFixed(1)} ms while the threads ran`);
      assert.ok(gap < 250, `the page's timers stopped for ${gap} ms`);
      await nothingLeftRunning(page, 'demo', 'the thread workers to end');
    });

    await t.test('pipeline: two WASIX processes joined by a pipe give the output they give under kiln run', async () => {
      await runByButton(page, 'pipeline');
      const expected = underKilnRun(join(PROGRAMS, 'wasix_pipeline.wasm'), ['/sandbox/bin/child', '/sandbox/bin/wc'], {
        child: join(PROGRAMS, 'wasix_child.wasm'), wc: join(PROGRAMS, 'wasix_wc.wasm'),
      });
      assert.equal(expected.status, 0, expected.stderr);
      const screen = await screenOf(page, 'pipeline');
      assert.deepEqual(screen.slice(1), [...(expected.stdout + expected.stderr).trimEnd().split('\n'), '# pipeline: exit code 0']);
      await nothingLeftRunning(page, 'demo', 'the processes\' workers to end');
    });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'demo.png') });
    t.diagnostic(`screenshot: ${join(ARTIFACTS, 'demo.png')}`);
    assert.deepEqual(errors, [], 'uncaught errors on the demo page');
  } finally {
    await browser?.close();
    child.kill('SIGTERM');
  }
});
