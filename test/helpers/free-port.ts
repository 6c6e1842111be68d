/**
 * A TCP port for a test to hand to something that will listen on it, or
 * connect to it and be refused. It lies below the system's ephemeral
 * range, so no listener bound to port 0 and no client socket, of this
 * test or of another test file running beside it, is given it between
 * the pick and its use (a port picked by binding port 0 was, now and then,
 * another file's listener by the time the test used it). Checked free by
 * listening on it for a moment.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** The first port of the system's ephemeral range (Linux's default when it cannot be read). */
function ephemeralStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 2048) return low;
  } catch { /* not Linux */ }
  return 32768;
}

const HIGHEST = ephemeralStart() - 1;
const LOWEST = Math.max(1024, HIGHEST - 12_000);

/** A free port on `host` outside the ephemeral range; rejects when `host` cannot be listened on (no IPv6). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    const server = net.createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, resolve);
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 100) continue;
      throw e;
    }
    await new Promise((resolve) => server.close(resolve));
    return port;
  }
}
