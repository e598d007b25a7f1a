import type { Db } from '../../db/database.ts';
import type { NewRow, RowPatch } from '../../db/types.ts';
import { Clearance } from '../actor.ts';

export interface LessonRow {
  id: number;
  name: string;
  module_id: number;
  description: string | null;
  module_order: string;
  module_name: string;
  subject_symbol: string;
  subject_name: string;
  program_name: string;
  course_id: number;
}

export interface RuleRow {
  id: number;
  lesson_id: number;
  parent_rule_id: number | null;
  queue_id: number | null;
}

export const lessonsRepo = {
  list(db: Db, f: { visible: number[] | null; id?: number; moduleId?: number; courseIds?: number[] }): Promise<LessonRow[]> {
    let q = db
      .selectFrom('lessons')
      .innerJoin('modules', 'modules.id', 'lessons.module_id')
      .innerJoin('subjects', 'subjects.id', 'modules.subject_id')
      .innerJoin('courses', 'courses.id', 'subjects.course_id')
      .select([
        'lessons.id',
        'lessons.name',
        'lessons.module_id',
        'lessons.description',
        'modules.order as module_order',
        'modules.name as module_name',
        'subjects.symbol as subject_symbol',
        'subjects.name as subject_name',
        'courses.name as program_name',
        'subjects.course_id',
      ]);
    if (f.visible !== null) q = f.visible.length > 0 ? q.where('subjects.course_id', 'in', f.visible) : q.where((eb) => eb.val(false));
    if (f.id !== undefined) q = q.where('lessons.id', '=', f.id);
    if (f.moduleId !== undefined) q = q.where('lessons.module_id', '=', f.moduleId);
    if (f.courseIds) q = q.where('subjects.course_id', 'in', f.courseIds);
    return q.orderBy('lessons.id').execute();
  },

  async exists(db: Db, id: number): Promise<boolean> {
    return (await db.selectFrom('lessons').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  },

  async insert(db: Db, row: NewRow<'lessons'>): Promise<number> {
    return (await db.insertInto('lessons').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async update(db: Db, id: number, patch: RowPatch<'lessons'>): Promise<void> {
    await db.updateTable('lessons').set(patch).where('id', '=', id).execute();
  },

  async delete(db: Db, id: number): Promise<void> {
    await db.deleteFrom('lessons').where('id', '=', id).execute();
  },
};

export const lessonRulesRepo = {
  byLesson(db: Db, lessonId: number): Promise<RuleRow[]> {
    return db.selectFrom('lesson_rules').select(['id', 'lesson_id', 'parent_rule_id', 'queue_id']).where('lesson_id', '=', lessonId).orderBy('id').execute();
  },

  groupsOf(db: Db, ruleIds: number[]): Promise<{ rule_id: number; class_id: number }[]> {
    if (ruleIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('lesson_rule_groups').select(['rule_id', 'class_id']).where('rule_id', 'in', ruleIds).orderBy('class_id').execute();
  },

  async insert(db: Db, row: NewRow<'lesson_rules'>): Promise<number> {
    return (await db.insertInto('lesson_rules').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async update(db: Db, id: number, patch: RowPatch<'lesson_rules'>): Promise<void> {
    await db.updateTable('lesson_rules').set(patch).where('id', '=', id).execute();
  },

  async addGroups(db: Db, ruleId: number, classIds: number[]): Promise<void> {
    if (classIds.length > 0) await db.insertInto('lesson_rule_groups').values(classIds.map((class_id) => ({ rule_id: ruleId, class_id }))).execute();
  },

  async clearGroups(db: Db, ruleId: number): Promise<void> {
    await db.deleteFrom('lesson_rule_groups').where('rule_id', '=', ruleId).execute();
  },

  async delete(db: Db, id: number): Promise<void> {
    await db.deleteFrom('lesson_rules').where('id', '=', id).execute();
  },
};

/** What applying a lesson reads and writes of a class's students. */
export const lessonApplyRepo = {
  async classExists(db: Db, classId: number): Promise<boolean> {
    return (await db.selectFrom('classes').select('id').where('id', '=', classId).executeTakeFirst()) !== undefined;
  },

  studentsOf(db: Db, classId: number): Promise<{ id: number; override_queue_id: number | null }[]> {
    return db
      .selectFrom('class_members')
      .innerJoin('users', 'users.id', 'class_members.user_id')
      .select(['users.id', 'users.override_queue_id'])
      .where('class_members.class_id', '=', classId)
      .where('users.clearance', '=', Clearance.student)
      .execute();
  },

  memberships(db: Db, userIds: number[]): Promise<{ user_id: number; class_id: number }[]> {
    return db.selectFrom('class_members').select(['user_id', 'class_id']).where('user_id', 'in', userIds).execute();
  },

  async setOverrideQueue(db: Db, userIds: number[], queueId: number | null): Promise<void> {
    await db.updateTable('users').set({ override_queue_id: queueId }).where('id', 'in', userIds).execute();
  },
};
