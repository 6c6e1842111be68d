/**
 * Where a function's own bindings are used (layer: execution,
 * platform-neutral): given a function as an ESTree syntax tree (acorn's),
 * every identifier inside it, nested functions and classes included, that
 * refers to one of the function's top-level names (its parameters and the
 * declarations of its body), with what a rewrite needs to know about the
 * place: whether it assigns, whether it is a shorthand property, and, inside
 * a class declared at the function's top level, whether `this` there is an
 * instance of that class. Scoping follows the language: `let`, `const`,
 * `class` and functions by block, `var` by function, parameters, catch
 * clauses and loop heads. Used to move jco's glue classes out of its
 * `instantiate` (glue-class-hoisting.ts).
 */

/** An ESTree node as acorn gives it: its type, its place in the source, and its fields. */
export interface EsNode {
  /** The node's type (`Identifier`, `ClassDeclaration`, ...). */
  readonly type: string;
  /** Where it starts in the source. */
  readonly start: number;
  /** Where it ends in the source. */
  readonly end: number;
  /** Its other fields: child nodes, lists of them, names, flags. */
  readonly [field: string]: unknown;
}

/** One use of a top-level name of the function. */
export interface BindingReference {
  /** The name. */
  readonly name: string;
  /** The identifier. */
  readonly node: EsNode;
  /** The node that holds it (a shorthand property's identifier: the property). */
  readonly parent: EsNode;
  /** The node that holds the parent, when there is one. */
  readonly grandparent: EsNode | undefined;
  /** It is assigned or updated here. */
  readonly write: boolean;
  /** It is the value of a shorthand property (`{ name }`): a rewrite must spell the key out. */
  readonly shorthand: boolean;
  /** The class declared at the function's top level that holds it, if any. */
  readonly topClass: EsNode | undefined;
  /** `this` here is an instance of `topClass` (an instance method, field or constructor, or an arrow within one). */
  readonly instanceThis: boolean;
}

interface Scope {
  readonly names: Set<string>;
  readonly parent: Scope | undefined;
}

