import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { AssayError } from '../core/errors.ts';

/**
 * PostgreSQL text cannot hold U+0000: a query carrying one fails with "invalid byte sequence"
 * (inside jsonb, "unsupported Unicode escape sequence"), which surfaced as a 500 on any route
 * that passed the input on. Every query parameter is checked before it is sent, so such input is
 * refused (400 in each dialect's shape) in this one place; SQLite stores and compares U+0000 like
 * any other character, so it needs no guard.
 */
export function refuseNulParameters(pool: PostgresPool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      // Kysely passes (sql, parameters); the cursor form is not used (no `cursor` in the dialect).
      const query = (async (sql: string, parameters: ReadonlyArray<unknown>) => {
        if (parameters.some(holdsNul)) throw new AssayError('invalid', 'Text may not contain the NUL character (U+0000).', { reason: 'nul_character' });
        return client.query(sql, parameters);
      }) as PostgresPoolClient['query'];
      return { query, release: () => client.release() };
    },
    end: () => pool.end(),
  };
}

/** A string holding U+0000, also inside an array or a JSON object (pg sends those as JSON text). */
export function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || value instanceof Date) return false;
  if (Array.isArray(value)) return value.some(holdsNul);
  return Object.entries(value).some(([key, v]) => key.includes('\0') || holdsNul(v));
}
