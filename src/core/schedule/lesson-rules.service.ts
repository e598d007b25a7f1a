import type { Db } from '../../db/database.ts';
import type { Actor } from '../actor.ts';
import { AssayError, doesNotExist } from '../errors.ts';
import type { FieldProblem } from '../errors.ts';
import { missingReferences } from '../courses/references.ts';
import type { LessonsService } from './lessons.service.ts';

export interface LessonRule {
  id: number;
  lesson_id: number;
  parent_rule_id: number | null;
  queue_id: number | null;
  student_groups: number[];
}

export interface LessonRuleInput {
  parent_rule?: number | null;
  student_groups?: number[];
  queue?: number | null;
}

/** A lesson's rules: which queue the students of some groups (or everyone, without groups) follow. */
export class LessonRulesService {
  constructor(
    private readonly db: Db,
    private readonly lessons: LessonsService,
  ) {}

  /** Every rule of a lesson with its groups, without any permission check (the lesson applier needs them). */
  async rulesOf(lessonId: number): Promise<LessonRule[]> {
    const rows = await this.db.selectFrom('lesson_rules').select(['id', 'lesson_id', 'parent_rule_id', 'queue_id']).where('lesson_id', '=', lessonId).orderBy('id').execute();
    if (rows.length === 0) return [];
    const groups = await this.db
      .selectFrom('lesson_rule_groups')
      .select(['rule_id', 'class_id'])
      .where(
        'rule_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('class_id')
      .execute();
    return rows.map((r) => ({ ...r, student_groups: groups.filter((g) => g.rule_id === r.id).map((g) => g.class_id) }));
  }

  async list(actor: Actor, lessonId: number): Promise<LessonRule[]> {
    await this.lessons.get(actor, lessonId);
    return this.rulesOf(lessonId);
  }

  async get(actor: Actor, lessonId: number, id: number): Promise<LessonRule> {
    await this.lessons.get(actor, lessonId);
    const rule = (await this.rulesOf(lessonId)).find((r) => r.id === id);
    if (!rule) throw AssayError.notFound();
    return rule;
  }

  private async validate(lessonId: number, selfId: number | null, input: LessonRuleInput): Promise<void> {
    const problems: FieldProblem[] = [
      ...(await missingReferences(this.db, 'queues', [input.queue], 'queue')),
      ...(await missingReferences(this.db, 'classes', input.student_groups ?? [], 'student_groups')),
    ];
    if (input.parent_rule !== undefined && input.parent_rule !== null) {
      const siblings = await this.rulesOf(lessonId);
      const byId = new Map(siblings.map((r) => [r.id, r]));
      const invalid = doesNotExist('parent_rule', input.parent_rule);
      if (!byId.has(input.parent_rule)) problems.push(invalid);
      else {
        // Walking up from the new parent must never reach the rule itself.
        let cursor: number | null = input.parent_rule;
        const seen = new Set<number>();
        while (cursor !== null && !seen.has(cursor)) {
          if (cursor === selfId) {
            problems.push({ field: 'parent_rule', code: 'invalid', message: 'A rule cannot be its own ancestor.' });
            break;
          }
          seen.add(cursor);
          cursor = byId.get(cursor)?.parent_rule_id ?? null;
        }
      }
    }
    if (problems.length > 0) throw AssayError.invalid(problems);
  }

  async create(actor: Actor, lessonId: number, input: LessonRuleInput): Promise<LessonRule> {
    await this.lessons.get(actor, lessonId);
    this.lessons.assertWriter(actor);
    await this.validate(lessonId, null, input);
    const id = await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('lesson_rules')
        .values({ lesson_id: lessonId, parent_rule_id: input.parent_rule ?? null, queue_id: input.queue ?? null })
        .returning('id')
        .executeTakeFirstOrThrow();
      const groups = [...new Set(input.student_groups ?? [])];
      if (groups.length > 0) await tx.insertInto('lesson_rule_groups').values(groups.map((class_id) => ({ rule_id: row.id, class_id }))).execute();
      return row.id;
    });
    return this.get(actor, lessonId, id);
  }

  async update(actor: Actor, lessonId: number, id: number, input: LessonRuleInput): Promise<LessonRule> {
    await this.get(actor, lessonId, id);
    this.lessons.assertWriter(actor);
    await this.validate(lessonId, id, input);
    await this.db.transaction().execute(async (tx) => {
      const patch: { parent_rule_id?: number | null; queue_id?: number | null } = {};
      if (input.parent_rule !== undefined) patch.parent_rule_id = input.parent_rule;
      if (input.queue !== undefined) patch.queue_id = input.queue;
      if (Object.keys(patch).length > 0) await tx.updateTable('lesson_rules').set(patch).where('id', '=', id).execute();
      if (input.student_groups !== undefined) {
        await tx.deleteFrom('lesson_rule_groups').where('rule_id', '=', id).execute();
        const groups = [...new Set(input.student_groups)];
        if (groups.length > 0) await tx.insertInto('lesson_rule_groups').values(groups.map((class_id) => ({ rule_id: id, class_id }))).execute();
      }
    });
    return this.get(actor, lessonId, id);
  }

  async delete(actor: Actor, lessonId: number, id: number): Promise<void> {
    await this.get(actor, lessonId, id);
    this.lessons.assertWriter(actor);
    await this.db.deleteFrom('lesson_rules').where('id', '=', id).execute();
  }
}
