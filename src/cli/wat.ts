/**
 * WebAssembly text for `kiln run` (layer: CLI): `kiln run prog.wat` works
 * as `wasmtime run prog.wat` does. The text is compiled with the `wabt`
 * package, which is loaded only when a text file is given (it is large,
 * and binary modules, the common case, do not need it). A text that does
 * not parse or validate is a usage error carrying wabt's message, which
 * names the file, line and column.
 */
import { UsageError } from './errors.js';

/**
 * The proposals the JavaScript engine Kiln runs on (Node 20's V8) compiles:
 * text using them must parse, as it would for wasmtime. (Proposals V8 does
 * not have, such as extended constant expressions, stay off, so wabt
 * reports them at their line instead of V8 at a byte offset.)
 */
const FEATURES = {
  mutable_globals: true,
  sat_float_to_int: true,
  sign_extension: true,
  multi_value: true,
  bulk_memory: true,
  reference_types: true,
  simd: true,
  threads: true,
  tail_call: true,
  exceptions: true,
};

/** The binary of the WebAssembly text `source` (the contents of `file`). */
export async function watToBinary(file: string, source: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const { default: loadWabt } = await import('wabt');
  const wabt = await loadWabt();
  let module: ReturnType<typeof wabt.parseWat> | undefined;
  try {
    // As a string: wabt reads a Uint8Array one byte too far (an "unexpected char" past the end).
    module = wabt.parseWat(file, new TextDecoder().decode(source), FEATURES);
    module.resolveNames();
    // validate() checks against the features it is given (wabt's typings leave the parameter out).
    (module.validate as (features?: typeof FEATURES) => void)(FEATURES);
    // Names from the text ($f) go into the name section, so a trap's backtrace shows them.
    const { buffer } = module.toBinary({ write_debug_names: true });
    return new Uint8Array(buffer);
  } catch (e) {
    // wabt: "parseWat failed:\nFILE:LINE:COL: error: ...\n  source line\n  ^^^\n"
    const detail = (e as Error).message.replace(/^(?:parseWat|validate) failed:\n/, '').trimEnd();
    throw new UsageError(`${file} is not valid WebAssembly text:\n${detail}`);
  } finally {
    module?.destroy();
  }
}
