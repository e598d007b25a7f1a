import { Redis } from 'ioredis';
import type { RedisSettings } from '../settings/redis.ts';

export type { Redis } from 'ioredis';

/**
 * The process's one Redis connection (ASSAY_REDIS_URL), for counters every server shares. Short
 * timeouts and one retry per command: a Redis that is down answers an error in about two seconds,
 * never a request held open.
 */
export function openRedis(settings: RedisSettings): Redis {
  const redis = new Redis(settings.url, { connectTimeout: 2000, commandTimeout: 2000, maxRetriesPerRequest: 1 });
  // Errors reach each command's caller; without a listener ioredis would also print every reconnect.
  redis.on('error', () => {});
  return redis;
}
