import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Reads files into one reusable buffer. The scan only needs most files' bytes long enough to
 * look for a few words; allocating a fresh Buffer per file (readFileSync) costs three to five
 * times as much on a large tree, mostly in allocation and garbage collection.
 */
export class FileReader {
  #buffer = Buffer.allocUnsafe(1 << 20);

  /** The file's bytes, valid until the next call. */
  read(path: string): Buffer {
    const fd = openSync(path, 'r');
    let length = 0;
    try {
      for (;;) {
        if (length === this.#buffer.length) this.#grow();
        const count = readSync(fd, this.#buffer, length, this.#buffer.length - length, null);
        if (count === 0) break;
        length += count;
      }
    } finally {
      closeSync(fd);
    }
    return this.#buffer.subarray(0, length);
  }

  #grow(): void {
    const bigger = Buffer.allocUnsafe(this.#buffer.length * 2);
    this.#buffer.copy(bigger);
    this.#buffer = bigger;
  }
}
