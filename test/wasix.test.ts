/**
 * WASIX (wasix_32v1): C programs built with the wasix-libc sysroot
 * (test/programs/wasix/, see its README), each run in every way a WASIX
 * guest runs — `kiln run`, `WASI.run()` and `WASI.runHere()` (Node 24) —
 * and compared with the exact output and exit status in the program's
 * `.expected` file (`# exit N`, then stdout), which a native build of the
 * same source produces on Linux.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { programPath, repoRoot } from './helpers/programs.js';
import { kilnBin, node24, runCase, runKiln, WASIX_RUNNERS, withSandbox, type CaseSpec } from './helpers/runners.js';

const SOURCES = path.join(repoRoot, 'test', 'programs', 'wasix');

/** The exit status and stdout a program's `.expected` file gives. */
function expected(name: string): { status: number; stdout: string } {
  const text = readFileSync(path.join(SOURCES, `${name}.expected`), 'utf8');
  const newline = text.indexOf('\n');
  const header = /^# exit (\d+)$/.exec(text.slice(0, newline));
  assert.ok(header, `${name}.expected starts with "# exit N"`);
  return { status: Number(header[1]), stdout: text.slice(newline + 1) };
}

/** Puts the helper programs where the spawning programs look for them: /sandbox/bin. */
function installPrograms(dir: string, ...names: string[]): void {
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  for (const name of names) copyFileSync(programPath(`wasix_${name}`), path.join(dir, 'bin', name));
}

interface WasixCase extends Omit<CaseSpec, 'program'> {
  /** The program (test/programs/wasix/wasix_NAME.c) and its `.expected`. */
  name: string;
  /** What the case shows beyond the program's name. */
  label?: string;
}

const CASES: WasixCase[] = [
  { name: 'hello', args: ['one', 'two words'], env: { KILN_TEST: 'kiln' } },
  { name: 'pthreads' },
  { name: 'pipe' },
  { name: 'sigpipe', args: ['/sandbox/bin/sigpipe'], setup: (sb) => installPrograms(sb.dir, 'sigpipe') },
  { name: 'pipe_load', args: ['/sandbox/bin/pipe_load'], setup: (sb) => installPrograms(sb.dir, 'pipe_load') },
  { name: 'eventfd' },
  { name: 'epoll' },
  { name: 'sleep' },
  { name: 'signal' },
  { name: 'cwd' },
  { name: 'devices', label: 'through the root Kiln gives a WASIX guest' },
  { name: 'devices', label: 'with a directory preopened at /', morePreopens: ['/'] },
  { name: 'tty' },
  { name: 'spawn', args: ['/sandbox/bin/child'], setup: (sb) => installPrograms(sb.dir, 'child') },
  { name: 'proc_spawn', args: ['/sandbox/bin/child'], setup: (sb) => installPrograms(sb.dir, 'child') },
  { name: 'pipeline', args: ['/sandbox/bin/child', '/sandbox/bin/wc'], setup: (sb) => installPrograms(sb.dir, 'child', 'wc') },
  {
    name: 'pipeline', label: 'a preview 1 program as the filter',
    args: ['/sandbox/bin/child', '/sandbox/bin/lc'],
    setup: (sb) => { installPrograms(sb.dir, 'child'); copyFileSync(programPath('line_count'), path.join(sb.dir, 'bin', 'lc')); },
  },
  {
    name: 'spawn', label: 'the child a registered command (--command, commands)',
    args: ['/bin/child'], flags: ['--command', `/bin/child=${programPath('wasix_child')}`],
  },
  { name: 'fork' },
  { name: 'fork_signals' },
  { name: 'vfork', args: ['/sandbox/bin/child'], setup: (sb) => installPrograms(sb.dir, 'child') },
  { name: 'exec', args: ['/sandbox/bin/child'], setup: (sb) => installPrograms(sb.dir, 'child') },
  {
    name: 'exec_preview1', label: 'the new image a module with its own memory',
    args: ['/sandbox/bin/lc'],
    setup: (sb) => { mkdirSync(path.join(sb.dir, 'bin'), { recursive: true }); copyFileSync(programPath('line_count'), path.join(sb.dir, 'bin', 'lc')); },
  },
  { name: 'setjmp' },
  {
    name: 'first_generation', args: ['/sandbox/bin/first_generation'], env: { PATH: '/sandbox/bin' },
    flags: ['--net', 'loopback', '--command', `/bin/registered=${programPath('wasix_child')}`],
    setup: (sb) => installPrograms(sb.dir, 'first_generation', 'child'),
  },
  { name: 'setjmp_stack_first', label: 'stack below the data, no asyncify_get_state export, as 2023 binaries are' },
  { name: 'sockets', label: 'over --net loopback', flags: ['--net', 'loopback'] },
  { name: 'sockets', label: 'over --net host', flags: ['--net', 'host'] },
  // Only over loopback: natively the program picks the sender's multicast
  // interface and turns IP_MULTICAST_ALL off, which a WASIX guest cannot
  // (see wasix_multicast.c); host multicast is in node-networking.test.ts.
  { name: 'multicast', label: 'over --net loopback', flags: ['--net', 'loopback'] },
];

