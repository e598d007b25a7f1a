import type { S3BlobSettings } from '../blobs/s3.ts';
import type { Env } from './read.ts';
import { bool, ConfigError, int } from './read.ts';

/** S3's rule for bucket names (3 to 63 lower-case letters, digits, dots and hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The S3-compatible blob store (README "Configuration"), from `ASSAY_BLOB_URL=s3://bucket/prefix`
 * and the ASSAY_S3_* variables; null when ASSAY_BLOB_URL is unset (blobs in ASSAY_BLOB_DIR).
 */
export function readS3BlobSettings(env: Env): S3BlobSettings | null {
  const raw = env.ASSAY_BLOB_URL?.trim();
  if (!raw) return null;
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(raw);
  if (!match) throw new ConfigError(`ASSAY_BLOB_URL must be s3://bucket or s3://bucket/prefix, got "${raw}"`);
  const bucket = match[1]!;
  if (!BUCKET.test(bucket)) throw new ConfigError(`ASSAY_BLOB_URL names an invalid bucket "${bucket}" (3 to 63 lower-case letters, digits, dots and hyphens)`);
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((part) => part === '.' || part === '..') || /\/\//.test(prefix)) {
    throw new ConfigError(`ASSAY_BLOB_URL has an invalid prefix "${prefix}"`);
  }
  const endpoint = env.ASSAY_S3_ENDPOINT?.trim().replace(/\/+$/, '') || null;
  if (endpoint !== null && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(endpoint)) {
    throw new ConfigError(`ASSAY_S3_ENDPOINT must be an http(s) URL such as http://minio:9000, got "${endpoint}"`);
  }
  const accessKeyId = env.ASSAY_S3_ACCESS_KEY_ID?.trim() || null;
  const secretAccessKey = env.ASSAY_S3_SECRET_ACCESS_KEY || null;
  if ((accessKeyId === null) !== (secretAccessKey === null)) {
    // The message names the variables, never their values.
    throw new ConfigError('ASSAY_S3_ACCESS_KEY_ID and ASSAY_S3_SECRET_ACCESS_KEY go together: set both, or neither to use the AWS SDK’s own credentials');
  }
  const region = env.ASSAY_S3_REGION?.trim() || 'us-east-1';
  if (!/^[a-z0-9-]+$/.test(region)) throw new ConfigError(`ASSAY_S3_REGION must be a region name such as eu-west-1, got "${region}"`);
  return {
    bucket,
    prefix: prefix ? `${prefix}/` : '',
    endpoint,
    region,
    accessKeyId,
    secretAccessKey,
    // Self-hosted services (MinIO, Garage, s3rver) usually answer on one host name only.
    forcePathStyle: bool(env, 'ASSAY_S3_FORCE_PATH_STYLE', endpoint !== null),
    timeoutMs: int(env, 'ASSAY_S3_TIMEOUT_SECONDS', 10, 1) * 1000,
  };
}
