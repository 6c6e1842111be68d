// waPC guest (AssemblyScript + @wapc/as-guest): hot-swap pair, version 2.
// `version` returns "v2"; `count` counts its calls since module start ("1", "2", ...).
// Only in v2: `only_v2` returns "new".
import { register, handleCall, handleAbort, Result } from "@wapc/as-guest";

let counter: u32 = 0;

register("version", (payload: ArrayBuffer): Result<ArrayBuffer> => Result.ok(String.UTF8.encode("v2")));
register("count", (payload: ArrayBuffer): Result<ArrayBuffer> => {
  counter++;
  return Result.ok(String.UTF8.encode(counter.toString()));
});
register("only_v2", (payload: ArrayBuffer): Result<ArrayBuffer> => Result.ok(String.UTF8.encode("new")));

export function __guest_call(operation_size: usize, payload_size: usize): bool {
  return handleCall(operation_size, payload_size);
}

function abort(message: string | null, fileName: string | null = null, lineNumber: u32 = 0, columnNumber: u32 = 0): void {
  handleAbort(message, fileName, lineNumber, columnNumber);
  unreachable();
}
