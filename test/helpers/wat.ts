/** WebAssembly text for tests, compiled with the npm `wabt` package Kiln itself uses for `.wat` input. */
import wabt from 'wabt';

/** The binary of `source` (threads and the other features Kiln supports enabled). */
export async function watBytes(source: string): Promise<Uint8Array<ArrayBuffer>> {
  const parsed = (await wabt()).parseWat('test.wat', source, { threads: true, bulk_memory: true });
  try {
    return parsed.toBinary({}).buffer as Uint8Array<ArrayBuffer>;
  } finally {
    parsed.destroy();
  }
}

/** `source` compiled. */
export async function watModule(source: string): Promise<WebAssembly.Module> {
  return new WebAssembly.Module(await watBytes(source));
}

/** `bytes` as a WAT data string ("\\68\\69"). */
export function watData(bytes: Uint8Array): string {
  return [...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}
