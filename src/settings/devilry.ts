import type { Env } from './read.ts';
import { bool, ConfigError, int } from './read.ts';

/** The Devilry settings (environment variables documented in the README). */
export interface DevilrySettings {
  /** Path prefix the Devilry routes are mounted under (`ASSAY_DEVILRY_PREFIX`, default none). */
  readonly prefix: string;
  /** Whether the login cookie is marked `Secure` (`ASSAY_DEVILRY_SECURE_COOKIE`, default false). */
  readonly secureCookie: boolean;
  /** Lifetime of a login session from its start (`ASSAY_DEVILRY_SESSION_SECONDS`, default Django's two weeks). */
  readonly sessionSeconds: number;
}

export function readDevilrySettings(env: Env): DevilrySettings {
  const raw = (env.ASSAY_DEVILRY_PREFIX ?? '').trim().replace(/\/+$/, '');
  if (raw !== '' && !/^(\/[\w.~-]+)+$/.test(raw)) throw new ConfigError(`ASSAY_DEVILRY_PREFIX must be a path like /devilry, got "${raw}"`);
  return {
    prefix: raw,
    secureCookie: bool(env, 'ASSAY_DEVILRY_SECURE_COOKIE', false),
    sessionSeconds: int(env, 'ASSAY_DEVILRY_SESSION_SECONDS', 14 * 24 * 3600, 60),
  };
}
