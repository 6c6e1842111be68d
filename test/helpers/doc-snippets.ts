/**
 * The JavaScript examples of the documentation, as runnable snippets: every
 * fenced ```js block of README.md and docs/*.md. A block may be preceded
 * (on the line just above its fence) by one HTML comment, invisible on the
 * rendered page, that tells the test how to run it:
 *
 *   <!-- snippet: not run: <why> -->        a fragment, or needs what a test
 *                                           cannot give it (the reason is required)
 *   <!-- snippet: stdout "<JSON string>" --> the exact standard output it must print
 *   <!-- snippet: node 24 -->               needs JSPI (runs on the fetched Node 24)
 *
 * Without a comment the block must run to its end and exit 0.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface DocSnippet {
  /** `docs/api.md:60`: the file and the line of the opening fence. */
  where: string;
  code: string;
  /** Why it is not run, when it is not. */
  notRun?: string;
  /** The exact standard output it must print, when given. */
  stdout?: string;
  /** Runs on Node 24 (JSPI). */
  node24: boolean;
}

const DIRECTIVE = /^<!-- snippet: (.*) -->$/;

/** The ```js blocks of `file` (relative to `root`), with their directives. */
export function snippetsOf(root: string, file: string): DocSnippet[] {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const out: DocSnippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```js') continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    const snippet: DocSnippet = { where: `${file}:${start + 1}`, code: `${body.join('\n')}\n`, node24: false };
    const directive = DIRECTIVE.exec(lines[start - 1] ?? '')?.[1];
    if (directive !== undefined) applyDirective(snippet, directive);
    out.push(snippet);
  }
  return out;
}

function applyDirective(snippet: DocSnippet, directive: string): void {
  if (directive.startsWith('not run: ') && directive.length > 'not run: '.length) {
    snippet.notRun = directive.slice('not run: '.length);
  } else if (directive.startsWith('stdout ')) {
    snippet.stdout = JSON.parse(directive.slice('stdout '.length)) as string;
  } else if (directive === 'node 24') {
    snippet.node24 = true;
  } else {
    throw new Error(`${snippet.where}: unknown snippet directive '${directive}'`);
  }
}

/** Every ```js block of README.md and docs/*.md. */
export function documentationSnippets(root: string): DocSnippet[] {
  const files = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
  return files.flatMap((f) => snippetsOf(root, f));
}
