#!/usr/bin/env node
// `asc` for the AssemblyScript waPC guests: runs the repository's
// AssemblyScript compiler (node_modules/assemblyscript, resolved from the
// repository root) with the given command line, unchanged, except that it
// patches two source files of @wapc/as-msgpack 0.1.15 in memory as they are
// read. That library was written for AssemblyScript 0.21 and no longer
// compiles with 0.28:
//   assembly/writer.ts   the `Writer` interface declares generic methods
//                        (writeArray<T>, writeNullableArray<T>, writeMap<K,V>,
//                        writeNullableMap<K,V>): AS241 "An interface or
//                        abstract method cannot have type parameters". They
//                        are dropped from the interface (Encoder and Sizer
//                        still have them as ordinary methods).
//   assembly/decoder.ts  `switch (prefix)` / `switch (leadByte)` on a u8 with
//                        `case Format.X` (i32 enum members): AS200 "Conversion
//                        from type 'i32' to 'u8' requires an explicit cast".
//                        The switch value is widened: `switch (<i32>prefix)`.
// Nothing else is touched (every other file, and these for any other
// package, is read as is). A patch that no longer applies is an error, so a
// new library version cannot be compiled half-patched by accident.
// Usage (as scripts/build-programs.mjs does): node asc.mjs <asc arguments>
import fs from 'node:fs/promises';
import path from 'node:path';

// This file lives in the repository, so the import resolves to the
// repository's node_modules/assemblyscript.
let asc;
try {
  ({ default: asc } = await import('assemblyscript/asc'));
} catch (err) {
  process.stderr.write(`asc.mjs: cannot load the AssemblyScript compiler (assemblyscript/asc): ${err.message}\nRun npm ci.\n`);
  process.exit(1);
}

/** Path suffix (under node_modules/) -> patch(text): the patched text, or null when the patch does not apply. */
const PATCHES = {
  '@wapc/as-msgpack/assembly/writer.ts': (text) => {
    const generic = /^[ \t]*writeNullable(?:Array|Map)<[^>]*>\([\s\S]*?\): void;\n|^[ \t]*write(?:Array|Map)<[^>]*>\([\s\S]*?\): void;\n/gm;
    const matches = text.match(generic);
    return matches && matches.length === 4 ? text.replace(generic, '') : null;
  },
  '@wapc/as-msgpack/assembly/decoder.ts': (text) => {
    const sw = /switch \((prefix|leadByte)\)/g;
    const matches = text.match(sw);
    return matches && matches.length >= 1 ? text.replace(sw, 'switch (<i32>$1)') : null;
  },
};

async function readFile(filename, baseDir) {
  const file = path.resolve(baseDir, filename);
  let text;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return null;
  }
  const normalized = file.split(path.sep).join('/');
  for (const [suffix, patch] of Object.entries(PATCHES)) {
    if (!normalized.endsWith(`/node_modules/${suffix}`)) continue;
    const patched = patch(text);
    if (patched === null) throw new Error(`asc.mjs: the compatibility patch for ${suffix} no longer applies (library changed?)`);
    return patched;
  }
  return text;
}

const { error } = await asc.main(process.argv.slice(2), {
  readFile,
  stdout: process.stdout,
  stderr: process.stderr,
});
// asc has already reported the failure (as "FAILURE ...").
if (error) process.exitCode = 1;
