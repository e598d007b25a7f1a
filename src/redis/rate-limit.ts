import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import type { Services } from '../core/services.ts';

/**
 * Options for @fastify/rate-limit that count in the shared Redis when there is one (each plugin
 * under its own name), per process otherwise. A Redis that cannot answer lets requests through
 * (`skipOnError`): these limits guard capacity; failed sign-ins, which guard accounts, are refused
 * instead (RedisAttemptStore).
 */
export function sharedRateLimitStore(services: Services, name: string): Pick<RateLimitPluginOptions, 'redis' | 'nameSpace' | 'skipOnError'> {
  if (!services.redis || !services.config.redis) return {};
  return { redis: services.redis, nameSpace: `${services.config.redis.keyPrefix}rate-limit:${name}:`, skipOnError: true };
}
