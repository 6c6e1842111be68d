/**
 * The terminal on Node (layer: host, Node only): the runtime's `ttyGet`
 * and `ttySet`. Whether the standard streams are terminals comes from the
 * host descriptors 0, 1 and 2; the size from Node's view of stdout. Modes
 * are changed with `stty` on the terminal of descriptor 0 (Node's own raw
 * mode needs a stream that would read stdin, which Kiln's reader thread
 * owns); the settings from before the first change are restored when the
 * host process exits, however it exits.
 */
import { spawnSync } from 'node:child_process';
import * as tty from 'node:tty';
import { Errno, WasiError } from '../../abi/errno.js';
import { NO_TTY, type TtyState } from '../runtime.js';

/** The modes a `ttySet` applied (echo, canonical input), until the next one. */
let applied: Pick<TtyState, 'echo' | 'lineBuffered' | 'lineFeeds'> | undefined;
/** `stty -g` from before the first change, to restore at exit. */
let saved: string | undefined;

function stty(args: readonly string[]): { ok: boolean; out: string } {
  const r = spawnSync('stty', args, { stdio: [0, 'pipe', 'pipe'], encoding: 'utf8' });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim() };
}

/** Puts the terminal back as it was before the first `ttySet` (at exit; safe to call more than once). */
export function restoreNodeTty(): void {
  if (saved === undefined) return;
  stty([saved]);
  saved = undefined;
  applied = undefined;
}

export function nodeTtyGet(): TtyState {
  const stdinTty = tty.isatty(0);
  const stdoutTty = tty.isatty(1);
  const stderrTty = tty.isatty(2);
  if (!stdinTty && !stdoutTty && !stderrTty) return NO_TTY;
  const out = stdoutTty ? process.stdout as tty.WriteStream : undefined;
  return {
    cols: out?.columns ?? NO_TTY.cols,
    rows: out?.rows ?? NO_TTY.rows,
    width: 0,
    height: 0,
    stdinTty,
    stdoutTty,
    stderrTty,
    echo: applied?.echo ?? stdinTty,
    lineBuffered: applied?.lineBuffered ?? true,
    lineFeeds: applied?.lineFeeds ?? stdoutTty,
  };
}

export function nodeTtySet(state: TtyState): void {
  if (!tty.isatty(0)) throw new WasiError(Errno.NOTSUP, 'standard input is not a terminal');
  if (saved === undefined) {
    const current = stty(['-g']);
    if (!current.ok) throw new WasiError(Errno.NOTSUP, 'the terminal\'s settings cannot be read (stty)');
    saved = current.out;
    process.once('exit', restoreNodeTty);
  }
  const r = stty([state.echo ? 'echo' : '-echo', state.lineBuffered ? 'icanon' : '-icanon', state.lineFeeds ? 'onlcr' : '-onlcr']);
  if (!r.ok) throw new WasiError(Errno.IO, 'the terminal\'s settings cannot be changed (stty)');
  applied = { echo: state.echo, lineBuffered: state.lineBuffered, lineFeeds: state.lineFeeds };
}
