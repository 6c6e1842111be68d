// WASI 0.2 sockets, called directly through the canonical ABI (the imports
// below, lowered by hand from wasi:sockets@0.2.12), in a component made of
// this module, its WIT world (p2_sockets.wit) and the preview 1 adapter for
// its stdio.
//
//   p2_sockets              TCP and UDP between sockets of this process, name
//                           lookups and the errors of the state machine
//                           (on the loopback network)
//   p2_sockets client PORT  connects to 127.0.0.1:PORT, sends a line, shuts
//                           down its sending side and prints what comes back
//   p2_sockets denied PORT  a connect to 127.0.0.1:PORT and a bind of
//                           127.0.0.1:0 under a policy that allows neither
//   p2_sockets badlist PORT connects to 127.0.0.1:PORT and writes a list that
//                           lies past the end of its memory (a trap)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define V "@0.2.12"

typedef int32_t handle;
typedef int32_t i32;

// wasi:io
IMPORT("wasi:io/poll" V, "[method]pollable.block") void pollable_block(handle);
IMPORT("wasi:io/poll" V, "[resource-drop]pollable") void pollable_drop(handle);
IMPORT("wasi:io/streams" V, "[method]input-stream.blocking-read") void input_blocking_read(handle, int64_t, void *);
IMPORT("wasi:io/streams" V, "[method]output-stream.blocking-write-and-flush") void output_write(handle, const void *, i32, void *);
IMPORT("wasi:io/streams" V, "[resource-drop]input-stream") void input_drop(handle);
IMPORT("wasi:io/streams" V, "[resource-drop]output-stream") void output_drop(handle);

// wasi:sockets
#define ADDR_PARAMS i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32
IMPORT("wasi:sockets/instance-network" V, "instance-network") handle instance_network(void);
IMPORT("wasi:sockets/tcp-create-socket" V, "create-tcp-socket") void create_tcp_socket(i32, void *);
IMPORT("wasi:sockets/tcp" V, "[method]tcp-socket.start-bind") void tcp_start_bind(handle, handle, ADDR_PARAMS, void *);
IMPORT("wasi:sockets/tcp" V, "[method]tcp-socket.finish-bind") void tcp_finish_bind(handle, void *);
IMPORT("wasi:sockets/tcp" V, "[method]tcp-socket.start-connect") void tcp_start_connect(handle, handle, ADDR_PARAMS, void *);
IMPORT("wasi:sockets/tcp" V, "[method]tcp-socket.finish-connect") void tcp_finish_connect(handle, void *);
IMPORT("wasi:sockets/tcp" V, "[method]tcp-socket.start-listen") void tcp_start_listen(handle, void *);
IMPORT("wasi:sockets/tcp" V, "[method]tcp-socket.finish-listen") void tcp_finish_listen(handle, void *);
IMPORT("wasi:sockets/tcp" V, "[method]tcp-socket.accept") void tcp_accept(handle, void *);
IMPORT("wasi:sockets/tcp" V, "[method]tcp-socket.local-address") void tcp_local_address(handle, void *);
IMPORT("wasi:sockets/tcp" V, "[method]tcp-socket.remote-address") void tcp_remote_address(handle, void *);
IMPORT("wasi:sockets/tcp" V, "[method]tcp-socket.is-listening") i32 tcp_is_listening(handle);
IMPORT("wasi:sockets/tcp" V, "[method]tcp-socket.subscribe") handle tcp_subscribe(handle);
IMPORT("wasi:sockets/tcp" V, "[method]tcp-socket.shutdown") void tcp_shutdown(handle, i32, void *);
IMPORT("wasi:sockets/tcp" V, "[resource-drop]tcp-socket") void tcp_drop(handle);
IMPORT("wasi:sockets/udp-create-socket" V, "create-udp-socket") void create_udp_socket(i32, void *);
IMPORT("wasi:sockets/udp" V, "[method]udp-socket.start-bind") void udp_start_bind(handle, handle, ADDR_PARAMS, void *);
IMPORT("wasi:sockets/udp" V, "[method]udp-socket.finish-bind") void udp_finish_bind(handle, void *);
IMPORT("wasi:sockets/udp" V, "[method]udp-socket.stream") void udp_stream(handle, i32, ADDR_PARAMS, void *);
IMPORT("wasi:sockets/udp" V, "[method]udp-socket.local-address") void udp_local_address(handle, void *);
IMPORT("wasi:sockets/udp" V, "[method]udp-socket.subscribe") handle udp_subscribe(handle);
IMPORT("wasi:sockets/udp" V, "[resource-drop]udp-socket") void udp_drop(handle);
IMPORT("wasi:sockets/udp" V, "[method]incoming-datagram-stream.receive") void udp_receive(handle, int64_t, void *);
IMPORT("wasi:sockets/udp" V, "[method]incoming-datagram-stream.subscribe") handle udp_incoming_subscribe(handle);
IMPORT("wasi:sockets/udp" V, "[resource-drop]incoming-datagram-stream") void udp_incoming_drop(handle);
IMPORT("wasi:sockets/udp" V, "[method]outgoing-datagram-stream.check-send") void udp_check_send(handle, void *);
IMPORT("wasi:sockets/udp" V, "[method]outgoing-datagram-stream.send") void udp_send(handle, const void *, i32, void *);
IMPORT("wasi:sockets/udp" V, "[resource-drop]outgoing-datagram-stream") void udp_outgoing_drop(handle);
IMPORT("wasi:sockets/ip-name-lookup" V, "resolve-addresses") void resolve_addresses(handle, const char *, i32, void *);
IMPORT("wasi:sockets/ip-name-lookup" V, "[method]resolve-address-stream.resolve-next-address") void resolve_next(handle, void *);
IMPORT("wasi:sockets/ip-name-lookup" V, "[method]resolve-address-stream.subscribe") handle resolve_subscribe(handle);
IMPORT("wasi:sockets/ip-name-lookup" V, "[resource-drop]resolve-address-stream") void resolve_drop(handle);

