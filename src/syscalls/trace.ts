/**
 * The syscall tracer (layer: syscalls): wraps an import object so each call
 * prints one line — the function, its decoded arguments, and the errno
 * name — e.g. `path_open(fd=3, dirflags=SYMLINK_FOLLOW, path="a.txt", ...) = NOENT`.
 * Decoding is driven by the one signature table in `abi/signatures.ts`.
 *
 * A line is emitted after the call it describes returns, and only once
 * everything the guest wrote before has reached the host: a small write to
 * stderr may still sit in the write buffer (kernel/write-buffer.ts) when
 * its own trace line is due, and the sink usually writes to that same
 * stderr, so the line would otherwise overtake the output of the very call
 * it reports.
 */
import { errnoName } from '../abi/errno.js';
import { takeTraceNote } from './trace-note.js';
import { i64Big, isI64Kind, type ParamKind, type Signature } from '../abi/signatures.js';
import type { GuestMemory } from '../abi/memory.js';
import { flushPendingWrites, writesPending } from '../kernel/write-buffer.js';
import { CallReplaced, Parked } from '../kernel/blocking.js';
import { Pending } from '../host/pending.js';

import type { TraceSink } from '../host/stdio.js';

const FLAG_NAMES: Partial<Record<ParamKind, readonly string[]>> = {
  fdflags: ['APPEND', 'DSYNC', 'NONBLOCK', 'RSYNC', 'SYNC'],
  oflags: ['CREAT', 'DIRECTORY', 'EXCL', 'TRUNC'],
  lookupflags: ['SYMLINK_FOLLOW'],
  fstflags: ['ATIM', 'ATIM_NOW', 'MTIM', 'MTIM_NOW'],
  riflags: ['RECV_PEEK', 'RECV_WAITALL'],
  sdflags: ['RD', 'WR'],
};

const ENUM_NAMES: Partial<Record<ParamKind, readonly string[]>> = {
  clockid: ['REALTIME', 'MONOTONIC', 'PROCESS_CPUTIME_ID', 'THREAD_CPUTIME_ID'],
  whence: ['SET', 'CUR', 'END'],
  whence_unstable: ['CUR', 'END', 'SET'],
  advice: ['NORMAL', 'SEQUENTIAL', 'RANDOM', 'WILLNEED', 'DONTNEED', 'NOREUSE'],
};

function flags(names: readonly string[], v: number): string {
  if (v === 0) return '0';
  const out: string[] = [];
  names.forEach((n, i) => { if (v & (1 << i)) out.push(n); });
  const rest = v & ~((1 << names.length) - 1);
  if (rest !== 0) out.push(`0x${rest.toString(16)}`);
  return out.join('|');
}

function formatValue(kind: ParamKind, v: number | bigint): string {
  const f = FLAG_NAMES[kind];
  if (f !== undefined) return flags(f, Number(v));
  const e = ENUM_NAMES[kind];
  if (e !== undefined) return e[Number(v)] ?? String(v);
  if (kind === 'ptr' || kind === 'rights') return `0x${(typeof v === 'bigint' ? BigInt.asUintN(64, v) : v >>> 0).toString(16)}`;
  if (typeof v === 'number') return String(kind === 'filedelta' ? v : v >>> 0);
  return kind === 'filedelta' ? String(v) : String(BigInt.asUintN(64, v));
}

export function formatCall(name: string, sig: Signature, args: readonly (number | bigint)[], memory: GuestMemory | undefined): string {
  const parts: string[] = [];
  for (let i = 0; i < sig.length; i++) {
    const [pname, kind] = sig[i]!;
    if (kind === 'strlen') continue;
    const v = args[i]!;
    if (kind === 'strptr') {
      let shown: string;
      try {
        shown = memory === undefined ? '?' : JSON.stringify(memory.string(Number(v), Number(args[i + 1])));
      } catch {
        shown = `<bad string at 0x${(Number(v) >>> 0).toString(16)}>`;
      }
      parts.push(`${pname}=${shown}`);
      continue;
    }
    parts.push(`${pname}=${formatValue(kind, v)}`);
  }
  return `${name}(${parts.join(', ')})`;
}

/**
 * The arguments of a call in split form (each i64 as two i32 halves, as
 * the syscall bodies take them) as the guest passed them (each i64 one
 * bigint), for `formatCall`.
 */
export function joinSplitArgs(sig: Signature, args: readonly number[]): (number | bigint)[] {
  const out: (number | bigint)[] = [];
  let k = 0;
  for (const [, kind] of sig) {
    if (isI64Kind(kind)) {
      out.push(i64Big(args[k]!, args[k + 1]!));
      k += 2;
    } else {
      out.push(args[k++]!);
    }
  }
  return out;
}

/**
 * Wraps every function of `imports` that `signatures` declares. With
 * `split`, the functions take their i64 arguments split (syscall bodies,
 * abi/signatures.ts `SplitArgsOf`); each line shows them whole, as the
 * guest passed them.
 */
export function traceImports<T extends Record<string, (...args: never[]) => unknown>>(
  imports: T,
  signatures: Readonly<Record<string, Signature>>,
  memory: () => GuestMemory | undefined,
  sink: TraceSink,
  split = false,
): T {
  const emit = (line: string): void => {
    if (writesPending) flushPendingWrites();
    sink(line);
  };
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(imports)) {
    const sig = signatures[name];
    if (sig === undefined) { out[name] = fn; continue; }
    const splits = split && sig.some(([, kind]) => isI64Kind(kind));
    out[name] = (...args: (number | bigint)[]): unknown => {
      const call = formatCall(name, sig, splits ? joinSplitArgs(sig, args as number[]) : args, memory());
      takeTraceNote();
      let result: unknown;
      try {
        result = (fn as (...a: (number | bigint)[]) => unknown)(...args);
      } catch (e) {
        if (e instanceof Parked) {
          // A blocked call of a threaded process: its line comes when the kernel finishes it.
          const attempt = e.attempt;
          throw new Parked(() => {
            const r = attempt();
            if (r !== undefined) emit(`${call} = ${errnoName(r)} (blocked)`);
            return r;
          }, e.wakeIn);
        }
        // An asynchronous backend's Pending: the whole call runs again when it settles, and shows then.
        if (!(e instanceof Pending)) emit(`${call} -> ${e instanceof Error ? e.name : e instanceof CallReplaced ? 'replaced by exec' : 'throw'}`);
        throw e;
      }
      // thread-spawn answers a thread id (or a negated errno), not an errno.
      const shown = typeof result !== 'number' ? undefined
        : name === 'thread-spawn' ? (result >= 0 ? `tid ${result}` : `-${errnoName(-result)}`) : errnoName(result);
      const note = takeTraceNote();
      emit(`${shown === undefined ? call : `${call} = ${shown}`}${note === undefined ? '' : ` (${note})`}`);
      return result;
    };
  }
  return out as T;
}
