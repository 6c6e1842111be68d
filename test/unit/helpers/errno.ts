/** Assertions on the errno an operation fails with. */
import assert from 'node:assert/strict';
import { errnoName, type Errno } from '../../../src/abi/errno.js';
import { errnoOf } from '../../../src/abi/host-errors.js';

/**
 * Asserts that `fn` throws and that the thrown value maps to `errno`
 * (a WasiError's own errno, or a host error's code through Kiln's table).
 */
export function assertErrno(fn: () => unknown, errno: Errno, message?: string): void {
  let threw = false;
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    threw = true;
    thrown = e;
  }
  assert.ok(threw, `${message ?? 'operation'}: expected E${errnoName(errno)}, but it succeeded`);
  const got = errnoOf(thrown);
  assert.equal(
    errnoName(got), errnoName(errno),
    `${message ?? 'operation'}: expected E${errnoName(errno)}, got E${errnoName(got)} (${String(thrown)})`,
  );
}
