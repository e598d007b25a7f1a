import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { AssayError } from '../../core/errors.ts';

/** Bodies up to this size stay in memory; larger ones go to a temporary file as they arrive. */
const IN_MEMORY_BYTES = 1024 * 1024;

/**
 * A form-encoded request body kept as it arrived, undecoded: in memory when small, in a
 * temporary file otherwise. Its fields are scanned without holding it whole (form-fields.ts),
 * and a large field (`files`) is read back from it as a stream, once the checks that come
 * before it have passed.
 */
export class SpooledForm {
  private constructor(
    private readonly memory: Buffer | null,
    private readonly file: string | null,
    readonly size: number,
  ) {}

  /**
   * Reads the request body, refusing (413) past `limit` bytes; a large one goes to a file in
   * `dir`. A partial spool file is removed.
   */
  static async receive(source: Readable, limit: number, dir: string): Promise<SpooledForm> {
    const chunks: Buffer[] = [];
    let size = 0;
    let file: string | null = null;
    let out: fs.WriteStream | null = null;
    try {
      for await (const chunk of source) {
        const bytes = chunk as Buffer;
        size += bytes.length;
        if (size > limit) throw new AssayError('too_large', 'Request body is too large.', { limit });
        if (out) {
          if (!out.write(bytes)) await once(out, 'drain');
          continue;
        }
        chunks.push(bytes);
        if (size > IN_MEMORY_BYTES) {
          file = path.join(dir, `ngshare-${crypto.randomUUID()}.form`);
          out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
          for (const held of chunks.splice(0)) out.write(held);
        }
      }
      if (out) await new Promise<void>((resolve, reject) => out!.end((err?: Error | null) => (err ? reject(err) : resolve())));
    } catch (err) {
      out?.destroy();
      if (file) fs.rmSync(file, { force: true });
      throw err;
    }
    return new SpooledForm(file ? null : Buffer.concat(chunks, size), file, size);
  }

  static fromText(text: string): SpooledForm {
    const bytes = Buffer.from(text);
    return new SpooledForm(bytes, null, bytes.length);
  }

  /** The raw bytes from `start` to `end` (exclusive), as a stream. */
  open(start = 0, end = this.size): Readable {
    if (this.memory) return Readable.from([this.memory.subarray(start, end)]);
    if (end <= start) return Readable.from([]);
    return fs.createReadStream(this.file!, { start, end: end - 1, highWaterMark: 256 * 1024 });
  }

  /** Removes the temporary file, if there is one (after the response). */
  discard(): void {
    if (this.file) fs.rmSync(this.file, { force: true });
  }
}

export function isSpooledForm(value: unknown): value is SpooledForm {
  return value instanceof SpooledForm;
}
