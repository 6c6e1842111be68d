/**
 * Reading the files the `kiln` commands are given (layer: front doors /
 * CLI). A missing or unreadable file is a usage error (status 2), as is a
 * module without the WebAssembly header.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './run-args.js';

/** The bytes of `file`; `what` names what it should have been ("a payload file"). */
export function readInputFile(file: string, what: string): Uint8Array<ArrayBuffer> {
  try {
    return readFileSync(file) as Uint8Array<ArrayBuffer>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new UsageError(`no such file: ${file}`);
    if (code === 'EISDIR') throw new UsageError(`${file} is a directory, not ${what}`);
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

/** The bytes of a module file, checked for the `\0asm` header. */
export function readModuleFile(file: string): Uint8Array<ArrayBuffer> {
  const bytes = readInputFile(file, 'a WebAssembly module');
  const magic = [0x00, 0x61, 0x73, 0x6d];
  if (bytes.byteLength < 8 || magic.some((b, i) => bytes[i] !== b)) {
    throw new UsageError(`${file} is not a WebAssembly module (no \\0asm header)`);
  }
  return bytes;
}
