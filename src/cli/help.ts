/**
 * The help texts of the `kiln` command line (layer: CLI): the overview
 * (`kiln --help`, `kiln help`) and `kiln run`'s own (`kiln run --help`,
 * `kiln help run`). `kiln wapc`'s is in wapc-args.ts.
 */
import { groupHelp } from './option-groups.js';
import { WAPC_SYNOPSIS } from './wapc-args.js';

export const VERSION = '0.1.0';

export const OVERVIEW = `kiln ${VERSION} — a WebAssembly system runtime

Usage:
  kiln run [OPTIONS] MODULE [--] [ARGS...]
      run a WASI command module (a .wasm binary or .wat text), as wasmtime run
  kiln MODULE.wasm [ARGS...]
      the same as kiln run MODULE.wasm ARGS...
  kiln serve [OPTIONS] COMPONENT.wasm
      serve HTTP with a wasi:http/proxy component, as wasmtime serve
  kiln transpile [--jspi] [-o FILE] COMPONENT.wasm
      transpile a component ahead and pack it, for a browser (no transpiler there)
  ${WAPC_SYNOPSIS}
      call an operation of a waPC guest once and print its reply
  kiln demo [--host HOST] [--port PORT]
      serve the browser demo: a terminal running programs in a web page
  kiln help [COMMAND]
      the options of a command (also: kiln run --help, kiln serve --help, kiln transpile --help, kiln wapc --help)

Options:
  -h, --help             show this help
  -V, --version          show the version
`;

export const RUN_HELP = `Usage: kiln run [OPTIONS] MODULE [--] [ARGS...]

Runs the WASI command module MODULE (a binary, or WebAssembly text) as
wasmtime run does, and exits with the guest's exit status. The guest's
argv is MODULE as given, then ARGS. Modules that import a shared memory or
wasi thread-spawn run with every wasm thread in a worker (wasi-threads).

Options (before MODULE; everything after it goes to the guest):
  --dir HOST[::GUEST]    preopen host directory HOST at guest path GUEST (default: HOST)
  --mapdir GUEST::HOST   the same, in wasmtime's older spelling (guest path first)
  --env NAME=VALUE       set an environment variable (NAME alone copies Kiln's own)
  --argv0 NAME           what the guest sees as argv[0] (default: the module path)
  --command PATH=FILE    the module FILE is the program a WASIX guest starts at the
                         absolute guest PATH (e.g. /bin/sh=dash.wasm), whatever its
                         preopens hold there
  --listen HOST:PORT     preopen a listening TCP socket after the directories (fd 3
                         when there is no --dir); [IPv6]:PORT for IPv6; alias --tcplisten
  --net none|loopback|host
                         the network the guest's own sockets reach (WASIX): none (the
                         default: socket calls fail, nothing reaches the host), an
                         in-memory loopback between this run's processes, or the host's
  --allow-connect HOST:PORT
                         allow connecting (and sending datagrams) only to HOST:PORT;
                         repeatable; HOST an address, a CIDR block (10.0.0.0/8), [IPv6],
                         a name (allowed as the guest's lookup of it answers) or *; PORT a
                         number, a range (8000-8100) or *; a denied connect is refused
  --allow-bind HOST:PORT bind only HOST:PORT (addresses, as above); repeatable
  --invoke NAME          call the exported function NAME instead of _start (after
                         _initialize, if exported) with ARGS as its arguments, and
                         print each result on its own line
  --trap-unknown-imports
                         link every function import Kiln does not provide as a
                         function that traps when called, naming the import
  --default-values-unknown-imports
                         link them as functions that return zeros
  --trace                print every syscall with its arguments and errno to stderr
  --max-memory SIZE      cap the guest's linear memory (e.g. 256M, 1G)
  --max-fds N            cap the open descriptors, stdio and preopens included
                         (more is EMFILE; default 1024)
  --max-threads N        cap the threads a wasi-threads guest may spawn (default 1024)
  --max-sockets N        cap the sockets a process may have open (more is EMFILE)
  --timeout DURATION     stop the guest after DURATION (e.g. 500ms, 10s, 2m); status 124
  -S KEY[=VALUE][,...]   WASI options, with wasmtime's names:
${groupHelp('-S')}
  -W KEY[=VALUE][,...]   WebAssembly options, with wasmtime's names:
${groupHelp('-W')}
  -h, --help             show this help
`;
