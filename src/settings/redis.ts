import type { Env } from './read.ts';
import { ConfigError } from './read.ts';

export interface RedisSettings {
  /** `redis://[:password@]host[:port][/db]` or `rediss://…` (TLS). */
  url: string;
  /** Put before every key Assay writes, so several installations (or tests) can share one Redis. */
  keyPrefix: string;
}

/** Redis for counters shared by every server (README "Scaling out"); null when ASSAY_REDIS_URL is unset. */
export function readRedisSettings(env: Env): RedisSettings | null {
  const url = env.ASSAY_REDIS_URL?.trim();
  if (!url) return null;
  const parsed = URL.canParse(url) ? new URL(url) : null;
  // The message never repeats the URL: it may carry a password.
  if (!parsed || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || !parsed.hostname) {
    throw new ConfigError('ASSAY_REDIS_URL must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379');
  }
  const keyPrefix = env.ASSAY_REDIS_PREFIX?.trim() || 'assay:';
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(keyPrefix)) throw new ConfigError(`ASSAY_REDIS_PREFIX must be 1 to 64 letters, digits or : _ . -, got "${keyPrefix}"`);
  return { url, keyPrefix };
}
