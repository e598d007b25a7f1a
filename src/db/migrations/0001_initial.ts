import type { Kysely } from 'kysely';
import type { Engine } from '../columns.ts';
import { schemaV1, tableOrderV1 } from '../schema-v1.ts';
import type { LateForeignKey } from '../table-spec.ts';
import { addLateForeignKeys, createTable } from '../table-spec.ts';

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const existing = new Set<string>();
  const late: LateForeignKey[] = [];
  for (const name of tableOrderV1) late.push(...(await createTable(db, engine, schemaV1[name], existing)));
  await addLateForeignKeys(db, late);
}
