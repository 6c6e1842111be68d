/**
 * `--listen` sockets for `kiln run` (layer: CLI). Not yet implemented here:
 * the flag is parsed and refused with a clear message.
 */
import type { PreopenedResource } from '../kernel/process.js';
import { UsageError } from './run-args.js';

export interface ListenSockets {
  resources: PreopenedResource[];
  close(): void;
}

export async function listenSockets(addresses: readonly string[]): Promise<ListenSockets> {
  if (addresses.length > 0) throw new UsageError('--listen is not supported yet');
  return { resources: [], close: () => {} };
}
