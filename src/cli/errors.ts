/**
 * The two kinds of failure the `kiln` commands report before or instead of
 * running a guest (layer: CLI), each with its exit status (docs/cli.md):
 * the command line or an input file is wrong (status 2), or the module is
 * understood but Kiln cannot run it as asked (status 1).
 */

/** An unknown option, a bad value, a missing or unreadable file: status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The module needs what Kiln does not have (imports, an entry point, WASIX): status 1. */
export class CannotRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CannotRunError';
  }
}
