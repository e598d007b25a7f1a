/** Writes of Devilry's hierarchy onto the core tables and the Devilry tables beside them. */
import type { Db } from '../../db/database.ts';
import { coursesRepo } from '../courses/courses.repo.ts';

export interface NewPeriod {
  subjectId: number;
  shortName: string;
  longName: string;
  startTime: string | null;
  endTime: string | null;
}

export interface NewAssignment {
  periodId: number;
  shortName: string;
  longName: string;
  publishingTime: string;
  anonymous: boolean;
  deliveryTypes: number;
  scalePointsPercent: number;
}

export const hierarchyRepo = {
  async insertNode(trx: Db, row: { parentnode_id: number | null; short_name: string; long_name: string }): Promise<number> {
    return (await trx.insertInto('devilry_nodes').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  async insertSubject(trx: Db, row: { node_id: number; short_name: string; long_name: string }): Promise<number> {
    return (await trx.insertInto('devilry_subjects').values(row).returning('id').executeTakeFirstOrThrow()).id;
  },

  /**
   * A period is a course. Its short name is unique only within its subject, the course's slug
   * everywhere: the slug is the short name when no course has it yet, else `<short name>-<id>`.
   */
  async insertPeriod(trx: Db, p: NewPeriod, now: string): Promise<number> {
    const id = await coursesRepo.create(trx, { slug: p.shortName, name: p.longName, start_at: p.startTime, end_at: p.endTime, created_at: now }, { slugTaken: 'append-id' });
    await trx.insertInto('devilry_periods').values({ course_id: id, subject_id: p.subjectId, short_name: p.shortName }).execute();
    return id;
  },

  async insertAssignment(trx: Db, a: NewAssignment, now: string): Promise<number> {
    const { id } = await trx
      .insertInto('exercises')
      .values({ course_id: a.periodId, slug: a.shortName, name: a.longName, start_at: a.publishingTime, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('devilry_assignments')
      .values({ exercise_id: id, publishing_time: a.publishingTime, anonymous: a.anonymous, delivery_types: a.deliveryTypes, scale_points_percent: a.scalePointsPercent })
      .execute();
    return id;
  },

  async insertGroup(trx: Db, g: { exerciseId: number; name: string; isOpen: boolean }, now: string): Promise<number> {
    const { id } = await trx
      .insertInto('assignments')
      .values({ exercise_id: g.exerciseId, last_staff_updated: now, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.insertInto('devilry_groups').values({ assignment_id: id, exercise_id: g.exerciseId, name: g.name, is_open: g.isOpen }).execute();
    return id;
  },

  async addMember(trx: Db, groupId: number, userId: number, role: 'candidate' | 'examiner', candidateId: string | null = null): Promise<void> {
    await trx.insertInto('assignment_members').values({ assignment_id: groupId, user_id: userId, role }).execute();
    await trx.insertInto('devilry_members').values({ assignment_id: groupId, user_id: userId, role }).execute();
    if (candidateId !== null) await trx.insertInto('devilry_candidate_ids').values({ assignment_id: groupId, user_id: userId, candidate_id: candidateId }).execute();
  },

  async addTag(trx: Db, groupId: number, tag: string): Promise<void> {
    await trx.insertInto('devilry_group_tags').values({ assignment_id: groupId, tag }).execute();
  },

  async insertDeadline(trx: Db, d: { groupId: number; deadline: string; text: string | null }, now: string): Promise<number> {
    return (
      await trx
        .insertInto('devilry_deadlines')
        .values({ assignment_id: d.groupId, deadline: d.deadline, text: d.text, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  },

  deadline(db: Db, id: number) {
    return db.selectFrom('devilry_deadlines').select(['id', 'assignment_id']).where('id', '=', id).executeTakeFirst();
  },

  async updateDeadline(trx: Db, id: number, patch: { assignment_id?: number; deadline?: string; text?: string | null; feedbacks_published?: boolean }): Promise<void> {
    if (Object.keys(patch).length > 0) await trx.updateTable('devilry_deadlines').set(patch).where('id', '=', id).execute();
  },

  async deliveriesOnDeadline(db: Db, id: number): Promise<number> {
    const row = await db.selectFrom('devilry_deliveries').select((eb) => eb.fn.countAll().as('n')).where('deadline_id', '=', id).executeTakeFirst();
    return Number(row?.n ?? 0);
  },

  async deleteDeadline(trx: Db, id: number): Promise<void> {
    await trx.deleteFrom('devilry_deadlines').where('id', '=', id).execute();
  },

  async updateDelivery(trx: Db, id: number, patch: { deadline_id?: number; successful?: boolean; delivery_type?: number; alias_delivery?: number | null }): Promise<void> {
    if (Object.keys(patch).length > 0) await trx.updateTable('devilry_deliveries').set(patch).where('submission_id', '=', id).execute();
  },

  /** A delivery: a submission numbered in the group's sequence, its Devilry number 0 when an examiner made it. */
  async insertDelivery(
    trx: Db,
    d: { groupId: number; deadlineId: number; deliveredBy: number | null; successful: boolean; deliveryType: number; aliasDelivery: number | null },
    now: string,
  ): Promise<number> {
    const last = await trx.selectFrom('submissions').select((eb) => eb.fn.max('number').as('n')).where('assignment_id', '=', d.groupId).executeTakeFirst();
    const sequence = Number(last?.n ?? 0) + 1;
    const { id } = await trx
      .insertInto('submissions')
      .values({ assignment_id: d.groupId, user_id: d.deliveredBy, number: sequence, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const lastDevilry = await trx
      .selectFrom('devilry_deliveries as dd')
      .innerJoin('submissions as s', 's.id', 'dd.submission_id')
      .select((eb) => eb.fn.max('dd.number').as('n'))
      .where('s.assignment_id', '=', d.groupId)
      .executeTakeFirst();
    const number = d.deliveredBy === null ? 0 : Number(lastDevilry?.n ?? 0) + 1;
    await trx
      .insertInto('devilry_deliveries')
      .values({ submission_id: id, deadline_id: d.deadlineId, number, successful: d.successful, delivery_type: d.deliveryType, alias_delivery: d.aliasDelivery })
      .execute();
    return id;
  },

  delivery(db: Db, id: number) {
    return db
      .selectFrom('devilry_deliveries as dd')
      .innerJoin('submissions as s', 's.id', 'dd.submission_id')
      .select(['s.id', 's.assignment_id'])
      .where('s.id', '=', id)
      .executeTakeFirst();
  },

  async deliveryTree(db: Db, id: number): Promise<number | null> {
    return (await db.selectFrom('submissions').select('tree_id').where('id', '=', id).executeTakeFirst())?.tree_id ?? null;
  },

  async setDeliveryTree(trx: Db, id: number, treeId: number): Promise<void> {
    await trx.updateTable('submissions').set({ tree_id: treeId }).where('id', '=', id).execute();
  },

  fileMeta(db: Db, id: number) {
    return db
      .selectFrom('devilry_filemetas as fm')
      .innerJoin('submissions as s', 's.id', 'fm.submission_id')
      .select(['fm.id', 'fm.submission_id', 'fm.filename', 's.assignment_id'])
      .where('fm.id', '=', id)
      .executeTakeFirst();
  },

  async fileMetaExists(db: Db, deliveryId: number, filename: string): Promise<boolean> {
    return Boolean(await db.selectFrom('devilry_filemetas').select('id').where('submission_id', '=', deliveryId).where('filename', '=', filename).executeTakeFirst());
  },

  async insertFileMeta(trx: Db, deliveryId: number, filename: string): Promise<number> {
    return (await trx.insertInto('devilry_filemetas').values({ submission_id: deliveryId, filename }).returning('id').executeTakeFirstOrThrow()).id;
  },

  async deleteFileMeta(trx: Db, id: number): Promise<void> {
    await trx.deleteFrom('devilry_filemetas').where('id', '=', id).execute();
  },

  /** A delivery is its submission: deleting it takes its feedback along (foreign keys cascade). */
  async deleteDelivery(trx: Db, id: number): Promise<void> {
    await trx.deleteFrom('submissions').where('id', '=', id).execute();
  },

  feedback(db: Db, id: number) {
    return db
      .selectFrom('feedback as f')
      .innerJoin('devilry_deliveries as dd', 'dd.submission_id', 'f.submission_id')
      .innerJoin('submissions as s', 's.id', 'f.submission_id')
      .select(['f.id', 'f.submission_id', 's.assignment_id'])
      .where('f.id', '=', id)
      .executeTakeFirst();
  },

  async deleteFeedback(trx: Db, id: number): Promise<void> {
    await trx.deleteFrom('feedback').where('id', '=', id).execute();
  },

  async insertFeedback(
    trx: Db,
    f: { deliveryId: number; savedBy: number; grade: string; points: number; isPassingGrade: boolean; renderedView: string },
    now: string,
  ): Promise<number> {
    const { id } = await trx
      .insertInto('feedback')
      .values({ submission_id: f.deliveryId, author_id: f.savedBy, grade_text: f.grade, points: f.points, passing: f.isPassingGrade, text: f.renderedView, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  },

  /** The delivery's current (latest) feedback's grade, points and verdict. */
  async latestFeedback(db: Db, deliveryId: number): Promise<{ grade: string | null; points: number | null; passing: boolean | null } | undefined> {
    const row = await db.selectFrom('feedback').select(['grade_text', 'points', 'passing']).where('submission_id', '=', deliveryId).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row && { grade: row.grade_text, points: row.points === null ? null : Number(row.points), passing: row.passing === null ? null : Boolean(row.passing) };
  },

  userIdsByUsername(db: Db, usernames: string[]) {
    if (usernames.length === 0) return Promise.resolve([]);
    return db.selectFrom('users').select(['id', 'username']).where('username', 'in', usernames).execute();
  },

  /** Updates one level's rows; false when there is no such object. */
  async updateLevel(trx: Db, model: LevelModel, id: number, p: LevelPatch): Promise<boolean> {
    const set = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
    const run = async (q: { execute(): Promise<{ numUpdatedRows: bigint }[]> } | null) => (q ? Number((await q.execute())[0]?.numUpdatedRows ?? 0) : 0);
    switch (model) {
      case 'node': {
        const patch = set({ short_name: p.shortName, long_name: p.longName, parentnode_id: p.parent });
        if (Object.keys(patch).length === 0) return Boolean(await trx.selectFrom('devilry_nodes').select('id').where('id', '=', id).executeTakeFirst());
        return (await run(trx.updateTable('devilry_nodes').set(patch).where('id', '=', id))) > 0;
      }
      case 'subject': {
        const patch = set({ short_name: p.shortName, long_name: p.longName, node_id: p.parent ?? undefined });
        if (Object.keys(patch).length === 0) return Boolean(await trx.selectFrom('devilry_subjects').select('id').where('id', '=', id).executeTakeFirst());
        return (await run(trx.updateTable('devilry_subjects').set(patch).where('id', '=', id))) > 0;
      }
      case 'period': {
        if (!(await trx.selectFrom('devilry_periods').select('course_id').where('course_id', '=', id).executeTakeFirst())) return false;
        // The course keeps its slug (other dialects name the course by it); the period its own short name.
        const course = set({ name: p.longName, start_at: p.startTime, end_at: p.endTime });
        if (Object.keys(course).length > 0) await trx.updateTable('courses').set(course).where('id', '=', id).execute();
        const period = set({ subject_id: p.parent ?? undefined, short_name: p.shortName });
        if (Object.keys(period).length > 0) await trx.updateTable('devilry_periods').set(period).where('course_id', '=', id).execute();
        return true;
      }
      case 'assignment': {
        if (!(await trx.selectFrom('devilry_assignments').select('exercise_id').where('exercise_id', '=', id).executeTakeFirst())) return false;
        const exercise = set({ slug: p.shortName, name: p.longName, start_at: p.publishingTime });
        if (Object.keys(exercise).length > 0) await trx.updateTable('exercises').set(exercise).where('id', '=', id).execute();
        const devilry = set({ publishing_time: p.publishingTime, anonymous: p.anonymous, delivery_types: p.deliveryTypes, scale_points_percent: p.scalePointsPercent });
        if (Object.keys(devilry).length > 0) await trx.updateTable('devilry_assignments').set(devilry).where('exercise_id', '=', id).execute();
        return true;
      }
      case 'assignmentgroup': {
        if (!(await trx.selectFrom('devilry_groups').select('assignment_id').where('assignment_id', '=', id).executeTakeFirst())) return false;
        const group = set({ name: p.name, is_open: p.isOpen });
        if (Object.keys(group).length > 0) await trx.updateTable('devilry_groups').set(group).where('assignment_id', '=', id).execute();
        return true;
      }
    }
  },

  /**
   * Deletes a subject or a node with everything below it: child nodes, their subjects, and the
   * periods (courses) of those subjects; false when there is none.
   */
  async deleteUpper(trx: Db, model: 'node' | 'subject', id: number): Promise<boolean> {
    const table = model === 'node' ? 'devilry_nodes' : 'devilry_subjects';
    if (!(await trx.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst())) return false;
    const nodes: number[] = [];
    if (model === 'node') {
      for (let level = [id]; level.length > 0; ) {
        nodes.push(...level);
        level = (await trx.selectFrom('devilry_nodes').select('id').where('parentnode_id', 'in', level).execute()).map((r) => r.id);
      }
    }
    const subjects =
      model === 'subject' ? [id] : (await trx.selectFrom('devilry_subjects').select('id').where('node_id', 'in', nodes).execute()).map((r) => r.id);
    if (subjects.length > 0) {
      await trx.deleteFrom('courses').where('id', 'in', trx.selectFrom('devilry_periods').select('course_id').where('subject_id', 'in', subjects)).execute();
      await trx.deleteFrom('devilry_subjects').where('id', 'in', subjects).execute();
    }
    // Children first: a node's parent reference is nulled, not cascaded, on delete.
    for (const node of nodes.reverse()) await trx.deleteFrom('devilry_nodes').where('id', '=', node).execute();
    return true;
  },

  /** Deletes a period (course), an assignment (exercise) or a group (core assignment) with all below it; false when there is none. */
  async deleteLevel(trx: Db, model: 'period' | 'assignment' | 'assignmentgroup', id: number): Promise<boolean> {
    const res =
      model === 'period'
        ? await trx.deleteFrom('courses').where('id', '=', id).where('id', 'in', trx.selectFrom('devilry_periods').select('course_id')).executeTakeFirst()
        : model === 'assignment'
          ? await trx.deleteFrom('exercises').where('id', '=', id).where('id', 'in', trx.selectFrom('devilry_assignments').select('exercise_id')).executeTakeFirst()
          : await trx.deleteFrom('assignments').where('id', '=', id).where('id', 'in', trx.selectFrom('devilry_groups').select('assignment_id')).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  },
};

export type LevelModel = 'node' | 'subject' | 'period' | 'assignment' | 'assignmentgroup';

export interface LevelPatch {
  shortName?: string;
  longName?: string;
  parent?: number | null;
  startTime?: string | null;
  endTime?: string | null;
  publishingTime?: string;
  anonymous?: boolean;
  deliveryTypes?: number;
  scalePointsPercent?: number;
  name?: string;
  isOpen?: boolean;
}
