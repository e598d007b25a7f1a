import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { Clearance } from '../actor.ts';
import type { FieldProblem } from '../errors.ts';
import { AssayError } from '../errors.ts';

type Table = 'courses' | 'users' | 'classes' | 'queues' | 'lessons';

/** DRF's `does_not_exist` problem for every id of `ids` that names no row of `table`. */
export async function missingIds(db: Db, table: Table, ids: number[], field: string): Promise<FieldProblem[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const found = new Set((await db.selectFrom(table).select('id').where('id', 'in', unique).execute()).map((r) => r.id));
  return unique.filter((id) => !found.has(id)).map((id) => ({ field, code: 'does_not_exist', message: `Invalid pk "${id}" - object does not exist.` }));
}

/** Classes and seats are the staff side of a program: checkers and above read them, students do not (403). */
export function assertReader(actor: Actor): void {
  if (actor.clearance < Clearance.checker) throw AssayError.forbidden();
}
