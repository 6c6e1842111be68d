/** Where the guest test programs are: build/programs/<name>.wasm. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Directory the build script writes modules to. */
export const programsDir = path.join(repoRoot, 'build', 'programs');

/**
 * Absolute path of build/programs/<name>.wasm. Throws a clear error when the
 * module is missing (the test command runs `node scripts/build-programs.mjs`
 * first; run it by hand when running a test file directly).
 */
export function programPath(name: string): string {
  const file = path.join(programsDir, `${name}.wasm`);
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist: run \`node scripts/build-programs.mjs\` first`);
  }
  return file;
}
