/**
 * ListenError (layer: host, platform-neutral): a listen address that could
 * not be bound, as `listenTcp` reports it (`kiln run --listen` prints its
 * message).
 */

/** A listen address that could not be bound; `code` is the system's (e.g. EADDRINUSE). */
export class ListenError extends Error {
  /** The error for `address`, which failed with `code`. */
  constructor(
    /** The address as given. */
    readonly address: string,
    /** The system's error code (e.g. EADDRINUSE). */
    readonly code: string,
    detail: string,
  ) {
    super(`cannot listen on ${address}: ${describe(code, detail)}`);
    this.name = 'ListenError';
  }
}

function describe(code: string, detail: string): string {
  switch (code) {
    case 'EADDRINUSE': return 'address in use';
    case 'EADDRNOTAVAIL': return 'address not available';
    case 'EACCES': return 'permission denied';
    case 'ENOTFOUND': case 'EAI_AGAIN': case 'EAI_NONAME': return 'unknown host';
    default: return detail;
  }
}
