import type { Kysely } from 'kysely';
import type { Engine } from '../columns.ts';

/** OAuth: tables and columns (filled in by the area that owns them; see src/db/tables/oauth.ts). */
export async function up(_db: Kysely<unknown>, _engine: Engine): Promise<void> {}
