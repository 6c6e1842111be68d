// The WASIX toolchain of Kiln's test and bench programs: where the
// wasix-libc sysroot is, and the one compile command every WASIX C program
// is built with (scripts/build-programs.mjs explains each flag). Shared by
// scripts/build-programs.mjs and bench/wasix.mjs, so both build alike.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Where the wasix-libc sysroot may be, in this order; the first directory
 * that holds lib/wasm32-wasi/libc.a is used. Built as described in its
 * README.md (shared/toolchains/wasix-sysroot/README.md): no Debian package
 * has it.
 */
export const WASIX_SYSROOT_CANDIDATES = [
  ...(process.env.KILN_WASIX_SYSROOT ? [path.resolve(process.env.KILN_WASIX_SYSROOT)] : []),
  path.resolve(root, '..', 'shared', 'toolchains', 'wasix-sysroot'),
  '/work/shared/toolchains/wasix-sysroot',
];

/** The first of WASIX_SYSROOT_CANDIDATES that holds a sysroot, or undefined. */
export function findWasixSysroot() {
  return WASIX_SYSROOT_CANDIDATES.find((dir) => fs.existsSync(path.join(dir, 'lib', 'wasm32-wasi', 'libc.a')));
}

/** The compile command ([compiler, ...args], `{src}` and `{out}` to fill in) for a WASIX C program. */
export function wasixCompileCommand(sysroot) {
  return [
    process.env.KILN_CLANG || 'clang-19',
    '--target=wasm32-wasmer-wasi', '-O2', `--sysroot=${sysroot ?? WASIX_SYSROOT_CANDIDATES[0]}`,
    '-matomics', '-mbulk-memory', '-mmutable-globals', '-pthread', '-mthread-model', 'posix',
    '-ftls-model=local-exec', '-fno-trapping-math',
    '-D_WASI_EMULATED_MMAN', '-D_WASI_EMULATED_SIGNAL', '-D_WASI_EMULATED_PROCESS_CLOCKS',
    '-Wall', '-Wextra', '-Werror',
    '{src}', '-o', '{out}',
    '-Wl,--shared-memory', '-Wl,--max-memory=268435456', '-Wl,--import-memory', '-Wl,--export-dynamic',
    '-Wl,--export=__heap_base', '-Wl,--export=__stack_pointer', '-Wl,--export=__data_end',
    '-Wl,--export=__wasm_init_tls', '-Wl,--export=__wasm_signal', '-Wl,--export=__tls_size',
    '-Wl,--export=__tls_align', '-Wl,--export=__tls_base', '-Wl,--export-table',
    '-lwasi-emulated-mman', '-lwasi-emulated-process-clocks',
  ];
}
