// Rust std on wasm32-wasi: std::fs, std::env, std::io, std::process::exit
// (program: test/programs/rust/rustfs.rs).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { guestTest, lines } from '../helpers/runners.js';

guestTest(
  'rust: std::fs, env, args, stdin, exit code',
  {
    program: 'rustfs',
    args: ['/sandbox', '17', 'extra', 'two words'],
    env: [
      ['RUST_GREETING', 'hi'],
      ['B', '2'],
    ],
    stdin: 'line1\nline2\n',
    check: (sb, result) => {
      if (result.status !== 17) return;
      assert.deepEqual(readdirSync(sb.dir).sort(), ['copy.txt', 'full']);
      assert.equal(readFileSync(path.join(sb.dir, 'copy.txt'), 'utf8'), 'hello from rust\nappended\n');
    },
  },
  {
    status: 17,
    stdout: lines(
      'args after argv[0]: ["/sandbox", "17", "extra", "two words"]',
      'env B="2"',
      'env RUST_GREETING="hi"',
      'var RUST_GREETING: Some("hi")',
      'var MISSING: None',
      'read_to_string: "hello from rust\\n"',
      'after append: "hello from rust\\nappended\\n"',
      'metadata: len=25 is_file=true is_dir=false',
      'modified time after 2024: true',
      'read_dir: ["hello.txt (file)", "nested (dir)"]',
      'nested/deeper is_dir: true',
      'hello.txt exists after rename: false',
      'copied bytes: 25',
      'left: ["copy.txt"]',
      'read missing: kind=NotFound raw_os_error=Some(44)',
      'create_dir over file: kind=AlreadyExists raw_os_error=Some(20)',
      'remove_dir non-empty: raw_os_error=Some(55)',
      // EPERM, as wasmtime (see sandbox.test.ts).
      'read outside the sandbox: Err(Some(63))',
      'metadata missing is NotFound: true',
      'stdin: 12 bytes, 2 lines',
    ),
    stderr: 'to stderr from rust\n',
  },
  {
    // node:wasi differs: ENOTCAPABLE (76) instead of wasmtime's EPERM (63)
    // for a path leaving the preopen (see sandbox.test.ts).
    rewrite: [[/Err\(Some\(76\)\)/, 'Err(Some(63))']],
    ignoreLines: [],
  },
);
