import type { Redis } from 'ioredis';
import { AssayError } from '../core/errors.ts';
import type { AttemptStore, AttemptWindow } from '../core/identity/sign-in-limits.ts';

/**
 * Adds ARGV[1] to the count at KEYS[1], never below 0; opens a window of ARGV[2] ms when none is
 * open. Answers the count and the window's milliseconds left. One script: atomic across servers.
 */
const ADD = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count < 0 then
  redis.call('SET', KEYS[1], 0, 'KEEPTTL')
  count = 0
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {count, ttl}
`;

/** Failed sign-in attempts counted in Redis, shared by every server (the same fixed windows as MemoryAttemptStore). */
export class RedisAttemptStore implements AttemptStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly nowMs: () => number,
  ) {}

  async add(key: string, delta: 1 | -1, windowMs: number): Promise<AttemptWindow> {
    try {
      const [count, ttl] = (await this.redis.eval(ADD, 1, this.keyOf(key), delta, windowMs)) as [number, number];
      return { count, resetAtMs: this.nowMs() + ttl };
    } catch (err) {
      throw unavailable(err);
    }
  }

  async clear(key: string): Promise<void> {
    try {
      await this.redis.del(this.keyOf(key));
    } catch (err) {
      throw unavailable(err);
    }
  }

  private keyOf(key: string): string {
    return `${this.keyPrefix}sign-in:${key}`;
  }
}

/** Without the shared counters sign-in is refused (503), not let through uncounted. */
function unavailable(cause: unknown): AssayError {
  const error = new AssayError('unavailable', 'Signing in is temporarily unavailable. Try again later.', { reason: 'limits_store_unavailable' });
  (error as Error & { cause?: unknown }).cause = cause;
  return error;
}
