/**
 * A minimal WebAssembly module encoder for tests: just enough of the binary
 * format to build a module that exports a linear memory (and nothing else),
 * so a test needs no external tool (wat2wasm) to get a guest memory that a
 * WASI object can bind to.
 */

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

const MAGIC_AND_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const SECTION_MEMORY = 5;
const SECTION_EXPORT = 7;
const EXTERN_MEMORY = 0x02;

export interface MemoryModuleOptions {
  /** Initial size in 64 KiB pages (default 1). */
  pages?: number;
  /** Maximum size in pages (default: no maximum). */
  maxPages?: number;
  /** Export name of the memory (default "memory"). */
  exportName?: string;
}

/** `(module (memory (export "memory") pages maxPages?))` as bytes. */
export function memoryModuleBytes(options: MemoryModuleOptions = {}): Uint8Array<ArrayBuffer> {
  const pages = options.pages ?? 1;
  const limits = options.maxPages === undefined
    ? [0x00, ...uleb(pages)]
    : [0x01, ...uleb(pages), ...uleb(options.maxPages)];
  const memorySection = section(SECTION_MEMORY, [...uleb(1), ...limits]);
  const exportSection = section(SECTION_EXPORT, [
    ...uleb(1), ...name(options.exportName ?? 'memory'), EXTERN_MEMORY, ...uleb(0),
  ]);
  return new Uint8Array([...MAGIC_AND_VERSION, ...memorySection, ...exportSection]);
}

/** Compiles and instantiates a memory-only module (it has no imports). */
export function instantiateMemoryModule(options: MemoryModuleOptions = {}): WebAssembly.Instance {
  const module = new WebAssembly.Module(memoryModuleBytes(options));
  return new WebAssembly.Instance(module, {});
}
