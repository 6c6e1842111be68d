/**
 * Pending (layer: host): what an adapter over an asynchronous backend
 * throws when a backend call answered with a Promise that has not settled
 * (host/async-backend.ts). Whoever runs the system call (the suspending
 * port, the channel server) waits for `promise` and runs the whole call
 * again; the adapter then answers the replayed backend calls from what
 * settled. It is control flow, never an errno.
 */
export class Pending {
  /** A backend call in flight: run the system call again once `promise` settles. */
  constructor(
    /** Settles when the backend call does. */
    readonly promise: Promise<unknown>,
  ) {}
}
