import type { Db } from '../../db/database.ts';

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
    const rows = await db
      .selectFrom('classes')
      .innerJoin('courses', 'courses.id', 'classes.course_id')
      .select(['classes.id', 'classes.name', 'classes.course_id', 'courses.name as program_name', 'classes.email', 'classes.type', 'classes.description'])
      .where('classes.id', 'in', classIds)
      .execute();
    const members = await db.selectFrom('class_members').select(['class_id', 'user_id']).where('class_id', 'in', classIds).orderBy('user_id').execute();
    for (const r of rows) classes.set(r.id, { ...r, users: members.filter((m) => m.class_id === r.id).map((m) => m.user_id) });
  }
  return { classes };
}