// Lists the host returns (a read's bytes, datagrams) are allocated here.
__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *ptr, size_t old, size_t align, size_t size) {
  (void)old;
  if (size == 0) return (void *)align;
  void *p = realloc(ptr, size);
  if (p == NULL) abort();
  return p;
}

static const char *ERRORS[] = {
  "unknown", "access-denied", "not-supported", "invalid-argument", "out-of-memory", "timeout",
  "concurrency-conflict", "not-in-progress", "would-block", "invalid-state", "new-socket-limit",
  "address-not-bindable", "address-in-use", "remote-unreachable", "connection-refused",
  "connection-reset", "connection-aborted", "datagram-too-large", "name-unresolvable",
  "temporary-resolver-failure", "permanent-resolver-failure",
};

enum { IPV4 = 0, IPV6 = 1 };
enum { WOULD_BLOCK = 8 };

// The return area every call with a result writes.
static _Alignas(8) uint8_t ret[64];

static uint8_t u8(int at) { return ret[at]; }
static uint16_t u16(int at) { uint16_t v; memcpy(&v, ret + at, 2); return v; }
static int32_t s32(int at) { int32_t v; memcpy(&v, ret + at, 4); return v; }
static uint64_t u64(int at) { uint64_t v; memcpy(&v, ret + at, 8); return v; }

// result<_, error-code>: the tag, then the code at offset 1. Returns -1 for ok, else the code.
static int unit_result(void) { return u8(0) == 0 ? -1 : u8(1); }
// result<T, error-code> with T aligned to 4 (or 8): the code where T would be.
static int value_result(int at) { return u8(0) == 0 ? -1 : u8(at); }

static void check(int code, const char *what) {
  if (code >= 0) {
    printf("%s failed: %s\n", what, ERRORS[code]);
    exit(1);
  }
}

static void wait_on(handle pollable) {
  pollable_block(pollable);
  pollable_drop(pollable);
}

// An IPv4 socket address as the 12 flattened slots of ip-socket-address.
typedef struct { i32 f[12]; } flat_addr;

static flat_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) {
  flat_addr x = {{0}};
  x.f[0] = IPV4;
  x.f[1] = port;
  x.f[2] = a; x.f[3] = b; x.f[4] = c; x.f[5] = d;
  return x;
}
#define SLOTS(x) x.f[0], x.f[1], x.f[2], x.f[3], x.f[4], x.f[5], x.f[6], x.f[7], x.f[8], x.f[9], x.f[10], x.f[11]

// The port of a result<ip-socket-address, error-code> in `ret` (IPv4 or IPv6 alike).
static uint16_t result_port(void) { return u16(8); }

static handle new_tcp(void) {
  create_tcp_socket(IPV4, ret);
  check(value_result(4), "create-tcp-socket");
  return s32(4);
}

