/**
 * FdTable: descriptor numbering, EBADF / ENOTCAPABLE on lookup, fd_renumber
 * semantics, reference-counted release of shared resources, and EMFILE.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Errno } from '../../src/abi/errno.js';
import { FileType, Rights } from '../../src/abi/constants.js';
import { FdTable, type Descriptor } from '../../src/kernel/fd-table.js';
import { Resource } from '../../src/kernel/resource.js';
import { assertErrno } from './helpers/errno.js';

/** A resource that counts how often it is closed. */
class Probe extends Resource {
  readonly filetype = FileType.REGULAR_FILE;
  closes = 0;
  constructor(readonly label: string) { super(); }
  override close(): void { this.closes++; }
}

const RW = Rights.FD_READ | Rights.FD_WRITE;

function desc(resource: Resource, rightsBase = RW, rightsInheriting = 0): Descriptor {
  return { resource, rightsBase, rightsInheriting };
}

function labelAt(t: FdTable, fd: number): string {
  return (t.get(fd).resource as Probe).label;
}

describe('numbering', () => {
  test('descriptors are numbered from 0 upwards', () => {
    const t = new FdTable();
    assert.equal(t.add(desc(new Probe('a'))), 0);
    assert.equal(t.add(desc(new Probe('b'))), 1);
    assert.equal(t.add(desc(new Probe('c'))), 2);
    assert.deepEqual(t.numbers(), [0, 1, 2]);
  });

  test('add takes the lowest free number', () => {
    const t = new FdTable();
    for (const l of 'abcde') t.add(desc(new Probe(l)));
    t.close(3);
    t.close(1);
    assert.equal(t.add(desc(new Probe('x'))), 1);
    assert.equal(t.add(desc(new Probe('y'))), 3);
    assert.equal(t.add(desc(new Probe('z'))), 5);
    assert.deepEqual(t.numbers(), [0, 1, 2, 3, 4, 5]);
    assert.equal(labelAt(t, 1), 'x');
    assert.equal(labelAt(t, 3), 'y');
  });

  test('set places a descriptor at a given number, leaving a gap that add fills', () => {
    const t = new FdTable();
    t.set(4, desc(new Probe('four')));
    assert.deepEqual(t.numbers(), [4]);
    assert.equal(t.add(desc(new Probe('zero'))), 0);
    assert.equal(labelAt(t, 4), 'four');
  });

  test('set over an open descriptor closes what was there', () => {
    const t = new FdTable();
    const old = new Probe('old');
    t.add(desc(old));
    t.set(0, desc(new Probe('new')));
    assert.equal(old.closes, 1);
    assert.equal(labelAt(t, 0), 'new');
  });

  test('has tells open from closed', () => {
    const t = new FdTable();
    t.add(desc(new Probe('a')));
    assert.equal(t.has(0), true);
    assert.equal(t.has(1), false);
    t.close(0);
    assert.equal(t.has(0), false);
  });
});

describe('lookup', () => {
  test('EBADF: a descriptor that was never opened', () => {
    const t = new FdTable();
    t.add(desc(new Probe('a')));
    assertErrno(() => t.get(1), Errno.BADF, 'fd 1');
    assertErrno(() => t.get(1000), Errno.BADF, 'fd 1000');
    assertErrno(() => t.get(-1), Errno.BADF, 'fd -1');
    assertErrno(() => t.get(0xffffffff), Errno.BADF, 'fd 0xffffffff');
  });

  test('EBADF: a closed descriptor, and closing it again', () => {
    const t = new FdTable();
    t.add(desc(new Probe('a')));
    t.close(0);
    assertErrno(() => t.get(0), Errno.BADF, 'get');
    assertErrno(() => t.close(0), Errno.BADF, 'close again');
  });

  test('ENOTCAPABLE: a right the descriptor does not hold', () => {
    const t = new FdTable();
    t.add(desc(new Probe('r'), Rights.FD_READ));
    assert.equal(t.get(0, Rights.FD_READ).rightsBase, Rights.FD_READ);
    assertErrno(() => t.get(0, Rights.FD_WRITE), Errno.NOTCAPABLE, 'FD_WRITE');
    assertErrno(() => t.get(0, Rights.FD_READ | Rights.FD_SEEK), Errno.NOTCAPABLE, 'FD_READ | FD_SEEK (one missing)');
  });

  test('EBADF comes before ENOTCAPABLE', () => {
    const t = new FdTable();
    assertErrno(() => t.get(0, Rights.FD_WRITE), Errno.BADF);
  });

  test('no rights asked: any open descriptor, even one with no rights', () => {
    const t = new FdTable();
    t.add(desc(new Probe('none'), 0));
    assert.equal(t.get(0).rightsBase, 0);
    assert.equal(t.get(0, 0).rightsBase, 0);
    assertErrno(() => t.get(0, Rights.FD_READ), Errno.NOTCAPABLE);
  });
});

