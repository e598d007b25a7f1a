import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { S3BlobSettings } from '../../src/blobs/s3.ts';

/** s3rver's fixed credentials. */
export const S3RVER_KEY = 'S3RVER';
export const S3RVER_SECRET = 'S3RVER';

export interface S3rverProcess {
  endpoint: string;
  bucket: string;
  /** Settings of an S3 store on this server under a fresh prefix. */
  settings(overrides?: Partial<S3BlobSettings>): S3BlobSettings;
  /** The same as environment variables, for a whole server (`startTestServer({ env })`). */
  env(overrides?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts s3rver (npm) in a child process on a free port, over a fresh temporary directory, with
 * one bucket: the store under test talks real S3 over HTTP, and the test process's memory is
 * the store's alone.
 */
export async function startS3rver(): Promise<S3rverProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assay-s3rver-'));
  const bucket = 'assay-test';
  // s3rver seals ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', path.join(import.meta.dirname, 's3rver-main.mjs'), dir, bucket], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`s3rver exited with ${String(code)}`);
    }),
  ])) as [string];
  const { port } = JSON.parse(first) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const prefix = () => `t-${crypto.randomBytes(4).toString('hex')}/`;
  return {
    endpoint,
    bucket,
    settings: (overrides = {}) => ({
      bucket,
      prefix: prefix(),
      endpoint,
      region: 'us-east-1',
      accessKeyId: S3RVER_KEY,
      secretAccessKey: S3RVER_SECRET,
      forcePathStyle: true,
      timeoutMs: 5000,
      ...overrides,
    }),
    env: (overrides = {}) => ({
      ASSAY_BLOB_URL: `s3://${bucket}/${prefix()}`,
      ASSAY_S3_ENDPOINT: endpoint,
      ASSAY_S3_ACCESS_KEY_ID: S3RVER_KEY,
      ASSAY_S3_SECRET_ACCESS_KEY: S3RVER_SECRET,
      ASSAY_S3_TIMEOUT_SECONDS: '5',
      ...overrides,
    }),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
