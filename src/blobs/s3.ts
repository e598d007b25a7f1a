import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { blobStoreUnavailable, missingBlob } from './errors.ts';
import { digestOf, SHA256, spoolToFile } from './spool.ts';
import type { BlobStore, StoredBlob } from './store.ts';

/** Where the blobs live in an S3-compatible service (README "Configuration"). */
export interface S3BlobSettings {
  bucket: string;
  /** Key prefix, empty or ending in `/`. */
  prefix: string;
  /** The service's URL (MinIO, Garage, Ceph RGW…); null: AWS S3 of `region`. */
  endpoint: string | null;
  region: string;
  /** Both or neither; neither: the SDK's own chain (AWS_* variables, instance roles). */
  accessKeyId: string | null;
  secretAccessKey: string | null;
  /** `http://host/bucket/key` rather than `http://bucket.host/key` (most self-hosted services). */
  forcePathStyle: boolean;
  /** Connecting, and waiting for any byte of an answer, give up after this long. */
  timeoutMs: number;
}

/** Multipart part size: the smallest S3 takes; a running upload holds at most QUEUE + 1 parts in memory. */
const PART_BYTES = 5 * 1024 * 1024;
const QUEUE = 2;
/** Spooled uploads a crashed process left behind are removed at start past this age. */
const STALE_SPOOL_MS = 24 * 3600 * 1000;

