// Loading the Kiln build a benchmark measures: dist/node.js, or the module
// given with --kiln-module (or $KILN_MODULE), checked for the exports the
// benchmark uses. Shared by the benchmark scripts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The module benchmarks load when no --kiln-module is given. */
export const DEFAULT_KILN_MODULE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'node.js');

/**
 * Imports the Kiln module `spec` (default: dist/node.js) and returns
 * `{ file, exports }`: `exports` holds each of `names`, from the module or
 * its default export. Throws, saying what is wrong, when the file is
 * missing (`notFoundHint` says what to do; by default, to build) or an
 * export is (`missingHint` follows the message).
 */
export async function importKiln(spec, names, { notFoundHint, missingHint = '' } = {}) {
  const file = path.resolve(spec ?? DEFAULT_KILN_MODULE);
  if (!fs.existsSync(file)) {
    const hint = notFoundHint ?? (spec ? '' : ' (build it first with `npm run build`)');
    throw new Error(`Kiln module not found: ${path.relative(process.cwd(), file) || file}${hint}`);
  }
  const mod = await import(pathToFileURL(file).href);
  const exports = {};
  for (const name of names) {
    exports[name] = mod[name] ?? mod.default?.[name];
    if (typeof exports[name] !== 'function') throw new Error(`${file} does not export ${name}${missingHint}`);
  }
  return { file, exports };
}
