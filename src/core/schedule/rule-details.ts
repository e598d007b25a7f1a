import type { Db } from '../../db/database.ts';
import { classesRepo } from '../classes/classes.repo.ts';

/** A class as a lesson rule shows it (`student_groups_data`). */
export interface RuleClass {
  id: number;
  name: string;
  course_id: number;
  program_name: string;
  email: string;
  type: string;
  description: string | null;
  users: number[];
}

/** The classes lesson rules point at (their queues come from the queues service), in two queries. */
export async function loadRuleDetails(db: Db, classIds: number[]): Promise<{ classes: Map<number, RuleClass> }> {
  const classes = new Map<number, RuleClass>();
  if (classIds.length > 0) {
    const rows = await classesRepo.list(db, { visible: null, ids: classIds });
    const members = await classesRepo.members(db, classIds);
    for (const r of rows) classes.set(r.id, { ...r, users: members.filter((m) => m.class_id === r.id).map((m) => m.user_id) });
  }
  return { classes };
}
