/**
 * Reading and adjusting a module's binary (layer: execution): its memory
 * declaration, and its start section (see exportStartFunction). The JS API
 * does not say what limits a memory import has (the threaded placement
 * must create that shared memory itself), nor can it cap how far a
 * module's own memory grows (the memory limit): both need the import
 * section (id 2) and the memory section (id 5) of the binary format
 * (WebAssembly core spec, 5.5 "Modules").
 */
import { concatBytes } from '../abi/bytes.js';

/** The limits of a linear memory, in 64 KiB pages. */
export interface MemoryLimits {
  initial: number;
  maximum: number | undefined;
  shared: boolean;
  /** A memory64 memory (i64 addresses). */
  address64?: boolean;
}

/** A memory the module imports or defines, and where its limits sit in the binary. */
export interface MemoryDecl extends MemoryLimits {
  /** Set for an imported memory. */
  import?: { module: string; name: string };
  /** Byte range of the limits (flags, min, max) within the binary. */
  start: number;
  end: number;
}

export class ModuleFormatError extends Error {
  constructor(message: string) {
    super(`invalid module: ${message}`);
    this.name = 'ModuleFormatError';
  }
}

const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const decoder = new TextDecoder();

/**
 * A cursor over a module's bytes that reads the binary format's primitives
 * (bytes, unsigned LEB128 numbers, names, limits); function-types.ts reads
 * the type, import, function and export sections with it.
 */
export class Reader {
  at: number;
  constructor(readonly bytes: Uint8Array, at: number) { this.at = at; }

  byte(): number {
    if (this.at >= this.bytes.length) throw new ModuleFormatError('unexpected end');
    return this.bytes[this.at++]!;
  }

  /** An unsigned LEB128 (up to 64 bits, as a number: page counts and sizes fit). */
  leb(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new ModuleFormatError('LEB128 too long');
  }

  name(): string {
    const len = this.leb();
    const s = decoder.decode(this.bytes.subarray(this.at, this.at + len));
    this.at += len;
    return s;
  }

  limits(): MemoryLimits & { start: number; end: number } {
    const start = this.at;
    const flags = this.byte();
    const initial = this.leb();
    const maximum = flags & 1 ? this.leb() : undefined;
    return { initial, maximum, shared: (flags & 2) !== 0, address64: (flags & 4) !== 0, start, end: this.at };
  }
}

const SECTION_CODE = 10;
const ATOMIC_PREFIX = 0xfe;

/** True when `bytes[from, to)` has an 0xFE byte followed by a LEB128 of 1 or 2 (`memory.atomic.wait32/64`, or bytes that look like it). */
function hasAtomicWait(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to - 1; i++) {
    if (bytes[i] !== ATOMIC_PREFIX) continue;
    let op = 0;
    let scale = 1;
    for (let j = i + 1; j < to && j < i + 6; j++) {
      op += (bytes[j]! & 0x7f) * scale;
      if ((bytes[j]! & 0x80) === 0) break;
      scale *= 128;
    }
    if (op === 1 || op === 2) return true;
  }
  return false;
}

/** How many functions the module imports (function indices start after them). */
function importedFunctions(r: Reader, end: number): number {
  let functions = 0;
  for (let n = r.leb(); n > 0 && r.at < end; n--) {
    r.name();
    r.name();
    const kind = r.byte();
    if (kind === 0) { functions++; r.leb(); }
    else if (kind === 1) { r.byte(); r.limits(); }
    else if (kind === 2) r.limits();
    else if (kind === 3) { r.byte(); r.byte(); }
    else { r.byte(); r.leb(); }
  }
  return functions;
}

/**
 * False when no function of the module can hold a local across a
 * `memory.atomic.wait32/64` (V8's baseline compiler before V8 13 may lose
 * one there: host/node/node-thread-spawner.ts): no function body has the
 * opcode, except the start function with no locals (wasm-ld's
 * `__wasm_init_memory` of a shared memory waits there, and a start
 * function takes no parameters). Bytes of immediates can look like the
 * opcode, so true means "may".
 */
