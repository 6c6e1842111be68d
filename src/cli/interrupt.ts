/**
 * Serving until interrupted (layer: front doors / CLI): what `kiln serve`
 * and `kiln demo` do once their server listens.
 */
import type { Server } from 'node:http';

/** Resolves once SIGINT or SIGTERM came and `server` has closed (its open connections cut). */
export function closeOnInterrupt(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => { server.close(() => resolve()); server.closeAllConnections(); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
