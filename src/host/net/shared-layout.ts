/**
 * Sizes of the shared memory behind listening sockets opened before a
 * guest runs (layer: host, platform-neutral): the options of `listenTcp`
 * (VirtualNetworking.listenTcp, the `listenTcp` embedding API). The memory
 * itself is that of any socket (socket-layout.ts).
 */

/** Sizes of the shared memory behind a listening socket and its connections. */
export interface SharedListenerOptions {
  /**
   * Connections that can wait for `accept` in shared memory at once
   * (default 16); more wait, paused, in the I/O thread. Accepted
   * connections do not count.
   */
  maxConnections?: number;
  /** Bytes buffered per connection and direction, rounded up to a power of two (default 64 KiB). */
  bufferSize?: number;
}
