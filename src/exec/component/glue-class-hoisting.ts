/**
 * jco's runtime classes made once per glue, not once per instance (layer:
 * execution, platform-neutral).
 *
 * jco's glue declares the classes of its component-model runtime
 * (`AsyncTask`, `ComponentAsyncState`, `RepTable`, ...) inside
 * `instantiate`, so every instance makes them again. A class made anew
 * gives its objects new hidden classes: V8 builds each object's shape
 * field by field, and `AsyncTask` has 45 fields. For a small command that
 * was about a tenth of its start (the task of the `run` call and the
 * component's state), and the classes' own making more.
 *
 * Here each class that allows it is declared once, before `instantiate`,
 * and each instance binds it to its own names: what the class used from
 * `instantiate`'s scope (the instance's state, its other classes, its
 * helpers) it now reads through an environment object of getters (and
 * setters, for names it assigns) that the instance makes once, and that
 * every object keeps in a private field set when it is made. Inside
 * `instantiate`, the class's name is bound to a constructor that makes
 * objects of the shared class with that environment; it shares the
 * class's prototype (`instanceof` holds) and inherits its static members
 * (statics assigned through it stay the instance's own, as before).
 *
 * A class is left where it is when a name of the instance is used where
 * `this` is not one of its objects (a static member, a nested `function`),
 * when it extends another class or has static methods, or when its name is
 * used other than by `new`, `instanceof` and reading a static member. Glue
 * that does not parse is left whole.
 */
import { isNode, topLevelReferences, type BindingReference, type EsNode } from './js-references.js';

/** Parses an ES module's source to an ESTree syntax tree with source positions (acorn's `parse`). */
export type ParseModule = (source: string) => EsNode;

/** The names this rewrite adds: glue already using any is left whole. */
const ADDED_NAMES = ['_kilnEnv', '_kilnBound', '_kilnHoisted_', '#kenv'];

/** Declared before `instantiate`: the environment an object being made takes, and the binding of a shared class to an instance's environment. */
const HELPERS = `let _kilnEnvNext;
function _kilnBound(C, env) {
  function Bound() { _kilnEnvNext = env; return new C(...arguments); }
  Bound.prototype = C.prototype;
  Object.setPrototypeOf(Bound, C);
  return Bound;
}
`;

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function applyEdits(source: string, offset: number, edits: readonly Edit[]): string {
  let out = source;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start - offset) + e.text + out.slice(e.end - offset);
  return out;
}

/** The `instantiate` function the glue exports. */
function instantiateOf(program: EsNode): EsNode | undefined {
  const body = program['body'];
  if (!Array.isArray(body)) return undefined;
  for (const s of body) {
    if (!isNode(s) || s.type !== 'ExportNamedDeclaration') continue;
    const d = s['declaration'];
    if (isNode(d) && d.type === 'FunctionDeclaration' && isNode(d['id']) && d['id']['name'] === 'instantiate') return d;
  }
  return undefined;
}

/** A use of a class's name that the bound constructor serves as the class did. */
function allowedClassUse(r: BindingReference): boolean {
  const p = r.parent;
  if (r.write || r.shorthand) return false;
  if (p.type === 'NewExpression') return p['callee'] === r.node;
  if (p.type === 'BinaryExpression') return p['operator'] === 'instanceof' && p['right'] === r.node;
  if (p.type === 'MemberExpression' && p['object'] === r.node) {
    // A static method would run with the bound constructor as `this`.
    const g = r.grandparent;
    return !(g?.type === 'CallExpression' && g['callee'] === p);
  }
  return false;
}

function classElements(cls: EsNode): EsNode[] {
  const body = cls['body'] as EsNode;
  return (body['body'] as unknown[]).filter(isNode);
}

/** The class's shape allows sharing: no superclass, no static methods or blocks, no private static members, no `#kenv` of its own. */
function shareableShape(cls: EsNode): boolean {
  if (cls['superClass'] != null) return false;
  return classElements(cls).every((el) => {
    if (el['static'] !== true) return true;
    return el.type === 'PropertyDefinition' && isNode(el['key']) && el['key'].type !== 'PrivateIdentifier';
  });
}

/**
 * `glue` with the runtime classes of its `instantiate` declared once
 * (see above); glue where none can be, or that `parse` refuses, as it is.
 */
export function hoistGlueClasses(glue: string, parse: ParseModule): string {
  if (ADDED_NAMES.some((n) => glue.includes(n))) return glue;
  let program: EsNode;
  try {
    program = parse(glue);
  } catch {
    return glue;
  }
  const fn = instantiateOf(program);
  if (fn === undefined) return glue;
  const exportStatement = (program['body'] as EsNode[]).find((s) => s['declaration'] === fn)!;
  const fnBody = fn['body'] as EsNode;
  const classes = (fnBody['body'] as unknown[]).filter((s): s is EsNode => isNode(s) && s.type === 'ClassDeclaration');
  const refs = topLevelReferences(fn);
  const byName = new Map<string, BindingReference[]>();
  for (const r of refs) {
    let rs = byName.get(r.name);
    if (rs === undefined) byName.set(r.name, rs = []);
    rs.push(r);
  }
  const hoisted = classes.filter((cls) => {
    const name = (cls['id'] as EsNode)['name'] as string;
    return shareableShape(cls)
      && refs.every((r) => r.topClass !== cls || r.instanceThis)
      && (byName.get(name) ?? []).every(allowedClassUse);
  });
  if (hoisted.length === 0) return glue;

  const envNames = new Map<string, boolean>(); // name -> assigned
  const outer: Edit[] = [];
  const declarations: string[] = [];
  for (const cls of hoisted) {
    const name = (cls['id'] as EsNode)['name'] as string;
    const inner: Edit[] = [];
    for (const r of refs) {
      if (r.topClass !== cls) continue;
      envNames.set(r.name, (envNames.get(r.name) ?? false) || r.write);
      const read = `this.#kenv.${r.name}`;
      inner.push({ start: r.node.start, end: r.node.end, text: r.shorthand ? `${r.name}: ${read}` : read });
    }
    const open = (cls['body'] as EsNode).start + 1;
    inner.push({ start: open, end: open, text: '\n  #kenv = _kilnEnvNext;' });
    declarations.push(`const _kilnHoisted_${name} = ${applyEdits(glue.slice(cls.start, cls.end), cls.start, inner)};\n`);
    outer.push({ start: cls.start, end: cls.end, text: `const ${name} = _kilnBound(_kilnHoisted_${name}, _kilnEnv);` });
  }
  const accessors = [...envNames].map(([n, assigned]) => `get ${n}() { return ${n}; }${assigned ? `, set ${n}(v) { ${n} = v; }` : ''}`);
  const envAt = fnBody.start + 1;
  outer.push({ start: envAt, end: envAt, text: `\n  const _kilnEnv = { ${accessors.join(', ')} };` });
  outer.push({ start: exportStatement.start, end: exportStatement.start, text: HELPERS + declarations.join('') });
  return applyEdits(glue, 0, outer);
}
