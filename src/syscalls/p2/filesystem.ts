/**
 * `wasi:filesystem` (layer: syscalls): `types` and `preopens` for the
 * component host, over the kernel's filesystem layer.
 */
import type { HostContext } from './host-context.js';
import type { IoError } from './io.js';

/** `wasi:filesystem/types.descriptor`. */
export class Descriptor {}

/** `wasi:filesystem/types.directory-entry-stream`. */
export class DirectoryEntryStream {}

/** The `wasi:filesystem/*` interfaces. */
export function filesystemInterfaces(_ctx: HostContext) {
  return {
    'wasi:filesystem/types': {
      Descriptor,
      DirectoryEntryStream,
      filesystemErrorCode: (_err: IoError): string | undefined => undefined,
    },
    'wasi:filesystem/preopens': {
      getDirectories: (): [Descriptor, string][] => [],
    },
  };
}
