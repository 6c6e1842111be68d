// waPC guest (AssemblyScript + @wapc/as-guest): hot-swap pair, version 1.
// `version` returns "v1"; `count` counts its calls since module start ("1", "2", ...).
import { register, handleCall, handleAbort, Result } from "@wapc/as-guest";

let counter: u32 = 0;

register("version", (payload: ArrayBuffer): Result<ArrayBuffer> => Result.ok(String.UTF8.encode("v1")));
register("count", (payload: ArrayBuffer): Result<ArrayBuffer> => {
  counter++;
  return Result.ok(String.UTF8.encode(counter.toString()));
});

export function __guest_call(operation_size: usize, payload_size: usize): bool {
  return handleCall(operation_size, payload_size);
}

function abort(message: string | null, fileName: string | null = null, lineNumber: u32 = 0, columnNumber: u32 = 0): void {
  handleAbort(message, fileName, lineNumber, columnNumber);
  unreachable();
}
