/**
 * The syscall numbering (layer: abi): one number for every function Kiln
 * serves, across namespaces, derived from the signature tables
 * (signatures.ts). A guest thread that reaches its kernel through the
 * shared-memory channel sends this number and its arguments; the kernel
 * looks the function up by it. The numbers are positions in one list:
 * `wasi_snapshot_preview1` in declaration order, then `wasi_unstable`,
 * then `wasi` `thread-spawn`, then `wasix_32v1` (preview 1's names, then
 * WASIX's extensions), then `wasix_64v1` (the same, 64-bit), then the
 * first generation's forms of `wasix_32v1` names a later generation
 * redeclared (found with `firstGenerationEntry`, never by name).
 */
import { isI64Kind, PREVIEW1, THREADS, UNSTABLE, type Signature } from './signatures.js';
import { WASIX_32V1, WASIX_64V1, WASIX_FIRST_GENERATION_FORMS } from './wasix-signatures.js';

/** A namespace a guest imports system calls from. */
export type SyscallModule = 'wasi_snapshot_preview1' | 'wasi_unstable' | 'wasi' | 'wasix_32v1' | 'wasix_64v1';

/** One function of the numbering. */
export interface SyscallEntry {
  /** Its number: its position in `SYSCALLS`. */
  readonly number: number;
  /** The namespace it is imported from. */
  readonly module: SyscallModule;
  /** Its import name. */
  readonly name: string;
  readonly signature: Signature;
  /** For each parameter, true when it is a wasm i64. */
  readonly i64: readonly boolean[];
  /** True for a first-generation form of a `wasix_32v1` name (wasix-signatures.ts). */
  readonly firstGeneration: boolean;
}

const NAMESPACES: readonly (readonly [SyscallModule, Readonly<Record<string, Signature>>])[] = [
  ['wasi_snapshot_preview1', PREVIEW1],
  ['wasi_unstable', UNSTABLE],
  ['wasi', THREADS],
  ['wasix_32v1', WASIX_32V1],
  ['wasix_64v1', WASIX_64V1],
];

/** The signature table of a namespace. */
export function signaturesOf(module: SyscallModule): Readonly<Record<string, Signature>> {
  return NAMESPACES.find(([m]) => m === module)![1];
}

/** Every function Kiln serves, numbered. */
export const SYSCALLS: readonly SyscallEntry[] = [
  ...NAMESPACES.flatMap(([module, table]) => Object.entries(table).map(([name, signature]) => ({ module, name, signature, firstGeneration: false }))),
  ...Object.entries(WASIX_FIRST_GENERATION_FORMS).map(([name, signature]) => ({ module: 'wasix_32v1' as const, name, signature, firstGeneration: true })),
].map((entry, number) => Object.freeze({ number, ...entry, i64: entry.signature.map(([, kind]) => isI64Kind(kind)) }));

const BY_NAME = new Map(SYSCALLS.filter((e) => !e.firstGeneration).map((e) => [`${e.module}\0${e.name}`, e]));
const FIRST_GENERATION = new Map(SYSCALLS.filter((e) => e.firstGeneration).map((e) => [e.name, e]));

/** The entry of `module`.`name`, or undefined when Kiln does not serve it. */
export function syscallEntry(module: string, name: string): SyscallEntry | undefined {
  return BY_NAME.get(`${module}\0${name}`);
}

/** The entry of the first generation's form of `wasix_32v1`.`name`, if it has one. */
export function firstGenerationEntry(name: string): SyscallEntry | undefined {
  return FIRST_GENERATION.get(name);
}

/** True for a namespace of the numbering. */
export function isSyscallModule(module: string): module is SyscallModule {
  return NAMESPACES.some(([m]) => m === module);
}