static handle new_udp(void) {
  create_udp_socket(IPV4, ret);
  check(value_result(4), "create-udp-socket");
  return s32(4);
}

static void tcp_bind(handle s, handle net, flat_addr a) {
  tcp_start_bind(s, net, SLOTS(a), ret);
  check(unit_result(), "start-bind");
  for (;;) {
    tcp_finish_bind(s, ret);
    int code = unit_result();
    if (code != WOULD_BLOCK) { check(code, "finish-bind"); return; }
    wait_on(tcp_subscribe(s));
  }
}

static uint16_t tcp_port(handle s) {
  tcp_local_address(s, ret);
  check(value_result(4), "local-address");
  return result_port();
}

// Connects `s`; returns the code of the failure, or -1 with the streams in *in and *out.
static int tcp_connect(handle s, handle net, flat_addr a, handle *in, handle *out) {
  tcp_start_connect(s, net, SLOTS(a), ret);
  int code = unit_result();
  if (code >= 0) return code;
  for (;;) {
    tcp_finish_connect(s, ret);
    code = value_result(4);
    if (code != WOULD_BLOCK) break;
    wait_on(tcp_subscribe(s));
  }
  if (code < 0) { *in = s32(4); *out = s32(8); }
  return code;
}

static void write_all(handle out, const char *text) {
  output_write(out, text, (i32)strlen(text), ret);
  if (u8(0) != 0) { printf("write failed\n"); exit(1); }
}

// Reads once (blocking); returns the byte count, or -1 when the stream is closed.
static int read_some(handle in, char *buf, int cap) {
  input_blocking_read(in, cap - 1, ret);
  if (u8(0) != 0) return u8(4) == 1 ? -1 : -2;
  uint8_t *data = (uint8_t *)(uintptr_t)s32(4);
  int len = s32(8);
  memcpy(buf, data, (size_t)len);
  buf[len] = 0;
  free(data);
  return len;
}

static void tcp_part(handle net) {
  handle srv = new_tcp();
  tcp_bind(srv, net, v4(127, 0, 0, 1, 0));
  tcp_start_bind(srv, net, SLOTS(v4(127, 0, 0, 1, 0)), ret);
  printf("bind again: %s\n", ERRORS[unit_result()]);
  tcp_start_listen(srv, ret);
  check(unit_result(), "start-listen");
  for (;;) {
    tcp_finish_listen(srv, ret);
    int code = unit_result();
    if (code != WOULD_BLOCK) { check(code, "finish-listen"); break; }
    wait_on(tcp_subscribe(srv));
  }
  uint16_t port = tcp_port(srv);
  printf("listening: %s, port chosen: %s\n", tcp_is_listening(srv) ? "yes" : "no", port != 0 ? "yes" : "no");
  tcp_remote_address(srv, ret);
  printf("listener's remote address: %s\n", ERRORS[value_result(4)]);
  tcp_accept(srv, ret);
  printf("accept with none queued: %s\n", ERRORS[value_result(4)]);

  handle cli = new_tcp();
  tcp_finish_connect(cli, ret);
  printf("finish-connect first: %s\n", ERRORS[value_result(4)]);
  tcp_start_connect(cli, net, SLOTS(v4(127, 0, 0, 1, 0)), ret);
  printf("connect to port 0: %s\n", ERRORS[unit_result()]);
  tcp_start_connect(cli, net, SLOTS(v4(0, 0, 0, 0, port)), ret);
  printf("connect to 0.0.0.0: %s\n", ERRORS[unit_result()]);
  handle cin, cout;
  check(tcp_connect(cli, net, v4(127, 0, 0, 1, port), &cin, &cout), "connect");
  tcp_start_connect(cli, net, SLOTS(v4(127, 0, 0, 1, port)), ret);
  printf("connect again: %s\n", ERRORS[unit_result()]);

  handle conn, sin, sout;
  for (;;) {
    tcp_accept(srv, ret);
    int code = value_result(4);
    if (code != WOULD_BLOCK) { check(code, "accept"); break; }
    wait_on(tcp_subscribe(srv));
  }
  conn = s32(4); sin = s32(8); sout = s32(12);
  tcp_remote_address(conn, ret);
  check(value_result(4), "remote-address");
  uint16_t peer = result_port();
  printf("accepted peer is the client: %s\n", peer == tcp_port(cli) ? "yes" : "no");

  char buf[256];
  write_all(cout, "ping");
  read_some(sin, buf, sizeof buf);
  printf("server got: %s\n", buf);
  write_all(sout, "pong");
  read_some(cin, buf, sizeof buf);
  printf("client got: %s\n", buf);
  tcp_shutdown(cli, 1 /* send */, ret);
  check(unit_result(), "shutdown");
  printf("server reads after the client's shutdown: %s\n", read_some(sin, buf, sizeof buf) == -1 ? "closed" : buf);
  input_drop(cin); output_drop(cout); tcp_drop(cli);
  input_drop(sin); output_drop(sout); tcp_drop(conn);
  tcp_drop(srv);

  // A port that was bound and is no longer: nothing listens there.
  handle gone = new_tcp();
  tcp_bind(gone, net, v4(127, 0, 0, 1, 0));
  uint16_t closed_port = tcp_port(gone);
  tcp_drop(gone);
  handle late = new_tcp();
  handle in, out;
  printf("connect to a closed port: %s\n", ERRORS[tcp_connect(late, net, v4(127, 0, 0, 1, closed_port), &in, &out)]);
  tcp_finish_connect(late, ret);
  printf("finish-connect after the failure: %s\n", ERRORS[value_result(4)]);
  tcp_drop(late);
}

