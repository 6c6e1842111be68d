/**
 * `wasi:filesystem` (layer: syscalls): `types` and `preopens` for the
 * component host, over the kernel's filesystem layer (descriptors in
 * filesystem-descriptor.ts, error codes in filesystem-errors.ts).
 *
 * The preopens are the process's own: the preopened directories of its
 * descriptor table, under the names preview 1's `fd_prestat_dir_name`
 * gives, each with what its rights allow (reading; mutating). The table
 * keeps them open: a descriptor for one may be dropped without closing it.
 */
import { Rights } from '../../abi/constants.js';
import { DirectoryResource } from '../../kernel/directory-resource.js';
import { Descriptor, DirectoryEntryStream, type DirectoryCapabilities, type FilesystemHost } from './filesystem-descriptor.js';
import { errorCodeOf, type ErrorCode } from './filesystem-errors.js';
import { MetadataHasher } from './filesystem-values.js';
import type { HostContext } from './host-context.js';
import { IoError } from './io.js';

export { Descriptor, DirectoryEntryStream } from './filesystem-descriptor.js';

/** Rights a directory needs for its descriptor to read it (list it, open and look up paths in it). */
const READ_RIGHTS = Rights.PATH_OPEN | Rights.FD_READDIR;
/** Rights a directory needs for its descriptor to change it. */
const MUTATE_RIGHTS = Rights.PATH_CREATE_DIRECTORY | Rights.PATH_CREATE_FILE | Rights.PATH_UNLINK_FILE
  | Rights.PATH_REMOVE_DIRECTORY | Rights.PATH_RENAME_SOURCE | Rights.PATH_RENAME_TARGET;

/** What a preopen's descriptor may do, from its rights in the table. */
function capabilitiesOf(rights: number): DirectoryCapabilities {
  return { read: (rights & READ_RIGHTS) === READ_RIGHTS, mutate: (rights & MUTATE_RIGHTS) === MUTATE_RIGHTS };
}

/** `wasi:filesystem/preopens.get-directories`: the process's preopened directories, in descriptor order. */
function preopenedDirectories(host: FilesystemHost): [Descriptor, string][] {
  const fds = host.ctx.process.fds;
  const out: [Descriptor, string][] = [];
  for (const fd of fds.numbers()) {
    const d = fds.get(fd);
    const r = d.resource;
    if (!(r instanceof DirectoryResource) || r.preopenPath === undefined) continue;
    out.push([Descriptor.preopen(host, r, capabilitiesOf(d.rightsBase)), r.preopenPath]);
  }
  return out;
}

/** The `wasi:filesystem/*` interfaces. */
export function filesystemInterfaces(ctx: HostContext) {
  const host: FilesystemHost = { ctx, hasher: new MetadataHasher((key) => ctx.process.random(key)) };
  return {
    'wasi:filesystem/types': {
      Descriptor,
      DirectoryEntryStream,
      filesystemErrorCode: (err: IoError): ErrorCode | undefined => (err instanceof IoError ? errorCodeOf(err.errno) : undefined),
    },
    'wasi:filesystem/preopens': {
      getDirectories: (): [Descriptor, string][] => preopenedDirectories(host),
    },
  };
}
