import path from 'node:path';
import type { Config } from '../config.ts';
import { LocalBlobStore } from './local.ts';
import { S3BlobStore } from './s3.ts';
import type { BlobStore } from './store.ts';

/** The store the configuration names: an S3-compatible bucket (ASSAY_BLOB_URL) or the local directory. */
export async function openBlobStore(config: Config): Promise<BlobStore> {
  if (config.blobS3) return new S3BlobStore(config.blobS3, path.join(config.dataDir, 'tmp', 'blob-uploads')).init();
  return new LocalBlobStore(config.blobDir).init();
}
