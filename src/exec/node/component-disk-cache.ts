/**
 * Transpiled components kept on disk (layer: execution, Node), so that
 * `kiln run comp.wasm` transpiles a component once, not at every run: one
 * directory per component under
 * `$KILN_CACHE_DIR` (default `${XDG_CACHE_HOME:-~/.cache}/kiln-wasm`)
 * `/components/<transpiler version>+glue<revision>/<sha256>/` (the
 * revision of Kiln's rewrites of the glue, exec/component/glue-rewrites.ts),
 * holding the glue, the core modules and a manifest. Written to a temporary directory and renamed
 * into place, so a reader never sees half an entry; an entry that cannot
 * be read is transpiled again.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { GLUE_REVISION } from '../component/glue-rewrites.js';
import { TRANSPILER_PACKAGE, type TranspileCache, type TranspiledComponent } from '../component/transpile.js';

/** Core module names as the transpiler writes them (never a path). */
const CORE_NAME = /^[\w.-]+\.wasm$/;

interface Manifest {
  cores: string[];
  imports: string[];
  exports: string[];
}

/** The installed transpiler's version ('unknown' when it cannot be read: entries then share one folder). */
function transpilerVersion(): string {
  try {
    const entry = createRequire(import.meta.url).resolve(TRANSPILER_PACKAGE);
    for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === TRANSPILER_PACKAGE && typeof pkg.version === 'string') return pkg.version;
      } catch { /* no package.json here: look further up */ }
    }
  } catch { /* not installed: transpiling will say so */ }
  return 'unknown';
}

/** The cache root: $KILN_CACHE_DIR, else ${XDG_CACHE_HOME:-~/.cache}/kiln-wasm. */
export function kilnCacheDir(): string {
  return process.env['KILN_CACHE_DIR'] || join(process.env['XDG_CACHE_HOME'] || join(os.homedir(), '.cache'), 'kiln-wasm');
}

/** A TranspileCache in `root` (default: the components folder of the Kiln cache). */
export function componentDiskCache(root = join(kilnCacheDir(), 'components', `${transpilerVersion()}+glue${GLUE_REVISION}`)): TranspileCache {
  return {
    get(key: string): TranspiledComponent | undefined {
      const dir = join(root, key);
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
        if (!manifest.cores.every((name) => CORE_NAME.test(name))) return undefined;
        const cores = new Map(manifest.cores.map((name) => [name, new Uint8Array(readFileSync(join(dir, name)))]));
        return { key, ...(key.endsWith('-jspi') ? { suspending: true } : {}), glue: readFileSync(join(dir, 'glue.js'), 'utf8'), cores, imports: manifest.imports, exports: manifest.exports };
      } catch {
        return undefined;
      }
    },
    set(component: TranspiledComponent): void {
      if (![...component.cores.keys()].every((name) => CORE_NAME.test(name))) return;
      const tmp = join(root, `.tmp-${process.pid}-${component.key}`);
      try {
        mkdirSync(tmp, { recursive: true });
        writeFileSync(join(tmp, 'glue.js'), component.glue);
        for (const [name, bytes] of component.cores) writeFileSync(join(tmp, name), bytes);
        const manifest: Manifest = { cores: [...component.cores.keys()], imports: [...component.imports], exports: [...component.exports] };
        writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest));
        renameSync(tmp, join(root, component.key));
      } catch {
        // A cache that cannot be written (read-only home, a racing writer) only costs the next run a transpile.
        rmSync(tmp, { recursive: true, force: true });
      }
    },
  };
}
