/**
 * ConsoleStream (layer: host): guest output to the JavaScript console, one
 * console call per complete line (the console has no partial lines). A
 * trailing partial line is printed when the stream is flushed.
 */
import { FileType } from '../abi/constants.js';
import type { OutputStream } from './stdio.js';

export class ConsoleStream implements OutputStream {
  readonly filetype = FileType.CHARACTER_DEVICE;
  #decoder = new TextDecoder();
  #pending = '';

  constructor(readonly level: 'log' | 'error') {}

  write(data: Uint8Array): number {
    const text = this.#pending + this.#decoder.decode(data, { stream: true });
    const lines = text.split('\n');
    this.#pending = lines.pop() ?? '';
    for (const line of lines) console[this.level](line);
    return data.byteLength;
  }

  flush(): void {
    if (this.#pending !== '') console[this.level](this.#pending);
    this.#pending = '';
  }
}
