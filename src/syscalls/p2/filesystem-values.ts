/**
 * The values of `wasi:filesystem/types` as jco's glue presents them
 * (layer: syscalls): flags as objects of booleans, enums as kebab-case
 * strings, `descriptor-stat` and `new-timestamp`, and their conversions
 * from and to the kernel's file types, stats and times. Also the
 * metadata hash: a keyed mix of a file's device and inode, stable for the
 * component's life, equal for two descriptors of one file, and not the
 * raw numbers (which the guest has no business learning).
 */
import { Advice as AdviceNumber, FdFlags, FileType } from '../../abi/constants.js';
import type { FileStat, TimeSpec } from '../../host/fs/types.js';
import { datetimeOf, fail, nsOf, type Datetime } from './values.js';

/** `descriptor-type`. */
export type DescriptorType =
  | 'unknown' | 'block-device' | 'character-device' | 'directory' | 'fifo' | 'symbolic-link' | 'regular-file' | 'socket';

/** `descriptor-flags`. */
export interface DescriptorFlags {
  read?: boolean;
  write?: boolean;
  fileIntegritySync?: boolean;
  dataIntegritySync?: boolean;
  requestedWriteSync?: boolean;
  mutateDirectory?: boolean;
}

/** `path-flags`. */
export interface PathFlags {
  symlinkFollow?: boolean;
}

/** `open-flags`. */
export interface OpenFlags {
  create?: boolean;
  directory?: boolean;
  exclusive?: boolean;
  truncate?: boolean;
}

/** `new-timestamp`. */
export type NewTimestamp = { tag: 'no-change' } | { tag: 'now' } | { tag: 'timestamp'; val: Datetime };

/** `descriptor-stat`. */
export interface DescriptorStat {
  type: DescriptorType;
  linkCount: bigint;
  size: bigint;
  dataAccessTimestamp: Datetime | undefined;
  dataModificationTimestamp: Datetime | undefined;
  statusChangeTimestamp: Datetime | undefined;
}

/** `directory-entry`. */
export interface DirectoryEntry {
  type: DescriptorType;
  name: string;
}

/** `metadata-hash-value`. */
export interface MetadataHashValue {
  lower: bigint;
  upper: bigint;
}

/** `advice`. */
export type Advice = 'normal' | 'sequential' | 'random' | 'will-need' | 'dont-need' | 'no-reuse';

const U64_MAX = (1n << 64n) - 1n;

/** The descriptor type of a kernel file type (preview 1 has no FIFO type: pipes are not in filesystems here). */
export function descriptorTypeOf(t: FileType): DescriptorType {
  switch (t) {
    case FileType.BLOCK_DEVICE: return 'block-device';
    case FileType.CHARACTER_DEVICE: return 'character-device';
    case FileType.DIRECTORY: return 'directory';
    case FileType.REGULAR_FILE: return 'regular-file';
    case FileType.SOCKET_DGRAM:
    case FileType.SOCKET_STREAM: return 'socket';
    case FileType.SYMBOLIC_LINK: return 'symbolic-link';
    default: return 'unknown';
  }
}

/** A stat time as an optional datetime: one before the epoch has no `datetime` (its seconds are unsigned). */
function timestampOf(ns: bigint): Datetime | undefined {
  return ns < 0n ? undefined : datetimeOf(ns);
}

export function descriptorStatOf(s: FileStat): DescriptorStat {
  return {
    type: descriptorTypeOf(s.filetype),
    linkCount: s.nlink,
    size: s.size,
    dataAccessTimestamp: timestampOf(s.atim),
    dataModificationTimestamp: timestampOf(s.mtim),
    statusChangeTimestamp: timestampOf(s.ctim),
  };
}

/** The kernel's time to set for a `new-timestamp`; one past 2^64 ns is `overflow` (as wasmtime). */
export function timeSpecOf(t: NewTimestamp): TimeSpec {
  switch (t.tag) {
    case 'no-change': return null;
    case 'now': return 'now';
    case 'timestamp': {
      const ns = nsOf(t.val);
      return ns > U64_MAX ? fail('overflow') : ns;
    }
    default: return fail('invalid');
  }
}

const ADVICE: Readonly<Record<Advice, AdviceNumber>> = {
  'normal': AdviceNumber.NORMAL,
  'sequential': AdviceNumber.SEQUENTIAL,
  'random': AdviceNumber.RANDOM,
  'will-need': AdviceNumber.WILLNEED,
  'dont-need': AdviceNumber.DONTNEED,
  'no-reuse': AdviceNumber.NOREUSE,
};

export function adviceOf(a: Advice): AdviceNumber {
  return ADVICE[a] ?? fail('invalid');
}

/** The fdflags for the sync modes asked for (kept by the file, as preview 1's `path_open` keeps them). */
export function syncFdflagsOf(f: DescriptorFlags): number {
  return (f.fileIntegritySync === true ? FdFlags.SYNC : 0)
    | (f.dataIntegritySync === true ? FdFlags.DSYNC : 0)
    | (f.requestedWriteSync === true ? FdFlags.RSYNC : 0);
}

/** A `descriptor-flags` with every member present. */
export function descriptorFlags(read: boolean, write: boolean, mutateDirectory: boolean, fdflags: number): Required<DescriptorFlags> {
  return {
    read,
    write,
    fileIntegritySync: (fdflags & FdFlags.SYNC) !== 0,
    dataIntegritySync: (fdflags & FdFlags.DSYNC) !== 0,
    requestedWriteSync: (fdflags & FdFlags.RSYNC) !== 0,
    mutateDirectory,
  };
}

/** splitmix64's finalizer: a bijection on 64-bit values that spreads every input bit. */
function mix64(v: bigint): bigint {
  let x = BigInt.asUintN(64, v);
  x = BigInt.asUintN(64, (x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n);
  x = BigInt.asUintN(64, (x ^ (x >> 27n)) * 0x94d049bb133111ebn);
  return x ^ (x >> 31n);
}

/** Metadata hashes keyed by a key `fillKey` writes (random per component instance), asked for at the first hash. */
export class MetadataHasher {
  #k0 = 0n;
  #k1 = 0n;
  #keyed = false;

  constructor(readonly fillKey: (key: Uint8Array) => void) {}

  #key(): void {
    const key = new Uint8Array(16);
    this.fillKey(key);
    const v = new DataView(key.buffer);
    this.#k0 = v.getBigUint64(0, true);
    this.#k1 = v.getBigUint64(8, true);
    this.#keyed = true;
  }

  /** The hash of the file `s` describes: its device and inode, nothing else. */
  hash(s: FileStat): MetadataHashValue {
    if (!this.#keyed) this.#key();
    return {
      lower: mix64(mix64(this.#k0 ^ s.dev) ^ s.ino),
      upper: mix64(mix64(this.#k1 ^ s.ino) ^ s.dev),
    };
  }
}