export function mayWaitAtomically(bytes: Uint8Array): boolean {
  const r = new Reader(bytes, 8);
  let imported = 0;
  let start = -1;
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.leb();
    const end = r.at + size;
    if (id === SECTION_IMPORT) imported = importedFunctions(new Reader(bytes, r.at), end);
    else if (id === SECTION_START) start = new Reader(bytes, r.at).leb();
    else if (id === SECTION_CODE) {
      const code = new Reader(bytes, r.at);
      const count = code.leb();
      for (let i = 0; i < count; i++) {
        const bodySize = code.leb();
        const bodyEnd = code.at + bodySize;
        const localGroups = new Reader(bytes, code.at).leb();
        if (hasAtomicWait(bytes, code.at, bodyEnd) && !(imported + i === start && localGroups === 0)) return true;
        code.at = bodyEnd;
      }
      return false;
    }
    r.at = end;
  }
  return false;
}

/** The first memory a module imports or defines, or undefined if it has none. */
export function memoryDeclaration(bytes: Uint8Array): MemoryDecl | undefined {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new ModuleFormatError('not a WebAssembly binary');
  }
  const r = new Reader(bytes, 8);
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.leb();
    const end = r.at + size;
    if (id === SECTION_IMPORT) {
      const count = r.leb();
      for (let i = 0; i < count; i++) {
        const module = r.name();
        const name = r.name();
        const kind = r.byte();
        switch (kind) {
          case 0: r.leb(); break; // function: type index
          case 1: r.byte(); r.limits(); break; // table: reftype, limits
          case 2: return { ...r.limits(), import: { module, name } };
          case 3: r.byte(); r.byte(); break; // global: valtype, mutability
          case 4: r.byte(); r.leb(); break; // tag: attribute, type index
          default: throw new ModuleFormatError(`unknown import kind ${kind}`);
        }
      }
    } else if (id === SECTION_MEMORY) {
      if (r.leb() > 0) return r.limits();
      return undefined;
    }
    r.at = end;
  }
  return undefined;
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** A count of 64 KiB pages, for messages ("1 page", "2 pages"). */
function pages(n: number): string {
  return n === 1 ? '1 page' : `${n} pages`;
}

/** Raised when a module's memory needs more at start than the limit allows. */
export class MemoryLimitError extends Error {
  /** The error for a module that needs `neededPages` at start under a limit of `limitPages`. */
  constructor(
    /** The 64 KiB pages the module's memory needs at start. */
    readonly neededPages: number,
    /** The 64 KiB pages the limit allows. */
    readonly limitPages: number,
  ) {
    super(`the module needs ${pages(neededPages)} (${neededPages * 64} KiB) of memory at start; the limit is ${pages(limitPages)}`);
    this.name = 'MemoryLimitError';
  }
}

/**
 * A copy of the module whose memory cannot grow past `maxPages` (its
 * maximum is lowered, so `memory.grow` fails inside the guest). The section
 * holding the limits is re-encoded with its new size.
 */
export function limitMemory(bytes: Uint8Array, maxPages: number): Uint8Array {
  const decl = memoryDeclaration(bytes);
  if (decl === undefined) return bytes;
  if (decl.initial > maxPages) throw new MemoryLimitError(decl.initial, maxPages);
  if (decl.maximum !== undefined && decl.maximum <= maxPages) return bytes;
  const flags = bytes[decl.start]! | 1;
  const limits = [flags, ...leb(decl.initial), ...leb(maxPages)];
  // Find the section holding the limits to rewrite its size.
  const r = new Reader(bytes, 8);
  for (;;) {
    const sectionStart = r.at;
    r.byte();
    const size = r.leb();
    const contentStart = r.at;
    const end = contentStart + size;
    if (decl.start >= contentStart && decl.start < end) {
      const before = bytes.subarray(contentStart, decl.start);
      const after = bytes.subarray(decl.end, end);
      const newSize = before.length + limits.length + after.length;
      const head = [bytes[sectionStart]!, ...leb(newSize)];
      const out = new Uint8Array(sectionStart + head.length + newSize + (bytes.length - end));
      out.set(bytes.subarray(0, sectionStart), 0);
      let at = sectionStart;
      out.set(head, at); at += head.length;
      out.set(before, at); at += before.length;
      out.set(limits, at); at += limits.length;
      out.set(after, at); at += after.length;
      out.set(bytes.subarray(end), at);
      return out;
    }
    r.at = end;
  }
}

const SECTION_EXPORT = 7;
const SECTION_START = 8;

