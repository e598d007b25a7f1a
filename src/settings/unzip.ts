import type { Env } from './read.ts';
import { int } from './read.ts';

/** Limits on unpacking an uploaded archive (environment variables documented in the README). */
export interface UnzipSettings {
  /** Bytes all the files of one archive may unpack to (`ASSAY_UNZIP_MAX_BYTES`). */
  readonly maxBytes: number;
  /** Files one archive may hold (`ASSAY_UNZIP_MAX_ENTRIES`). */
  readonly maxEntries: number;
  /** Unpacked bytes per byte of the archive, once past 1 MiB (`ASSAY_UNZIP_MAX_RATIO`; 0: no ratio limit). */
  readonly maxRatio: number;
}

export function readUnzipSettings(env: Env): UnzipSettings {
  return {
    maxBytes: int(env, 'ASSAY_UNZIP_MAX_BYTES', 512 * 1024 * 1024, 1),
    maxEntries: int(env, 'ASSAY_UNZIP_MAX_ENTRIES', 2000, 1),
    maxRatio: int(env, 'ASSAY_UNZIP_MAX_RATIO', 100),
  };
}
