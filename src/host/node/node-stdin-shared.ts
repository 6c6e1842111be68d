/**
 * The shared memory between a NodeStdin (the guest's side, node-stdin.ts)
 * and its reader thread (node-stdin-worker.ts) (layer: host, Node).
 *
 * One SharedArrayBuffer: eight Int32 control cells, then the ring's bytes.
 * The reader is the ring's only producer, the guest's thread its only
 * consumer (SharedRing). The reader marks end of input or a failure in
 * STATE only after every byte before it is in the ring, so a consumer that
 * reads STATE first and then finds the ring empty has seen everything.
 */
import { SharedRing } from '../net/ring-buffer.js';

export const enum StdinCell {
  /** SharedRing's counters. */
  READ = 0,
  WRITE = 1,
  /** An InputState. */
  STATE = 2,
  /** The errno when STATE is FAILED. */
  ERRNO = 3,
  /** Bumped by the consumer after it made room while the reader waits for some. */
  DOORBELL = 4,
  /** 1 while the reader is paused because the ring is full. */
  WAITING_ROOM = 5,
  /** Bumped by the reader after every change (besides the process's signal). */
  CHANGED = 6,
  /** Which reader may write: a reader whose number is not this one stops. */
  OWNER = 7,
}

export const enum InputState { OPEN = 0, END = 1, FAILED = 2 }

const CELLS = 8;
const DATA_OFFSET = CELLS * 4;

/** Default ring size: a pipe's worth. */
export const STDIN_RING_CAPACITY = 64 * 1024;

/** A readiness cell the reader bumps (a ReadinessSignal's counter). */
export interface SignalCell {
  buffer: SharedArrayBuffer;
  /** Int32 index of the counter in `buffer`. */
  index: number;
}

export interface StdinWorkerData {
  /** The host descriptor to read. */
  fd: number;
  buffer: SharedArrayBuffer;
  /** This reader's number (see StdinCell.OWNER). */
  owner: number;
  signal: SignalCell | undefined;
}

/** Messages to the reader: a new process signal to bump. */
export type StdinWorkerMessage = { type: 'signal'; signal: SignalCell };

export function createStdinBuffer(capacity = STDIN_RING_CAPACITY): SharedArrayBuffer {
  return new SharedArrayBuffer(DATA_OFFSET + capacity);
}

export function viewStdinBuffer(buffer: SharedArrayBuffer): { cells: Int32Array; ring: SharedRing } {
  const cells = new Int32Array(buffer, 0, CELLS);
  const ring = new SharedRing(cells, StdinCell.READ, StdinCell.WRITE, new Uint8Array(buffer, DATA_OFFSET));
  return { cells, ring };
}

/** Bumps a counter cell and wakes whoever sleeps on it. */
export function bump(cells: Int32Array, index: number): void {
  Atomics.add(cells, index, 1);
  Atomics.notify(cells, index);
}