/**
 * A copy of the module without its start section, whose start function is
 * exported as `name` instead (the module itself when it has no start
 * section). A host that must reach the instance's exports while the start
 * function runs (a waPC guest whose start function calls the host, which
 * then reads the guest's memory) calls that export first, right after
 * instantiation: the order of everything the guest sees is the same. The
 * export section is extended, or created where the start section was.
 */
export function exportStartFunction(bytes: Uint8Array, name: string): Uint8Array {
  memoryDeclaration(bytes); // checks the header
  const sections = sectionsOf(bytes);
  const startSection = sections.find((s) => s.id === SECTION_START);
  if (startSection === undefined) return bytes;
  const func = new Reader(bytes, startSection.contentStart).leb();
  const nameBytes = new TextEncoder().encode(name);
  const entry = [...leb(nameBytes.length), ...nameBytes, 0x00, ...leb(func)];
  const exportSection = sections.find((s) => s.id === SECTION_EXPORT);
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  const section = (id: number, body: Uint8Array): void => {
    parts.push(new Uint8Array([id, ...leb(body.length)]), body);
  };
  for (const s of sections) {
    if (s === startSection) {
      if (exportSection === undefined) section(SECTION_EXPORT, new Uint8Array([1, ...entry]));
    } else if (s === exportSection) {
      const er = new Reader(bytes, s.contentStart);
      const count = er.leb();
      section(SECTION_EXPORT, concatBytes([new Uint8Array(leb(count + 1)), bytes.subarray(er.at, s.end), new Uint8Array(entry)]));
    } else {
      parts.push(bytes.subarray(s.start, s.end));
    }
  }
  return concatBytes(parts);
}

interface Section { id: number; start: number; contentStart: number; end: number }

/** The sections of a module (after its 8-byte header), in order. */
function sectionsOf(bytes: Uint8Array): Section[] {
  const sections: Section[] = [];
  const r = new Reader(bytes, 8);
  while (r.at < bytes.length) {
    const start = r.at;
    const id = r.byte();
    const size = r.leb();
    sections.push({ id, start, contentStart: r.at, end: r.at + size });
    r.at += size;
  }
  return sections;
}

/** Pages a shared memory may grow to when the module's own memory declares no maximum (1 GiB). */
const SHARED_MAXIMUM_DEFAULT = 16384;

/**
 * A copy of a module that defines its one memory, importing it instead as
 * a shared memory `env.memory` with the same limits (a maximum of 1 GiB
 * when it had none): so that a module built for a single thread can run
 * where every thread runs in a worker on a memory made by Kiln (a WASIX
 * program spawning a preview 1 one). Its data segments still initialise
 * that memory when its one instance is made. Undefined when the module
 * imports its memory already, or defines none or several.
 */
export function importingSharedMemory(bytes: Uint8Array): Uint8Array<ArrayBuffer> | undefined {
  const decl = memoryDeclaration(bytes);
  if (decl === undefined || decl.import !== undefined) return undefined;
  const sections = sectionsOf(bytes);
  const memorySection = sections.find((s) => s.id === SECTION_MEMORY)!;
  if (new Reader(bytes, memorySection.contentStart).leb() !== 1) return undefined;
  const maximum = Math.max(decl.maximum ?? SHARED_MAXIMUM_DEFAULT, decl.initial);
  const nameOf = (text: string): number[] => [...leb(text.length), ...new TextEncoder().encode(text)];
  const entry = new Uint8Array([...nameOf('env'), ...nameOf('memory'), 0x02, 0x03, ...leb(decl.initial), ...leb(maximum)]);
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  const section = (id: number, body: Uint8Array): void => {
    parts.push(new Uint8Array([id, ...leb(body.length)]), body);
  };
  const importSection = sections.find((s) => s.id === SECTION_IMPORT);
  let added = false;
  for (const s of sections) {
    // Without an import section, the new one goes where it belongs: before the first known section after it.
    if (!added && importSection === undefined && s.id > SECTION_IMPORT) {
      section(SECTION_IMPORT, concatBytes([new Uint8Array([1]), entry]));
      added = true;
    }
    if (s === memorySection) continue;
    if (s === importSection) {
      const ir = new Reader(bytes, s.contentStart);
      const count = ir.leb();
      section(SECTION_IMPORT, concatBytes([new Uint8Array(leb(count + 1)), bytes.subarray(ir.at, s.end), entry]));
      added = true;
    } else {
      parts.push(bytes.subarray(s.start, s.end));
    }
  }
  return concatBytes(parts);
}