static handle udp_bound(handle net, uint16_t *port) {
  handle s = new_udp();
  udp_start_bind(s, net, SLOTS(v4(127, 0, 0, 1, 0)), ret);
  check(unit_result(), "udp start-bind");
  for (;;) {
    udp_finish_bind(s, ret);
    int code = unit_result();
    if (code != WOULD_BLOCK) { check(code, "udp finish-bind"); break; }
    wait_on(udp_subscribe(s));
  }
  udp_local_address(s, ret);
  check(value_result(4), "udp local-address");
  *port = result_port();
  return s;
}

// One outgoing-datagram (44 bytes): data, then option<ip-socket-address>.
static void datagram(uint8_t *d, const char *text, int to_port) {
  memset(d, 0, 44);
  uint32_t ptr = (uint32_t)(uintptr_t)text, len = (uint32_t)strlen(text);
  memcpy(d, &ptr, 4);
  memcpy(d + 4, &len, 4);
  if (to_port < 0) return;
  d[8] = 1;     // some
  d[12] = IPV4;
  uint16_t p = (uint16_t)to_port;
  memcpy(d + 16, &p, 2);
  d[18] = 127; d[19] = 0; d[20] = 0; d[21] = 1;
}

static void udp_send_one(handle out, const char *text, int to_port, const char *what) {
  static _Alignas(4) uint8_t d[44];
  datagram(d, text, to_port);
  udp_check_send(out, ret);
  check(value_result(8), "check-send");
  udp_send(out, d, 1, ret);
  if (u8(0) != 0) { printf("%s: %s\n", what, ERRORS[u8(8)]); return; }
  printf("%s: sent %d\n", what, (int)u64(8));
}

// Receives one datagram on `in`, waiting for it; prints it and whether it came from `from_port`.
static void udp_receive_one(handle in, uint16_t from_port, const char *what) {
  for (;;) {
    udp_receive(in, 10, ret);
    check(value_result(4), "receive");
    if (s32(8) > 0) break;
    wait_on(udp_incoming_subscribe(in));
  }
  uint8_t *list = (uint8_t *)(uintptr_t)s32(4);
  int count = s32(8);
  uint32_t ptr, len;
  uint16_t port;
  memcpy(&ptr, list, 4);
  memcpy(&len, list + 4, 4);
  memcpy(&port, list + 12, 2);
  printf("%s: %d datagram, \"%.*s\" from %d.%d.%d.%d, the sender's port: %s\n", what, count, (int)len,
         (char *)(uintptr_t)ptr, list[14], list[15], list[16], list[17], port == from_port ? "yes" : "no");
  free((void *)(uintptr_t)ptr);
  free(list);
}