/**
 * Blobs in an S3-compatible bucket at `<prefix><sha256>`, written once and never changed.
 *
 * An upload is first streamed into a local spool file while it is hashed and measured, and only
 * then sent: the key is the content's sha256, known only at the end, and spooling first means
 * (1) an object is only ever written under its final, correct name, in one PUT or one completed
 * multipart upload, both atomic in S3 — no temporary object to copy, rename or leak; (2) a
 * refusal past `maxBytes` never reaches the bucket; (3) content already stored (a student
 * handing in unchanged files again) is not sent at all, found by a HEAD. Memory stays bounded:
 * the spool is on disk, and the multipart upload holds a few parts of PART_BYTES.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;

  constructor(
    private readonly settings: S3BlobSettings,
    private readonly spoolDir: string,
    /** Keys per ListObjectsV2 page (S3's own limit is 1000; tests ask for fewer to see the paging). */
    private readonly listPageSize = 1000,
  ) {
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      forcePathStyle: settings.forcePathStyle,
      ...(settings.accessKeyId && settings.secretAccessKey
        ? { credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } }
        : {}),
      // Without throwOnRequestTimeout, a silent server only gets a warning and the request waits forever.
      requestHandler: { connectionTimeout: settings.timeoutMs, requestTimeout: settings.timeoutMs, throwOnRequestTimeout: true },
      maxAttempts: 3,
      // Checksums only where S3 requires them: the newer default (aws-chunked bodies with trailing
      // CRC32s) is not understood by every S3-compatible service.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async init(): Promise<this> {
    await fsp.mkdir(this.spoolDir, { recursive: true });
    const cutoff = Date.now() - STALE_SPOOL_MS;
    for (const name of await fsp.readdir(this.spoolDir)) {
      const file = path.join(this.spoolDir, name);
      const stat = await fsp.stat(file).catch(() => null);
      if (stat?.isFile() && stat.mtimeMs < cutoff) await fsp.rm(file, { force: true });
    }
    return this;
  }

  keyOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return `${this.settings.prefix}${sha256}`;
  }

  async put(source: Readable | Buffer, maxBytes = Number.POSITIVE_INFINITY): Promise<StoredBlob> {
    if (Buffer.isBuffer(source)) {
      const blob = digestOf(source, maxBytes);
      if (!(await this.has(blob.sha256))) await this.upload(blob.sha256, source);
      return blob;
    }
    const spool = path.join(this.spoolDir, `${process.pid}-${crypto.randomUUID()}`);
    try {
      const blob = await spoolToFile(source, spool, maxBytes);
      if (!(await this.has(blob.sha256))) await this.upload(blob.sha256, fs.createReadStream(spool));
      return blob;
    } finally {
      await fsp.rm(spool, { force: true });
    }
  }

  /** One PUT for a body under a part, a multipart upload above (aborted, leaving no parts, when it fails). */
  private async upload(sha256: string, body: Readable | Buffer): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.settings.bucket, Key: this.keyOf(sha256), Body: body, ContentType: 'application/octet-stream' },
      partSize: PART_BYTES,
      queueSize: QUEUE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      if (!Buffer.isBuffer(body)) body.destroy();
      throw unavailable(err);
    }
  }

  open(sha256: string): Readable {
    return this.stream(sha256);
  }

  openRange(sha256: string, start: number, end: number): Readable {
    if (end <= start) return Readable.from([]);
    return this.stream(sha256, { start, end });
  }

  /**
   * A stream that asks for the object when first read: callers get it at once (as from the local
   * store), and a missing object or an unreachable store is the stream's error. A server may answer
   * a range with more than was asked (HTTP lets it ignore Range; s3rver widens `bytes=0-0`): its
   * Content-Range says where the body starts, and only the bytes asked for are passed on.
   */
  private stream(sha256: string, range?: { start: number; end: number }): Readable {
    const request = new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.keyOf(sha256), Range: range ? `bytes=${range.start}-${range.end - 1}` : undefined });
    const get = () =>
      this.client.send(request).catch((err: unknown) => {
        throw isMissing(err) ? missingBlob(sha256) : unavailable(err);
      });
    return Readable.from(
      (async function* () {
        const answer = await get();
        const body = answer.Body as Readable;
        const servedFrom = Number(/^bytes (\d+)-/.exec(answer.ContentRange ?? '')?.[1] ?? 0);
        let skip = range ? range.start - servedFrom : 0;
        let left = range ? range.end - range.start : Number.POSITIVE_INFINITY;
        try {
          for await (const data of body) {
            let chunk = data as Buffer;
            if (skip > 0) {
              const dropped = Math.min(skip, chunk.length);
              chunk = chunk.subarray(dropped);
              skip -= dropped;
            }
            if (chunk.length > left) chunk = chunk.subarray(0, left);
            left -= chunk.length;
            if (chunk.length > 0) yield chunk;
            if (left === 0) break;
          }
        } finally {
          body.destroy();
        }
      })(),
      { objectMode: false },
    );
  }

  async read(sha256: string): Promise<Buffer> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.keyOf(sha256) }));
      return Buffer.from(await answer.Body!.transformToByteArray());
    } catch (err) {
      throw isMissing(err) ? missingBlob(sha256) : unavailable(err);
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.keyOf(sha256) }));
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw unavailable(err);
    }
  }

  async delete(sha256: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.keyOf(sha256) }));
    } catch (err) {
      throw unavailable(err);
    }
  }

  /** Objects directly under the prefix named by a sha256, a page of ListObjectsV2 at a time. */
  async *list(): AsyncIterable<{ sha256: string; modifiedMs: number }> {
    let token: string | undefined;
    do {
      const page = await this.client
        .send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: this.settings.prefix, Delimiter: '/', MaxKeys: this.listPageSize, ContinuationToken: token }))
        .catch((err: unknown) => {
          throw unavailable(err);
        });
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(this.settings.prefix.length) ?? '';
        if (SHA256.test(name)) yield { sha256: name, modifiedMs: object.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** The bucket answers with these credentials (used by /healthz); the error says why not. */
  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.settings.bucket }), { abortSignal: AbortSignal.timeout(this.settings.timeoutMs) });
    } catch (err) {
      throw new Error(`S3 bucket "${this.settings.bucket}" at ${this.settings.endpoint ?? `AWS ${this.settings.region}`}: ${describe(err)}`);
    }
  }

  close(): void {
    this.client.destroy();
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function isMissing(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || (err instanceof S3ServiceException && statusOf(err) === 404 && name !== 'NoSuchBucket');
}

function unavailable(err: unknown) {
  return blobStoreUnavailable(new Error(describe(err)));
}

/** Why a request failed, in words an operator can act on (never the credentials). */
function describe(err: unknown): string {
  const status = statusOf(err);
  const name = (err as { name?: string; code?: string } | null)?.code ?? (err as { name?: string } | null)?.name ?? 'Error';
  if (status === 403) return `access denied (HTTP 403, ${name}): check ASSAY_S3_ACCESS_KEY_ID and ASSAY_S3_SECRET_ACCESS_KEY`;
  if (status === 404) return `no such bucket (HTTP 404, ${name})`;
  if (status !== undefined) return `HTTP ${status} (${name})`;
  return `unreachable (${name}: ${(err as Error | null)?.message ?? String(err)})`;
}
