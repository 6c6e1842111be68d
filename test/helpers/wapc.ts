/** Helpers shared by the waPC tests: UTF-8 payloads, guest modules, waiting. */
import { readFileSync } from 'node:fs';
import { programPath } from './programs.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

export const bytes = (s: string): Uint8Array => enc.encode(s);
export const text = (b: Uint8Array): string => dec.decode(b);
/** The bytes of build/programs/<name>.wasm. */
export const guest = (name: string): Uint8Array => readFileSync(programPath(name));
export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
