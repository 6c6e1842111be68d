#!/usr/bin/env node
/**
 * node scripts/drop-export.mjs MODULE NAME [-- COMMAND...]
 *
 * Runs COMMAND, if given (it may rewrite MODULE: wasm-opt --asyncify), then
 * removes the export NAME from the WebAssembly module MODULE, in place. The
 * test programs use it to build a module as older toolchains made them
 * (binaryen before version 110 did not export `asyncify_get_state`).
 * Exits non-zero when COMMAND fails or MODULE has no export NAME.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const [file, name, separator, ...command] = process.argv.slice(2);
if (file === undefined || name === undefined || (separator !== undefined && separator !== '--')) {
  console.error('usage: node scripts/drop-export.mjs MODULE NAME [-- COMMAND...]');
  process.exit(2);
}
if (command.length > 0) {
  const r = spawnSync(command[0], command.slice(1), { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const bytes = fs.readFileSync(file);

/** Reads an unsigned LEB128 at `at`: [value, next offset]. */
function leb(at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, at];
  }
}

function encodeLeb(value) {
  const out = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}

const EXPORT_SECTION = 7;
const parts = [bytes.subarray(0, 8)];
let dropped = false;
let at = 8;
while (at < bytes.length) {
  const id = bytes[at];
  const [size, body] = leb(at + 1);
  const end = body + size;
  if (id !== EXPORT_SECTION) {
    parts.push(bytes.subarray(at, end));
  } else {
    let [count, p] = leb(body);
    const kept = [];
    let keptCount = 0;
    for (let i = 0; i < count; i++) {
      const start = p;
      const [length, nameAt] = leb(p);
      const exportName = bytes.subarray(nameAt, nameAt + length).toString('utf8');
      const [, next] = leb(nameAt + length + 1); // kind byte, then the index
      p = next;
      if (exportName === name) dropped = true;
      else {
        kept.push(bytes.subarray(start, next));
        keptCount++;
      }
    }
    const content = Buffer.concat([Buffer.from(encodeLeb(keptCount)), ...kept]);
    parts.push(Buffer.from([EXPORT_SECTION, ...encodeLeb(content.length)]), content);
  }
  at = end;
}
if (!dropped) {
  console.error(`drop-export: ${file} has no export "${name}"`);
  process.exit(1);
}
fs.writeFileSync(file, Buffer.concat(parts));