describe('renumber', () => {
  test('from replaces to; from is closed; the resource at to is released', () => {
    const t = new FdTable();
    const a = new Probe('a');
    const b = new Probe('b');
    t.add(desc(a));
    t.add(desc(b));
    t.renumber(0, 1);
    assert.deepEqual(t.numbers(), [1]);
    assert.equal(labelAt(t, 1), 'a');
    assert.equal(a.closes, 0);
    assert.equal(b.closes, 1);
    assertErrno(() => t.get(0), Errno.BADF);
  });

  test('renumber keeps the rights of the moved descriptor', () => {
    const t = new FdTable();
    t.add(desc(new Probe('a'), Rights.FD_READ, Rights.FD_SEEK));
    t.add(desc(new Probe('b'), RW));
    t.renumber(0, 1);
    assert.equal(t.get(1).rightsBase, Rights.FD_READ);
    assert.equal(t.get(1).rightsInheriting, Rights.FD_SEEK);
  });

  test('EBADF: renumber to a descriptor that is not open', () => {
    const t = new FdTable();
    const a = new Probe('a');
    t.add(desc(a));
    assertErrno(() => t.renumber(0, 5), Errno.BADF);
    // Nothing changed.
    assert.deepEqual(t.numbers(), [0]);
    assert.equal(a.closes, 0);
  });

  test('EBADF: renumber from a descriptor that is not open', () => {
    const t = new FdTable();
    const a = new Probe('a');
    t.add(desc(a));
    assertErrno(() => t.renumber(3, 0), Errno.BADF);
    assert.deepEqual(t.numbers(), [0]);
    assert.equal(a.closes, 0);
  });

  test('renumber a descriptor to itself does nothing', () => {
    const t = new FdTable();
    const a = new Probe('a');
    t.add(desc(a));
    t.renumber(0, 0);
    assert.deepEqual(t.numbers(), [0]);
    assert.equal(a.closes, 0);
  });

  test('renumber between two descriptors of one resource keeps it open', () => {
    const t = new FdTable();
    const a = new Probe('a');
    t.add(desc(a));
    t.set(1, desc(a));
    t.renumber(0, 1);
    assert.deepEqual(t.numbers(), [1]);
    assert.equal(a.closes, 0);
    t.close(1);
    assert.equal(a.closes, 1);
  });
});

describe('sharing', () => {
  test('close releases a shared resource once, when its last descriptor closes', () => {
    const t = new FdTable();
    const a = new Probe('a');
    t.add(desc(a));
    t.add(desc(a));
    t.set(7, desc(a));
    t.close(0);
    assert.equal(a.closes, 0);
    t.close(7);
    assert.equal(a.closes, 0);
    t.close(1);
    assert.equal(a.closes, 1);
  });

  test('set over a descriptor of the same resource does not close it', () => {
    const t = new FdTable();
    const a = new Probe('a');
    t.add(desc(a));
    t.set(0, desc(a, Rights.FD_READ));
    assert.equal(a.closes, 0);
    assert.equal(t.get(0).rightsBase, Rights.FD_READ);
    t.close(0);
    assert.equal(a.closes, 1);
  });

  test('closeAll closes every resource exactly once', () => {
    const t = new FdTable();
    const a = new Probe('a');
    const b = new Probe('b');
    t.add(desc(a));
    t.add(desc(b));
    t.add(desc(a));
    t.closeAll();
    assert.deepEqual(t.numbers(), []);
    assert.equal(a.closes, 1);
    assert.equal(b.closes, 1);
  });

  test('closeAll goes on when a resource fails to close', () => {
    const t = new FdTable();
    const bad = new (class extends Probe {
      override close(): void { super.close(); throw new Error('host failure'); }
    })('bad');
    const good = new Probe('good');
    t.add(desc(bad));
    t.add(desc(good));
    t.closeAll();
    assert.deepEqual(t.numbers(), []);
    assert.equal(bad.closes, 1);
    assert.equal(good.closes, 1);
  });
});

describe('limit', () => {
  test('EMFILE: adding beyond maxDescriptors', () => {
    const t = new FdTable(4);
    for (let i = 0; i < 4; i++) assert.equal(t.add(desc(new Probe(`${i}`))), i);
    assertErrno(() => t.add(desc(new Probe('x'))), Errno.MFILE);
    assert.deepEqual(t.numbers(), [0, 1, 2, 3]);
  });

  test('a failed add does not retain its resource', () => {
    const t = new FdTable(1);
    t.add(desc(new Probe('a')));
    const extra = new Probe('x');
    assertErrno(() => t.add(desc(extra)), Errno.MFILE);
    // Later placed and closed once: released once.
    t.set(0, desc(extra));
    t.close(0);
    assert.equal(extra.closes, 1);
  });

  test('closing one descriptor at the limit makes room again', () => {
    const t = new FdTable(3);
    for (let i = 0; i < 3; i++) t.add(desc(new Probe(`${i}`)));
    t.close(1);
    assert.equal(t.add(desc(new Probe('again'))), 1);
    assertErrno(() => t.add(desc(new Probe('x'))), Errno.MFILE);
  });

  test('EBADF: set at or beyond maxDescriptors', () => {
    const t = new FdTable(3);
    const a = new Probe('a');
    assertErrno(() => t.set(3, desc(a)), Errno.BADF);
    assert.deepEqual(t.numbers(), []);
  });

  test('the default limit is 1024', () => {
    const t = new FdTable();
    assert.equal(t.maxDescriptors, 1024);
    const shared = new Probe('s');
    for (let i = 0; i < 1024; i++) t.add(desc(shared));
    assertErrno(() => t.add(desc(shared)), Errno.MFILE);
    t.closeAll();
    assert.equal(shared.closes, 1);
  });
});
