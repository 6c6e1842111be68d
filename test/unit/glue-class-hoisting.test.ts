/**
 * Moving jco's runtime classes out of `instantiate`: the scope analysis
 * that finds what a class uses of the instance (js-references.ts), and the
 * rewrite itself (glue-class-hoisting.ts), run on small glue-shaped modules
 * whose behaviour is compared before and after.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as acorn from 'acorn';
import { topLevelReferences, type EsNode } from '../../src/exec/component/js-references.js';
import { hoistGlueClasses, type ParseModule } from '../../src/exec/component/glue-class-hoisting.js';

const parse: ParseModule = (source) => acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as EsNode;

/** The function declared first in `source`, parsed. */
function firstFunction(source: string): EsNode {
  const program = parse(source);
  const fn = (program['body'] as EsNode[]).find((s) => s.type === 'FunctionDeclaration' || s.type === 'ExportNamedDeclaration')!;
  return fn.type === 'ExportNamedDeclaration' ? fn['declaration'] as EsNode : fn;
}

/** Each reference as `name@offset` with its flags, in source order. */
function described(source: string): string[] {
  return topLevelReferences(firstFunction(source))
    .sort((a, b) => a.node.start - b.node.start)
    .map((r) => `${r.name}@${r.node.start}${r.write ? ' write' : ''}${r.shorthand ? ' shorthand' : ''}${r.topClass !== undefined ? ' in-class' : ''}${r.instanceThis ? ' this' : ''}`);
}

/** `source`'s offset of the `n`th (from 0) occurrence of `word`. */
function at(source: string, word: string, n = 0): number {
  let i = -1;
  for (let k = 0; k <= n; k++) i = source.indexOf(word, i + 1);
  return i;
}

describe('topLevelReferences', () => {
  test('a block, a catch clause, a loop head and a parameter of an inner function shadow; var is function-scoped', () => {
    const src = 'function f(a) { let b = a; { let a = 1; a; } try {} catch (b) { b; } for (const a of [b]) a; function g(b) { var a; return a + b; } { var c = 1; } return c; }';
    assert.deepEqual(described(src), [`a@${at(src, '= a') + 2}`, `b@${at(src, '[b]') + 1}`, `c@${at(src, 'return c') + 7}`]);
  });

  test('writes, shorthand properties and destructuring assignments are marked', () => {
    const src = 'function f() { let n = 0; let o; n++; n += 2; [o] = [1]; ({ n } = { n: 3 }); return { n, o }; }';
    assert.deepEqual(described(src), [
      `n@${at(src, 'n++')} write`,
      `n@${at(src, 'n +=')} write`,
      `o@${at(src, '[o]') + 1} write`,
      `n@${at(src, '({ n }') + 3} write shorthand`,
      `n@${at(src, '{ n, o }') + 2} shorthand`,
      `o@${at(src, '{ n, o }') + 5} shorthand`,
    ]);
  });

  test("inside a top-level class: `this` is an instance in methods, fields, the constructor and their arrows, not in statics or nested functions; the class's own name is a top-level use", () => {
    const src = 'function f() { let s = 1; class K { x = s; static y = s; constructor() { this.z = () => s; } m() { return function () { return s; }; } n() { return new K(); } } return K; }';
    assert.deepEqual(described(src), [
      `s@${at(src, 'x = s') + 4} in-class this`,
      `s@${at(src, 'y = s') + 4} in-class`,
      `s@${at(src, '=> s') + 3} in-class this`,
      `s@${at(src, 'return s') + 7} in-class`,
      `K@${at(src, 'new K') + 4} in-class this`,
      `K@${at(src, 'return K') + 7}`,
    ]);
  });

  test('member names, labels and property keys are not references; computed ones are', () => {
    const src = 'function f() { let k = "a"; let o = {}; o.k; o[k]; ({ k: 1, [k]: 2 }); k: for (;;) break k; }';
    assert.deepEqual(described(src), [
      `o@${at(src, 'o.k')}`,
      `o@${at(src, 'o[k]')}`,
      `k@${at(src, 'o[k]') + 2}`,
      `k@${at(src, '[k]:') + 1}`,
    ]);
  });
});