static void udp_part(handle net) {
  uint16_t pa, pb;
  handle a = udp_bound(net, &pa), b = udp_bound(net, &pb);
  udp_stream(a, 1, SLOTS(v4(127, 0, 0, 1, pb)), ret);
  check(value_result(4), "stream a");
  handle ain = s32(4), aout = s32(8);
  udp_stream(b, 0, SLOTS(v4(0, 0, 0, 0, 0)), ret);
  check(value_result(4), "stream b");
  handle bin = s32(4), bout = s32(8);
  udp_send_one(aout, "hello udp", -1, "udp to the peer");
  udp_receive_one(bin, pa, "b received");
  udp_send_one(bout, "reply", pa, "udp reply");
  udp_receive_one(ain, pb, "a received");
  udp_send_one(bout, "nowhere", -1, "udp without an address");
  udp_send_one(aout, "elsewhere", pa, "udp to another than the peer");
  udp_incoming_drop(ain); udp_outgoing_drop(aout); udp_drop(a);
  udp_incoming_drop(bin); udp_outgoing_drop(bout); udp_drop(b);
}

static void lookup(handle net, const char *name) {
  resolve_addresses(net, name, (i32)strlen(name), ret);
  int code = value_result(4);
  if (code >= 0) { printf("lookup \"%s\": %s\n", name, ERRORS[code]); return; }
  handle rs = s32(4);
  for (;;) {
    resolve_next(rs, ret);
    int failed = u8(0) != 0;
    if (failed && u8(2) == WOULD_BLOCK) { wait_on(resolve_subscribe(rs)); continue; }
    if (failed) { printf("lookup \"%s\": %s\n", name, ERRORS[u8(2)]); break; }
    if (u8(2) == 0) break;  // none: no more addresses
    if (u8(4) == IPV4) {
      printf("lookup \"%s\": %d.%d.%d.%d\n", name, u8(6), u8(7), u8(8), u8(9));
    } else {
      printf("lookup \"%s\": ", name);
      for (int i = 0; i < 8; i++) printf(i ? ":%x" : "%x", u16(6 + 2 * i));
      printf("\n");
    }
  }
  resolve_drop(rs);
}

static int client(handle net, int port) {
  handle s = new_tcp();
  handle in, out;
  int code = tcp_connect(s, net, v4(127, 0, 0, 1, (uint16_t)port), &in, &out);
  if (code >= 0) { printf("connect: %s\n", ERRORS[code]); return 1; }
  write_all(out, "hello from a component\n");
  tcp_shutdown(s, 1 /* send */, ret);
  check(unit_result(), "shutdown");
  char buf[4096];
  int n;
  while ((n = read_some(in, buf, sizeof buf)) >= 0) printf("%s", buf);
  input_drop(in); output_drop(out); tcp_drop(s);
  return 0;
}

static int denied(handle net, int port) {
  handle s = new_tcp();
  handle in, out;
  printf("connect: %s\n", ERRORS[tcp_connect(s, net, v4(127, 0, 0, 1, (uint16_t)port), &in, &out)]);
  tcp_start_bind(s, net, SLOTS(v4(127, 0, 0, 1, 0)), ret);
  printf("bind: %s\n", ERRORS[unit_result()]);
  tcp_drop(s);
  handle u = new_udp();
  udp_start_bind(u, net, SLOTS(v4(127, 0, 0, 1, 0)), ret);
  printf("udp bind: %s\n", ERRORS[unit_result()]);
  udp_drop(u);
  return 0;
}

static int badlist(handle net, int port) {
  handle s = new_tcp();
  handle in, out;
  int code = tcp_connect(s, net, v4(127, 0, 0, 1, (uint16_t)port), &in, &out);
  if (code >= 0) { printf("connect: %s\n", ERRORS[code]); return 1; }
  printf("connected\n");
  output_write(out, (const void *)0xfffff000u, 64, ret);
  printf("the write of a list outside memory returned: %s\n", u8(0) == 0 ? "ok" : "an error");
  return 0;
}

int main(int argc, char **argv) {
  // Unbuffered: this libc's linker wraps every export in the constructors and
  // destructors, so each cabi_realloc call (made by the host while it hands
  // back a list) would flush buffered output, and a flush may wait: under
  // JSPI that would suspend outside the guest's own call.
  setvbuf(stdout, NULL, _IONBF, 0);
  handle net = instance_network();
  if (argc == 3 && strcmp(argv[1], "client") == 0) return client(net, atoi(argv[2]));
  if (argc == 3 && strcmp(argv[1], "denied") == 0) return denied(net, atoi(argv[2]));
  if (argc == 3 && strcmp(argv[1], "badlist") == 0) return badlist(net, atoi(argv[2]));
  tcp_part(net);
  udp_part(net);
  lookup(net, "localhost");
  lookup(net, "127.0.0.1");
  lookup(net, "");
  lookup(net, "nowhere.invalid");
  printf("done\n");
  return 0;
}
