import type { Db } from '../../db/database.ts';
import type { IdTable } from '../../db/existing-ids.ts';
import { existingIds } from '../../db/existing-ids.ts';
import { doesNotExist } from '../errors.ts';
import type { FieldProblem } from '../errors.ts';

/** DRF's `does_not_exist` problem for each id in `ids` that has no row in `table`. */
export async function missingReferences(db: Db, table: IdTable, ids: (number | null | undefined)[], field: string): Promise<FieldProblem[]> {
  const wanted = [...new Set(ids.filter((i): i is number => typeof i === 'number'))];
  if (wanted.length === 0) return [];
  const storable = wanted.filter((id) => Number.isInteger(id) && id >= 1 && id <= 2_147_483_647);
  const found = await existingIds(db, table, storable);
  return wanted.filter((id) => !found.has(id)).map((id) => doesNotExist(field, id));
}

/** A url-safe slug, unique in `courses` (or among a course's exercises). */
export function slugify(text: string): string {
  const base = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return base || 'item';
}
