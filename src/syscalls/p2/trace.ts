/**
 * `--trace` for components (layer: syscalls): one line per `wasi:*` call
 * the glue makes, as preview 1's trace gives one per syscall:
 * `wasi:io/streams.output-stream.blocking-write-and-flush(<12 bytes>) = ok`.
 *
 * The import object is wrapped, not the interfaces: each function is
 * wrapped, and each resource object an interface hands out goes to the
 * glue behind a Proxy whose methods are wrapped too (it still passes the
 * glue's `instanceof` checks: a Proxy keeps its target's prototype). The
 * objects the glue hands back in (borrows, lists of pollables) are
 * unwrapped before Kiln's own code sees them, so private state works as
 * without tracing. Without `--trace` none of this exists.
 */
import type { TraceSink } from '../../host/stdio.js';
import type { ComponentImports, InterfaceImports } from './imports.js';
import { kebab, ResultError } from './values.js';

type AnyFunction = (...args: unknown[]) => unknown;
type Constructor = abstract new (...args: never[]) => object;


/** A short rendering of a value for a trace line. */
function show(value: unknown, names: ReadonlyMap<Constructor, string>, depth = 0): string {
  if (value === undefined) return 'none';
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (value instanceof Uint32Array) return `[${Array.from(value).join(', ')}]`;
  if (typeof value !== 'object' || value === null) return String(value);
  const resource = names.get(value.constructor as Constructor);
  if (resource !== undefined) return resource.slice(resource.lastIndexOf('.') + 1);
  if (depth > 2) return '...';
  if (Array.isArray(value)) {
    const shown = value.slice(0, 8).map((v) => show(v, names, depth + 1));
    return `[${shown.join(', ')}${value.length > 8 ? `, ... ${value.length} in all` : ''}]`;
  }
  const fields = Object.entries(value);
  // Flags: the names of those set.
  if (fields.length > 0 && fields.every(([, v]) => typeof v === 'boolean')) return `{${fields.filter(([, v]) => v).map(([k]) => kebab(k)).join(', ')}}`;
  const entries = fields.map(([k, v]) => `${kebab(k)}: ${show(v, names, depth + 1)}`);
  return `{${entries.join(', ')}}`;
}

/** The import object, each call traced to `sink`. */
export function tracedImports(imports: ComponentImports, sink: TraceSink): ComponentImports {
  /** Each resource class, by its WIT name (`wasi:io/streams.output-stream`). */
  const names = new Map<Constructor, string>();
  for (const [iface, members] of Object.entries(imports)) {
    for (const [name, member] of Object.entries(members)) {
      if (typeof member === 'function' && /^[A-Z]/.test(name)) names.set(member as Constructor, `${iface}.${kebab(name)}`);
    }
  }
  const proxies = new WeakMap<object, object>();
  const targets = new WeakMap<object, object>();
  const unwrap = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(unwrap);
    return typeof v === 'object' && v !== null ? targets.get(v) ?? v : v;
  };
  const wrapResult = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(wrapResult);
    if (typeof v !== 'object' || v === null || !names.has(v.constructor as Constructor)) return v;
    let p = proxies.get(v);
    if (p === undefined) {
      p = new Proxy(v, {
        get(target, key) {
          const member = Reflect.get(target, key, target) as unknown;
          if (typeof member !== 'function') return member;
          // Methods run on the object itself (its private state is not reachable through the Proxy).
          if (typeof key !== 'string') return (member as AnyFunction).bind(target);
          return traced(`${names.get(target.constructor as Constructor)!}.${kebab(key)}`, member as AnyFunction, target);
        },
      });
      proxies.set(v, p);
      targets.set(p, v);
    }
    return p;
  };
  const traced = (label: string, fn: AnyFunction, self: unknown) => (...args: unknown[]): unknown => {
    const call = `${label}(${args.map((a) => show(unwrap(a), names)).join(', ')})`;
    let result: unknown;
    try {
      result = fn.apply(self, args.map(unwrap));
    } catch (e) {
      sink(e instanceof ResultError ? `${call} = err(${show(e.payload, names)})` : `${call} -> ${e instanceof Error ? e.name : 'thrown'}`);
      throw e;
    }
    sink(`${call} = ${show(result, names)}`);
    return wrapResult(result);
  };
  const out: ComponentImports = {};
  for (const [iface, members] of Object.entries(imports)) {
    const wrapped: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(members as InterfaceImports)) {
      wrapped[name] = typeof member === 'function' && !/^[A-Z]/.test(name)
        ? traced(`${iface}.${kebab(name)}`, member as AnyFunction, undefined)
        : member;
    }
    out[iface] = wrapped;
  }
  return out;
}
