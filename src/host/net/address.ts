/**
 * Listen addresses (layer: host, platform-neutral): `HOST:PORT` or
 * `[IPv6]:PORT`, as wasmtime's `--tcplisten` takes them. Port 0 asks the
 * system for a free port.
 */
export interface ListenAddress {
  /** A host name or IP address (IPv6 without brackets). */
  host: string;
  /** The port; 0 asks the system for a free one. */
  port: number;
}

/** Parses `HOST:PORT` / `[v6]:PORT`; undefined if malformed. */
export function parseListenAddress(text: string): ListenAddress | undefined {
  let host: string;
  let port: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return undefined;
    host = text.slice(1, close);
    port = text.slice(close + 2);
    if (!host.includes(':')) return undefined;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon <= 0) return undefined;
    host = text.slice(0, colon);
    port = text.slice(colon + 1);
    if (host.includes(':')) return undefined; // a bare IPv6 address needs brackets
  }
  if (host === '' || !/^[0-9]{1,5}$/.test(port)) return undefined;
  const n = Number(port);
  if (n > 65535) return undefined;
  return { host, port: n };
}

/** `HOST:PORT`, with brackets around an IPv6 host. */
export function formatListenAddress(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
