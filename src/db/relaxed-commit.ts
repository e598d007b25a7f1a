import { sql } from 'kysely';

/**
 * A CTE named `relaxed` for PostgreSQL statements whose commit need not wait for the disk:
 * set_config(…, true) is SET LOCAL, so it holds for the transaction the statement belongs to (its
 * own, outside a transaction) and that transaction's commit. A statement that uses it must refer to
 * `relaxed` (say `FROM relaxed`), or PostgreSQL never evaluates it.
 */
export const RELAXED_COMMIT = sql`relaxed AS (SELECT set_config('synchronous_commit', 'off', true) AS setting)`;
