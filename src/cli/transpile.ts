/**
 * `kiln transpile` (layer: front doors / CLI): transpiles a component
 * once, ahead, and writes it packed (`packComponent`), for a place that
 * has no transpiler: a page gives the packed components to
 * `componentsCache`, and `run()` / `runHere()` find them by the hash of
 * the component's bytes.
 */
import { writeFileSync } from 'node:fs';
import { isComponent } from '../exec/component/component-binary.js';
import { packComponent } from '../exec/component/packed.js';
import { transpileComponent } from '../exec/component/transpile.js';
import { CannotRunError, UsageError } from './errors.js';
import { readInputFile } from './module-file.js';

export const TRANSPILE_HELP = `Usage: kiln transpile [OPTIONS] COMPONENT.wasm

Transpiles a component (WASI preview 2) and writes it packed, for a place
without the transpiler (a browser): give the packed components to
componentsCache(), and WASI.run() / runHere() of the component's bytes use
them (docs/api.md, "Components in browsers").

Options:
  -o, --output FILE   where to write (default: COMPONENT.kiln, or
                      COMPONENT-jspi.kiln with --jspi)
  --jspi              the glue runHere() needs (it suspends on waits)
  -h, --help          show this help
`;

/** `kiln transpile [OPTIONS] COMPONENT.wasm`. */
export async function transpileCommand(argv: readonly string[]): Promise<number> {
  let output: string | undefined;
  let jspi = false;
  let input: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      process.stdout.write(TRANSPILE_HELP);
      return 0;
    }
    if (a === '--jspi') jspi = true;
    else if (a === '-o' || a === '--output') {
      if (i + 1 >= argv.length) throw new UsageError(`transpile: ${a} needs a file`);
      output = argv[++i]!;
    } else if (a.startsWith('--output=')) output = a.slice('--output='.length);
    else if (a.startsWith('-')) throw new UsageError(`transpile: unknown option ${a} (try kiln transpile --help)`);
    else if (input === undefined) input = a;
    else throw new UsageError('transpile: one component at a time');
  }
  if (input === undefined) throw new UsageError('transpile: which component? (kiln transpile COMPONENT.wasm)');
  const bytes = readInputFile(input, 'a component');
  if (!isComponent(bytes)) throw new CannotRunError(`cannot transpile ${input}: it is not a component (WASI preview 2)`);
  const packed = packComponent(await transpileComponent(bytes, undefined, jspi));
  const to = output ?? `${input.replace(/\.wasm$/i, '')}${jspi ? '-jspi' : ''}.kiln`;
  writeFileSync(to, packed);
  process.stderr.write(`kiln transpile: wrote ${to} (${packed.length} bytes)\n`);
  return 0;
}
