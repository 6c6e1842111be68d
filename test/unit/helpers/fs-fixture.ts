/** Building small trees through the FsDirectory interface, the same way on every backend. */
import assert from 'node:assert/strict';
import { isDirectory, type FsDirectory, type FsNode } from '../../../src/host/fs/types.js';

const encoder = new TextEncoder();

export function writeFile(dir: FsDirectory, name: string, content: string | Uint8Array): void {
  const h = dir.open(name, { read: false, write: true, create: true, exclusive: true, truncate: false });
  try {
    h.write(typeof content === 'string' ? encoder.encode(content) : content, 0);
  } finally {
    h.close();
  }
}

export function readFile(dir: FsDirectory, name: string): Uint8Array {
  const h = dir.open(name, { read: true, write: false, create: false, exclusive: false, truncate: false });
  try {
    const size = Number(h.stat().size);
    const out = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const n = h.read(out.subarray(at), at);
      if (n === 0) break;
      at += n;
    }
    return out.subarray(0, at);
  } finally {
    h.close();
  }
}

export function readText(dir: FsDirectory, name: string): string {
  return new TextDecoder().decode(readFile(dir, name));
}

export function child(dir: FsDirectory, name: string): FsNode {
  const n = dir.lookup(name);
  assert.notEqual(n, null, `${name} exists`);
  return n!;
}

export function subdir(dir: FsDirectory, name: string): FsDirectory {
  const n = child(dir, name);
  assert.ok(isDirectory(n), `${name} is a directory`);
  return n;
}

export function inoOf(node: FsNode | null): bigint {
  assert.notEqual(node, null, 'node exists');
  return node!.stat().ino;
}
