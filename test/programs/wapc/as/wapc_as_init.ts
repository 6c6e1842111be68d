// waPC guest (AssemblyScript + @wapc/as-guest): host calls at module start.
// The top-level code below runs in the wasm start section (no wapc_init
// export): one host call default/kiln:test/init("hello from init"), then one
// console log "init log". `init_result` returns what the host answered (or
// "error: <host error>"); `echo` returns the payload.
import { register, handleCall, handleAbort, hostCall, consoleLog, Result } from "@wapc/as-guest";

let initResult: ArrayBuffer = new ArrayBuffer(0);

const answer = hostCall("default", "kiln:test", "init", String.UTF8.encode("hello from init"));
consoleLog("init log");
if (answer.isOk) {
  initResult = answer.get();
} else {
  initResult = String.UTF8.encode("error: " + answer.error()!.message);
}

register("init_result", (payload: ArrayBuffer): Result<ArrayBuffer> => Result.ok(initResult));
register("echo", (payload: ArrayBuffer): Result<ArrayBuffer> => Result.ok(payload));

export function __guest_call(operation_size: usize, payload_size: usize): bool {
  return handleCall(operation_size, payload_size);
}

function abort(message: string | null, fileName: string | null = null, lineNumber: u32 = 0, columnNumber: u32 = 0): void {
  handleAbort(message, fileName, lineNumber, columnNumber);
  unreachable();
}
