/**
 * What crosses between an OpfsFileSystem and its worker (layer: host,
 * browser): one request per filesystem operation, one reply each. Paths
 * are arrays of single names under the filesystem's root directory.
 */

/** Attributes the worker reads for a node. */
export interface OpfsStat {
  kind: 'file' | 'directory';
  /** Bytes (0 for a directory). */
  size: number;
  /** Last modification, in ms since the epoch (a directory's: when the worker last changed it, or first saw it). */
  mtimeMs: number;
  /** A serial number, stable for the node while the worker runs (moved with it by a rename). */
  ino: number;
}

export interface OpfsOpen { create: boolean; exclusive: boolean; truncate: boolean }

export type OpfsRequest =
  | { op: 'lookup'; path: string[] }
  | { op: 'list'; path: string[] }
  | { op: 'stat'; path: string[] }
  | { op: 'mkdir'; path: string[] }
  | { op: 'remove'; path: string[]; directory: boolean }
  | { op: 'rename'; from: string[]; to: string[] }
  | { op: 'open'; path: string[]; options: OpfsOpen }
  | { op: 'read'; fd: number; length: number; position: number }
  | { op: 'write'; fd: number; data: Uint8Array; position: number }
  | { op: 'append'; fd: number; data: Uint8Array }
  | { op: 'fstat'; fd: number }
  | { op: 'truncate'; fd: number; size: number }
  | { op: 'flush'; fd: number }
  | { op: 'close'; fd: number };

export type OpfsCall = OpfsRequest & { id: number };

export type OpfsReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

/** The worker's first message once it has its root directory (or could not get it). */
export type OpfsReady = { ready: true } | { ready: false; error: string };
