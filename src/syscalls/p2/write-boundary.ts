/**
 * The component host's syscall boundary for coalesced writes (layer:
 * syscalls): what `syscall()` (syscalls/context.ts) is for preview 1.
 * Small writes to a file or to non-terminal output are gathered by the
 * kernel (kernel/write-buffer.ts) and must reach the host before any
 * other call runs, so that nothing the component does afterwards can
 * observe them missing.
 *
 * Every function of the import object is wrapped, and every method of each
 * resource class it holds (statics, inherited methods and `Symbol.dispose`
 * too), so that coalesced writes are flushed first. An output stream's
 * writes are the exception: they are the writes being gathered (the
 * buffer itself flushes when another stream writes). A class is patched
 * once, in place, whatever number of processes use it; an embedder's own
 * classes given as `interfaces` are patched the same way.
 */
import { flushPendingWrites, writesPending } from '../../kernel/write-buffer.js';
import type { ComponentImports, InterfaceImports } from './imports.js';
import { OutputStream } from './io.js';

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** Methods that write through the buffer, and so do not flush it first. */
const GATHERING: ReadonlyMap<object, ReadonlySet<PropertyKey>> = new Map([
  [OutputStream.prototype, new Set<PropertyKey>(['checkWrite', 'write', 'blockingWriteAndFlush', 'writeZeroes', 'blockingWriteZeroesAndFlush'])],
]);

/** Prototypes and constructors (for statics) already patched. */
const patched = new WeakSet<object>();

/** `method`, flushing coalesced writes first (with all the arguments it is given: a method's `length` stops at a default). */
function flushingFirst(method: Method): Method {
  return function (this: unknown, ...args: unknown[]) {
    if (writesPending) flushPendingWrites();
    return method.apply(this, args);
  };
}

/** A constructor's own properties that are not methods. */
const NOT_STATIC_METHODS: ReadonlySet<PropertyKey> = new Set(['prototype', 'length', 'name']);
/** A prototype's own property that is not a method. */
const NOT_METHODS: ReadonlySet<PropertyKey> = new Set(['constructor']);

/** Patches the own methods of `target` (a prototype or a constructor, `skip` naming what is not a method), but those it gathers with. */
function patchMethods(target: object, skip: ReadonlySet<PropertyKey>): void {
  patched.add(target);
  const gathering = GATHERING.get(target);
  for (const key of Reflect.ownKeys(target)) {
    if (skip.has(key) || gathering?.has(key) === true) continue;
    const d = Object.getOwnPropertyDescriptor(target, key)!;
    if (typeof d.value !== 'function' || d.writable !== true) continue;
    Object.defineProperty(target, key, { ...d, value: flushingFirst(d.value as Method) });
  }
}

/** Patches a resource class: its statics, and the methods of its prototype chain up to Object's. */
function patchClass(cls: abstract new (...args: never[]) => object): void {
  if (patched.has(cls)) return;
  patchMethods(cls, NOT_STATIC_METHODS);
  for (let proto = cls.prototype as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    if (!patched.has(proto)) patchMethods(proto, NOT_METHODS);
  }
}

/** `imports` with every call flushing coalesced writes first (classes patched in place). */
export function withWriteBoundary(imports: ComponentImports): ComponentImports {
  const bounded: ComponentImports = {};
  for (const [iface, members] of Object.entries(imports)) {
    const out: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(members as InterfaceImports)) {
      if (typeof member !== 'function') {
        out[name] = member;
      } else if (/^[A-Z]/.test(name)) {
        patchClass(member as abstract new (...args: never[]) => object);
        out[name] = member;
      } else {
        out[name] = flushingFirst(member as Method);
      }
    }
    bounded[iface] = out;
  }
  return bounded;
}
