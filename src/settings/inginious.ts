import type { Env } from './read.ts';
import { ConfigError, int, timeZone } from './read.ts';

/** The INGInious dialect's settings (environment variables documented in the README). */
export interface InginiousSettings {
  /** ASSAY_INGINIOUS_TIMEZONE: the zone `submitted_on` is written in (IANA name). */
  readonly timezone: string;
  /** ASSAY_INGINIOUS_SESSION_SECONDS: lifetime of the login cookie. */
  readonly sessionSeconds: number;
  /** ASSAY_INGINIOUS_MAX_FILE_BYTES: a file problem's size limit when its task sets none. */
  readonly maxFileBytes: number;
  /** ASSAY_INGINIOUS_ALLOWED_EXTS: a file problem's extensions when its task sets none (space- or comma-separated). */
  readonly allowedExts: readonly string[];
}

const UPSTREAM_EXTS = ['.c', '.cpp', '.java', '.oz', '.zip', '.tar.gz', '.tar.bz2', '.txt'];

function exts(env: Env): string[] {
  const raw = env.ASSAY_INGINIOUS_ALLOWED_EXTS?.trim();
  if (!raw) return UPSTREAM_EXTS;
  const list = raw.split(/[\s,]+/).filter((e) => e !== '');
  const bad = list.find((e) => !/^\.[\w.+-]+$/.test(e));
  if (bad !== undefined) throw new ConfigError(`ASSAY_INGINIOUS_ALLOWED_EXTS: "${bad}" is not an extension such as .py`);
  return list;
}

export function readInginiousSettings(env: Env): InginiousSettings {
  return {
    timezone: timeZone(env, 'ASSAY_INGINIOUS_TIMEZONE', 'Europe/Brussels'),
    sessionSeconds: int(env, 'ASSAY_INGINIOUS_SESSION_SECONDS', 86_400, 60),
    maxFileBytes: int(env, 'ASSAY_INGINIOUS_MAX_FILE_BYTES', 1024 * 1024, 1),
    allowedExts: exts(env),
  };
}
