// waPC guest (AssemblyScript + @wapc/as-guest): the main functional guest.
// Operations and their exact behaviour: test/programs/wapc/README.md.
// Built by scripts/build-programs.mjs with
//   asc <this file> -O3 --runtime incremental --use abort=<this file without .ts>/abort
// so that every `abort` (explicit, or from a failed assertion / throw) runs
// the `abort` below: as-guest's handleAbort sets the guest error, then traps.
import { register, handleCall, handleAbort, hostCall, consoleLog, Result } from "@wapc/as-guest";

/** Calls answered by `count` so far (module state: resets when the module is re-instantiated). */
let counter: u32 = 0;
/** The last `grow` allocation, kept reachable until the next `grow`. */
let grown: ArrayBuffer | null = null;

function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s);
}

function concat(a: ArrayBuffer, b: ArrayBuffer): ArrayBuffer {
  const out = new ArrayBuffer(a.byteLength + b.byteLength);
  memory.copy(changetype<usize>(out), changetype<usize>(a), a.byteLength);
  memory.copy(changetype<usize>(out) + a.byteLength, changetype<usize>(b), b.byteLength);
  return out;
}

/** The payload as a decimal ASCII number, or -1 when it is not one (or is 2^31 or more). */
function decimal(payload: ArrayBuffer): i32 {
  const len = payload.byteLength;
  if (len == 0 || len > 10) return -1;
  let n: u64 = 0;
  for (let i = 0; i < len; i++) {
    const c = load<u8>(changetype<usize>(payload) + i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + <u64>(c - 0x30);
  }
  return n > <u64>i32.MAX_VALUE ? -1 : <i32>n;
}

function notANumber(payload: ArrayBuffer): Result<ArrayBuffer> {
  return Result.error<ArrayBuffer>(new Error("not a decimal number: " + String.UTF8.decode(payload)));
}

register("echo", (payload: ArrayBuffer): Result<ArrayBuffer> => Result.ok(payload));

register("héllo", (payload: ArrayBuffer): Result<ArrayBuffer> => Result.ok(concat(utf8("héllo "), payload)));

register("reverse_via_host", (payload: ArrayBuffer): Result<ArrayBuffer> => {
  const r = hostCall("default", "kiln:test", "reverse", payload);
  if (!r.isOk) return Result.error<ArrayBuffer>(new Error("host error: " + r.error()!.message));
  return Result.ok(concat(utf8("host said: "), r.get()));
});

register("fail", (payload: ArrayBuffer): Result<ArrayBuffer> =>
  Result.error<ArrayBuffer>(new Error("guest failure: ünïcode ✓")));

register("abort", (payload: ArrayBuffer): Result<ArrayBuffer> => {
  abort("boom ✗");
  return Result.ok(payload);
});

register("trap", (payload: ArrayBuffer): Result<ArrayBuffer> => {
  unreachable();
  return Result.ok(payload);
});

register("grow", (payload: ArrayBuffer): Result<ArrayBuffer> => {
  const mib = decimal(payload);
  if (mib < 0 || mib > 2047) return notANumber(payload);
  const size = mib << 20;
  const buf = new ArrayBuffer(size);
  if (size > 0) {
    // Touch both ends so that the allocation is really used.
    store<u8>(changetype<usize>(buf), 1);
    store<u8>(changetype<usize>(buf) + <usize>size - 1, 1);
  }
  grown = buf;
  return Result.ok(payload);
});

register("big", (payload: ArrayBuffer): Result<ArrayBuffer> => {
  const n = decimal(payload);
  if (n < 0) return notANumber(payload);
  const out = new ArrayBuffer(n);
  const base = changetype<usize>(out);
  for (let i = 0; i < n; i++) store<u8>(base + <usize>i, <u8>(i & 0xff));
  return Result.ok(out);
});

register("log", (payload: ArrayBuffer): Result<ArrayBuffer> => {
  consoleLog("log: " + String.UTF8.decode(payload));
  return Result.ok(utf8("logged"));
});

register("count", (payload: ArrayBuffer): Result<ArrayBuffer> => {
  counter++;
  return Result.ok(utf8(counter.toString()));
});

// This must be present in the entry file (waPC entry point).
export function __guest_call(operation_size: usize, payload_size: usize): bool {
  return handleCall(operation_size, payload_size);
}

// The program's `abort` (--use abort=...): record the message as the guest
// error (as-guest appends "; <file> (<line>,<column>)" when it has them), then
// trap, so that an explicit abort() never returns either.
function abort(message: string | null, fileName: string | null = null, lineNumber: u32 = 0, columnNumber: u32 = 0): void {
  handleAbort(message, fileName, lineNumber, columnNumber);
  unreachable();
}
