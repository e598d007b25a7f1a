import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { AssayError } from '../../core/errors.ts';

/**
 * Bodies up to this size stay in memory (a typical hand-in: the file would cost a write and two
 * reads); larger ones go to a temporary file as they arrive. The same bound as the `files` text
 * decoded whole (form-fields.ts).
 */
const IN_MEMORY_BYTES = 8 * 1024 * 1024;
/** At most this much of all the bodies being received at once is held in memory; the rest goes to files. */
const IN_MEMORY_TOTAL_BYTES = 64 * 1024 * 1024;
let inMemoryBytes = 0;

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
    /** What this body counts against IN_MEMORY_TOTAL_BYTES until it is discarded. */
    private held = 0,
  ) {}

  /**
   * Reads the request body, refusing (413) past `limit` bytes; a large one goes to a file in
   * `dir`. A partial spool file is removed.
   */
  static async receive(source: Readable, limit: number, dir: string): Promise<SpooledForm> {
    const chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
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
        if (size <= IN_MEMORY_BYTES && inMemoryBytes + bytes.length <= IN_MEMORY_TOTAL_BYTES) {
          inMemoryBytes += bytes.length;
          held += bytes.length;
          continue;
        }
        inMemoryBytes -= held;
        held = 0;
        file = path.join(dir, `ngshare-${crypto.randomUUID()}.form`);
        out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
        for (const kept of chunks.splice(0)) out.write(kept);
      }
      if (out) await new Promise<void>((resolve, reject) => out!.end((err?: Error | null) => (err ? reject(err) : resolve())));
    } catch (err) {
      inMemoryBytes -= held;
      out?.destroy();
      if (file) fs.rmSync(file, { force: true });
      throw err;
    }
    if (file) return new SpooledForm(null, file, size);
    return new SpooledForm(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), null, size, held);
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

  /** The raw bytes from `start` to `end` (exclusive) in one piece, when the body is in memory (no copy). */
  slice(start: number, end: number): Buffer | null {
    return this.memory ? this.memory.subarray(start, end) : null;
  }

  /** Removes the temporary file, if there is one, or gives back its share of memory (after the response). */
  discard(): void {
    if (this.file) fs.rmSync(this.file, { force: true });
    inMemoryBytes -= this.held;
    this.held = 0;
  }
}

export function isSpooledForm(value: unknown): value is SpooledForm {
  return value instanceof SpooledForm;
}
