/**
 * Turning engine errors into messages a person can act on (layer: CLI): a
 * trap's reason and its wasm backtrace, without the host's JavaScript frames.
 */

/** The wasm frames of a trap's stack (`at name (wasm://wasm/...:wasm-function[N]:0x...)`). */
export function wasmBacktrace(error: Error): string[] {
  const lines = (error.stack ?? '').split('\n').slice(1).map((l) => l.trim());
  return lines
    .filter((l) => l.includes('wasm://') || l.includes('wasm-function'))
    .map((l, i) => `  ${i}: ${l.replace(/^at /, '')}`);
}

export function describeTrap(error: Error): string {
  const frames = wasmBacktrace(error);
  const lines = [`Error: the guest trapped: ${error.message}`];
  if (frames.length > 0) lines.push('wasm backtrace:', ...frames);
  return lines.join('\n');
}
