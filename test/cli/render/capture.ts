// A writable stream that keeps what a renderer wrote, for assertions.
import { Writable } from 'node:stream';

export class CapturedOutput extends Writable {
  text = '';
  isTTY = false;

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }

  lines(): string[] {
    return this.text.split('\n').filter((line) => line !== '');
  }
}
