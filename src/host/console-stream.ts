/**
 * ConsoleStream (layer: host): guest output to the JavaScript console, one
 * console call per complete line (the console has no partial lines). A
 * trailing partial line is printed when the stream is flushed.
 */
import { FileType } from '../abi/constants.js';
import type { OutputStream } from './stdio.js';

/**
 * Guest output to the JavaScript console, one console call per complete
 * line; a browser's default stdout (`console.log`) and stderr
 * (`console.error`).
 */
export class ConsoleStream implements OutputStream {
  /** CHARACTER_DEVICE: the guest sees a terminal-like device. */
  readonly filetype = FileType.CHARACTER_DEVICE;
  #decoder = new TextDecoder();
  #pending = '';

  /** A stream to `console.log` or `console.error`. */
  constructor(
    /** The console method each line goes to. */
    readonly level: 'log' | 'error',
  ) {}

  /** Prints each complete line (UTF-8); keeps a trailing partial line for the next write. */
  write(data: Uint8Array): number {
    const text = this.#pending + this.#decoder.decode(data, { stream: true });
    const lines = text.split('\n');
    this.#pending = lines.pop() ?? '';
    for (const line of lines) console[this.level](line);
    return data.byteLength;
  }

  /** Prints the trailing partial line, if any. */
  flush(): void {
    if (this.#pending !== '') console[this.level](this.#pending);
    this.#pending = '';
  }
}
