// args/env: argc/argv, environ, getenv, args/environ size queries
// (program: test/programs/c/argsenv.c).
import path from 'node:path';
import { programPath, repoRoot } from '../helpers/programs.js';
import { guestTest, lines } from '../helpers/runners.js';

const env: [string, string][] = [
  ['GREETING', 'hi there'],
  ['WITH_EQUALS', 'a=b=c'],
  ['EMPTY', ''],
  ['UNICODE', '\u00f1\u2713'],
];
const envBytes = env.reduce((n, [k, v]) => n + Buffer.byteLength(`${k}=${v}`) + 1, 0);
const args = ['hello', 'two words', '', '\u00fcn\u00ef', '--flag', '-x', '--'];

guestTest(
  'args/env: arguments and variables',
  { program: programPath('argsenv'), args, env, sandbox: false },
  {
    status: 0,
    stdout: lines(
      'argc=8',
      // argv[0] is the module path exactly as given on the command line.
      `argv[0]=[${programPath('argsenv')}]`,
      'argv[1]=[hello]',
      'argv[2]=[two words]',
      'argv[3]=[]',
      'argv[4]=[\u00fcn\u00ef]',
      'argv[5]=[--flag]',
      'argv[6]=[-x]',
      'argv[7]=[--]',
      'argv[argc] is NULL: yes',
      // Only the variables given with --env: nothing from the host.
      'environ count=4',
      'env: [EMPTY=]',
      'env: [GREETING=hi there]',
      'env: [UNICODE=\u00f1\u2713]',
      'env: [WITH_EQUALS=a=b=c]',
      'getenv(GREETING)=[hi there]',
      'getenv(EMPTY)=[]',
      'getenv(WITH_EQUALS)=[a=b=c]',
      'getenv(UNICODE)=[\u00f1\u2713]',
      'getenv(MISSING)=NULL',
      'args_sizes_get: OK (0)',
      'args count=8 matches argc: yes; bufsize matches: yes',
      'environ_sizes_get: OK (0)',
      `environ count=4 bufsize=${envBytes} matches: yes`,
      'args_sizes_get again: OK (0)',
      'args_get: OK (0)',
      'raw args equal argv: yes',
    ),
    stderr: '',
  },
);

// A relative module path is passed through as written, too.
const relative = path.relative(repoRoot, programPath('argsenv'));
guestTest(
  'args/env: no arguments, no variables, relative module path',
  { program: relative, cwd: repoRoot, sandbox: false },
  {
    status: 0,
    stdout: lines(
      'argc=1',
      `argv[0]=[${relative}]`,
      'argv[argc] is NULL: yes',
      'environ count=0',
      'getenv(GREETING)=NULL',
      'getenv(EMPTY)=NULL',
      'getenv(WITH_EQUALS)=NULL',
      'getenv(UNICODE)=NULL',
      'getenv(MISSING)=NULL',
      'args_sizes_get: OK (0)',
      'args count=1 matches argc: yes; bufsize matches: yes',
      'environ_sizes_get: OK (0)',
      'environ count=0 bufsize=0 matches: yes',
      'args_sizes_get again: OK (0)',
      'args_get: OK (0)',
      'raw args equal argv: yes',
    ),
    stderr: '',
  },
);