for (const [placement, runner, available] of WASIX_RUNNERS) {
  describe(`WASIX programs: ${placement}`, () => {
    for (const c of CASES) {
      test(`wasix_${c.name}${c.label === undefined ? '' : ` (${c.label})`}`, { skip: available ? false : 'Node 24 is not installed (scripts/fetch-node24.mjs)' }, async () => {
        const want = expected(`wasix_${c.name}`);
        const r = await runCase(runner, { ...c, program: `wasix_${c.name}` });
        assert.equal(r.stdout, want.stdout, `stdout differs (status ${r.status}; stderr: ${JSON.stringify(r.stderr)})`);
        assert.equal(r.status, want.status, r.stderr);
      });
    }
  });
}

test('--trace marks each child\'s lines with its pid, as strace -f does; the first process\'s lines are unmarked', async () => {
  const r = await runCase(runKiln, {
    program: 'wasix_pipeline', args: ['/sandbox/bin/child', '/sandbox/bin/wc'], flags: ['--trace'],
    setup: (sb) => installPrograms(sb.dir, 'child', 'wc'),
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('[kiln trace] '));
  const whose = new Set(lines.map((l) => /^\[kiln trace\] (\[pid \d+\] )?/.exec(l)![1] ?? 'first'));
  assert.deepEqual([...whose].sort(), ['[pid 2] ', '[pid 3] ', 'first']);
  assert.ok(lines.some((l) => l.startsWith('[kiln trace] proc_spawn2(name="/sandbox/bin/child"')), 'the parent spawns, unmarked');
  assert.ok(lines.some((l) => /^\[kiln trace\] \[pid 3\] fd_read\(fd=0, /.test(l)), 'the filter (pid 3) reads its stdin');
});

test('pipes under load through the kernel alone (--trace: no thread moves a pipe\'s bytes itself) keep the same semantics', async () => {
  const want = expected('wasix_pipe_load');
  const r = await runCase(runKiln, {
    program: 'wasix_pipe_load', args: ['/sandbox/bin/pipe_load'], flags: ['--trace'],
    setup: (sb) => installPrograms(sb.dir, 'pipe_load'),
  });
  assert.equal(r.stdout, want.stdout, r.stderr.split('\n').filter((l) => !l.startsWith('[kiln trace]')).join('\n'));
  assert.equal(r.status, want.status);
  assert.ok(/\[kiln trace\] \[pid 2\] fd_write\(fd=1, /.test(r.stderr), 'the child\'s writes to the pipe went through the kernel');
});

describe('WASIX process trees end whole', () => {
  test('kiln run --timeout: a forked child, a spawned grandchild and a thread all stop; the host exits at once (124)', async () => {
    const started = Date.now();
    const r = await runCase(runKiln, {
      program: 'wasix_fork_tree', args: ['/sandbox/bin/tree'], flags: ['--timeout', '1s'],
      setup: (sb) => { mkdirSync(path.join(sb.dir, 'bin')); copyFileSync(programPath('wasix_fork_tree'), path.join(sb.dir, 'bin', 'tree')); },
    });
    assert.equal(r.stdout, 'tree up\n');
    assert.equal(r.stderr, 'kiln: the guest did not finish within its time limit of 1000 ms and was stopped\n');
    assert.equal(r.status, 124);
    assert.ok(Date.now() - started < 15_000, 'the host did not wait for anything the tree left behind');
  });

  test('WASI.run() with a time limit: nothing is left running in the host (no workers, handles or timers)', () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { WASI } from ${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist', 'node.js')).href)};
      process.stdout.write(''); process.stderr.write('');
      await new Promise((r) => setTimeout(r, 50));
      const before = JSON.stringify(process.getActiveResourcesInfo());
      const wasi = new WASI({ args: ['tree'], timeoutMs: 800 });
      try { await wasi.run(readFileSync(${JSON.stringify(programPath('wasix_fork_tree'))})); } catch (e) { console.log(e.name); }
      console.log(JSON.stringify(process.getActiveResourcesInfo()) === before || JSON.stringify(process.getActiveResourcesInfo()) + ' after, before ' + before);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.stdout, 'tree up\nTimeoutError\ntrue\n', r.stderr);
    assert.equal(r.status, 0);
  });

  test('WASI.kill(): SIGINT reaches the guest, whose library ends it as wasix-libc does (message, exit 127)', () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { CaptureStream, WASI } from ${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist', 'node.js')).href)};
      process.stdout.write(''); process.stderr.write('');
      await new Promise((r) => setTimeout(r, 50));
      const before = JSON.stringify(process.getActiveResourcesInfo());
      const stdout = new CaptureStream();
      const stderr = new CaptureStream();
      const wasi = new WASI({ args: ['tree'], stdout, stderr });
      const running = wasi.run(readFileSync(${JSON.stringify(programPath('wasix_fork_tree'))}));
      while (!new TextDecoder().decode(stdout.bytes()).includes('tree up')) await new Promise((r) => setTimeout(r, 20));
      console.log(wasi.kill('SIGINT'));
      console.log(await running);
      console.log(new TextDecoder().decode(stderr.bytes()).trim());
      console.log(wasi.kill('SIGINT'));
      console.log(JSON.stringify(process.getActiveResourcesInfo()) === before || JSON.stringify(process.getActiveResourcesInfo()) + ' after, before ' + before);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.stdout, 'true\n127\nProgram recieved termination signal: Interrupt\nfalse\ntrue\n', r.stderr);
  });
});

describe('WASIX output lands whole and in order (a file behind stdout: writes are gathered)', () => {
  /** `kiln run` of wasix_output with stdout and stderr both on one file; the file and the exit status. */
  function intoOneFile(...args: string[]): { text: string; status: number | null } {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-output-'));
    const file = path.join(dir, 'out');
    const fd = openSync(file, 'w');
    try {
      const flags = args[0] === 'spin' ? ['--timeout', '1s'] : [];
      const r = spawnSync(process.execPath, [kilnBin, 'run', ...flags, programPath('wasix_output'), ...args], { stdio: ['ignore', fd, fd], timeout: 30_000 });
      return { text: readFileSync(file, 'utf8'), status: r.status };
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const LINES = Array.from({ length: 200 }, (_, i) => `out ${i + 1}\nerr ${i + 1}\n`).join('');

  test('stdout and stderr interleaved on one file, then a return', () => {
    assert.deepEqual(intoOneFile(), { text: `${LINES}done 0\n`, status: 0 });
  });

  test('then _exit(3)', () => {
    assert.deepEqual(intoOneFile('exit'), { text: LINES, status: 3 });
  });

  test('then a trap: every line, then the trap', () => {
    const r = intoOneFile('trap');
    assert.equal(r.text.slice(0, LINES.length), LINES);
    assert.match(r.text.slice(LINES.length), /^Error: the guest trapped: unreachable\n/);
    assert.equal(r.status, 134);
  });

  test('then a loop the time limit stops: every line, then the limit', () => {
    assert.deepEqual(intoOneFile('spin'), { text: `${LINES}kiln: the guest did not finish within its time limit of 1000 ms and was stopped\n`, status: 124 });
  });

  test('two threads writing under one mutex: the lines in the order the mutex gave them', () => {
    const r = intoOneFile('thread');
    const places = r.text.trim().split('\n').map((line) => Number(line.split(' ')[1]));
    assert.deepEqual(places, [...Array.from({ length: 400 }, (_, i) => i + 1), 400]);
    assert.equal(r.status, 0);
  });
});

describe('WASIX workers outlive their processes', () => {
  /** Runs `body` (module code with WASI, CaptureStream, createNodeThreadSpawner and readFileSync in scope) in a new Node; its stdout. */
  function inNode(body: string): string {
    const dist = (file: string): string => JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist', file)).href);
    const script = `
      import { readFileSync } from 'node:fs';
      import { CaptureStream, WASI, createNodeThreadSpawner } from ${dist('node.js')};
      ${body}`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.stderr, '');
    return r.stdout;
  }

  test('a second run() starts in the worker the first one released, and closeIdle() stops it', () => {
    assert.equal(inNode(`
      const spawner = createNodeThreadSpawner();
      const bytes = readFileSync(${JSON.stringify(programPath('wasix_hello'))});
      for (let i = 0; i < 2; i++) {
        const stdout = new CaptureStream();
        const code = await new WASI({ args: ['hello'], stdout, runtime: { threadSpawn: spawner } }).run(bytes);
        console.log(code, new TextDecoder().decode(stdout.bytes()).split('\\n')[0], 'idle', spawner.idle);
      }
      await spawner.closeIdle();
      console.log('idle', spawner.idle);`), '0 hello idle 1\n0 hello idle 1\nidle 0\n');
  });

  test('prestart() starts workers ahead of spawns, up to maxIdle; a run takes one still loading', () => {
    assert.equal(inNode(`
      const spawner = createNodeThreadSpawner({ maxIdle: 2 });
      spawner.prestart(1);
      console.log('idle', spawner.idle);
      spawner.prestart(5);
      console.log('idle', spawner.idle);
      const stdout = new CaptureStream();
      const code = await new WASI({ args: ['hello'], stdout, runtime: { threadSpawn: spawner } }).run(readFileSync(${JSON.stringify(programPath('wasix_hello'))}));
      console.log(code, new TextDecoder().decode(stdout.bytes()).split('\\n')[0], 'idle', spawner.idle);
      await spawner.closeIdle();
      console.log('idle', spawner.idle);`), 'idle 1\nidle 2\n0 hello idle 2\nidle 0\n');
  });

  test('a process tree ended by a signal releases the workers of its three threads, each waiting in a call (a sleep)', () => {
    assert.equal(inNode(`
      const spawner = createNodeThreadSpawner();
      const stdout = new CaptureStream();
      const wasi = new WASI({ args: ['tree'], stdout, stderr: new CaptureStream(), runtime: { threadSpawn: spawner } });
      const running = wasi.run(readFileSync(${JSON.stringify(programPath('wasix_fork_tree'))}));
      while (!new TextDecoder().decode(stdout.bytes()).includes('tree up')) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      wasi.kill('SIGINT');
      console.log(await running, 'idle', spawner.idle);
      await spawner.closeIdle();`), '127 idle 3\n');
  });
});

/** Runs a program with Node 24 (memory64 without a flag, JSPI), as `kiln run` or through the API. */
function runOnNode24(how: 'kiln run' | 'worker' | 'jspi', program: string, dir: string, args = ['sixty-four']): { status: number | null; stdout: string; stderr: string } {
  const command = how === 'kiln run' ? [kilnBin, 'run'] : [path.join(repoRoot, 'scripts', 'kiln-api-run.mjs'), how];
  const r = spawnSync(node24, [...command, '--dir', `${dir}::/sandbox`, programPath(program), ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** wasix_context's output where the engine has JSPI (see wasix_context.c). */
const CONTEXT_OUTPUT = [
  'created two contexts: distinct, not main',
  'ping 0', 'pong 1', 'ping 2', 'pong 3', 'ping 4', 'pong 5', 'ping 6',
  'main: back, counter 7',
  'switch to itself: 0',
  'destroy main: EINVAL',
  'switch to an unknown context: EINVAL',
  'create with a non-function: EINVAL',
  'create with a function that takes arguments: EINVAL',
  'destroy pong: 0',
  'switch to a destroyed context: EINVAL',
  'destroy it again: 0',
  'ping 7',
  'main: counter 8',
  'thread: its own main context, a context in it ran: yes',
  '',
].join('\n');

describe('WASIX contexts (context_create, context_switch, context_destroy)', () => {
  const skip = existsSync(node24) ? false : 'Node 24 is not installed (scripts/fetch-node24.mjs)';
  for (const how of ['kiln run', 'worker', 'jspi'] as const) {
    test(`two contexts take turns, the API's errors, a thread's own contexts (Node 24, JSPI): ${how}`, { skip }, () =>
      withSandbox(async (sb) => {
        const r = runOnNode24(how, 'wasix_context', sb.dir, []);
        assert.equal(r.stdout, CONTEXT_OUTPUT, r.stderr);
        assert.equal(r.status, 0);
      }));
    test(`a context whose entrypoint returns ends, and main resumes with a trap that says so: ${how}`, { skip }, () =>
      withSandbox(async (sb) => {
        const r = runOnNode24(how, 'wasix_context', sb.dir, ['return']);
        assert.equal(r.stdout, 'the entrypoint returns\n');
        assert.match(r.stderr, /WASIX context 1 returned from its entrypoint \(a context's entrypoint must not return\)/);
        assert.equal(r.status, 134);
      }));
    test(`exit in a context ends the process with its status, its output written: ${how}`, { skip }, () =>
      withSandbox(async (sb) => {
        const r = runOnNode24(how, 'wasix_context', sb.dir, ['exit']);
        assert.deepEqual([r.stdout, r.stderr, r.status], ['exit(3) in a context\n', '', 3]);
      }));
  }
  // This Node: Node 20 has no JSPI, so no context-switching environment (ENOTSUP), as Wasmer without one.
  const here = typeof (WebAssembly as { Suspending?: unknown }).Suspending === 'function';
  for (const [placement, runner] of WASIX_RUNNERS.slice(0, 2)) {
    test(`on this Node (${here ? 'JSPI' : 'no JSPI: ENOTSUP'}): ${placement}`, async () => {
      const r = await runCase(runner, { program: 'wasix_context' });
      assert.equal(r.stdout, here ? CONTEXT_OUTPUT : 'contexts: not supported (ENOTSUP)\n', r.stderr);
      assert.equal(r.status, 0);
    });
  }
});

const WASIX64_OUTPUT = 'argv[1]=sixty-four\ncwd=/\npreopen=/sandbox\npipe: hello64\nnwritten is a u64: yes\na pointer past 4 GiB: EFAULT\n';

describe('wasix_64v1 (memory64, Node 24)', () => {
  const skip = existsSync(node24) ? false : 'Node 24 is not installed (scripts/fetch-node24.mjs)';
  for (const how of ['kiln run', 'worker', 'jspi'] as const) {
    test(`wasix64_threads (thread_spawn_v2, wasi_thread_start with an i64 start argument, thread_exit, thread_join): ${how}`, { skip }, () =>
      withSandbox(async (sb) => {
        const r = runOnNode24(how, 'wasix64_threads', sb.dir);
        assert.equal(r.stdout, 'thread: started\nthread_spawn_v2 and thread_join: SUCCESS\nthe thread got its tid and its start argument: yes\n', r.stderr);
        assert.equal(r.status, 0);
      }));
  }
  for (const how of ['kiln run', 'worker', 'jspi'] as const) {
    test(`wasix64_wasi_threads (wasi thread-spawn with an i64 start argument): ${how}`, { skip }, () =>
      withSandbox(async (sb) => {
        const r = runOnNode24(how, 'wasix64_wasi_threads', sb.dir);
        assert.equal(r.stdout, 'wasi thread-spawn (i64 start argument): the thread ran\n', r.stderr);
        assert.equal(r.status, 0);
      }));
    test(`wasix64_fork (proc_fork, stack_checkpoint and stack_restore on memory64, asyncified): ${how}`, { skip }, () =>
      withSandbox(async (sb) => {
        const r = runOnNode24(how, 'wasix64_fork', sb.dir);
        assert.equal(r.stdout, 'checkpoint: 0\nrestored: 5, local kept\nchild: fork returned 0, local kept\nparent: child exited 3, memory copied not shared\n', r.stderr);
        assert.equal(r.status, 0);
      }));
    test(`wasix64_spawn (proc_spawn2's 64-bit fd_op layout, proc_spawn's handles): ${how}`, { skip }, () =>
      withSandbox(async (sb) => {
        copyFileSync(programPath('wasix64_spawn'), path.join(sb.dir, 'self.wasm'));
        const r = runOnNode24(how, 'wasix64_spawn', sb.dir);
        assert.equal(r.stdout, 'spawn2 (64-bit fd_op OPEN to a file): child says hi\nspawn (piped stdout): child says hi\n', r.stderr);
        assert.equal(r.status, 0);
        assert.equal(readFileSync(path.join(sb.dir, 'out.txt'), 'utf8'), 'child says hi\n');
      }));
  }
  for (const program of ['wasix64_basics', 'wasix64_shared']) {
    for (const how of ['kiln run', 'worker', 'jspi'] as const) {
      const placement = how === 'kiln run' ? 'kiln run' : how === 'worker' ? 'WASI.run()' : 'WASI.runHere()';
      test(`${program} (${program.endsWith('shared') ? 'an imported shared memory: every thread in a worker' : 'its own memory'}): ${placement}`, { skip }, () =>
        withSandbox(async (sb) => {
          const r = runOnNode24(how, program, sb.dir);
          assert.equal(r.stdout, WASIX64_OUTPUT, r.stderr);
          assert.equal(r.status, 0);
        }));
    }
  }
});

/** WAT programs (test/programs/wat/) of the older generations and of calls wasix-libc does not make, with their exact output. */
const WAT_CASES: [program: string, stdout: string][] = [
  ['wasix_legacy', 'thread_local: key 1 holds 42, unset keys read 0, a destroyed key EINVAL\nthread_spawn (five arguments): 06\nbus_open_local: 58\nsock_accept (four arguments) on stdout: 57\n'],
  ['wasix_g1_threads', 'thread_spawn (five arguments): 0\n_start_thread got user_data: yes\nits stack pointer was stack_base: yes\nits thread id is the one thread_spawn gave: yes\nthread-local values are per thread: yes\nthe thread ran once: yes\n'],
  ['wasix_spawn_v2', 'thread_spawn_v2 and thread_spawn each ran a thread (tids 1, 2)\n'],
];

for (const [placement, runner, available] of WASIX_RUNNERS) {
  describe(`WASIX WAT programs: ${placement}`, () => {
    for (const [program, stdout] of WAT_CASES) {
      test(program, { skip: available ? false : 'Node 24 is not installed (scripts/fetch-node24.mjs)' }, async () => {
        const r = await runCase(runner, { program });
        assert.equal(r.stdout, stdout, r.stderr);
        assert.equal(r.status, 0);
      });
    }
    test('wasix_vfork_env (proc_fork_env: the thread acts for the child until its exec or exit returns)', { skip: available ? false : 'Node 24 is not installed (scripts/fetch-node24.mjs)' }, async () => {
      const r = await runCase(runner, {
        program: 'wasix_vfork_env',
        setup: (sb) => copyFileSync(programPath('wasix_vfork_env'), path.join(sb.dir, 'self.wasm')),
      });
      assert.equal(r.stdout, "in the child: proc_id is the child's pid\nexec'd program ran\nback in the parent: proc_id is its own, stderr still open\n" +
        "the exec'd child exited 5\nproc_exit2 in the child returned; that child exited 7\n", r.stderr);
      assert.equal(r.status, 0);
    });
  });
}

/** Runs a shell command line under a pseudo-terminal of 24 rows and 80 columns (util-linux `script`); its output, CRs dropped. */
function underTerminal(command: string): string {
  const r = spawnSync('script', ['-qec', `stty rows 24 cols 80; ${command}`, '/dev/null'], { encoding: 'utf8', timeout: 30_000, cwd: repoRoot });
  assert.equal(r.error, undefined);
  return r.stdout.replaceAll('\r', '');
}

describe('WASIX terminals (under a pseudo-terminal)', () => {
  const kiln = `${JSON.stringify(process.execPath)} ${JSON.stringify(kilnBin)} run ${JSON.stringify(programPath('wasix_tty'))}`;

  test('wasix_tty: isatty, termios (ECHO off and on through tty_set) and the window size', () => {
    const want = readFileSync(path.join(SOURCES, 'wasix_tty.tty.expected'), 'utf8').split('\n').slice(1).join('\n');
    assert.equal(underTerminal(`${kiln}; echo "status $?"`), `${want}status 0\n`);
  });

  test('a guest that exits with ECHO off leaves the terminal as it found it', () => {
    assert.equal(underTerminal(`${kiln} leave-echo-off; echo "status $?"; stty -a | grep -o -- ' -\\?echo ' | head -1`), 'echo left off\nstatus 3\n echo \n');
  });
});
