// What the benchmark scripts share when run on their own (node bench/NAME.mjs):
// their command line and how they end.

/**
 * The options of `node bench/<script> [--quick] [--runs N] [--kiln-module PATH]
 * [--verbose]`, plus a script's own switches: `extra` maps a flag to what it
 * sets in the options (their defaults in `defaults`), `usage` adds to the
 * help line. A bad argument exits with 2.
 */
export function parseBenchArgs(argv, script, { defaults = {}, extra = {}, usage = '' } = {}) {
  const opts = { quick: false, runs: null, kilnModule: process.env.KILN_MODULE || null, verbose: false, ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const value = () => (eq > 0 ? a.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case '--quick': opts.quick = true; break;
      case '--runs': opts.runs = Number(value()); break;
      case '--kiln-module': opts.kilnModule = value(); break;
      case '--verbose': case '-v': opts.verbose = true; break;
      case '--help': case '-h':
        console.log(`usage: node bench/${script} [--quick] [--runs N] [--kiln-module PATH]${usage} [--verbose]`);
        process.exit(0);
        break;
      default:
        if (Object.hasOwn(extra, flag)) {
          extra[flag](opts);
          break;
        }
        console.error(`unknown argument: ${a}`);
        process.exit(2);
    }
  }
  if (opts.runs !== null && !(Number.isInteger(opts.runs) && opts.runs > 0)) {
    console.error('--runs must be a positive integer');
    process.exit(2);
  }
  return opts;
}

/** Lists a run's failures on stderr (nothing when there are none). */
export function printFailures(failures) {
  if (!failures.length) return;
  console.error('\nfailures:');
  for (const f of failures) console.error(`  ${f}`);
}

/** Ends the process when `run` (resolving to its failures) settles: status 1 with failures or an error, else 0. */
export function exitWhenDone(run) {
  run.then(
    (failures) => {
      printFailures(failures);
      process.exit(failures.length ? 1 : 0);
    },
    (err) => {
      console.error(err?.stack ?? err);
      process.exit(1);
    },
  );
}
