import type { Readable } from 'node:stream';

export interface StoredBlob {
  sha256: string;
  size: number;
  md5: string;
}

/** Content-addressed file storage: a local directory (local.ts) or an S3-compatible bucket (s3.ts). */
export interface BlobStore {
  /** Streams `source` in; throws a `too_large` AssayError past `maxBytes`, leaving nothing behind. */
  put(source: Readable | Buffer, maxBytes?: number): Promise<StoredBlob>;
  /**
   * Stores buffers together, answering in order; as put, but a store that can makes them durable
   * together (local.ts: the disk flushes overlap) rather than one after another.
   */
  putMany?(contents: Buffer[], maxBytes?: number): Promise<StoredBlob[]>;
  open(sha256: string): Readable;
  /** Bytes `start` (inclusive) to `end` (exclusive) of a blob: an archive is read where it is, never whole. */
  openRange(sha256: string, start: number, end: number): Readable;
  /** The whole blob; `size` (when the caller knows it) lets a small one be read in one step. */
  read(sha256: string, size?: number): Promise<Buffer>;
  has(sha256: string): Promise<boolean>;
  delete(sha256: string): Promise<void>;
  /** Every blob in the store with its last-modified time, for garbage collection. */
  list(): AsyncIterable<{ sha256: string; modifiedMs: number }>;
  check(): Promise<void>;
  /** Lets go of connections, when the store holds any. */
  close?(): void;
}
