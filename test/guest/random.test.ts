// random: getentropy, arc4random_buf, raw random_get
// (program: test/programs/c/random.c).
import { guestTest, lines } from '../helpers/runners.js';

guestTest('random: getentropy, arc4random_buf, random_get', { program: 'random', sandbox: false }, {
  status: 0,
  stdout: lines(
    'getentropy 256: ok',
    'getentropy 256 not all zero: yes',
    // wasi-libc's getentropy refuses more than 256 bytes itself (EIO).
    'getentropy 257: EIO (29)',
    'getentropy 0: ok',
    'arc4random_buf 1 KiB not all zero: yes',
    'two arc4random_buf calls differ: yes',
    'random_get 1 KiB: OK (0)',
    'random_get 1 KiB again: OK (0)',
    'random_get not all zero: yes',
    'two random_get calls differ: yes',
    'random_get 0 bytes: OK (0)',
    'random_get 1 MiB: OK (0)',
    'random_get 1 MiB: all 256 byte values seen: yes',
    'random_get 1 MiB: last KiB not all zero: yes',
  ),
  stderr: '',
});