/** A glue-shaped module: `instantiate` holds the instance's state and classes that use it. */
const GLUE = `
export function instantiate(label) {
  let made = 0;
  const prefix = label + ':';
  function tag(x) { return prefix + x; }
  class Task {
    static count = 0;
    id = ++made;
    constructor(name) { this.name = name; Task.count++; }
    describe() { return tag(this.name + '#' + this.id); }
    child(name) { const t = new Task(name); return { t, ok: t instanceof Task, prefix }; }
  }
  class Broken {
    static make() { return tag('static'); }
  }
  return {
    run(name) { return new Task(name).describe(); },
    child(name) { const c = new Task('p').child(name); return [c.t.describe(), c.ok, c.prefix]; },
    made() { return made; },
    count() { return Task.count; },
    broken() { return Broken.make(); },
  };
}
`;

async function load(source: string): Promise<(label: string) => Record<string, (...a: string[]) => unknown>> {
  const m = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`) as { instantiate: (label: string) => Record<string, (...a: string[]) => unknown> };
  return m.instantiate;
}

describe('hoistGlueClasses', () => {
  test('a class that uses the instance only through its own objects is declared once; one that has a static method stays', () => {
    const out = hoistGlueClasses(GLUE, parse);
    assert.ok(out.includes('const _kilnHoisted_Task = class Task {'), out);
    assert.ok(out.includes('const Task = _kilnBound(_kilnHoisted_Task, _kilnEnv);'), out);
    assert.ok(out.includes('this.#kenv.made'), out);
    assert.ok(!out.includes('_kilnHoisted_Broken'), out);
    assert.ok(out.indexOf('_kilnHoisted_Task =') < out.indexOf('export function instantiate'), out);
  });

  test('two instances of the rewritten glue behave as two of the original: their own state, names, statics and instanceof', async () => {
    for (const source of [GLUE, hoistGlueClasses(GLUE, parse)]) {
      const instantiate = await load(source);
      const a = instantiate('A');
      const b = instantiate('B');
      assert.equal(a['run']!('x'), 'A:x#1');
      assert.equal(a['run']!('y'), 'A:y#2');
      assert.equal(b['run']!('x'), 'B:x#1');
      assert.deepEqual(a['child']!('c'), ['A:c#4', true, 'A:']);
      assert.deepEqual([a['made']!(), b['made']!()], [4, 1]);
      assert.deepEqual([a['count']!(), b['count']!()], [4, 1]);
      assert.equal(b['broken']!(), 'B:static');
    }
  });

  test('glue that already uses a name the rewrite adds, or that does not parse, or has no instantiate, is left whole', () => {
    const named = GLUE.replace('let made = 0;', 'let made = 0; const _kilnEnv = 1;');
    assert.equal(hoistGlueClasses(named, parse), named);
    const broken = `${GLUE} (`;
    assert.equal(hoistGlueClasses(broken, parse), broken);
    const other = GLUE.replace('instantiate', 'start');
    assert.equal(hoistGlueClasses(other, parse), other);
  });

  test('a class whose name is called, passed or assigned, or that extends another, stays', () => {
    for (const change of [
      (g: string) => g.replace('made() { return made; }', 'made() { return [made, String(Task)]; }'),
      (g: string) => g.replace('let made = 0;', 'let made = 0; let T2;').replace('made() { return made; }', 'made() { T2 = Task; return made; }'),
      (g: string) => g.replace('class Task {', 'class Task extends Object {'),
    ]) {
      const source = change(GLUE);
      assert.ok(!hoistGlueClasses(source, parse).includes('_kilnHoisted_Task'), source);
    }
  });
});