interface Place {
  readonly scope: Scope;
  readonly topClass: EsNode | undefined;
  readonly instanceThis: boolean;
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
const NOT_CHILDREN = new Set(['type', 'start', 'end', 'loc', 'range']);

/** `value` is a syntax tree node. */
export function isNode(value: unknown): value is EsNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function field(node: EsNode, name: string): EsNode | undefined {
  const v = node[name];
  return isNode(v) ? v : undefined;
}

function list(node: EsNode, name: string): EsNode[] {
  const v = node[name];
  return Array.isArray(v) ? v.filter(isNode) : [];
}

function childNodes(node: EsNode): EsNode[] {
  const out: EsNode[] = [];
  for (const key of Object.keys(node)) {
    if (NOT_CHILDREN.has(key)) continue;
    const v = node[key];
    if (Array.isArray(v)) for (const x of v) { if (isNode(x)) out.push(x); }
    else if (isNode(v)) out.push(v);
  }
  return out;
}

function nameOf(node: EsNode | undefined): string | undefined {
  return node?.type === 'Identifier' ? node['name'] as string : undefined;
}

/** The names a declaration pattern binds. */
function patternNames(pattern: EsNode | undefined, into: Set<string>): void {
  if (pattern === undefined) return;
  switch (pattern.type) {
    case 'Identifier': into.add(pattern['name'] as string); return;
    case 'ObjectPattern':
      for (const p of list(pattern, 'properties')) patternNames(p.type === 'RestElement' ? field(p, 'argument') : field(p, 'value'), into);
      return;
    case 'ArrayPattern': for (const e of list(pattern, 'elements')) patternNames(e, into); return;
    case 'AssignmentPattern': patternNames(field(pattern, 'left'), into); return;
    case 'RestElement': patternNames(field(pattern, 'argument'), into); return;
  }
}

/** The block-scoped declarations among `statements` (`let`, `const`, classes, functions). */
function blockNames(statements: readonly EsNode[], into: Set<string>): void {
  for (const s of statements) {
    if (s.type === 'VariableDeclaration' && s['kind'] !== 'var') for (const d of list(s, 'declarations')) patternNames(field(d, 'id'), into);
    else if (s.type === 'ClassDeclaration' || s.type === 'FunctionDeclaration') patternNames(field(s, 'id'), into);
  }
}

/** The `var` declarations within `node`, not entering functions or classes. */
function varNames(node: EsNode, into: Set<string>): void {
  if (node.type === 'VariableDeclaration' && node['kind'] === 'var') for (const d of list(node, 'declarations')) patternNames(field(d, 'id'), into);
  for (const child of childNodes(node)) {
    if (FUNCTIONS.has(child.type) || child.type === 'ClassDeclaration' || child.type === 'ClassExpression') continue;
    varNames(child, into);
  }
}

function scopeOf(parent: Scope | undefined, names: Set<string> = new Set()): Scope {
  return { names, parent };
}

/** Every use, within `fn`, of `fn`'s own top-level names. */
export function topLevelReferences(fn: EsNode): BindingReference[] {
  const body = field(fn, 'body');
  if (body === undefined || body.type !== 'BlockStatement') return [];
  const top = scopeOf(undefined);
  for (const p of list(fn, 'params')) patternNames(p, top.names);
  blockNames(list(body, 'body'), top.names);
  varNames(body, top.names);
  const found: BindingReference[] = [];

  const reference = (id: EsNode, parent: EsNode, grandparent: EsNode | undefined, at: Place, write: boolean, shorthand: boolean): void => {
    const name = id['name'] as string;
    let s: Scope | undefined = at.scope;
    while (s !== undefined && !s.names.has(name)) s = s.parent;
    if (s === top) found.push({ name, node: id, parent, grandparent, write, shorthand, topClass: at.topClass, instanceThis: at.instanceThis });
  };

  /** A pattern: its defaults and computed keys are expressions; with `write`, its names are assigned. */
  const pattern = (p: EsNode, parent: EsNode, grandparent: EsNode | undefined, at: Place, write: boolean, shorthand = false): void => {
    switch (p.type) {
      case 'Identifier': if (write) reference(p, parent, grandparent, at, true, shorthand); return;
      case 'ObjectPattern':
        for (const prop of list(p, 'properties')) {
          if (prop.type === 'RestElement') { pattern(field(prop, 'argument')!, prop, p, at, write); continue; }
          if (prop['computed'] === true) walk(field(prop, 'key')!, prop, p, at);
          pattern(field(prop, 'value')!, prop, p, at, write, prop['shorthand'] === true);
        }
        return;
      case 'ArrayPattern': for (const e of list(p, 'elements')) pattern(e, p, parent, at, write); return;
      case 'AssignmentPattern':
        pattern(field(p, 'left')!, shorthand ? parent : p, shorthand ? grandparent : parent, at, write, shorthand);
        walk(field(p, 'right')!, p, parent, at);
        return;
      case 'RestElement': pattern(field(p, 'argument')!, p, parent, at, write); return;
      default: walk(p, parent, grandparent, at); // a member expression assigned to
    }
  };

  const functionLike = (node: EsNode, at: Place, instanceThis: boolean): void => {
    const scope = scopeOf(at.scope);
    const id = nameOf(field(node, 'id'));
    if (node.type === 'FunctionExpression' && id !== undefined) scope.names.add(id);
    if (node.type !== 'ArrowFunctionExpression') scope.names.add('arguments');
    const inner: Place = { scope, topClass: at.topClass, instanceThis: node.type === 'ArrowFunctionExpression' ? at.instanceThis : instanceThis };
    for (const p of list(node, 'params')) patternNames(p, scope.names);
    const fnBody = field(node, 'body')!;
    if (fnBody.type === 'BlockStatement') {
      blockNames(list(fnBody, 'body'), scope.names);
      varNames(fnBody, scope.names);
    }
    for (const p of list(node, 'params')) pattern(p, node, undefined, inner, false);
    if (fnBody.type === 'BlockStatement') for (const s of list(fnBody, 'body')) walk(s, fnBody, node, inner);
    else walk(fnBody, node, undefined, inner);
  };

  const classLike = (node: EsNode, at: Place, isTop: boolean): void => {
    const scope = scopeOf(at.scope);
    // A top-level class's own name inside it is left to the top-level binding (the same class), so that its uses are found too.
    const id = nameOf(field(node, 'id'));
    if (!isTop && id !== undefined) scope.names.add(id);
    const outside: Place = { scope, topClass: at.topClass, instanceThis: false };
    const superClass = field(node, 'superClass');
    if (superClass !== undefined) walk(superClass, node, undefined, outside);
    const topClass = isTop ? node : at.topClass;
    for (const el of list(field(node, 'body')!, 'body')) {
      if (el['computed'] === true) walk(field(el, 'key')!, el, node, outside);
      const isStatic = el['static'] === true;
      const own: Place = { scope, topClass, instanceThis: isTop && !isStatic };
      if (el.type === 'MethodDefinition') functionLike(field(el, 'value')!, own, own.instanceThis);
      else if (el.type === 'PropertyDefinition') { const v = field(el, 'value'); if (v !== undefined) walk(v, el, node, own); }
      else if (el.type === 'StaticBlock') block(list(el, 'body'), el, node, { scope, topClass, instanceThis: false }, true);
    }
  };

  const block = (statements: readonly EsNode[], node: EsNode, parent: EsNode | undefined, at: Place, vars: boolean): void => {
    const scope = scopeOf(at.scope);
    blockNames(statements, scope.names);
    if (vars) varNames(node, scope.names);
    const inner: Place = { ...at, scope };
    for (const s of statements) walk(s, node, parent, inner);
  };

  const walk = (node: EsNode, parent: EsNode, grandparent: EsNode | undefined, at: Place): void => {
    switch (node.type) {
      case 'Identifier': reference(node, parent, grandparent, at, false, false); return;
      case 'FunctionDeclaration': case 'FunctionExpression': functionLike(node, at, false); return;
      case 'ArrowFunctionExpression': functionLike(node, at, at.instanceThis); return;
      case 'ClassDeclaration': case 'ClassExpression': classLike(node, at, false); return;
      case 'BlockStatement': block(list(node, 'body'), node, parent, at, false); return;
      case 'StaticBlock': block(list(node, 'body'), node, parent, { ...at, instanceThis: false }, true); return;
      case 'SwitchStatement': {
        walk(field(node, 'discriminant')!, node, parent, at);
        const cases = list(node, 'cases');
        const scope = scopeOf(at.scope);
        for (const c of cases) blockNames(list(c, 'consequent'), scope.names);
        const inner: Place = { ...at, scope };
        for (const c of cases) for (const child of childNodes(c)) walk(child, c, node, inner);
        return;
      }
      case 'ForStatement': case 'ForInStatement': case 'ForOfStatement': {
        const scope = scopeOf(at.scope);
        const head = field(node, node.type === 'ForStatement' ? 'init' : 'left');
        if (head?.type === 'VariableDeclaration' && head['kind'] !== 'var') for (const d of list(head, 'declarations')) patternNames(field(d, 'id'), scope.names);
        const inner: Place = { ...at, scope };
        if (head !== undefined && node.type !== 'ForStatement' && head.type !== 'VariableDeclaration') pattern(head, node, parent, inner, true);
        for (const child of childNodes(node)) if (child !== head || head.type === 'VariableDeclaration' || node.type === 'ForStatement') walk(child, node, parent, inner);
        return;
      }
      case 'CatchClause': {
        const scope = scopeOf(at.scope);
        const param = field(node, 'param');
        patternNames(param, scope.names);
        const inner: Place = { ...at, scope };
        if (param !== undefined) pattern(param, node, parent, inner, false);
        walk(field(node, 'body')!, node, parent, inner);
        return;
      }
      case 'VariableDeclarator': {
        pattern(field(node, 'id')!, node, parent, at, false);
        const init = field(node, 'init');
        if (init !== undefined) walk(init, node, parent, at);
        return;
      }
      case 'AssignmentExpression':
        pattern(field(node, 'left')!, node, parent, at, true);
        walk(field(node, 'right')!, node, parent, at);
        return;
      case 'UpdateExpression': {
        const arg = field(node, 'argument')!;
        if (arg.type === 'Identifier') reference(arg, node, parent, at, true, false);
        else walk(arg, node, parent, at);
        return;
      }
      case 'MemberExpression':
        walk(field(node, 'object')!, node, parent, at);
        if (node['computed'] === true) walk(field(node, 'property')!, node, parent, at);
        return;
      case 'Property': {
        if (node['computed'] === true) walk(field(node, 'key')!, node, parent, at);
        const value = field(node, 'value')!;
        if (node['shorthand'] === true && value.type === 'Identifier') reference(value, node, parent, at, false, true);
        else walk(value, node, parent, at);
        return;
      }
      case 'MethodDefinition': case 'PropertyDefinition': return; // only inside classes, walked there
      case 'LabeledStatement': walk(field(node, 'body')!, node, parent, at); return;
      case 'BreakStatement': case 'ContinueStatement': case 'MetaProperty': case 'PrivateIdentifier': return;
      default:
        for (const child of childNodes(node)) walk(child, node, parent, at);
    }
  };

  const atTop: Place = { scope: top, topClass: undefined, instanceThis: false };
  for (const s of list(body, 'body')) {
    if (s.type === 'ClassDeclaration') classLike(s, atTop, true);
    else walk(s, body, fn, atTop);
  }
  return found;
}
