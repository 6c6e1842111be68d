/**
 * The layering holds (docs/architecture.md, "Layers"): scripts/check-layers.mjs
 * finds every import of src/ pointing down, no import circle, and `node:*`
 * only in Node-only places; and it does catch each kind of violation, shown
 * on a small tree laid out as src/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers/programs.js';

const script = path.join(repoRoot, 'scripts', 'check-layers.mjs');

function check(src?: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [script, ...(src === undefined ? [] : ['--src', src])], { encoding: 'utf8' });
}

test("Kiln's own sources: every import points down, no circles", () => {
  const r = check();
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^check-layers: \d+ modules, \d+ imports, all pointing down, no circles\n$/);
  assert.equal(r.status, 0);
});

test('an upward import, a circle and a Node import in the core are each reported', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiln-layers-'));
  try {
    const write = (file: string, text: string): void => {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    };
    write('abi/errno.ts', "import { Kernel } from '../kernel/kernel.js';\nexport const x = Kernel;\n");
    write('kernel/kernel.ts', "import { b } from './b.js';\nexport class Kernel { b = b; }\n");
    write('kernel/b.ts', "import type { Kernel } from './kernel.js';\nexport const b = 1 as unknown as Kernel;\n");
    write('host/clocks.ts', "import { hrtime } from 'node:process';\nexport const c = hrtime;\n");
    const r = check(dir);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, [
      'check-layers: 3 problem(s):',
      '  src/abi/errno.ts (abi) imports src/kernel/kernel.ts (kernel), a layer above it',
      '  src/host/clocks.ts imports node:process, but only Node-only places may',
      '  import circle: src/kernel/b.ts ⇄ src/kernel/kernel.ts',
      '',
    ].join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
