/**
 * Reading the files the `kiln` commands are given (layer: front doors /
 * CLI). A missing or unreadable file is a usage error (status 2), as is a
 * module without the WebAssembly header, and a component where only a core
 * module will do (a waPC guest). `kiln run` also takes WebAssembly text
 * (wat.ts) and components.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { watToBinary } from './wat.js';
import { isComponent } from '../exec/component/component-binary.js';

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

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

function hasMagic(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && MAGIC.every((b, i) => bytes[i] === b);
}

/** Refuses a component with a message that says what it is (V8 would say only "expected version 01 00 00 00"). */
function refuseComponent(file: string, bytes: Uint8Array): void {
  if (isComponent(bytes)) {
    throw new UsageError(`cannot load ${file}: this is a component (WASI preview 2); a waPC guest is a core WebAssembly module`);
  }
}

/** The bytes of a module file, checked for the `\0asm` header. */
export function readModuleFile(file: string): Uint8Array<ArrayBuffer> {
  const bytes = readInputFile(file, 'a WebAssembly module');
  if (bytes.byteLength < 8 || !hasMagic(bytes)) {
    throw new UsageError(`${file} is not a WebAssembly module (no \\0asm header)`);
  }
  refuseComponent(file, bytes);
  return bytes;
}

/**
 * Whether a file without the binary header is meant as WebAssembly text:
 * its name says so, or it is UTF-8 whose first token (after blanks and
 * comments) opens an S-expression.
 */
function looksLikeText(file: string, bytes: Uint8Array): boolean {
  if (/\.wat$|\.wast$/i.test(file)) return true;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, 4096));
  } catch {
    return false;
  }
  const start = text.replace(/^(?:\s+|;;[^\n]*(?:\n|$)|\(;[\s\S]*?;\))*/, '');
  return start.startsWith('(');
}

/**
 * The binary of the module `kiln run` was given: a binary module as is, or
 * WebAssembly text compiled to a binary (as wasmtime runs `.wat` files).
 */
export async function readRunModule(file: string): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = readInputFile(file, 'a WebAssembly module');
  if (hasMagic(bytes)) {
    if (bytes.byteLength < 8) throw new UsageError(`${file} is not a WebAssembly module (it ends inside the header)`);
    return bytes;
  }
  if (!looksLikeText(file, bytes)) {
    throw new UsageError(`${file} is not a WebAssembly module (no \\0asm header) nor WebAssembly text`);
  }
  return watToBinary(file, bytes);
}
