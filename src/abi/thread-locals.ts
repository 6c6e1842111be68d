/**
 * The destructor calls of WASIX's first-generation thread locals (layer:
 * abi): keys the channel port passes to `thread_local_get`, which no key
 * `thread_local_create` gives (keys count up from 1), to take the calls of
 * the destructor export a thread makes, one at a time: the key's user data
 * and the value, two u64 at the pointer (16 bytes); SUCCESS, or NOENT when
 * none is left.
 */

/** The thread ends: its values become destructor calls (then one is taken). */
export const TAKE_AT_THREAD_EXIT = 0xffffffff;
/** One of the calls `thread_local_destroy` left the calling thread. */
export const TAKE_PENDING = 0xfffffffe;

/** The export called for each, unless the guest named another (`callback_thread_local_destroy`): (user lo, hi, value lo, hi). */
export const DEFAULT_DESTRUCTOR = '_thread_local_destroy';
