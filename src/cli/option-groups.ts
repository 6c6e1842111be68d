/**
 * wasmtime's option groups for `kiln run` (layer: CLI): `-S KEY[=VALUE]`
 * (WASI) and `-W KEY[=VALUE]` (WebAssembly), each a comma-separated list,
 * repeatable, with the key names of `wasmtime run`. Kiln takes the keys
 * it can serve; a key it cannot serve is a usage error that lists the
 * ones it has, so a command line written for wasmtime never runs with an
 * option silently dropped. Switches that wasmtime needs to turn on
 * features Kiln always has (`-W threads`, `-S threads`) are accepted, and
 * turning them off is refused.
 */
import { UsageError } from './errors.js';
import { parseDuration, parsePages, parseSwitch } from './option-values.js';
import type { RunArgs } from './run-options.js';

interface GroupKey {
  /** How the help and the error list show the key. */
  shown: string;
  /** One line for the help; undefined for a feature Kiln always has (listed together). */
  help?: string;
  apply(out: RunArgs, value: string | undefined, option: string): void;
}

/** A feature Kiln always has: y is accepted, n refused. */
function alwaysOn(shown: string, what: string): GroupKey {
  return {
    shown,
    apply(_out, value, option) {
      if (!parseSwitch(option, value)) throw new UsageError(`${option}: Kiln cannot turn off ${what}, which it always has`);
    },
  };
}

function needsValue(option: string, value: string | undefined, example: string): string {
  if (value === undefined || value === '') throw new UsageError(`${option} needs a value: ${example}`);
  return value;
}

const WASI_KEYS: Readonly<Record<string, GroupKey>> = {
  'inherit-env': {
    shown: 'inherit-env',
    help: "Kiln's whole environment (--env adds and overrides)",
    apply(out, value, option) { out.inheritEnv = parseSwitch(option, value); },
  },
  'inherit-network': {
    shown: 'inherit-network',
    help: "as --net host: the host's network for the guest's own sockets",
    apply(out, value, option) { if (parseSwitch(option, value)) out.net = 'host'; },
  },
  tcplisten: {
    shown: 'tcplisten=HOST:PORT',
    help: 'as --listen',
    apply(out, value, option) { out.listen.push(needsValue(option, value, 'tcplisten=127.0.0.1:8080')); },
  },
  threads: alwaysOn('threads', 'wasi-threads'),
  preview0: alwaysOn('preview0', 'wasi_unstable (preview 0)'),
  cli: alwaysOn('cli', 'the WASI command-line interfaces'),
};

const WASM_KEYS: Readonly<Record<string, GroupKey>> = {
  'max-memory-size': {
    shown: 'max-memory-size=BYTES',
    help: 'as --max-memory (rounded down to whole pages)',
    apply(out, value, option) { out.limits.memoryPages = parsePages(option, needsValue(option, value, 'max-memory-size=268435456'), 'down'); },
  },
  timeout: {
    shown: 'timeout=DURATION',
    help: 'as --timeout (also 100us, 5000ns)',
    apply(out, value, option) { out.limits.timeoutMs = parseDuration(option, needsValue(option, value, 'timeout=10s')); },
  },
  'unknown-imports-trap': {
    shown: 'unknown-imports-trap',
    help: 'as --trap-unknown-imports',
    apply(out, value, option) { setPolicy(out, 'trap', parseSwitch(option, value)); },
  },
  'unknown-imports-default': {
    shown: 'unknown-imports-default',
    help: 'as --default-values-unknown-imports',
    apply(out, value, option) { setPolicy(out, 'default', parseSwitch(option, value)); },
  },
  threads: alwaysOn('threads', 'the threads proposal'),
  'shared-memory': alwaysOn('shared-memory', 'shared memory'),
  'bulk-memory': alwaysOn('bulk-memory', 'bulk memory operations'),
  'multi-value': alwaysOn('multi-value', 'multi-value'),
  'reference-types': alwaysOn('reference-types', 'reference types'),
  simd: alwaysOn('simd', 'SIMD'),
  'tail-call': alwaysOn('tail-call', 'tail calls'),
};

/** Sets or clears the unknown-import policy; the two policies exclude each other. */
export function setPolicy(out: RunArgs, policy: 'trap' | 'default', on: boolean): void {
  if (!on) {
    if (out.unknownImports === policy) delete out.unknownImports;
    return;
  }
  if (out.unknownImports !== undefined && out.unknownImports !== policy) {
    throw new UsageError('unknown imports can either trap or return default values, not both');
  }
  out.unknownImports = policy;
}

export type Group = '-S' | '-W';

function keysOf(group: Group): Readonly<Record<string, GroupKey>> {
  return group === '-S' ? WASI_KEYS : WASM_KEYS;
}

/** Applies one `-S`/`-W` value: `KEY[=VALUE][,KEY[=VALUE]...]`. */
export function applyGroup(out: RunArgs, group: Group, list: string): void {
  const keys = keysOf(group);
  for (const item of list.split(',')) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? undefined : item.slice(eq + 1);
    const known = Object.hasOwn(keys, key) ? keys[key] : undefined;
    if (known === undefined) {
      const what = key === '' ? `${group} needs KEY[=VALUE]` : `Kiln has no ${group} option '${key}'`;
      throw new UsageError(`${what}; its ${group} options are ${Object.values(keys).map((k) => k.shown).join(', ')} (try \`kiln run --help\`)`);
    }
    known.apply(out, value, `${group} ${key}`);
  }
}

/** The help lines of a group's keys, indented under `-S`/`-W`; the always-on ones share a line. */
export function groupHelp(group: Group): string {
  const keys = Object.values(keysOf(group));
  const described = keys.filter((k) => k.help !== undefined);
  const width = Math.max(...described.map((k) => k.shown.length));
  const lines = described.map((k) => `      ${k.shown.padEnd(width)}  ${k.help!}`);
  const always = keys.filter((k) => k.help === undefined).map((k) => k.shown);
  // Wrapped at 80 columns.
  let line = '     ';
  always.forEach((key, i) => {
    const word = ` ${key}${i === always.length - 1 ? ': always on (=n is refused)' : ','}`;
    if (line.length + word.length > 80) {
      lines.push(line);
      line = '     ';
    }
    line += word;
  });
  lines.push(line);
  return lines.join('\n');
}
