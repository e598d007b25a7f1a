import { AssayError } from '../core/errors.ts';

/** A blob the database names but the store does not hold: a clear not-found, whichever store. */
export function missingBlob(sha256: string): AssayError {
  return new AssayError('not_found', `The file's content (${sha256}) is missing from the blob store.`, { reason: 'blob_missing' });
}

/**
 * The store cannot be reached or refuses Assay's credentials: a 503 in every dialect. The cause
 * (for the log and /healthz) stays out of the message clients read.
 */
export function blobStoreUnavailable(cause: unknown): AssayError {
  const error = new AssayError('unavailable', 'File storage is unavailable. Try again later.', { reason: 'blob_store_unavailable' });
  (error as Error & { cause?: unknown }).cause = cause;
  return error;
}
