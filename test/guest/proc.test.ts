// proc: exit codes, return from main, stdio flushing at exit, proc_raise,
// sched_yield (program: test/programs/c/proc.c, one mode per run).
import { guestTest, type RunResult } from '../helpers/runners.js';

const cases: [string, RunResult][] = [
  ['exit0', { status: 0, stdout: 'exit(0)\n', stderr: '' }],
  ['exit3', { status: 3, stdout: 'exit(3)\n', stderr: '' }],
  // (wasmtime's CLI refuses statuses >= 126; the exit code is the guest's.)
  ['exit255', { status: 255, stdout: 'exit(255)\n', stderr: '' }],
  ['ret7', { status: 7, stdout: 'return 7\n', stderr: '' }],
  // exit() flushes stdio, also without a trailing newline.
  ['exit-flushes', { status: 5, stdout: 'buffered, no newline', stderr: 'to stderr, no newline' }],
  // _Exit() does not: stdout to a pipe is fully buffered after its first
  // flush (wasi-libc), so only the first line was written. This also shows
  // that fd 1 is not reported as a terminal.
  ['_exit-no-flush', { status: 6, stdout: 'first line\n', stderr: 'raw write shown\n' }],
  // SIGTERM's default action ends the process: 128 + 15, nothing printed
  // after the call. (wasmtime answers ENOTSUP and goes on; node:wasi kills
  // its own host process with a real SIGTERM, which gives the same status.)
  ['raise', { status: 143, stdout: '', stderr: '' }],
  // SIGWINCH is ignored by default: proc_raise returns 0.
  ['raise-ignored', { status: 0, stdout: 'proc_raise(SIGWINCH): OK (0)\nstill running\n', stderr: '' }],
  ['yield', { status: 0, stdout: 'sched_yield: 0\nraw sched_yield: OK (0)\n', stderr: '' }],
];

for (const [mode, expected] of cases) {
  guestTest(
    `proc: ${mode}`,
    { program: 'proc', args: [mode], sandbox: false },
    expected,
    mode === 'raise-ignored'
      ? {
          // node:wasi differs: proc_raise(SIGWINCH) fails with ENOSYS (its
          // signal table has no WINCH); a valid WASI signal whose default
          // action is to ignore it should just return 0.
          ignoreLines: [/^proc_raise\(SIGWINCH\):/],
        }
      : undefined,
  );
}
