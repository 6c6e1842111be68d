#!/usr/bin/env node
// Builds the guest test programs under test/programs/{c,rust,wat} into
// build/programs/<name>.wasm with Debian's toolchains, skipping any whose
// source and command are unchanged (hashes in build/programs/.hashes.json).
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'test/programs');
const out = join(root, 'build/programs');
const hashFile = join(out, '.hashes.json');

const TOOLS = {
  c: { bin: '/usr/bin/clang-19', args: (i, o) => ['--target=wasm32-wasi', '--sysroot=/usr', '-O2', '-Wall', i, '-o', o] },
  rust: { bin: '/usr/bin/rustc', args: (i, o) => ['--target', 'wasm32-wasi', '-O', i, '-o', o] },
  wat: { bin: '/usr/bin/wat2wasm', args: (i, o) => ['--enable-threads', i, '-o', o] },
};
const EXT = { c: '.c', rust: '.rs', wat: '.wat' };

mkdirSync(out, { recursive: true });
const hashes = existsSync(hashFile) ? JSON.parse(readFileSync(hashFile, 'utf8')) : {};
const jobs = [];
for (const [lang, ext] of Object.entries(EXT)) {
  const dir = join(src, lang);
  if (!existsSync(dir)) continue;
  const shared = readdirSync(dir).filter((f) => f.endsWith('.h')).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
  for (const file of readdirSync(dir).filter((f) => f.endsWith(ext)).sort()) {
    const input = join(dir, file);
    const output = join(out, `${basename(file, ext)}.wasm`);
    const tool = TOOLS[lang];
    const args = tool.args(input, output);
    const hash = createHash('sha256').update(readFileSync(input)).update(shared).update(tool.bin + args.join(' ')).digest('hex');
    if (hashes[output] === hash && existsSync(output)) continue;
    jobs.push({ lang, tool, args, output, hash, file });
  }
}

const missing = [...new Set(jobs.map((j) => j.tool.bin))].filter((b) => !existsSync(b));
if (missing.length > 0) {
  console.error(`build-programs: missing ${missing.join(', ')}; install the Debian packages: ` +
    'clang-19 lld-19 libclang-rt-19-dev-wasm32 wasi-libc wabt rustc libstd-rust-dev-wasm32');
  process.exit(1);
}

let failed = 0;
const queue = [...jobs];
async function worker() {
  for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
    try {
      await run(job.tool.bin, job.args, { cwd: out });
      hashes[job.output] = job.hash;
    } catch (e) {
      failed++;
      console.error(`build-programs: ${job.file} failed:\n${e.stderr || e.message}`);
    }
  }
}
await Promise.all([worker(), worker()]);
writeFileSync(hashFile, JSON.stringify(hashes, null, 1));
if (jobs.length > 0) console.log(`build-programs: built ${jobs.length - failed} of ${jobs.length} (others cached)`);
process.exit(failed > 0 ? 1 : 0);
