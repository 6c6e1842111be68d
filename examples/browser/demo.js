// Kiln's browser demo: a terminal (xterm.js) running WebAssembly programs
// from Kiln's test builds with the prebuilt bundle. The shell runs in a
// process worker (run() on this cross-origin isolated page), reading the
// lines typed here; the threads and pipeline programs too, each of their
// threads in a Web Worker started from there. `kiln demo` serves it.
import { FileType, MemoryFileSystem, WasiBuilder, closeIdleWorkers, idleWorkers, threadsUnavailable } from './kiln/kiln.browser.js';

const $ = (id) => document.getElementById(id);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const term = new globalThis.Terminal({ convertEol: true, cols: 96, rows: 28, fontSize: 14, lineHeight: 1.2, cursorBlink: true });
term.open($('terminal'));

/** The shell's files: they stay in this page, and the file tree shows them as the guest changes them. */
const files = new MemoryFileSystem({
  'README.txt': 'Files in /data live in this page (a MemoryFileSystem); the shell can change them.\n',
  docs: { 'hello.txt': 'Hello from Kiln!\n' },
});

// ---------------------------------------------------------------------------
// The terminal's input: a line editor here (echo, backspace, Ctrl-D), whose
// lines are the chunks of the guest's standard input, a ReadableStream: the
// guest waits in its worker until a line is typed.

let line = '';          // the line being edited
let input = null;       // the running program's stdin: its stream's controller, while it reads the terminal

/** A new standard input for a program that reads the terminal. */
function terminalInput() {
  return new ReadableStream({ start(controller) { input = controller; } });
}

term.onData((data) => {
  if (input === null) return;
  for (const ch of data) {
    if (ch === '\r') {
      term.write('\r\n');
      input.enqueue(encoder.encode(`${line}\n`));
      line = '';
    } else if (ch === '\x7f') {
      if (line.length > 0) {
        line = line.slice(0, -1);
        term.write('\b \b');
      }
    } else if (ch === '\x04') {
      if (line.length === 0) {
        input.close(); // Ctrl-D on an empty line: end of input
        input = null;
      }
    } else if (ch >= ' ') {
      line += ch;
      term.write(ch);
    }
  }
});

// ---------------------------------------------------------------------------
// The side panels: the file tree of /data, the system calls traced.

function tree(dir, indent) {
  const out = [];
  for (const { name } of dir.list().sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const node = dir.lookup(name);
    if (node === null) continue;
    if (node.filetype === FileType.DIRECTORY) {
      out.push(`${indent}${name}/`);
      out.push(...tree(node, `${indent}  `));
    } else {
      out.push(`${indent}${name} (${node.stat().size} bytes)`);
    }
  }
  return out;
}

let treeQueued = false;
function showFiles() {
  if (treeQueued) return;
  treeQueued = true;
  queueMicrotask(() => {
    treeQueued = false;
    $('files').textContent = ['/data/', ...tree(files.root, '  ')].join('\n');
  });
}

const TRACE_KEEP = 200;
const traceLines = [];
let traceShown = true;
function traced(text) {
  traceLines.push(text);
  if (traceLines.length > TRACE_KEEP) traceLines.splice(0, traceLines.length - TRACE_KEEP);
  if (!traceShown) return;
  traceShown = false;
  setTimeout(() => {
    traceShown = true;
    $('trace').textContent = traceLines.join('\n');
    $('trace').scrollTop = $('trace').scrollHeight;
  }, 50);
}

// ---------------------------------------------------------------------------
// The programs.

async function fetchProgram(name) {
  const response = await fetch(`./programs/${name}.wasm`);
  if (!response.ok) throw new Error(`./programs/${name}.wasm: ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Output to the terminal; every write may have changed a file, so the tree is redrawn. */
const toTerminal = (bytes) => { term.write(decoder.decode(bytes, { stream: true })); showFiles(); };

const PROGRAMS = {
  shell: {
    about: 'a shell-like REPL in C (demo_shell.c): type help',
    async builder() {
      return new WasiBuilder().args(['shell']).env('USER', 'demo').env('HOME', '/data')
        .preopen('/data', files).stdin(terminalInput());
    },
    wasm: 'demo_shell',
    reads: true,
  },
  threads: {
    about: 'pthreads in C (threads_basic.c): four threads, a mutex, thread-local storage',
    async builder() { return new WasiBuilder().args(['threads_basic']); },
    wasm: 'threads_basic',
  },
  pipeline: {
    about: 'WASIX processes (wasix_pipeline.c): posix_spawn of two programs joined by a pipe',
    async builder() {
      const bin = { child: await fetchProgram('wasix_child'), wc: await fetchProgram('wasix_wc') };
      return new WasiBuilder().args(['wasix_pipeline', '/sandbox/bin/child', '/sandbox/bin/wc'])
        .preopen('/sandbox', new MemoryFileSystem({ bin }));
    },
    wasm: 'wasix_pipeline',
  },
};

let running = false;

async function run(name) {
  if (running) throw new Error('a program is running');
  const program = PROGRAMS[name];
  running = true;
  for (const b of document.querySelectorAll('nav button')) b.disabled = true;
  $('status').textContent = `running ${name}…`;
  term.write(`\x1b[2m# ${name}: ${program.about}\x1b[0m\r\n`);
  line = '';
  if (program.reads === true) term.focus();
  let ending;
  try {
    const builder = await program.builder();
    const wasm = await fetchProgram(program.wasm);
    const result = await builder.stdout(toTerminal).stderr(toTerminal).trace(traced).run(wasm);
    ending = `exit code ${result.exitCode}`;
  } catch (e) {
    ending = `failed: ${e.message}`;
  } finally {
    input = null;
    running = false;
    for (const b of document.querySelectorAll('nav button')) b.disabled = false;
  }
  term.write(`\x1b[2m# ${name}: ${ending}\x1b[0m\r\n`);
  $('status').textContent = `${name}: ${ending}`;
  showFiles();
  return ending;
}

for (const b of document.querySelectorAll('nav button')) b.addEventListener('click', () => { void run(b.dataset.program); });

/** What a test (or a curious visitor's console) can ask of the page. */
globalThis.demo = {
  run,
  get running() { return running; },
  /** The terminal's text, one string per line, trailing blanks removed. */
  screen() {
    const buffer = term.buffer.active;
    const lines = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true).trimEnd());
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines;
  },
  files: () => $('files').textContent,
  trace: () => [...traceLines],
  /** Kiln keeps workers whose program ended, for the next start: how many, and a way to end them now. */
  idleWorkers,
  closeIdleWorkers,
};

showFiles();
const why = threadsUnavailable();
$('status').textContent = why === undefined ? 'ready' : `threads unavailable: ${why}`;
document.body.dataset.ready = 'true';
